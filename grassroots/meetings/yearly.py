"""A year of meetings for many members or cells at once: the annual rating sheet's columns
(issue 14 "Quality": each member's attendance, each cell's meeting record).

Batch reads for a page of rows (a fixed handful of queries whatever the page's size, never one
per row). A member's expected meetings follow the same rules as `expected.expected_list`, from
the stints and the temporary-attachment events instead of one derivation per meeting: a tracked
meeting (not a committee meeting) of an organization above the member's cell on the day, unless
the member was exempt, temporarily away or suspended (đình chỉ sinh hoạt đảng,
inspection.Suspension); a member temporarily attached to a cell is expected at the host's
meetings. A committee meeting counts for the members who held a post of that committee on
the day (`expected.committee_list`, from `cadres.queries.holding_spans`), and for nobody else.
Checked against `expected.meeting_list` meeting by meeting in tests/test_meetings_yearly.py.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from grassroots.cadres.queries import holding_spans
from grassroots.inspection.models import Suspension
from grassroots.members import lifecycle
from grassroots.members.models import MemberEvent, MemberStint
from grassroots.organizations.models import MEMBER_KINDS, UnitAncestry, UnitVersion

from . import rules
from .expected import _TEMP_KINDS
from .models import Attendance, Mark, Meeting, MeetingKind

TRACKED = [k for k in MeetingKind.values if k != MeetingKind.COMMITTEE]


@dataclass
class MemberYear:
    expected: int = 0
    present: int = 0
    excused: int = 0
    unexcused: int = 0
    unexcused_months: list[int] = field(default_factory=list)

    @property
    def pct(self) -> float | None:
        return round(100 * self.present / self.expected, 2) if self.expected else None


def _open(start: dt.date, end: dt.date | None, day: dt.date) -> bool:
    return start <= day and (end is None or day < end)


def _temp_spans(member_ids, last: dt.date) -> dict[int, list[tuple[dt.date, int | None]]]:
    """Each member's temporary host from each event date on (replayed by lifecycle, as
    `expected._temp_hosts` does on one day)."""
    events: dict[int, list[lifecycle.Ev]] = defaultdict(list)
    rows = MemberEvent.objects.filter(
        member_id__in=member_ids, kind__in=_TEMP_KINDS, voided_at__isnull=True, date__lte=last
    ).values_list("member_id", "kind", "date", "unit_id", "pk")
    for member_id, kind, date, unit_id, pk in rows.order_by("date", "pk"):
        events[member_id].append(lifecycle.Ev(kind, date, unit_id, key=pk))
    out: dict[int, list[tuple[dt.date, int | None]]] = {}
    for member_id, evs in events.items():
        days = sorted({e.date for e in evs})
        out[member_id] = [
            (day, lifecycle.final_state([e for e in evs if e.date <= day]).temp_host)
            for day in days
        ]
    return out


def _host_on(spans: list[tuple[dt.date, int | None]], day: dt.date) -> int | None:
    host = None
    for since, value in spans:
        if since > day:
            break
        host = value
    return host


def members_year(member_ids, year: int) -> dict[int, MemberYear]:
    """Present / expected, absences and the months absent without reason, for each member in
    `member_ids` over the meetings held in `year` (dated by today at the latest): the meetings
    whose list names the member as expected (`expected.meeting_list`: the cells' and the đảng
    bộ's meetings, and the committee meetings of a committee the member held a post in that
    day). Seven queries."""
    since = dt.date(year, 1, 1)
    until = min(dt.date(year, 12, 31), timezone.localdate())
    ids = list(member_ids)
    out = {m: MemberYear() for m in ids}
    if until < since or not ids:
        return out
    stints = defaultdict(list)
    for m, unit_id, start, end, exempt in MemberStint.objects.filter(
        Q(end__isnull=True) | Q(end__gt=since), member_id__in=ids, start__lte=until
    ).values_list("member_id", "unit_id", "start", "end", "exempt"):
        stints[m].append((unit_id, start, end, exempt))
    temps = _temp_spans(ids, until)
    suspended = defaultdict(list)  # member → [(first day, last day)] of suspensions in the year
    for m, start, last, lifted in Suspension.objects.filter(
        subject_member_id__in=ids, start__lte=until, last_day__gte=since
    ).values_list("subject_member_id", "start", "last_day", "lifted_on"):
        suspended[m].append((start, min(last, lifted - dt.timedelta(days=1)) if lifted else last))
    hosts = {h for spans in temps.values() for _d, h in spans if h is not None}
    cells = {s[0] for rows in stints.values() for s in rows} | hosts
    # The organizations above each cell over the year: a meeting of any of them lists the cell.
    above = defaultdict(list)  # cell → [(ancestor, from, to)]
    for anc, desc, start, end in UnitAncestry.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=since), descendant_id__in=cells,
        valid_from__lte=until,
    ).values_list("ancestor_id", "descendant_id", "valid_from", "valid_to"):  # fmt: skip
        above[desc].append((anc, start, end))
    holders = {a for rows in above.values() for a, _s, _e in rows}
    # The posts held in the year: a committee meeting expects its committee's post holders on
    # the day (expected.committee_list; Điều lệ Điều 24.2: "chi ủy họp thường lệ mỗi tháng một
    # lần", domain.md §1.5: the đảng ủy cơ sở meets monthly), so it is one of the year's
    # meetings of each of them.
    posts = defaultdict(list)  # member → [(organization, first day, stop)]
    for m, unit_id, start, stop in holding_spans(ids, since, until):
        posts[m].append((unit_id, start, stop))
    committees = {unit_id for spans in posts.values() for unit_id, _s, _e in spans}
    meetings = list(
        Meeting.objects.filter(
            Q(unit_id__in=holders, kind__in=TRACKED)
            | Q(unit_id__in=committees, kind=MeetingKind.COMMITTEE),
            voided_at__isnull=True, date__gte=since, date__lte=until,
        ).values_list("pk", "unit_id", "date", "kind")
    )  # fmt: skip
    by_unit = defaultdict(list)
    committee_meetings = defaultdict(list)
    for pk, unit_id, day, kind in meetings:
        if kind == MeetingKind.COMMITTEE:
            committee_meetings[unit_id].append((pk, day))
        else:
            by_unit[unit_id].append((pk, day))

    def covers(meeting_unit: int, cell: int | None, day: dt.date) -> bool:
        return cell is not None and any(
            a == meeting_unit and _open(s, e, day) for a, s, e in above.get(cell, ())
        )

    expected: dict[int, set[int]] = defaultdict(set)
    for m in ids:
        spans = temps.get(m, [])
        candidates = {a for unit_id, *_ in stints[m] for a, _s, _e in above.get(unit_id, ())}
        candidates |= {a for _d, h in spans if h for a, _s, _e in above.get(h, ())}
        for holder in candidates:
            for pk, day in by_unit.get(holder, ()):
                home = next((s for s in stints[m] if _open(s[1], s[2], day)), None)
                if home is None:
                    continue  # not counted anywhere that day: not on any list
                if any(s <= day <= e for s, e in suspended.get(m, ())):
                    continue  # suspended: listed, not expected (expected.expected_list)
                host = _host_on(spans, day)
                if covers(holder, home[0], day):
                    if home[3] or (host is not None and not covers(holder, host, day)):
                        continue  # exempt, or temporarily away from this list
                    expected[m].add(pk)
                elif covers(holder, host, day):
                    expected[m].add(pk)  # temporarily attached to a cell under the holder
        for unit_id, start, stop in posts.get(m, ()):
            for pk, day in committee_meetings.get(unit_id, ()):
                if _open(start, stop, day):
                    expected[m].add(pk)  # a post in the committee that day
    absences = Attendance.objects.filter(
        member_id__in=ids, mark__in=[Mark.EXCUSED, Mark.UNEXCUSED], date__gte=since,
        date__lte=until, meeting__voided_at__isnull=True,
    ).values_list("member_id", "meeting_id", "mark", "date")  # fmt: skip
    months = defaultdict(set)
    for m, meeting_id, mark, day in absences:
        row = out[m]
        if mark == Mark.UNEXCUSED:
            months[m].add(day.month)
        if meeting_id not in expected[m]:
            continue  # the registry changed after the meeting: the month still counts
        if mark == Mark.UNEXCUSED:
            row.unexcused += 1
        else:
            row.excused += 1
    for m in ids:
        row = out[m]
        row.expected = len(expected[m])
        row.present = row.expected - row.excused - row.unexcused
        row.unexcused_months = sorted(months[m])
    return out


@dataclass
class CellYear:
    due: int = 0
    held: int = 0
    thematic: int = 0


def cells_year(unit_ids, year: int) -> dict[int, CellYear]:
    """Each cell's meeting record of `year`: regular meetings due (the months it was a cell on
    the month's last day, up to today — as `queries.meetings_due`), held, and thematic (thematic
    meetings plus regular ones with the thematic part). Organizations that are not cells are left
    out. Two queries."""
    since = dt.date(year, 1, 1)
    until = min(dt.date(year, 12, 31), timezone.localdate())
    ids = list(unit_ids)
    out: dict[int, CellYear] = {}
    if until < since or not ids:
        return out
    versions = defaultdict(list)
    for unit_id, kind, start, end in UnitVersion.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=since), unit_id__in=ids, valid_from__lte=until
    ).values_list("unit_id", "kind", "valid_from", "valid_to"):
        versions[unit_id].append((kind, start, end))
    for unit_id, rows in versions.items():
        due = 0
        for y, m in rules.months_between(since, until):
            last = dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
            if last > until:
                continue  # the month is not over
            due += any(k in MEMBER_KINDS and _open(s, e, last) for k, s, e in rows)
        if due or any(k in MEMBER_KINDS for k, _s, _e in rows):
            out[unit_id] = CellYear(due=due)
    counts = (
        Meeting.objects.filter(
            unit_id__in=list(out),
            voided_at__isnull=True,
            date__gte=since,
            date__lte=until,
            kind__in=[MeetingKind.REGULAR, MeetingKind.THEMATIC],
        )  # fmt: skip
        .values("unit_id")
        .annotate(
            held=Count("pk", filter=Q(kind=MeetingKind.REGULAR)),
            thematic=Count(
                "pk",
                filter=Q(kind=MeetingKind.THEMATIC)
                | Q(kind=MeetingKind.REGULAR, with_thematic=True),
            ),
        )
    )
    for row in counts:
        out[row["unit_id"]].held = row["held"]
        out[row["unit_id"]].thematic = row["thematic"]
    return out
