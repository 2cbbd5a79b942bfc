"""The rules a rating must satisfy before it is written (domain.md §3, rule parameters in schemes.py):
scores and facts in range, the scheme's conditions for each level, and the cap on the share of
the best level. Checks over a `Context` read once per batch; they write nothing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max

from grassroots.members.models import Member
from grassroots.organizations.models import Unit, UnitVersion

from . import queries as q
from .models import (
    DisciplineTarget,
    Level,
    Round,
    Step,
    Subject,
)

MAX_ERRORS = 50
BIG_BATCH = 5000
FACT_KEYS = ("tasks_done_pct", "tasks_on_time_pct", "tasks_exceeding_pct", "tasks_late_pct")


# Ratings -----------------------------------------------------------------------------------------


@dataclass
class Entry:
    """One rating to write: a member or an organization, a level code, the score and facts."""

    level: str
    member: Member | int | None = None
    unit: Unit | int | None = None
    score: Any = None
    facts: dict = field(default_factory=dict)
    note: str = ""
    row: int | None = None  # spreadsheet row, for messages

    @property
    def subject(self) -> str:
        return Subject.MEMBER if self.member is not None else Subject.ORGANIZATION

    @property
    def member_id(self) -> int | None:
        return self.member.pk if isinstance(self.member, Member) else self.member

    @property
    def unit_id(self) -> int | None:
        return self.unit.pk if isinstance(self.unit, Unit) else self.unit


class Context:
    """Everything the rules need about one round, loaded once per call."""

    def __init__(
        self,
        rnd: Round,
        entries: list[Entry],
        *,
        orgs: dict[int, UnitVersion] | None = None,
        members: dict[int, q.MemberPlace] | None = None,
    ) -> None:
        self.round = rnd
        self.year = rnd.year
        self.day = q.year_end(rnd.year)
        self.scheme = rnd.scheme
        self.rules = q.Rules.of(rnd.scheme)
        self.levels: dict[tuple[str, str], Level] = {
            (lv.subject, lv.code): lv for lv in rnd.scheme.levels.all()
        }
        self.lowest = {
            s: max(lv.order for (subj, _), lv in self.levels.items() if subj == s)
            for s in Subject.values
        }
        member_ids = [e.member_id for e in entries if e.member_id is not None]
        org_ids = [e.unit_id for e in entries if e.member_id is None]
        # Big batches (the demo history) load the whole subtree instead of a huge IN list.
        few = member_ids if len(member_ids) <= BIG_BATCH else None
        # `orgs` / `members`: the same reads for the round's unit and year, already made by the
        # caller (the demo history loads them once per year instead of once per call).
        if not member_ids:
            self.members = {}
        elif members is not None:
            self.members = members
        else:
            self.members = q.members_at_year_end(rnd.unit, rnd.year, self.rules, few)
        if not org_ids:
            self.orgs = {}
        else:
            self.orgs = orgs if orgs is not None else q.organizations_due(rnd.unit, rnd.year)
        self.grassroots_of_org = q.grassroots_of(org_ids, self.day) if org_ids else {}
        self.disciplined_members = q.disciplined_members(few, rnd.year) if member_ids else set()
        self.children = q.children_due(org_ids, rnd.year) if org_ids else {}
        related = set(org_ids) | {c for cs in self.children.values() for c in cs}
        self.disciplined_units = q.disciplined_units(related, rnd.year) if related else {}
        subject_units = set(org_ids) | {p.cell_id for p in self.members.values()}
        self.locked = q.locked_by(rnd, subject_units)
        # Names only of members rated in this round (inside its unit): a message about any other
        # id must not reveal whose it is (issue 20 §8).
        self.names = (
            dict(
                Member.objects.filter(
                    pk__in=[m for m in member_ids if m in self.members]
                ).values_list("pk", "full_name")
            )
            if few
            else {}
        )
        coded = set(org_ids) | subject_units | set(self.locked.values())
        self.codes = dict(Unit.objects.filter(pk__in=coded).values_list("pk", "code"))

    def label(self, entry: Entry) -> str:
        if entry.row is not None:
            return f"Dòng {entry.row}"
        if entry.member_id is not None:
            return f"Đảng viên {self.names.get(entry.member_id, entry.member_id)}"
        return f"Tổ chức {self.codes.get(entry.unit_id, entry.unit_id)}"


def parse_score(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        score = Decimal(str(value).replace(",", "."))
    except InvalidOperation as exc:
        raise ValidationError("Điểm phải là một số từ 0 đến 100.") from exc
    if not Decimal(0) <= score <= Decimal(100):
        raise ValidationError("Điểm phải là một số từ 0 đến 100.")
    return score


def _fact(facts: dict, key: str) -> Decimal | None:
    value = facts.get(key)
    if value is None or value == "":
        return None
    return Decimal(str(value).replace(",", "."))


_FACT_LABELS = {
    "tasks_done_pct": "tỷ lệ nhiệm vụ hoàn thành",
    "tasks_on_time_pct": "tỷ lệ nhiệm vụ hoàn thành đúng hạn",
    "tasks_exceeding_pct": "tỷ lệ nhiệm vụ vượt yêu cầu",
    "tasks_late_pct": "tỷ lệ nhiệm vụ chậm tiến độ",
}


def check_entry(
    ctx: Context, step: str, entry: Entry, level: Level, score: Decimal | None
) -> list[str]:
    """The scheme's rules for one subject (domain.md §3). Returns messages (empty = valid)."""
    errors: list[str] = []
    rules, subject = ctx.rules, entry.subject
    disciplined = False
    max_order = 1  # the best level still allowed by the rules (1 = top)
    if subject == Subject.MEMBER:
        if entry.member_id in ctx.disciplined_members and rules.get("disciplined_member_max_order"):
            # QĐ 132 (HD 21, 2019), QĐ 124: disciplined during the year → "không hoàn thành".
            disciplined = True
            cap = rules.get("disciplined_member_max_order")
            max_order = max(max_order, cap)
            if level.order < cap:
                errors.append(
                    f"Đảng viên bị kỷ luật trong năm {ctx.year} chỉ được xếp loại "
                    f"{ctx.levels[(subject, _code_of(ctx, subject, cap))].label}"
                    + rules.suffix("disciplined_member_max_order")
                    + "."
                )
    else:
        own = ctx.disciplined_units.get(entry.unit_id, set())
        cap = rules.get("disciplined_org_max_order")
        if own and cap:
            # QĐ 132: the collective was disciplined; QĐ 124: the leadership collective was.
            disciplined = True
            max_order = max(max_order, cap)
            if level.order < cap:
                who = "Tập thể lãnh đạo" if DisciplineTarget.LEADERSHIP in own else "Tổ chức"
                errors.append(
                    f"{who} bị kỷ luật trong năm {ctx.year}: chỉ được xếp loại "
                    f"{ctx.levels[(subject, _code_of(ctx, subject, cap))].label}"
                    + rules.suffix("disciplined_org_max_order")
                    + "."
                )
        children = ctx.children.get(entry.unit_id, [])
        hit = [c for c in children if ctx.disciplined_units.get(c)]
        pct = rules.get("disciplined_subordinates_pct")
        if pct is not None and children and 100 * len(hit) > pct * len(children):
            # QĐ 124: more than 20% of subordinate units disciplined during the year.
            disciplined = True
            max_order = max(max_order, ctx.lowest[subject])
            if level.order < ctx.lowest[subject]:
                errors.append(
                    f"{len(hit)}/{len(children)} tổ chức trực thuộc bị kỷ luật trong năm (trên {pct}%): "
                    f"chỉ được xếp loại {ctx.levels[(subject, _code_of(ctx, subject, ctx.lowest[subject]))].label}"
                    + rules.suffix("disciplined_subordinates_pct")
                    + "."
                )
        if (
            level.order == 1
            and rules.get("collective_excellent_requires_no_discipline")
            and (hit or own)
        ):
            # QĐ 366 Điều 11: no subordinate unit and no leadership member disciplined.
            errors.append(
                "Tập thể có tổ chức trực thuộc hoặc tập thể lãnh đạo bị kỷ luật trong năm: "
                "không được xếp loại Hoàn thành xuất sắc nhiệm vụ."
            )
    if ctx.scheme.has_score:
        errors += _check_score(ctx, step, entry, level, score, disciplined, max_order)
    return errors


def _code_of(ctx: Context, subject: str, order: int) -> str:
    return next(code for (s, code), lv in ctx.levels.items() if s == subject and lv.order == order)


def _check_score(
    ctx: Context,
    step: str,
    entry: Entry,
    level: Level,
    score: Decimal | None,
    disciplined: bool,
    max_order: int,
) -> list[str]:
    """QĐ 366 Điều 11: the score band and the extra conditions of each level."""
    errors: list[str] = []
    rules, subject, facts = ctx.rules, entry.subject, entry.facts or {}
    if score is None:
        if step != Step.PROPOSAL:
            errors.append(f"{ctx.scheme.name} chấm theo thang điểm 100: cần nhập điểm.")
        return errors
    bands = sorted(
        (lv for (s, _), lv in ctx.levels.items() if s == subject), key=lambda lv: lv.order
    )
    band = next(lv for lv in bands if lv.min_score is not None and score >= lv.min_score)
    if level.order < band.order:
        errors.append(
            f"{_num(score)} điểm chỉ đạt mức {band.label} (từ {_num(band.min_score)} điểm)."
        )
        return errors
    try:
        values = {k: _fact(facts, k) for k in FACT_KEYS}
    except InvalidOperation:
        return errors + ["Các tỷ lệ nhiệm vụ phải là số (phần trăm)."]

    def need(key: str) -> Decimal | None:
        if values[key] is None:
            errors.append(
                f"Mức {level.label} theo {ctx.scheme.name}: cần nhập {_FACT_LABELS[key]} (%)."
            )
        return values[key]

    collective = subject == Subject.ORGANIZATION
    if level.order == 1:
        on_time, exceeding = need("tasks_on_time_pct"), need("tasks_exceeding_pct")
        minimum = rules.get("excellent_min_exceeding_pct")
        if on_time is not None and on_time < 100:
            errors.append("Hoàn thành xuất sắc nhiệm vụ: 100% nhiệm vụ phải hoàn thành đúng hạn.")
        if exceeding is not None and minimum is not None and exceeding < minimum:
            errors.append(
                f"Hoàn thành xuất sắc nhiệm vụ: ít nhất {minimum}% nhiệm vụ phải vượt yêu cầu."
            )
    elif level.order == 2 and rules.get("good_requires_all_on_time"):
        on_time = need("tasks_on_time_pct")
        if on_time is not None and on_time < 100:
            errors.append("Hoàn thành tốt nhiệm vụ: 100% nhiệm vụ phải hoàn thành đúng hạn.")
    elif level.order == 3 and rules.get("completed_requires_all_tasks"):
        done = need("tasks_done_pct")
        if done is not None and done < 100:
            errors.append("Hoàn thành nhiệm vụ: 100% nhiệm vụ phải được hoàn thành.")
        late_max = rules.get("collective_completed_max_late_pct")
        if collective and late_max is not None:
            late = need("tasks_late_pct")
            if late is not None and late > late_max:
                errors.append(
                    f"Tập thể Hoàn thành nhiệm vụ: không quá {late_max}% nhiệm vụ chậm tiến độ."
                )
    if (
        level.order > band.order
        and not (disciplined or max_order > band.order)
        and not entry.note.strip()
    ):
        errors.append(
            f"{_num(score)} điểm tương ứng mức {band.label}; xếp loại thấp hơn cần ghi rõ lý do."
        )
    return errors


def _num(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


def check_cap(
    ctx: Context, step: str, writes: list[tuple[Entry, Level, Any]], pending: dict
) -> list[str]:
    """QĐ 132 (HD 21, 2019): members rated excellent ≤ 20% of those rated good, within each
    grassroots organization, decided by the competent level. While decisions are still coming
    in, a batch is refused only when no completion could satisfy the cap (even if every member
    not yet decided were rated good); once every member is decided the cap is exact."""
    if ctx.rules.get("excellent_cap_pct") is None or step != Step.DECISION:
        return []
    groups = {gid for gid, _ in pending.values()} - {None}
    # A big batch already holds every member of the subtree; a small one asks per group.
    due = (
        {m: p for m, p in ctx.members.items() if not p.reason} if len(pending) > BIG_BATCH else None
    )
    return cap_errors(ctx.round, groups, ctx.rules, pending=pending, due=due)


def cap_errors(
    rnd: Round,
    groups,
    rules: q.Rules,
    *,
    pending: dict | None = None,
    due: dict | None = None,
    complete: bool = False,
) -> list[str]:
    """The cap for the grassroots organizations `groups` (ids). `pending`: member id →
    (grassroots id, level order) about to be written; `due`: the members to rate, if known."""
    pct = rules.get("excellent_cap_pct")
    if pct is None or not groups:
        return []
    groups = set(groups)
    decided: dict[int, dict[int, int]] = {g: {} for g in groups}
    rows = q.current().filter(round=rnd, subject=Subject.MEMBER)
    if len(groups) <= 50:
        rows = rows.filter(grassroots_id__in=groups)
    for member_id, gid, order in rows.values_list("member_id", "grassroots_id", "level__order"):
        if gid in decided:
            decided[gid][member_id] = order
    for member_id, (gid, order) in (pending or {}).items():
        if gid in decided:
            decided[gid][member_id] = order
    if due is None:
        due = {}
        for gid in groups:
            due.update(q.members_due(gid, rnd.year, rules))
    due_by_group: dict[int, set[int]] = {g: set() for g in groups}
    for member_id, place in due.items():
        if place.grassroots_id in due_by_group:
            due_by_group[place.grassroots_id].add(member_id)
    errors = []
    codes = dict(Unit.objects.filter(pk__in=groups).values_list("pk", "code")) if groups else {}
    for gid in sorted(groups):
        counts = Counter(decided[gid].values())
        undecided = 0 if complete else len(due_by_group[gid] - set(decided[gid]))
        excellent, good = counts.get(1, 0), counts.get(2, 0)
        if excellent * 100 <= pct * (good + undecided):
            continue
        limit = pct * (good + undecided) // 100
        errors.append(
            f"Tổ chức cơ sở {codes.get(gid, gid)}: {excellent} đảng viên Hoàn thành xuất sắc nhiệm vụ vượt quá "
            f"{pct}% số đảng viên Hoàn thành tốt nhiệm vụ ({good}"
            + (f", còn {undecided} chưa xếp loại" if undecided else "")
            + f"; tối đa {limit})"
            + rules.suffix("excellent_cap_pct")
            + "."
        )
    return errors


def previous_lowest(member_ids: list[int], year: int) -> set[int]:
    """Members whose decided rating of the previous year was their scheme's lowest level."""
    rows = q.current().filter(year=year - 1, subject=Subject.MEMBER)
    if len(member_ids) <= BIG_BATCH:
        rows = rows.filter(member_id__in=member_ids)
    lowest = {
        scheme_id: order
        for scheme_id, order in Level.objects.filter(subject=Subject.MEMBER)
        .values("scheme_id")
        .annotate(order=Max("order"))
        .values_list("scheme_id", "order")
    }
    wanted = set(member_ids)
    return {
        member_id
        for member_id, scheme_id, order in rows.values_list(
            "member_id", "scheme_id", "level__order"
        )
        if member_id in wanted and order == lowest[scheme_id]
    }
