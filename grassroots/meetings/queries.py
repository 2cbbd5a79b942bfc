"""Every figure of the meeting book, for any organization and period, through the restructured
tree: a meeting counts for the organizations above its cell on the meeting date (the closure on
that day, as grassroots/figures and development/queries do).

Stable names (the directives module and the pages call them; docs/meetings.md):
`meetings_under`, `attendance_of`, `coverage`, `summary`, `watch_list`, `missed_months`,
`meeting_flags`, `member_attendance`, `expected_list` (re-exported from `expected`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, namedtuple
from dataclasses import asdict, dataclass, field

from django.db import connection
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from grassroots.cadres.queries import holding_spans
from grassroots.core.text import sort_key, vietnamese
from grassroots.figures.models import (
    MEETING_MONTH_FIELDS,
    MeetingAbsenceMonth,
    MeetingAbsenceYear,
    MeetingAncestorMonth,
    QualityAncestorMonth,
)
from grassroots.figures.queries import ledger_by_unit, ledger_by_unit_days
from grassroots.organizations.models import MEMBER_KINDS, Unit, UnitAncestry, UnitVersion
from grassroots.organizations.queries import display_version, on

from . import quality, rollup, rules
from .expected import Person, expected_list, meeting_list  # noqa: F401  (re-exported: stable names)
from .models import Attendance, Mark, Meeting, MeetingKind, QualityScore
from .services import TRACKS_ATTENDANCE
from .yearly import CellYear, MemberYear, cells_year, members_year  # noqa: F401  (stable names)


def _under_on_date(unit: Unit | int, unit_field: str = "unit_id", day_field: str = "date"):
    """The row's unit lies under `unit` on the row's own date (the closure on that day)."""
    unit_id = unit.pk if isinstance(unit, Unit) else unit
    return Exists(
        UnitAncestry.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=OuterRef(day_field)),
            ancestor_id=unit_id,
            descendant_id=OuterRef(unit_field),
            valid_from__lte=OuterRef(day_field),
        )
    )


def held_until(until: dt.date) -> dt.date:
    """A meeting dated after today is planned, not held."""
    return min(until, timezone.localdate())


def meetings_under(
    unit: Unit, since: dt.date, until: dt.date, kinds=None, held: bool = True
) -> QuerySet:
    """Meetings (not voided) dated in [since, until] of organizations under `unit` on their
    date; `held` leaves out the planned ones (dated after today)."""
    last = held_until(until) if held else until
    qs = Meeting.objects.filter(
        _under_on_date(unit), voided_at__isnull=True, date__gte=since, date__lte=last
    )
    return qs.filter(kind__in=kinds) if kinds is not None else qs


@dataclass
class Coverage:
    """Present / expected over some meetings, official and probationary apart (domain.md §5)."""

    meetings: int = 0
    expected: int = 0
    present: int = 0
    expected_official: int = 0
    present_official: int = 0
    expected_probationary: int = 0
    present_probationary: int = 0
    absent_excused: int = 0
    absent_unexcused: int = 0

    @staticmethod
    def _pct(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 2) if whole else None

    @property
    def pct(self) -> float | None:
        return self._pct(self.present, self.expected)

    @property
    def official_pct(self) -> float | None:
        return self._pct(self.present_official, self.expected_official)

    @property
    def probationary_pct(self) -> float | None:
        return self._pct(self.present_probationary, self.expected_probationary)

    def as_json(self) -> dict:
        return asdict(self) | {
            "pct": self.pct,
            "official_pct": self.official_pct,
            "probationary_pct": self.probationary_pct,
        }


def attendance_of(meeting: Meeting) -> Coverage:
    """Present / expected for one meeting (its recorded totals)."""
    return Coverage(
        meetings=1,
        expected=meeting.expected,
        present=meeting.present,
        expected_official=meeting.expected_official,
        present_official=meeting.present_official,
        expected_probationary=meeting.expected_probationary,
        present_probationary=meeting.present_probationary,
        absent_excused=meeting.absent_excused,
        absent_unexcused=meeting.absent_unexcused,
    )


def coverage(meetings: QuerySet) -> Coverage:
    """Present / expected summed over a set of meetings (committee meetings, whose list is not
    the registry's, are left out). One query."""
    tracked = meetings.filter(kind__in=TRACKS_ATTENDANCE)
    totals = tracked.aggregate(
        n=Count("pk"), eo=Sum("expected_official"), ep=Sum("expected_probationary"),
        ea=Sum("expected_attached"), po=Sum("present_official"),
        pp=Sum("present_probationary"), pa=Sum("present_attached"),
        ae=Sum("absent_excused"), au=Sum("absent_unexcused"),
    )  # fmt: skip
    t = {k: v or 0 for k, v in totals.items()}
    return Coverage(
        meetings=t["n"],
        expected=t["eo"] + t["ep"] + t["ea"],
        present=t["po"] + t["pp"] + t["pa"],
        expected_official=t["eo"],
        present_official=t["po"],
        expected_probationary=t["ep"],
        present_probationary=t["pp"],
        absent_excused=t["ae"],
        absent_unexcused=t["au"],
    )


# --- what is due, what was missed -------------------------------------------------------------


def _month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def due_days(since: dt.date, until: dt.date) -> list[tuple[int, int, dt.date]]:
    """(year, month, the day the cell must exist on) for each month of the window that is over
    or ends within it by today: a cell owes the month's regular meeting if it is a cell under the
    organization on the month's last day (or on `until`, if earlier)."""
    last = held_until(until)
    out = []
    for year, month in rules.months_between(since, until):
        day = min(_month_end(year, month), until)
        if day <= last and day >= since:
            out.append((year, month, day))
    return out


def cells_on(unit: Unit, day: dt.date) -> QuerySet:
    """Ids of the cells (chi bộ cơ sở, chi bộ trực thuộc) under `unit` on `day`."""
    under = UnitAncestry.objects.filter(on(day), ancestor=unit).values("descendant_id")
    return UnitVersion.objects.filter(
        on(day), unit_id__in=under, kind__in=MEMBER_KINDS
    ).values_list("unit_id", flat=True)


def meetings_due(unit: Unit, since: dt.date, until: dt.date) -> int:
    """Cell-months owing a regular meeting (Điều lệ Điều 24: monthly; rules.regular_every_months):
    the cells under `unit` on each due day, read from the figures ledger (its cell stocks: the
    same closure and unit versions as `cells_on`, one indexed sum per month, of the two cell
    columns only)."""
    return sum(
        sum(ledger_by_unit([unit.pk], day, CELL_STOCKS)[unit.pk].values())
        for _y, _m, day in due_days(since, until)
    )


def missed_months(unit: Unit, since: dt.date, until: dt.date) -> list[tuple[int, int, int]]:
    """(cell id, year, month) for each cell-month due without a regular meeting of that cell in
    that month (a meeting of the cell itself; flags "bỏ họp tháng")."""
    held = set()
    regular = meetings_under(unit, since, until, kinds=[MeetingKind.REGULAR])
    for unit_id, day in regular.values_list("unit_id", "date"):
        held.add((unit_id, day.year, day.month))
    out = []
    for year, month, day in due_days(since, until):
        for cell in cells_on(unit, day):
            if (cell, year, month) not in held:
                out.append((cell, year, month))
    return sorted(out)


def cells_keeping_book(cell_ids) -> list[int]:
    """The cells among `cell_ids` that keep their meeting book here (at least one meeting
    recorded and not voided), each once."""
    # One index probe per cell (EXISTS stops at its first meeting), not a DISTINCT over every
    # meeting of a province's ~2,000 cells (50 ms on PostgreSQL for the dashboard). A DISTINCT
    # on Meeting would also need its default ordering cleared, or it runs over (unit, date,
    # start, id): one row per meeting.
    kept = Meeting.objects.filter(unit_id=OuterRef("pk"), voided_at__isnull=True)
    return list(
        Unit.objects.filter(Exists(kept), pk__in=cell_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# The ledger's stock columns of the member kinds (organizations.MEMBER_KINDS).
CELL_STOCKS = ("grassroots_cells", "subordinate_cells")


def _rule_spans(since: dt.date, until: dt.date):
    """(version, first day, last day) of each rule version over the window."""
    versions = rules.versions()
    out = []
    for i, version in enumerate(versions):
        nxt = versions[i + 1].effective if i + 1 < len(versions) else None
        first = max(since, version.effective)
        last = until if nxt is None else min(until, nxt - dt.timedelta(days=1))
        if first <= last:
            out.append((version, first, last))
    return out


def short_meetings(meetings: QuerySet, since: dt.date, until: dt.date) -> QuerySet:
    """Regular and thematic meetings shorter than the rule of their date (Chỉ thị 50 from 2025:
    90 minutes, 120 when a thematic and a regular meeting are held together)."""
    condition = Q(pk__in=[])
    for version, first, last in _rule_spans(since, until):
        span = Q(
            date__gte=first, date__lte=last, kind__in=[MeetingKind.REGULAR, MeetingKind.THEMATIC]
        )
        if version.min_minutes:
            condition |= span & Q(with_thematic=False, duration__lt=version.min_minutes)
        if version.min_minutes_combined:
            condition |= span & Q(with_thematic=True, duration__lt=version.min_minutes_combined)
    return meetings.filter(condition)


def late_documents(meetings: QuerySet, since: dt.date, until: dt.date) -> QuerySet:
    """Meetings whose documents were posted later than the rule (Chỉ thị 50: ≥1 day before), or
    not at all, where the rule applies."""
    condition = Q(pk__in=[])
    for version, first, last in _rule_spans(since, until):
        if version.documents_days_before is None:
            continue
        condition |= Q(date__gte=first, date__lte=last) & (
            Q(documents_lead_days__isnull=True)
            | Q(documents_lead_days__lt=version.documents_days_before)
        )
    return meetings.filter(condition, kind__in=[MeetingKind.REGULAR, MeetingKind.THEMATIC])


def meeting_flags(meeting: Meeting) -> list[str]:
    """The rule breaches one meeting shows (Vietnamese)."""
    rule = rules.rules_on(meeting.date)
    flags = []
    minimum = rules.minimum_minutes(rule, meeting.kind, meeting.with_thematic)
    if minimum and meeting.duration < minimum:
        flags.append(f"Thời lượng {meeting.duration} phút, dưới mức tối thiểu {minimum} phút.")
    if rule.documents_days_before is not None and meeting.kind in (
        MeetingKind.REGULAR, MeetingKind.THEMATIC
    ):  # fmt: skip
        if meeting.documents_lead_days is None:
            flags.append("Chưa đăng tài liệu sinh hoạt.")
        elif meeting.documents_lead_days < rule.documents_days_before:
            flags.append(
                f"Tài liệu đăng muộn (cần trước ít nhất {rule.documents_days_before} ngày)."
            )
    return flags


# --- the members who stop coming (domain.md §2.9 (a)) ------------------------------------------


@dataclass
class WatchRow:
    member_id: int
    full_name: str
    profile_number: str
    year: int
    months: list[int]
    evidence: list[tuple[int, dt.date, str]] = field(default_factory=list)  # meeting id, date, cell


def unexcused_marks(unit: Unit, since: dt.date, until: dt.date) -> QuerySet:
    return Attendance.objects.filter(
        _under_on_date(unit),
        mark=Mark.UNEXCUSED,
        date__gte=since,
        date__lte=held_until(until),
        meeting__voided_at__isnull=True,
    )


def watch_list(unit: Unit, since: dt.date, until: dt.date) -> list[WatchRow]:
    """Members absent without reason from meetings under `unit` in at least N distinct months of
    one calendar year inside the window (domain.md §2.9 (a): N = 3, rules of the year's end), with
    the meetings as evidence. The removal itself stays a registry event the clerk records."""
    months: dict[tuple[int, int], set[int]] = defaultdict(set)
    evidence: dict[tuple[int, int], list] = defaultdict(list)
    rows = unexcused_marks(unit, since, until).values_list(
        "member_id", "date", "meeting_id", "unit__code"
    )
    for member_id, day, meeting_id, code in rows.order_by("date", "meeting_id"):
        months[(member_id, day.year)].add(day.month)
        evidence[(member_id, day.year)].append((meeting_id, day, code))
    flagged = [
        key
        for key, seen in months.items()
        if len(seen) >= rules.rules_on(dt.date(key[1], 12, 31)).unexcused_months_for_removal
    ]
    from grassroots.members.models import Member

    names = dict(
        (pk, (name, number))
        for pk, name, number in Member.objects.filter(pk__in={m for m, _ in flagged}).values_list(
            "pk", "full_name", "profile_number"
        )
    )
    out = [
        WatchRow(m, names[m][0], names[m][1], y, sorted(months[(m, y)]), evidence[(m, y)])
        for m, y in flagged
    ]
    return sorted(out, key=lambda r: (r.year, sort_key(r.full_name), r.member_id))


# --- one member -------------------------------------------------------------------------------


@dataclass
class MemberMeeting:
    meeting: Meeting
    mark: str  # "present", "excused", "unexcused", or "" (not expected: exempt, away)
    reason: str


def member_attendance(member, since: dt.date, until: dt.date) -> list[MemberMeeting]:
    """The meetings of the member's own cell(s) in the window, and the committee meetings of the
    committees the member held a post in on the day (their list: `expected.committee_list`),
    newest first, with the member's attendance: present unless an exception was recorded (the
    member's stints say which cell, the posts which committee)."""
    from grassroots.members.models import MemberStint

    condition = Q(pk__in=[])
    for unit_id, start, end in MemberStint.objects.filter(member=member).values_list(
        "unit_id", "start", "end"
    ):
        span = Q(unit_id=unit_id, date__gte=start) & ~Q(kind=MeetingKind.COMMITTEE)
        condition |= span & Q(date__lt=end) if end else span
    for _m, unit_id, start, stop in holding_spans([member.pk], since, until):
        span = Q(unit_id=unit_id, kind=MeetingKind.COMMITTEE, date__gte=start)
        condition |= span & Q(date__lt=stop) if stop else span
    meetings = list(
        Meeting.objects.filter(condition, voided_at__isnull=True, date__gte=since, date__lte=until)
        .select_related("unit")
        .order_by("-date", "-start")
    )
    marks = {
        m: (mark, reason, role)
        for m, mark, reason, role in Attendance.objects.filter(
            member=member, meeting_id__in=[m.pk for m in meetings]
        ).values_list("meeting_id", "mark", "reason", "role")
    }
    out = []
    for meeting in meetings:
        mark, reason, _role = marks.get(meeting.pk, (Mark.PRESENT, "", ""))
        if meeting.date > timezone.localdate():
            mark = ""  # planned
        out.append(MemberMeeting(meeting, mark, reason))
    return out


# --- the summary --------------------------------------------------------------------------------


def _full_months(since: dt.date, until: dt.date) -> tuple[dt.date, dt.date] | None:
    """The first and last day of the whole months of the window that are over by today (the
    rollup serves them); None when there is none."""
    last = held_until(until)
    months = [
        (dt.date(y, m, 1), _month_end(y, m))
        for y, m in rules.months_between(since, until)
        if dt.date(y, m, 1) >= since and _month_end(y, m) <= last
    ]
    return (months[0][0], months[-1][1]) if months else None


def _closure_changes(ids: list[int], first: dt.date, last: dt.date) -> list[tuple]:
    """(ancestor, descendant, valid from, valid to) of the closure rows under these
    organizations that begin or end inside one of the months of [first, last] (whole months),
    not on its first day: a range on (ancestor, valid_from) and one on (ancestor, valid_to) for
    each month, so the rows read are the mid-month changes, not the subtree (≈ 330,000 closure
    rows under the country; the restructures of a month's first day, such as 01/07/2025, are
    not read either)."""
    table = UnitAncestry._meta.db_table
    months = rules.months_between(first, last)
    out = []
    for chunk in _chunks(ids, CHUNK):
        for group in _chunks(months, MONTHS_A_STATEMENT):
            branches, params = [], []
            for year, month in group:
                low, high = dt.date(year, month, 1), _month_end(year, month)
                for column in ("valid_from", "valid_to"):
                    branches.append(
                        f"SELECT ancestor_id, descendant_id, valid_from, valid_to FROM {table} "
                        f"WHERE ancestor_id IN ({_ids_sql(chunk)}) "
                        f"AND {column} > %s AND {column} <= %s"
                    )
                    params += [*chunk, low, high]
            with connection.cursor() as cursor:
                cursor.execute(" UNION ALL ".join(branches), params)
                out += [
                    (ancestor, descendant, _as_date(start), _as_date(end))
                    for ancestor, descendant, start, end in cursor.fetchall()
                ]
    return out


MONTHS_A_STATEMENT = 24  # two ranges a month: 48 branches (SQLite allows 500 in a compound)


def _as_date(value) -> dt.date | None:
    return value if value is None or isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _mixed_months(unit: Unit, first: dt.date, last: dt.date) -> set[tuple[int, dt.date]]:
    """(organization, month's first day) of [first, last] during which the organization entered
    or left `unit`'s subtree, or moved inside it (a closure row begins or ends within the month,
    not on its first day): those months are read meeting by meeting. Only restructures make
    them, so they are few, and only they are read (`_closure_changes`)."""
    out = set()
    for _ancestor, descendant, start, end in _closure_changes([unit.pk], first, last):
        for day in (start, end):
            if day is not None and first < day <= last and day.day != 1:
                out.add((descendant, day.replace(day=1)))
    return out


def _rollup_sql(unit: Unit, first: dt.date, last: dt.date) -> tuple[list[int], int]:
    """The sums of the rollup (MEETING_MONTH_FIELDS) over the organizations under `unit` for
    each whole month of [first, last] (the closure row must cover the whole month), and the
    number of (cell, month) with a regular meeting among the cells that owed it (a member kind
    on the month's last day): the unit's own rows of the per-ancestor rollup, one per month
    (`figures.MeetingAncestorMonth`, whose definition is that join of the per-cell rollup)."""
    sums = ", ".join(f"COALESCE(SUM({name}), 0)" for name in (*MEETING_MONTH_FIELDS, "cells_held"))
    sql = f"""
        SELECT {sums} FROM {MeetingAncestorMonth._meta.db_table}
        WHERE ancestor_id = %s AND month >= %s AND month <= %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [unit.pk, first, last])
        row = cursor.fetchone()
    return [int(v) for v in row[:-1]], int(row[-1])


MIXED_CHUNK = 200  # (cell, month) pairs read in one statement


def month_totals(unit: Unit, since: dt.date, until: dt.date) -> tuple[dict[str, int], int]:
    """The rollup's measures (MEETING_MONTH_FIELDS) summed over the meetings held in the window
    under `unit` on their date, and the (cell, month) due that held their regular meeting.

    Whole months come from the rollup (`_rollup_sql`); the rest — the window's partial months,
    the current month, and the months in which a cell moved (`_mixed_months`) — are read meeting
    by meeting through the same `rollup.values`, so both agree with `meetings_under`."""
    totals = [0] * len(MEETING_MONTH_FIELDS)
    held_due = 0
    full = _full_months(since, until)
    if full is None:
        raws = [meetings_under(unit, since, until)]
    else:
        first, last = full
        totals, held_due = _rollup_sql(unit, first, last)
        # Each read on its own narrow range: one OR over the whole year would make the database
        # test the closure for every meeting of the year.
        raws = []
        if since < first:
            raws.append(meetings_under(unit, since, first - dt.timedelta(days=1)))
        if last < held_until(until):
            raws.append(meetings_under(unit, last + dt.timedelta(days=1), until))
        mixed = sorted(_mixed_months(unit, first, last))
        # In chunks: SQLite refuses an expression tree deeper than 1,000, which one OR over
        # every moved (cell, month) of a province's decade reaches (the review report 2008–2019).
        for chunk in range(0, len(mixed), MIXED_CHUNK):
            pairs = Q(pk__in=[])
            for unit_id, month in mixed[chunk : chunk + MIXED_CHUNK]:
                end = _month_end(month.year, month.month)
                pairs |= Q(unit_id=unit_id, date__gte=month, date__lte=end)
            raws.append(Meeting.objects.filter(_under_on_date(unit), pairs, voided_at__isnull=True))
    held: dict[tuple[int, int, int], int] = defaultdict(int)
    meetings = (m for raw in raws for m in raw.only(*rollup.FIELDS).iterator(chunk_size=5000))
    for meeting in meetings:
        for i, value in enumerate(rollup.values(meeting)):
            totals[i] += value
        if meeting.kind == MeetingKind.REGULAR:
            held[(meeting.unit_id, meeting.date.year, meeting.date.month)] += 1
    if held:  # the raw (cell, month) with a regular meeting, if the cell owed that month
        held_due += _owed(unit.pk, held, since, until)
    return dict(zip(MEETING_MONTH_FIELDS, totals, strict=True)), held_due


def _owed(unit_id: int, held, since: dt.date, until: dt.date) -> int:
    """How many of these (cell, year, month) were owed: the cell was a cell under the unit on
    the month's due day (`cells_on`), read from the closure rows and versions of these cells
    only (`cells_on(...).filter(unit_id__in=…)` joined the unit's whole subtree once per month:
    ≈ 40 ms a month for the 1/56 country, session 8)."""
    cells = {c for c, _y, _m in held}
    under, versions = defaultdict(list), defaultdict(list)
    for cell, start, stop in UnitAncestry.objects.filter(
        ancestor_id=unit_id, descendant_id__in=cells
    ).values_list("descendant_id", "valid_from", "valid_to"):
        under[cell].append((start, stop))
    for cell, start, stop in UnitVersion.objects.filter(
        unit_id__in=cells, kind__in=MEMBER_KINDS
    ).values_list("unit_id", "valid_from", "valid_to"):
        versions[cell].append((start, stop))

    def open_on(spans, day) -> bool:
        return any(a <= day and (b is None or b > day) for a, b in spans)

    return sum(
        1
        for year, month, day in due_days(since, until)
        for c, y, m in held
        if (y, m) == (year, month) and open_on(under[c], day) and open_on(versions[c], day)
    )


def _unexcused_raw(unit: Unit, since: dt.date, last: dt.date) -> list[tuple[int, dt.date]]:
    """(member, date) of the unexcused marks of meetings not voided in [since, last] in the cells
    under `unit` on the mark's date, read mark by mark."""
    # Without statistics SQLite picks the country-wide (mark, date) index even for one cell:
    # CROSS JOIN (conditions in WHERE, valid on both databases) reads the closure first, and
    # INDEXED BY names the per-cell index (PostgreSQL plans from its statistics).
    hint = " INDEXED BY attendance_unit_mark_date" if connection.vendor == "sqlite" else ""
    sql = f"""
        SELECT a.member_id, a.date
        FROM {UnitAncestry._meta.db_table} c
        CROSS JOIN {Attendance._meta.db_table} a{hint}
        CROSS JOIN {Meeting._meta.db_table} m
        WHERE m.id = a.meeting_id AND m.voided_at IS NULL AND c.ancestor_id = %s AND c.valid_from <= %s
          AND (c.valid_to IS NULL OR c.valid_to > %s)
          AND a.unit_id = c.descendant_id AND a.mark = %s AND a.date >= %s AND a.date <= %s
          AND a.date >= c.valid_from AND (c.valid_to IS NULL OR a.date < c.valid_to)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [unit.pk, last, since, Mark.UNEXCUSED, since, last])
        return [
            (member_id, day if isinstance(day, dt.date) else dt.date.fromisoformat(day))
            for member_id, day in cursor.fetchall()
        ]


def _absence_window(since: dt.date, until: dt.date):
    """The watch list's window, shared by the one-unit and the many-unit counts: the last day
    held, each year's threshold of unexcused months (dated rule), the whole months the absence
    rollup answers, and the partial ranges read mark by mark."""
    last = held_until(until)
    threshold = {
        year: rules.rules_on(dt.date(year, 12, 31)).unexcused_months_for_removal
        for year in range(since.year, last.year + 1)
    }
    full = _full_months(since, until)
    raw_ranges = [(since, last)] if full is None else []
    if full is not None:
        if since < full[0]:
            raw_ranges.append((since, full[0] - dt.timedelta(days=1)))
        if full[1] < last:
            raw_ranges.append((full[1] + dt.timedelta(days=1), last))
    # The calendar years lying wholly in those whole months: their count is the per-year
    # absence rollup's rows with enough months (figures.MeetingAbsenceYear), one per member on
    # the list; the other years' months are read from the monthly rows.
    years = (
        [y for y in range(full[0].year, full[1].year + 1)
         if full[0] <= dt.date(y, 1, 1) and dt.date(y, 12, 31) <= full[1]]
        if full is not None else []
    )  # fmt: skip
    return last, threshold, full, raw_ranges, years


def absent_months_count(unit: Unit, since: dt.date, until: dt.date) -> int:
    """How many members are on the watch list (`watch_list`) in some year of the window, without
    loading names or evidence.

    The whole months of the window that are over come from the per-ancestor absence rollup
    (`figures.MeetingAbsenceMonth`: the unit's rows, one per member and month with an unexcused
    mark): the members with enough months there are counted by the database; the window's
    partial and current months are read mark by mark (`_unexcused_raw`) and only their members'
    rolled-up months are loaded to join them."""
    last, threshold, full, raw_ranges, years = _absence_window(since, until)
    months: dict[tuple[int, int], set[int]] = defaultdict(set)
    for first, end in raw_ranges:
        for member_id, day in _unexcused_raw(unit, first, end):
            months[(member_id, day.year)].add(day.month)
    flagged: set[int] = set()
    for year in years:
        flagged.update(
            MeetingAbsenceYear.objects.filter(
                ancestor_id=unit.pk, year=year, months__gte=threshold[year]
            ).values_list("member_id", flat=True)
        )
    ranges = _months_outside(full, years)
    if ranges and threshold:
        rows = MeetingAbsenceMonth.objects.filter(
            _in_ranges(ranges), ancestor_id=unit.pk, marks__gt=0
        )
        enough = (
            rows.values("member_id", "year")
            .annotate(n=Count("month"))
            .filter(n__gte=min(threshold.values()))
            .values_list("member_id", "year", "n")
        )
        flagged |= {m for m, year, n in enough if n >= threshold[year]}
        raw_members = {m for m, _y in months} - flagged
        for chunk in _chunks(sorted(raw_members), 5000):
            for member_id, month in rows.filter(member_id__in=chunk).values_list(
                "member_id", "month"
            ):
                months[(member_id, month.year)].add(month.month)
    return len(
        flagged
        | {member_id for (member_id, year), seen in months.items() if len(seen) >= threshold[year]}
    )


def _months_outside(full, years: list[int]) -> list[tuple[dt.date, dt.date]]:
    """The whole months of the window (`full`) outside its whole calendar years (`years`, one
    run): what the watch-list count reads from the monthly absence rows — none for a year's
    window, whose count is the yearly rows'."""
    if full is None:
        return []
    if not years:
        return [full]
    out = []
    if full[0] < dt.date(years[0], 1, 1):
        out.append((full[0], dt.date(years[0] - 1, 12, 31)))
    if dt.date(years[-1], 12, 31) < full[1]:
        out.append((dt.date(years[-1] + 1, 1, 1), full[1]))
    return out


def _in_ranges(ranges) -> Q:
    condition = Q(pk__in=[])
    for first, last in ranges:
        condition |= Q(month__gte=first, month__lte=last)
    return condition


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def any_held(unit: Unit, since: dt.date, until: dt.date) -> bool:
    """Whether a regular or thematic meeting (the ones `summary` counts as held) lies in an
    organization that was under `unit` at some time of the window: a cheap superset of
    `summary(...)["meetings_held"] or ["thematic_held"]`, so the review report skips the summary
    (months × cells, ≈ ⅓ of a province report's time with no meeting recorded) when it is False."""
    subtree = UnitAncestry.objects.filter(ancestor=unit, valid_from__lte=until).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=since)
    )
    return Meeting.objects.filter(
        unit_id__in=subtree.values("descendant_id"),
        date__gte=since,
        date__lte=until,
        kind__in=[MeetingKind.REGULAR, MeetingKind.THEMATIC],
        voided_at__isnull=True,
    ).exists()


def summary(unit: Unit, since: dt.date, until: dt.date) -> dict:
    """`grassroots meetings-summary`, the report section, the API: every figure of the window.

    `attendance_pct` is present / expected over the meetings held (not committee meetings);
    `absent_3_months` counts members on the watch list in some year of the window. The sums come
    from the monthly rollup (`month_totals`); tests/test_meetings_queries.py checks them against
    a reference that reads every meeting."""
    t, held_due = month_totals(unit, since, until)
    return _summary(
        unit,
        since,
        until,
        t,
        held_due,
        due=meetings_due(unit, since, until),
        # The figures ledger's cell stocks on `until` (one indexed sum; counting the closure's
        # cells was linear in the subtree: ≈ 300,000 rows for the country).
        cells=sum(ledger_by_unit([unit.pk], until, CELL_STOCKS)[unit.pk].values()),
        absent=absent_months_count(unit, since, until),
        quality=quality_average(unit, since, until),
    )


def _summary(unit, since, until, t, held_due, *, due, cells, absent, quality) -> dict:
    """The summary's dict from what was read (`summary` and `summary_by_unit`)."""
    cov = Coverage(
        meetings=t["tracked"],
        expected=t["expected_official"] + t["expected_probationary"] + t["expected_attached"],
        present=t["present_official"] + t["present_probationary"] + t["present_attached"],
        expected_official=t["expected_official"],
        present_official=t["present_official"],
        expected_probationary=t["expected_probationary"],
        present_probationary=t["present_probationary"],
        absent_excused=t["absent_excused"],
        absent_unexcused=t["absent_unexcused"],
    )
    return {
        "unit": unit.code,
        "from": since.isoformat(),
        "to": until.isoformat(),
        "cells": cells,
        "meetings_due": due,
        "meetings_held": t["regular"],
        "thematic_held": t["thematic"],
        "attendance_pct": cov.pct,
        "official_pct": cov.official_pct,
        "probationary_pct": cov.probationary_pct,
        "absent_3_months": absent,
        "short_meetings": t["short"],
        "late_documents": t["late_documents"],
        "missed_months": due - held_due,
        "average_minutes": round(t["minutes"] / t["tracked"], 1) if t["tracked"] else None,
        "quality_average": quality,
    }


# --- many organizations at once (a report's per-child table) ----------------------------------


def _ids_sql(ids) -> str:
    return ", ".join(["%s"] * len(ids))


CHUNK = 500  # organizations in one grouped statement


def _holders(ids: list[int], descendants) -> dict[int, list[tuple[int, dt.date, dt.date | None]]]:
    """descendant → (ancestor among `ids`, valid from, valid to) of the closure rows linking them."""
    out: dict[int, list] = defaultdict(list)
    rows = UnitAncestry.objects.filter(ancestor_id__in=ids, descendant_id__in=descendants)
    for ancestor, descendant, start, stop in rows.values_list(
        "ancestor_id", "descendant_id", "valid_from", "valid_to"
    ):
        out[descendant].append((ancestor, start, stop))
    return out


def _holders_on(holders, unit_id: int, day: dt.date) -> set[int]:
    """The organizations (of `holders`) that `unit_id` lies under on `day` (`_under_on_date`)."""
    return {
        a
        for a, start, stop in holders.get(unit_id, ())
        if start <= day and (stop is None or stop > day)
    }


def _rollup_by_unit(ids: list[int], first: dt.date, last: dt.date) -> dict[int, tuple[list, int]]:
    """`_rollup_sql` for each of these organizations: their rows of the per-ancestor rollup,
    grouped by the database."""
    sums = ", ".join(f"COALESCE(SUM({name}), 0)" for name in (*MEETING_MONTH_FIELDS, "cells_held"))
    out = {}
    for chunk in _chunks(ids, CHUNK):
        sql = f"""
            SELECT ancestor_id, {sums} FROM {MeetingAncestorMonth._meta.db_table}
            WHERE ancestor_id IN ({_ids_sql(chunk)}) AND month >= %s AND month <= %s
            GROUP BY ancestor_id
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [*chunk, first, last])
            for ancestor, *row in cursor.fetchall():
                out[ancestor] = ([int(v) for v in row[:-1]], int(row[-1]))
    return out


def _mixed_by_unit(ids: list[int], first: dt.date, last: dt.date) -> dict[int, set]:
    """`_mixed_months` of each of these organizations, from one read of their mid-month
    closure changes."""
    out: dict[int, set] = defaultdict(set)
    for ancestor, descendant, start, end in _closure_changes(ids, first, last):
        for day in (start, end):
            if day is not None and first < day <= last and day.day != 1:
                out[ancestor].add((descendant, day.replace(day=1)))
    return out


def month_totals_by_unit(
    units: list[Unit], since: dt.date, until: dt.date
) -> dict[int, tuple[dict[str, int], int]]:
    """`month_totals` of each of these organizations: the rollup grouped by organization, and the
    meetings read one by one (partial months, moved cells) once for all, each counted for the
    organizations it lay under on its date. Equal to `month_totals` unit by unit."""
    ids = [u.pk for u in units]
    totals = {pk: [0] * len(MEETING_MONTH_FIELDS) for pk in ids}
    held_due = dict.fromkeys(ids, 0)
    full = _full_months(since, until)
    ranges, mixed = [], {}
    if full is None:
        ranges.append((since, held_until(until)))
    else:
        first, last = full
        for pk, (sums, held) in _rollup_by_unit(ids, first, last).items():
            totals[pk], held_due[pk] = sums, held
        if since < first:
            ranges.append((since, held_until(first - dt.timedelta(days=1))))
        if last < held_until(until):
            ranges.append((last + dt.timedelta(days=1), held_until(until)))
        mixed = _mixed_by_unit(ids, first, last)
    # (meeting row, the organizations among `ids` that count it)
    Row = namedtuple("Row", FIELDS_WITH_PK)
    under_any = Exists(
        UnitAncestry.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=OuterRef("date")),
            ancestor_id__in=ids,
            descendant_id=OuterRef("unit_id"),
            valid_from__lte=OuterRef("date"),
        )
    )
    meetings: list = []
    for start, end in ranges:
        qs = Meeting.objects.filter(
            under_any, voided_at__isnull=True, date__gte=start, date__lte=end
        )
        meetings += [(Row._make(r), None) for r in qs.values_list(*FIELDS_WITH_PK)]
    pairs = sorted({pair for found in mixed.values() for pair in found})
    for chunk in range(0, len(pairs), MIXED_CHUNK):
        condition = Q(pk__in=[])
        for unit_id, month in pairs[chunk : chunk + MIXED_CHUNK]:
            end = _month_end(month.year, month.month)
            condition |= Q(unit_id=unit_id, date__gte=month, date__lte=end)
        qs = Meeting.objects.filter(under_any, condition, voided_at__isnull=True)
        meetings += [(Row._make(r), "mixed") for r in qs.values_list(*FIELDS_WITH_PK)]
    holders = _holders(ids, {m.unit_id for m, _ in meetings})
    held: dict[int, dict[tuple[int, int, int], int]] = defaultdict(lambda: defaultdict(int))
    for m, source in meetings:
        contribution = None
        for pk in _holders_on(holders, m.unit_id, m.date):
            if source == "mixed" and (m.unit_id, m.date.replace(day=1)) not in mixed[pk]:
                continue
            contribution = contribution or rollup.values(m)
            totals[pk] = [a + b for a, b in zip(totals[pk], contribution, strict=True)]
            if m.kind == MeetingKind.REGULAR:
                held[pk][(m.unit_id, m.date.year, m.date.month)] += 1
    if held:  # the raw (cell, month) with a regular meeting, if the cell owed that month
        cells = {c for by_cell in held.values() for c, _y, _m in by_cell}
        cell_holders = _holders(ids, cells)
        versions = defaultdict(list)
        for unit_id, start, stop in UnitVersion.objects.filter(
            unit_id__in=cells, kind__in=MEMBER_KINDS
        ).values_list("unit_id", "valid_from", "valid_to"):
            versions[unit_id].append((start, stop))
        for year, month, day in due_days(since, until):
            for pk, by_cell in held.items():
                held_due[pk] += sum(
                    1
                    for c, y, m in by_cell
                    if (y, m) == (year, month)
                    and pk in _holders_on(cell_holders, c, day)
                    and any(a <= day and (b is None or b > day) for a, b in versions[c])
                )
    return {
        pk: (dict(zip(MEETING_MONTH_FIELDS, totals[pk], strict=True)), held_due[pk]) for pk in ids
    }


FIELDS_WITH_PK = ("pk", *rollup.FIELDS)


def meetings_due_by_unit(ids: list[int], since: dt.date, until: dt.date) -> dict[int, int]:
    """`meetings_due` of each of these organizations (the ledger's cells on every due day, read
    once for all days: figures.queries.ledger_by_unit_days)."""
    out = dict.fromkeys(ids, 0)
    due = [day for _y, _m, day in due_days(since, until)]
    by_day = ledger_by_unit_days(ids, due, CELL_STOCKS)
    for day in due:
        for pk, row in by_day[day].items():
            out[pk] += sum(row[column] for column in CELL_STOCKS)
    return out


def cells_by_unit(ids: list[int], day: dt.date) -> dict[int, int]:
    """The summary's `cells` of each of these organizations: the ledger's cell stocks on `day`."""
    rows = ledger_by_unit(ids, day, CELL_STOCKS)
    return {pk: sum(row[column] for column in CELL_STOCKS) for pk, row in rows.items()}


def _unexcused_raw_by_unit(
    ids: list[int], since: dt.date, last: dt.date
) -> list[tuple[int, int, dt.date]]:
    """`_unexcused_raw` of each of these organizations: (organization, member, date)."""
    hint = " INDEXED BY attendance_unit_mark_date" if connection.vendor == "sqlite" else ""
    out = []
    for chunk in _chunks(ids, CHUNK):
        sql = f"""
            SELECT c.ancestor_id, a.member_id, a.date
            FROM {UnitAncestry._meta.db_table} c
            CROSS JOIN {Attendance._meta.db_table} a{hint}
            CROSS JOIN {Meeting._meta.db_table} m
            WHERE m.id = a.meeting_id AND m.voided_at IS NULL
              AND c.ancestor_id IN ({_ids_sql(chunk)}) AND c.valid_from <= %s
              AND (c.valid_to IS NULL OR c.valid_to > %s)
              AND a.unit_id = c.descendant_id AND a.mark = %s AND a.date >= %s AND a.date <= %s
              AND a.date >= c.valid_from AND (c.valid_to IS NULL OR a.date < c.valid_to)
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [*chunk, last, since, Mark.UNEXCUSED, since, last])
            out += [
                (
                    ancestor,
                    member_id,
                    day if isinstance(day, dt.date) else dt.date.fromisoformat(day),
                )
                for ancestor, member_id, day in cursor.fetchall()
            ]
    return out


def absent_months_by_unit(ids: list[int], since: dt.date, until: dt.date) -> dict[int, int]:
    """`absent_months_count` of each of these organizations: the absence rollup's rows of all of
    them counted by the database, the partial months read mark by mark once for all."""
    last, threshold, full, raw_ranges, years = _absence_window(since, until)
    months: dict[tuple[int, int, int], set[int]] = defaultdict(set)  # (unit, member, year)
    for first, end in raw_ranges:
        for ancestor, member_id, day in _unexcused_raw_by_unit(ids, first, end):
            months[(ancestor, member_id, day.year)].add(day.month)
    flagged: set[tuple[int, int]] = set()  # (unit, member)
    for year in years:
        for chunk in _chunks(ids, CHUNK):
            flagged.update(
                MeetingAbsenceYear.objects.filter(
                    ancestor_id__in=chunk, year=year, months__gte=threshold[year]
                ).values_list("ancestor_id", "member_id")
            )
    ranges = _months_outside(full, years)
    if ranges and threshold:
        for chunk in _chunks(ids, CHUNK):
            rows = MeetingAbsenceMonth.objects.filter(
                _in_ranges(ranges), ancestor_id__in=chunk, marks__gt=0
            )
            enough = (
                rows.values("ancestor_id", "member_id", "year")
                .annotate(n=Count("month"))
                .filter(n__gte=min(threshold.values()))
                .values_list("ancestor_id", "member_id", "year", "n")
            )
            flagged |= {(a, m) for a, m, year, n in enough if n >= threshold[year]}
        raw = {(a, m) for a, m, _y in months} - flagged
        members = sorted({m for _a, m in raw})
        for chunk in _chunks(members, 5000):
            rows = MeetingAbsenceMonth.objects.filter(
                _in_ranges(ranges),
                ancestor_id__in=sorted({a for a, _m in raw}),
                member_id__in=chunk,
                marks__gt=0,
            )
            for ancestor, member_id, month in rows.values_list("ancestor_id", "member_id", "month"):
                if (ancestor, member_id) in raw:
                    months[(ancestor, member_id, month.year)].add(month.month)
    flagged |= {(a, m) for (a, m, year), seen in months.items() if len(seen) >= threshold[year]}
    out = dict.fromkeys(ids, 0)
    for ancestor, _member in flagged:
        out[ancestor] += 1
    return out


def quality_by_unit(ids: list[int], since: dt.date, until: dt.date) -> dict[int, float | None]:
    """`quality_average` of each of these organizations: their rows of the per-ancestor quality
    rollup for the months starting in [since, until], summed by the database (sum of totals /
    sheets: exactly the average of the sheets)."""
    out: dict[int, float | None] = dict.fromkeys(ids)
    for chunk in _chunks(ids, CHUNK):
        rows = (
            QualityAncestorMonth.objects.filter(
                ancestor_id__in=chunk, month__gte=since.replace(day=1), month__lte=until
            )
            .values("ancestor_id")
            .annotate(n=Sum("sheets"), total=Sum("total"))
            .values_list("ancestor_id", "n", "total")
            .order_by()
        )
        for ancestor, n, total in rows:
            if n:
                out[ancestor] = round(int(total) / int(n), 1)
    return out


def summary_by_unit(units: list[Unit], since: dt.date, until: dt.date) -> dict[int, dict]:
    """`summary(unit, since, until)` of each of these organizations, in a fixed number of reads
    for any number of them (the review report's per-child table: a commune's 67 cells read one
    by one made its preview 4–5 s). Equal to `summary` unit by unit
    (tests/test_meetings_by_unit.py)."""
    ids = [u.pk for u in units]
    totals = month_totals_by_unit(units, since, until)
    due = meetings_due_by_unit(ids, since, until)
    cells = cells_by_unit(ids, until)
    absent = absent_months_by_unit(ids, since, until)
    quality = quality_by_unit(ids, since, until)
    return {
        u.pk: _summary(
            u,
            since,
            until,
            *totals[u.pk],
            due=due[u.pk],
            cells=cells[u.pk],
            absent=absent[u.pk],
            quality=quality[u.pk],
        )  # fmt: skip
        for u in units
    }


# --- the monthly self-assessment (quality.py) ------------------------------------------------


def quality_scores(unit: Unit, since: dt.date, until: dt.date) -> QuerySet:
    """The cells' monthly self-assessment sheets of months starting in [since, until], for the
    cells under `unit` on the month's first day (through the restructured tree)."""
    return QualityScore.objects.filter(
        _under_on_date(unit, day_field="month"), month__gte=since.replace(day=1), month__lte=until
    )


def quality_average(unit: Unit, since: dt.date, until: dt.date) -> float | None:
    """The average total of the sheets in the window (`quality_scores`; None when no cell
    scored): the unit's rows of the per-ancestor quality rollup (figures.QualityAncestorMonth,
    whose definition is the sheets under the unit on the month's first day), one per month."""
    return quality_by_unit([unit.pk], since, until)[unit.pk]


def quality_average_of_sheets(unit: Unit, since: dt.date, until: dt.date) -> float | None:
    """`quality_average` read sheet by sheet through the closure (the reference the rollup is
    tested against)."""
    value = quality_scores(unit, since, until).aggregate(avg=Avg("total"))["avg"]
    return round(float(value), 1) if value is not None else None


@dataclass
class QualityRow:
    unit: Unit
    name: str
    month: dt.date
    total: int
    of: int
    grade: str


def quality_book(unit: Unit, since: dt.date, until: dt.date, limit: int = 240) -> list[QualityRow]:
    """The sheets of the window for the book page, newest month first (each with the grade of
    the sheet version it was recorded under)."""
    rows = quality_scores(unit, since, until).select_related("unit").order_by("-month", "unit_id")
    out, names = [], {}
    for row in rows[:limit]:
        sheet = quality.sheet_by_code(row.sheet) or quality.sheet_on(row.month)
        if row.unit_id not in names:  # one name per cell shown, not one query per row
            names[row.unit_id] = display_version(row.unit, row.month).name
        name = names[row.unit_id]
        out.append(
            QualityRow(row.unit, name, row.month, row.total, sheet.total_points,
                       sheet.grade(row.total))
        )  # fmt: skip
    return out


def quality_of_month(unit: Unit, year: int, month: int):
    """(the sheet in force on the month's first day, the cell's recorded sheet or None)."""
    first = dt.date(year, month, 1)
    return quality.sheet_on(first), QualityScore.objects.filter(unit=unit, month=first).first()


def drift(meeting: Meeting) -> dict | None:
    """How the registry's list for the meeting date differs now from the one the totals were
    recorded with (a backdated transfer, exemption, attachment entered later). The recorded
    totals stay (the minutes are the record of what happened); the page shows this so the clerk
    can void and re-record a draft, or note a correction. None when nothing differs."""
    people = meeting_list(meeting.unit, meeting.kind, meeting.date)
    now = {r: 0 for r in ("official", "probationary", "attached")}
    for person in people:
        if person.role in now:
            now[person.role] += 1
    then = {
        "official": meeting.expected_official,
        "probationary": meeting.expected_probationary,
        "attached": meeting.expected_attached,
    }
    on_list = {p.member_id: p.role for p in people}
    stale = [
        name
        for member_id, role, name in meeting.marks.values_list(
            "member_id", "role", "member__full_name"
        ).order_by(vietnamese("member__full_name"), "member_id")
        if on_list.get(member_id) != role
    ]
    if then == now and not stale:
        return None
    return {"then": then, "now": now, "marked_not_on_list": stale}
