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
from collections import defaultdict
from dataclasses import dataclass, field

from grassroots.core.text import sort_key
from grassroots.organizations.models import Unit, UnitVersion
from grassroots.organizations.queries import on

from . import config, queries
from .models import Enrolment, Post, QualKind, Result


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
    gaps: list[Gap] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)  # courses in progress that close a gap

    @property
    def meets(self) -> bool:
        return not self.gaps


def _applicable(rules, post: str, kind: str, gtype: str):
    for r_post, r_kind, r_type, q_kind, level in rules:
        if r_post == post and r_kind in ("", kind) and r_type in ("", gtype):
            yield q_kind, level


def check(unit: Unit, day: dt.date) -> list[HolderCheck]:
    """Every post held on `day` in `unit`'s subtree, checked against the standard then."""
    rules = config.standards_on(day)
    holdings = list(queries.holdings_on(day, subtree=unit).select_related("member", "unit"))
    versions = {
        v.unit_id: v
        for v in UnitVersion.objects.filter(on(day), unit_id__in={h.unit_id for h in holdings})
    }
    member_ids = {h.member_id for h in holdings}
    levels = queries.levels_on(member_ids, day)
    in_progress = defaultdict(list)
    for e in (
        Enrolment.objects.filter(
            member_id__in=member_ids,
            result=Result.IN_PROGRESS,
            voided_at__isnull=True,
            course__voided_at__isnull=True,
            course__start__lte=day,
            course__end__gte=day,
        )
        .exclude(course__grants_kind="")
        .select_related("course")
    ):
        in_progress[e.member_id].append(e.course)
    out = []
    for h in holdings:
        version = versions.get(h.unit_id)
        kind, gtype = (version.kind, version.grassroots_type) if version else ("", "")
        row = HolderCheck(
            h.unit.code, version.name if version else h.unit.code, h.post,
            config.post_label(h.post, kind), h.member_id, h.member.full_name, kind, gtype,
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
        out.append(row)
    return sorted(
        out, key=lambda r: (r.unit_code, queries.POST_ORDER[r.post], sort_key(r.full_name))
    )


def summary(unit: Unit, day: dt.date) -> dict:
    """Seats, filled, vacant, meeting and below the standard, in total and by post."""
    checks = check(unit, day)
    terms = list(queries.terms_on(day, subtree=unit))
    seats: dict[str, int] = defaultdict(int)
    for term in terms:
        for post, n in (term.seats or {}).items():
            seats[post] += n
    vacant = queries.vacancies(terms, queries._held_counts(queries.holdings_on(day, subtree=unit)))
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


def secretaries_below(unit: Unit, day: dt.date, unit_kind: str, gtype: str = "") -> tuple[int, int]:
    """(below the standard, all) among the secretaries of the subtree's organizations of a kind
    (and grassroots type) on `day`."""
    rows = [
        c
        for c in check(unit, day)
        if c.post == Post.SECRETARY and c.unit_kind == unit_kind and gtype in ("", c.gtype)
    ]
    return sum(not c.meets for c in rows), len(rows)
