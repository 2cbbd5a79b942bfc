"""What one meeting adds to the monthly rollup (`figures.MeetingMonth`, docs/meetings.md
"Storage"), and its rebuild.

`month_row` is the only place that says how a meeting counts in the summary's sums; the write
services pass its rows before and after each change to `derived.maintain.meetings_changed`, the
rebuild (`grassroots meetings-rollup`, the generator, the demo) feeds it every meeting, and
`queries.summary` applies it to the few meetings it reads one by one (partial months, cells that
moved mid-month), so the three cannot disagree.
"""

from __future__ import annotations

import functools
from collections import namedtuple

from django.db.models import Count

from grassroots.derived import maintain
from grassroots.derived.maintain import MonthRow

from . import rules
from .models import Attendance, Mark, Meeting, MeetingKind, MinutesState, QualityScore

# The Meeting fields month_row reads (the rebuild and the summary load only these).
FIELDS = (
    "unit_id", "date", "kind", "with_thematic", "duration", "documents_lead_days",
    "expected_official", "expected_probationary", "expected_attached", "present_official",
    "present_probationary", "present_attached", "absent_excused", "absent_unexcused",
    "minutes_state", "voided_at",
)  # fmt: skip
_FLAGGED = (MeetingKind.REGULAR, MeetingKind.THEMATIC)
# Every meeting is marked against a derived list (a committee meeting: the committee's post
# holders on the day, expected.committee_list); the members' attendance rate (domain.md §5) is
# that of the party meetings, so committee meetings stay out of it. (services re-exports it.)
TRACKS_ATTENDANCE = {k for k in MeetingKind.values if k != MeetingKind.COMMITTEE}


def values(m, rule_of=rules.rules_on) -> tuple[int, ...]:
    """One meeting's contribution, in the order of figures.models.MEETING_MONTH_FIELDS (`m`: a
    Meeting, or any row with the attributes of FIELDS)."""
    tracked = m.kind in TRACKS_ATTENDANCE
    rule = rule_of(m.date)
    minimum = rules.minimum_minutes(rule, m.kind, m.with_thematic)
    late = (
        m.kind in _FLAGGED
        and rule.documents_days_before is not None
        and (m.documents_lead_days is None or m.documents_lead_days < rule.documents_days_before)
    )
    t = int(tracked)
    return (
        1,
        int(m.kind == MeetingKind.REGULAR),
        int(m.kind == MeetingKind.THEMATIC or (m.kind == MeetingKind.REGULAR and m.with_thematic)),
        int(m.kind == MeetingKind.STUDY),
        t,
        t * m.duration,
        t * m.expected_official,
        t * m.expected_probationary,
        t * m.expected_attached,
        t * m.present_official,
        t * m.present_probationary,
        t * m.present_attached,
        t * m.absent_excused,
        t * m.absent_unexcused,
        int(bool(minimum) and m.duration < minimum),
        int(late),
        int(m.minutes_state == MinutesState.APPROVED),
    )


def month_row(meeting) -> list[MonthRow]:
    """The meeting's rows in the rollups: none once voided; with the members it marks absent
    without reason (read from its saved marks: call it after writing them, and before replacing
    them for the old row)."""
    if meeting.voided_at is not None:
        return []
    absent = tuple(
        sorted(meeting.marks.filter(mark=Mark.UNEXCUSED).values_list("member_id", flat=True))
    )
    return [MonthRow(meeting.unit_id, meeting.date, values(meeting), absent)]


def rebuild(progress=None) -> int:
    """Recompute the whole rollup from the meetings (after a bulk write, or when
    `settings.MEETING_RULES` changed the minimum or the documents rule of past dates)."""
    # Plain tuples and the rule looked up once per day: model instances and a rule lookup per
    # meeting made the rebuild several times slower (3.4M meetings a year nationally).
    Row = namedtuple("Row", FIELDS)
    rule_of = functools.lru_cache(maxsize=None)(rules.rules_on)
    meetings = (
        Meeting.objects.filter(voided_at__isnull=True)
        .order_by("unit_id", "date")
        .values_list(*FIELDS)
    )
    rows = (
        MonthRow(m.unit_id, m.date, values(m, rule_of))
        for m in map(Row._make, meetings.iterator(chunk_size=20_000))
    )
    return maintain.meeting_months_rebuild(rows, progress=progress)


def unexcused_marks(unit_ids: list[int] | None) -> list[tuple]:
    """(unit_id, date, member_id, count) of the unexcused marks of meetings not voided, of every
    organization (None) or of `unit_ids`: what derived.meeting_months recounts its per-ancestor
    absence rollup from (registered in apps.py)."""
    marks = Attendance.objects.filter(mark=Mark.UNEXCUSED, meeting__voided_at__isnull=True)
    if unit_ids is not None:
        marks = marks.filter(unit_id__in=unit_ids)
    return list(
        marks.values("unit_id", "date", "member_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "date", "member_id", "n")
        .order_by()
    )


def quality_sheets(unit_ids: list[int] | None) -> list[tuple]:
    """(unit_id, month, total) of the monthly quality sheets of every organization (None) or of
    `unit_ids`: what derived.meeting_months recounts QualityAncestorMonth from (apps.py)."""
    sheets = QualityScore.objects.all()
    if unit_ids is not None:
        sheets = sheets.filter(unit_id__in=unit_ids)
    return list(sheets.values_list("unit_id", "month", "total").order_by())
