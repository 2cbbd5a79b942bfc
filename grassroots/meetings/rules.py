"""The meeting rules as dated configuration (like the rating schemes' rule versions).

Each version holds from its `effective` day until the next one. `settings.MEETING_RULES` may
replace the list (a committee that adopts its own rule, or a confirmed thematic interval) without
touching code. Pure: no database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.conf import settings


@dataclass(frozen=True)
class MeetingRules:
    code: str
    effective: dt.date
    source: str
    # Điều lệ Điều 24 / domain.md §5: the cell meets once a month (regular meeting).
    regular_every_months: int = 1
    # HD 12-HD/BTCTW (2018): a thematic meeting at least once a quarter [UNCONFIRMED]
    # (domain.md §5) — configurable, 0 switches the check off.
    thematic_every_months: int = 3
    # Chỉ thị 50-CT/TW (23/7/2025), HD 42-HD/BTCTW: ≥90 minutes; ≥120 when a thematic and a
    # regular meeting are held in one session. 0 = no minimum.
    min_minutes: int = 0
    min_minutes_combined: int = 0
    # Chỉ thị 50: documents posted on the e-handbook at least 1 day before. None = no rule.
    documents_days_before: int | None = None
    # domain.md §2.9(a): absent without reason in 3 months of a year → proposal to remove.
    unexcused_months_for_removal: int = 3
    # How far ahead a meeting may be entered (a planned meeting), in days.
    planning_horizon_days: int = 60


RULE_VERSIONS: tuple[MeetingRules, ...] = (
    MeetingRules(
        code="HD12-2018",
        effective=dt.date(1900, 1, 1),
        source="Điều lệ Điều 24; HD 12-HD/BTCTW (2018) [chuyên đề hằng quý: CHƯA XÁC NHẬN]",
    ),
    MeetingRules(
        code="CT50-2025",
        effective=dt.date(2025, 7, 23),
        source="Chỉ thị 50-CT/TW (23/7/2025), HD 42-HD/BTCTW (28/10/2025)",
        min_minutes=90,
        min_minutes_combined=120,
        documents_days_before=1,
    ),
)


def versions() -> tuple[MeetingRules, ...]:
    configured = getattr(settings, "MEETING_RULES", None)
    chosen = tuple(configured) if configured else RULE_VERSIONS
    return tuple(sorted(chosen, key=lambda r: r.effective))


def in_force(chosen: tuple, day: dt.date):
    """The version of `chosen` (sorted by `effective`) in force on `day`: the latest effective on
    or before it (the first one before any). Shared by the rules and the quality sheets."""
    current = chosen[0]
    for version in chosen:
        if version.effective <= day:
            current = version
    return current


def rules_on(day: dt.date) -> MeetingRules:
    """The version in force on `day` (the latest effective on or before it)."""
    return in_force(versions(), day)


def with_values(base: MeetingRules, **values) -> MeetingRules:
    return replace(base, **values)


def minimum_minutes(rules: MeetingRules, kind: str, with_thematic: bool) -> int:
    from .models import MeetingKind

    if kind not in (MeetingKind.REGULAR, MeetingKind.THEMATIC):
        return 0
    return rules.min_minutes_combined if with_thematic else rules.min_minutes


def months_between(first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    """The (year, month) pairs from `first`'s month to `last`'s month, both included."""
    out = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
