"""Standards (chuẩn hóa): which post holders of a subtree meet the standard in force on a day,
which do not and why, and which enrolments in progress will close a gap.

The rules are the dated `StandardVersion` in force on the day (`config.standards_on`); a rule
applies to a holder when its post matches and its organization kind and grassroots type (when
given) match the organization's version on that day. A holder meets the standard when, for
every applicable rule, their highest qualification of that kind obtained by the day has at
least the required rank (`config.rank`). A post without applicable rules counts as meeting it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Exists, OuterRef

from grassroots.core.text import vietnamese
from grassroots.organizations.models import Unit, UnitVersion
from grassroots.organizations.queries import on, subtree_ids

from . import config, queries
from .models import Course, Enrolment, Holding, Post, QualKind, Result, Start


@dataclass
class Gap:
    kind: str
    required: str
    have: str  # "" when none

    @property
    def label(self) -> str:
        have = config.level_label(self.kind, self.have) if self.have else "chưa có"
        return (
            f"{QualKind(self.kind).label}: cần {config.level_label(self.kind, self.required)}, "
            f"hiện {have}"
        )


@dataclass
class HolderCheck:
    unit_code: str
    unit_name: str
    post: str
    post_label: str
    member_id: int
    full_name: str
    unit_kind: str = ""
    gtype: str = ""
    gaps: list[Gap | AgeGap] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)  # courses in progress that close a gap
    unit_id: int = field(default=0, compare=False)  # the seats' key (summary's vacancies)

    @property
    def meets(self) -> bool:
        return not self.gaps


def _applicable(rules, post: str, kind: str, gtype: str):
    for r_post, r_kind, r_type, q_kind, level in rules:
        if r_post == post and r_kind in ("", kind) and r_type in ("", gtype):
            yield q_kind, level


@dataclass
class AgeGap:
    """A holder elected at a congress with less working time left than the rule asks
    (domain-processes.md §2.4, CT 45)."""

    needed: int  # months
    left: int
    reelected: bool
    congress: dt.date
    source: str
    kind: str = "age"

    @property
    def label(self) -> str:
        who = "tái cử" if self.reelected else "tham gia lần đầu"
        left = f"còn {self.left} tháng" if self.left > 0 else "đã đến tuổi nghỉ hưu"
        return (
            f"Tuổi: {who} cần còn ít nhất {self.needed} tháng công tác tại ngày đại hội "
            f"{self.congress:%d/%m/%Y}, {left} ({self.source})"
        )


class _Held(NamedTuple):
    """A post held on the day, as `check` reads it (plain values: a province's ~11,000 holders
    as four model objects each cost most of the standards page, issue 11)."""

    unit_id: int
    member_id: int
    post: str
    start: dt.date
    how: str
    reelected: bool
    unit_code: str
    full_name: str
    birth_date: dt.date | None
    gender: str
    term_start: dt.date
    term_how: str
    congress_date: dt.date | None


def _age_gap(h: _Held, kind: str, rules_on) -> AgeGap | None:
    """The age limit in force on the congress that elected `h` (first or re-elected)."""
    if not (
        h.post in config.AGE_POSTS
        and h.how == Start.ELECTED
        and h.term_how == Start.ELECTED
        and h.start == h.term_start
    ):
        return None
    congress = h.congress_date or h.term_start
    for r_kind, first, again, source in rules_on(congress):
        if r_kind in ("", kind):
            needed = again if h.reelected else first
            retire = config.retirement_day(h.birth_date, h.gender)
            left = config.months_between(congress, retire)
            if left < needed:
                return AgeGap(needed, left, h.reelected, congress, source)
    return None


def check(unit: Unit, day: dt.date) -> list[HolderCheck]:
    """Every post held on `day` in `unit`'s subtree, checked against the standard then: the
    qualification rules of the version in force on `day`, and the age limits of the version in
    force on the congress that elected the holder. A fixed number of queries whatever the
    subtree's size (the holders' levels, courses and versions through subqueries, not lists).
    Sorted by organization code, post, then name in Vietnamese order: the database sorts the
    names (`vietnamese`), a stable sort the rest (sort_key per holder in Python was ~0,3 s of a
    province's page)."""
    rules = config.standards_on(day)
    held = queries.holdings_on(day, subtree=unit)
    earlier = Holding.objects.filter(
        member_id=OuterRef("member_id"),
        unit_id=OuterRef("unit_id"),
        start__lt=OuterRef("term__start"),
        voided_at__isnull=True,
    )
    holdings = [
        _Held(*row)
        for row in held.annotate(reelected=Exists(earlier))
        .order_by(vietnamese("member__full_name"), "id")
        .values_list(
            "unit_id", "member_id", "post", "start", "how", "reelected", "unit__code",
            "member__full_name", "member__birth_date", "member__gender",
            "term__start", "term__how", "term__congress_date",
        )
    ]  # fmt: skip
    # The versions of the whole subtree on the day (the holders' organizations are among them):
    # the closure alone, not the holdings statement again as a subquery.
    versions = {
        unit_id: (name, kind, gtype)
        for unit_id, name, kind, gtype in UnitVersion.objects.filter(
            on(day), unit_id__in=subtree_ids(unit, day)
        ).values_list("unit_id", "name", "kind", "grassroots_type")
    }
    holder_ids = held.values("member_id")
    levels = queries.levels_on(holder_ids, day)
    # Enrolments in the courses running on the day, kept for the holders here: a few courses'
    # rows, where filtering by the holders in SQL listed the ~11,000 holders of a province
    # first (0,1 s on SQLite for none in progress).
    holders = {h.member_id for h in holdings}
    in_progress = defaultdict(list)
    for e in Enrolment.objects.filter(
        course__in=Course.objects.filter(voided_at__isnull=True, start__lte=day, end__gte=day)
        .exclude(grants_kind="")
        .values("id"),
        result=Result.IN_PROGRESS,
        voided_at__isnull=True,
    ).select_related("course"):
        if e.member_id in holders:
            in_progress[e.member_id].append(e.course)
    table = config.age_rules_table()

    def rules_on(congress: dt.date) -> tuple:
        return config.age_rules_on(congress, table)

    labels: dict[tuple[str, str], str] = {}  # post_label translates: once per (post, kind)
    out = []
    for h in holdings:
        name, kind, gtype = versions.get(h.unit_id, (h.unit_code, "", ""))
        label = labels.get((h.post, kind))
        if label is None:
            label = labels[(h.post, kind)] = config.post_label(h.post, kind)
        row = HolderCheck(
            h.unit_code, name, h.post, label, h.member_id, h.full_name, kind, gtype,
            unit_id=h.unit_id,
        )  # fmt: skip
        have = levels.get(h.member_id, {})
        for q_kind, required in _applicable(rules, h.post, kind, gtype):
            level = have.get(q_kind, "")
            if not level or config.rank(q_kind, level) < config.rank(q_kind, required):
                row.gaps.append(Gap(q_kind, required, level))
                for course in in_progress[h.member_id]:
                    if course.grants_kind == q_kind and config.rank(
                        q_kind, course.grants_level
                    ) >= config.rank(q_kind, required):
                        row.closing.append(f"{course.code} (đến {course.end:%d/%m/%Y})")
        age = _age_gap(h, kind, rules_on)
        if age is not None:
            row.gaps.append(age)
        out.append(row)
    return sorted(out, key=lambda r: (r.unit_code, queries.POST_ORDER[r.post]))


def summary(unit: Unit, day: dt.date, checks: list[HolderCheck] | None = None) -> dict:
    """Seats, filled, vacant, meeting and below the standard, in total and by post (`checks`:
    the day's `check`, when the caller also lists the gaps)."""
    checks = check(unit, day) if checks is None else checks
    terms = queries.term_seats_on(day, subtree=unit)
    seats: dict[str, int] = defaultdict(int)
    for term in terms:
        for post, n in (term.seats or {}).items():
            seats[post] += n
    # `checks` has one row per post held on the day in the subtree (the rows `holdings_on`
    # lists): counted here, not grouped again by the database (a sixth of a province's page).
    held = Counter((c.unit_id, c.post) for c in checks)
    vacant = queries.vacancies(terms, held)
    by_post: dict[str, dict[str, int]] = {}
    for post in Post.values:
        rows = [c for c in checks if c.post == post]
        filled, empty = len(rows), vacant.get(post, 0)
        if not (filled or empty or seats.get(post)):
            continue
        meeting = sum(c.meets for c in rows)
        by_post[post] = {
            "posts": filled + empty,
            "filled": filled,
            "vacant": empty,
            "meeting_standard": meeting,
            "below_standard": filled - meeting,
        }
    total = {k: sum(v[k] for v in by_post.values()) for k in
             ("posts", "filled", "vacant", "meeting_standard", "below_standard")}  # fmt: skip
    return {"unit": unit.code, "at": day.isoformat(), **total, "by_post": by_post}


def gap_rows(unit: Unit, day: dt.date, checks: list[HolderCheck] | None = None) -> list[dict]:
    """The holders below the standard, as `cadre-standards --json --gaps` and the API give them."""
    return [
        {"unit": c.unit_code, "post": c.post, "member_id": c.member_id, "full_name": c.full_name,
         "gaps": [g.label for g in c.gaps], "closing": c.closing}
        for c in (checks if checks is not None else check(unit, day)) if not c.meets
    ]  # fmt: skip


def secretaries_below(unit: Unit, day: dt.date, unit_kind: str, gtype: str = "") -> tuple[int, int]:
    """(below the standard, all) among the secretaries of the subtree's organizations of a kind
    (and grassroots type) on `day`."""
    rows = [
        c
        for c in check(unit, day)
        if c.post == Post.SECRETARY and c.unit_kind == unit_kind and gtype in ("", c.gtype)
    ]
    return sum(not c.meets for c in rows), len(rows)
