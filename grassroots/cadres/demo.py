"""Demo committees, qualifications and courses for the demo province (Lạng Sơn), written in bulk.

- **Committees.** Every organization gets a term for each window of 2005–2010, 2010–2015,
  2015–2020, 2020–2025 and 2025–2030 that its life overlaps (congresses: cells in April,
  grassroots and partial committees in May, districts in July, the province in October; an
  organization established mid-window, such as the communes of the 1/7/2025 reorganization, gets
  an appointed committee from its first day, domain-processes.md §2.5). Seats follow the level;
  holders are drawn from the members counted in the organization's subtree on the first day
  (half of the secretaries re-elected). A holder who leaves the subtree (death, transfer,
  expulsion, restructure) leaves the post that day, and a secretary is replaced by appointment;
  one in fifty is left for the clerk to close (the "holders who left" list).
- **Qualifications** for every holder, from the year they first held a post: younger cohorts
  are better qualified, so the gap of commune secretaries narrows; trung cấp and university
  courses close it further.
- **Courses**: per year, political-theory (sơ cấp, trung cấp) and degree courses (đào tạo: the
  completion adds the qualification) and new-member, committee-update and party-work courses
  (bồi dưỡng), sized so that 2010–2017 gives the seed's "more than 4,000 trained and 13,400
  fostered" (domain-processes.md §2, the issue's figures), each enrolee a member of the
  province over the whole course.

Rows are written with bulk_create; one audit record covers the batch.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import defaultdict
from types import SimpleNamespace

from django.db import connection, transaction
from psycopg.types.json import Jsonb

from grassroots.audit.models import Source
from grassroots.audit.services import Actor, record
from grassroots.core.dates import FAR_FUTURE
from grassroots.core.rows import append_rows
from grassroots.derived import maintain
from grassroots.members.models import Member, MemberStint, Reason
from grassroots.organizations.models import Unit, UnitAncestry, UnitVersion

from .models import (
    Course,
    CourseKind,
    EndReason,
    Enrolment,
    Holding,
    Qualification,
    QualKind,
    Result,
    Start,
    Subject,
    Term,
)

YEARS = [2005, 2010, 2015, 2020, 2025]
CONGRESS = {  # (month, day) of the congresses by level
    "subordinate_cell": (4, 15), "grassroots_cell": (4, 20), "partial_committee": (4, 25),
    "grassroots_committee": (5, 15), "district": (7, 1), "province": (10, 1),
}  # fmt: skip
CELLS = ("subordinate_cell", "grassroots_cell")
END_REASON = {Reason.DIED: EndReason.DIED, Reason.TRANSFER: EndReason.MOVED,
              Reason.EXPELLED: EndReason.DISCIPLINED, Reason.RESTRUCTURE: EndReason.MOVED,
              Reason.REMOVED: EndReason.OTHER, Reason.LEFT: EndReason.OTHER}  # fmt: skip
# Enrolments per year, 1 in 25 not completed (2010–2017: about 4,180 trained and 13,800
# fostered turns).
TRAINED_PER_YEAR, FOSTERED_PER_YEAR = 545, 1800
SCHOOL = "Trường Chính trị Hoàng Văn Thụ tỉnh Lạng Sơn"


def _seats(kind: str, gtype: str, members: int) -> dict[str, int]:
    if kind == "province":
        return {"secretary": 1, "deputy": 3, "standing": 12, "committee": 35, "insp_chair": 1,
                "insp_member": 6}  # fmt: skip
    if kind == "district":
        return {"secretary": 1, "deputy": 2, "standing": 8, "committee": 20, "insp_chair": 1,
                "insp_member": 4}  # fmt: skip
    if kind == "grassroots_committee":
        seats = {"secretary": 1, "deputy": 2 if gtype == "commune" else 1,
                 "committee": max(4, min(12, members // 25)), "insp_chair": 1}  # fmt: skip
        if gtype == "commune":
            seats["standing"] = 2
        return seats
    if kind == "partial_committee":
        return {"secretary": 1, "deputy": 1, "committee": 3}
    # cells (QĐ 294: 9 or more official members elect a chi ủy; fewer elect a secretary)
    if members >= 9:
        return {"secretary": 1, "deputy": 1, "cell_committee": 1}
    return {"secretary": 1}


class _World:
    """The registry read once: versions, closure, members' intervals in the province."""

    def __init__(self, root: Unit) -> None:
        under = UnitAncestry.objects.filter(ancestor=root).values_list("descendant_id", flat=True)
        self.units = {u.pk: u for u in Unit.objects.filter(pk__in=under)}
        self.versions = defaultdict(list)
        for v in UnitVersion.objects.filter(unit_id__in=self.units).values_list(
            "unit_id", "valid_from", "valid_to", "kind", "grassroots_type"
        ):
            self.versions[v[0]].append(v[1:])
        self.below = defaultdict(list)
        for a, d, f, t in UnitAncestry.objects.filter(ancestor_id__in=self.units).values_list(
            "ancestor_id", "descendant_id", "valid_from", "valid_to"
        ):
            self.below[a].append((d, f, t or FAR_FUTURE))
        self.by_cell = defaultdict(list)
        self.by_member = defaultdict(list)
        for m, u, s, e, r in MemberStint.objects.filter(unit_id__in=self.units).values_list(
            "member_id", "unit_id", "start", "end", "end_reason"
        ):
            row = (m, u, s, e or FAR_FUTURE, r)
            self.by_cell[u].append(row)
            self.by_member[m].append(row)
        for rows in self.by_member.values():
            rows.sort(key=lambda r: r[2])
        self.births = dict(
            Member.objects.filter(pk__in=self.by_member).values_list("pk", "birth_date")
        )

    def kind_on(self, unit_id: int, day: dt.date) -> tuple[str, str]:
        for f, t, kind, gtype in self.versions[unit_id]:
            if f <= day and (t is None or day < t):
                return kind, gtype
        return "", ""

    def cells_under(self, unit_id: int, day: dt.date) -> set[int]:
        return {d for d, f, t in self.below[unit_id] if f <= day < t}

    def members_under(self, unit_id: int, day: dt.date) -> list[int]:
        out = []
        for cell in self.cells_under(unit_id, day):
            out += [m for m, _u, s, e, _r in self.by_cell[cell] if s <= day < e]
        return sorted(set(out))

    def leaves(self, member: int, unit_id: int, day: dt.date) -> tuple[dt.date, str]:
        """The first day after `day` on which `member` is no longer counted under `unit_id`."""
        rows = self.by_member[member]
        current = next((r for r in rows if r[2] <= day < r[3]), None)
        if current is None or current[1] not in self.cells_under(unit_id, day):
            return day, ""  # not (or no longer) counted under the organization on `day`
        while current is not None:
            end = current[3]
            if end == FAR_FUTURE:
                return end, ""
            nxt = next((r for r in rows if r[2] == end), None)
            if nxt is None or nxt[1] not in self.cells_under(unit_id, end):
                return end, current[4]
            current = nxt
        return day, ""

    def intervals(self) -> dict[int, list[tuple[dt.date, dt.date]]]:
        """Each member's time in the province: contiguous stints merged."""
        out = {}
        for m, rows in self.by_member.items():
            merged: list[list] = []
            for _m, _u, s, e, _r in rows:
                if merged and merged[-1][1] == s:
                    merged[-1][1] = e
                else:
                    merged.append([s, e])
            out[m] = [tuple(x) for x in merged]
        return out


class _Builder:
    def __init__(self, world: _World, rng: random.Random, today: dt.date) -> None:
        self.w, self.rng, self.today = world, rng, today
        self.terms: list[Term] = []
        self.holdings: list[tuple[Term, Holding]] = []
        self.quals: list[Qualification] = []
        self.levels: dict[int, dict[str, int]] = defaultdict(dict)  # member → kind → year got
        self.commune_leaders: list[tuple[int, int]] = []  # (first year, member)
        self.courses: list[Course] = []
        self.enrolments: list[tuple[Course, Enrolment, tuple | None]] = []

    # --- committees ----------------------------------------------------------------------

    def committees(self) -> None:
        for unit in self.w.units.values():
            previous_secretary = None
            for i, year in enumerate(YEARS):
                kind, gtype = self._kind_near(unit, year)
                if not kind or (year < 2010 and kind in CELLS):
                    continue  # cells from 2010–2015 on (the 2008 gap is about communes)
                month, day = CONGRESS[kind]
                window = dt.date(year, month, day)
                nxt = YEARS[i + 1] if i + 1 < len(YEARS) else None
                window_end = dt.date(nxt, month, day) if nxt else None
                start = max(window, unit.established)
                end = min(window_end or FAR_FUTURE, unit.ended or FAR_FUTURE)
                if start >= end or start > self.today:
                    continue
                kind, gtype = self.w.kind_on(unit.pk, start)
                if not kind:
                    continue
                previous_secretary = self._term(unit, kind, gtype, start, end, window,
                                                f"{year}–{year + 5}", previous_secretary)  # fmt: skip

    def _kind_near(self, unit: Unit, year: int) -> tuple[str, str]:
        for f, t, kind, gtype in self.w.versions[unit.pk]:
            if (t is None or t.year >= year) and f.year <= year + 5:
                return kind, gtype
        return "", ""

    def _term(self, unit, kind, gtype, start, end, window, name, previous):
        people = self.w.members_under(unit.pk, start)
        if not people:
            return None
        elected = start == window
        seats = _seats(kind, gtype, len(people))
        term = _Row(
            unit=unit, name=name, start=start, end=None if end == FAR_FUTURE else end,
            how=Start.ELECTED if elected else Start.APPOINTED,
            congress_date=start - dt.timedelta(days=2) if elected else None,
            delegates=min(len(people), 300) if elected else None,
            result="Bầu đủ số lượng theo đề án." if elected else "",
            decision_number="" if elected else f"{self.rng.randint(1, 999)}-QĐ/TU",
            seats=seats,
        )  # fmt: skip
        self.terms.append(term)
        pool = self.rng.sample(people, len(people))
        if previous in people and self.rng.random() < 0.5:
            pool.remove(previous)
            pool.insert(0, previous)
        secretary = None
        for post, n in seats.items():
            for _ in range(n):
                if not pool or (post != "secretary" and self.rng.random() < 0.03):
                    continue  # a few seats stay vacant
                member = pool.pop(0)
                secretary = member if post == "secretary" else secretary
                self._hold(term, unit, member, post, start, end, kind, gtype, pool)
        return secretary

    def _hold(self, term, unit, member, post, start, end, kind, gtype, pool, how=None):
        leave, reason = self.w.leaves(member, unit.pk, start)
        holding = _Row(
            unit=unit, member_id=member, post=post, start=start, end=None,
            how=how or term.how, decision_number=term.decision_number if how is None else
            f"{self.rng.randint(1, 999)}-QĐ/ĐU",
        )  # fmt: skip
        self.holdings.append((term, holding))
        if post in ("secretary", "deputy", "standing"):
            self._qualify(member, start, post, kind, gtype)
            if kind == "grassroots_committee" and gtype == "commune":
                self.commune_leaders.append((start.year, member))
        if leave < end and leave <= self.today and self.rng.random() > 0.02:
            holding.end, holding.end_reason = leave, END_REASON.get(reason, EndReason.OTHER)
            holding.end_decision = f"{self.rng.randint(1, 999)}-QĐ/ĐU"
            if post == "secretary" and pool:
                # The committee above appoints a successor (domain-processes.md §2.5).
                alive = [m for m in pool[:20] if self.w.leaves(m, unit.pk, leave)[0] > leave]
                if alive:
                    pool.remove(alive[0])
                    self._hold(term, unit, alive[0], post, leave, end, kind, gtype, pool,
                               Start.APPOINTED)  # fmt: skip
        elif end != FAR_FUTURE:
            holding.end, holding.end_reason = end, EndReason.TERM_ENDED

    # --- qualifications ------------------------------------------------------------------

    def _fact(self, member: int, kind: str, level: str, day: dt.date, evidence: str,
              enrolment: Enrolment | None = None) -> None:  # fmt: skip
        birth = self.w.births.get(member)
        if birth is None or day < birth or day > self.today:
            return
        self.levels[member][f"{kind}:{level}"] = day.year
        self.quals.append(_Row(
            member_id=member, kind=kind, level=level, obtained_on=day, evidence=evidence,
            enrolment=enrolment,
        ))  # fmt: skip

    def _qualify(self, member: int, start: dt.date, post: str, kind: str, gtype: str) -> None:
        if member in self.levels:
            return
        self.levels[member] = {}
        birth = self.w.births.get(member)
        if birth is None:
            return
        rng = self.rng
        # Younger cohorts are better qualified (the gap narrows as committees renew).
        cohort = min(1.0, max(0.0, (start.year - 2003) / 20))
        senior = kind in ("province", "district")
        if rng.random() < 0.9 + 0.1 * cohort:
            self._fact(member, QualKind.EDUCATION, "upper_secondary",
                       dt.date(birth.year + 18, 6, 30), "Bằng tốt nghiệp THPT")  # fmt: skip
        else:
            self._fact(member, QualKind.EDUCATION, "lower_secondary",
                       dt.date(birth.year + 15, 6, 30), "Bằng tốt nghiệp THCS")  # fmt: skip
        p_uni = 0.85 if senior else 0.15 + 0.7 * cohort
        p_mid = 0.95 if senior else 0.55 + 0.4 * cohort
        draw = rng.random()
        if draw < p_uni:
            self._fact(member, QualKind.PROFESSIONAL, "university",
                       dt.date(birth.year + 23, 7, 15), "Bằng đại học")  # fmt: skip
        elif draw < p_mid:
            self._fact(member, QualKind.PROFESSIONAL, "intermediate",
                       dt.date(birth.year + 21, 7, 15), "Bằng trung cấp")  # fmt: skip
        p_theory = 0.9 if senior else 0.35 + 0.5 * cohort
        got = start - dt.timedelta(days=rng.randint(200, 2500))
        if rng.random() < p_theory:
            level = "senior" if senior else "intermediate"
            self._fact(member, QualKind.THEORY, level, got, "Bằng lý luận chính trị")
        elif rng.random() < 0.7:
            self._fact(member, QualKind.THEORY, "elementary", got, "Giấy chứng nhận sơ cấp")

    # --- courses -------------------------------------------------------------------------

    def courses_for(self, unit: Unit, first_year: int) -> None:
        intervals = self.w.intervals()
        spans = [(s, e, m) for m, rows in intervals.items() for s, e in rows]
        admitted = defaultdict(list)  # year → [(member, day)]
        for m, rows in self.w.by_member.items():
            first = rows[0]
            if first[2].year >= first_year:
                admitted[first[2].year].append((m, first[2]))

        def lacking(member: int, kind: str, levels: tuple[str, ...]) -> bool:
            return not any(f"{kind}:{lv}" in self.levels.get(member, {}) for lv in levels)

        number = 0
        for year in range(first_year, self.today.year):
            a, b = dt.date(year - 1, 9, 1), dt.date(year, 12, 31)
            covering = sorted({m for s, e, m in spans if s <= a and e > b})
            self.rng.shuffle(covering)
            scale = 1.0 if 2010 <= year <= 2017 else 0.8
            trained, fostered = int(TRAINED_PER_YEAR * scale), int(FOSTERED_PER_YEAR * scale)
            # Commune leaders short of the standard go first (the districts' projects to raise
            # the quality of commune cadres).
            leaders = [m for y, m in self.commune_leaders if year - 6 <= y <= year]
            short = {
                "intermediate": [m for m in leaders
                                 if lacking(m, "theory", ("intermediate", "senior", "bachelor"))],
                "university": [m for m in leaders
                               if lacking(m, "professional", ("intermediate", "college",
                                                              "university", "master"))],
            }  # fmt: skip
            plan = [
                # (subject, kind, name, start, end, grants, share of the year's turns)
                (Subject.THEORY, CourseKind.TRAINING, "Trung cấp lý luận chính trị - hành chính",
                 dt.date(year - 1, 9, 5), dt.date(year, 6, 30), ("theory", "intermediate"), 0.35),
                (Subject.THEORY, CourseKind.TRAINING, "Sơ cấp lý luận chính trị",
                 dt.date(year, 3, 1), dt.date(year, 5, 15), ("theory", "elementary"), 0.45),
                (Subject.PROFESSIONAL, CourseKind.TRAINING, "Đại học (vừa làm vừa học)",
                 dt.date(year - 1, 9, 1), dt.date(year, 8, 31), ("professional", "university"), 0.2),
            ]  # fmt: skip
            for subject, kind, name, start, end, grants, share in plan:
                n = int(trained * share)
                people = short.get(grants[1], []) + covering
                chosen = self._distinct(people, n, intervals, start, end)
                number += 1
                self._course(unit, number, year, subject, kind, name, start, end, grants, chosen)
            # Fostering: new members first, then committee updates and party-work skills.
            newcomers = [m for m, day in admitted.get(year - 1, []) if day.month >= 7] + [
                m for m, day in admitted.get(year, []) if day.month < 7]  # fmt: skip
            start, end = dt.date(year, 8, 10), dt.date(year, 8, 16)
            chosen = self._distinct(newcomers, int(fostered * 0.35), intervals, start, end)
            rest = fostered - len(chosen)
            number += 1
            self._course(unit, number, year, Subject.NEW_MEMBER, CourseKind.FOSTERING,
                         "Bồi dưỡng lý luận chính trị cho đảng viên mới", start, end, None, chosen)  # fmt: skip
            holders = [h.member_id for _t, h in self.holdings
                       if h.start.year <= year and (h.end is None or h.end.year > year)]  # fmt: skip
            self.rng.shuffle(holders)
            for subject, name, month, share in (
                (Subject.UPDATE, "Cập nhật kiến thức cho cấp ủy viên", 10, 0.6),
                (Subject.PARTY_WORK, "Nghiệp vụ công tác đảng cho bí thư chi bộ", 11, 0.4),
            ):
                start, end = dt.date(year, month, 3), dt.date(year, month, 7)
                chosen = self._distinct(holders + covering, int(rest * share), intervals,
                                        start, end)  # fmt: skip
                number += 1
                self._course(unit, number, year, subject, CourseKind.FOSTERING, name, start,
                             end, None, chosen)  # fmt: skip

    def _distinct(self, people, n, intervals, start, end) -> list[int]:
        out, seen = [], set()
        for m in people:
            if len(out) >= n:
                break
            if m in seen:
                continue
            if any(s <= start and e > end for s, e in intervals.get(m, ())):
                out.append(m)
                seen.add(m)
        return out

    def _course(self, unit, number, year, subject, kind, name, start, end, grants, chosen):
        if end > self.today:
            return
        course = _Row(
            code=f"LS-{year}-{number:03d}", name=f"{name} ({year})", kind=kind, subject=subject,
            unit=unit, organizer=SCHOOL, start=start, end=end,
            grants_kind=grants[0] if grants else "", grants_level=grants[1] if grants else "",
        )  # fmt: skip
        self.courses.append(course)
        for member in chosen:
            self.enrolments.append((course, _Row(
                member_id=member, enrolled_on=start, result=Result.COMPLETED, result_on=end,
                certificate=f"{number}/{year}",
            ), grants))  # fmt: skip
        # One in twenty-five does not finish (not counted: "lượt" are completed enrolments).
        for _course, enrolment, _g in self.enrolments[-len(chosen) :][: len(chosen) // 25]:
            enrolment.result = self.rng.choice([Result.FAILED, Result.WITHDREW])

    @transaction.atomic
    def flush(self) -> dict[str, int]:
        for course, enrolment, grants in self.enrolments:
            if grants and enrolment.result == Result.COMPLETED:
                self._fact(enrolment.member_id, grants[0], grants[1], course.end,
                           f"Hoàn thành lớp {course.code}", enrolment)  # fmt: skip
        for term, holding in self.holdings:
            holding.term = term
        for course, enrolment, _grants in self.enrolments:
            enrolment.course = course
        tables = [
            (Term, self.terms), (Holding, [h for _t, h in self.holdings]), (Course, self.courses),
            (Enrolment, [e for _c, e, _g in self.enrolments]), (Qualification, self.quals),
        ]  # fmt: skip
        for model, rows in tables:
            _ids(model, rows)
        for model, rows in tables:
            _insert(model, rows)
        _sync_sequences([model for model, _rows in tables])
        maintain.member_levels_changed({q.member_id for q in self.quals})
        return {"terms": len(self.terms), "holdings": len(self.holdings),
                "qualifications": len(self.quals), "courses": len(self.courses),
                "enrolments": len(self.enrolments)}  # fmt: skip


class _Row(SimpleNamespace):
    """A row to write (cheaper than a model instance; written with COPY / executemany)."""


def _ids(model, rows) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")
        top = cursor.fetchone()[0]
    for number, row in enumerate(rows, start=top + 1):
        row.id = number


def _insert(model, rows) -> None:
    fields = list(model._meta.concrete_fields)
    defaults = {f.name: f.get_default() for f in fields}
    values = []
    for row in rows:
        line = []
        for f in fields:
            if f.is_relation and hasattr(row, f.attname):
                value = getattr(row, f.attname)
            elif f.is_relation:
                value = getattr(row, f.name, None)
                value = value.id if value is not None else None
            else:
                value = getattr(row, f.name, defaults[f.name])
            if isinstance(value, dict):
                value = Jsonb(value) if connection.vendor == "postgresql" else json.dumps(value)
            line.append(value)
        values.append(tuple(line))
    append_rows(model._meta.db_table, [f.column for f in fields], values)


def _sync_sequences(models) -> None:
    """After explicit ids, move PostgreSQL's identity sequences past them."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(top, 1), "
                f"top IS NOT NULL) FROM (SELECT MAX(id) AS top FROM {table}) AS t"
            )


def seed_demo_cadres(code: str = "LS", seed: int = 2019, today: dt.date | None = None) -> dict:
    """Write the demo's committees, qualifications and courses under `code`; returns counts."""
    from django.utils import timezone

    from .config import ensure_seeded

    ensure_seeded()
    today = today or timezone.localdate()
    root = Unit.objects.get(code=code)
    builder = _Builder(_World(root), random.Random(seed), today)
    builder.committees()
    builder.courses_for(root, 2006)
    counts = builder.flush()
    record(
        Actor(None, Source.CLI), obj=root, action="bulk_load", object_type="term",
        changes={k: [None, v] for k, v in counts.items()},
        reason=f"demo: cấp ủy, trình độ, đào tạo (seed {seed})",
    )  # fmt: skip
    return counts
