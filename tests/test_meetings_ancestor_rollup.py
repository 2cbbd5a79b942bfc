"""The per-ancestor monthly meeting rollup (`figures.MeetingAncestorMonth`) and the per-ancestor
absence rollup (`figures.MeetingAbsenceMonth`, the watch-list count) equal a recount from
the meetings themselves after every kind of write: meetings recorded, re-marked, corrected and
voided through their services, a cell moved mid-month after its meetings (backdated), a cell
moved on a month's first day, and cells merged.

The recount reads no closure and no rollup: it sums `rollup.values` of every meeting not voided
per (organization, month), walks the tree through `UnitVersion.parent` on every day of the
month (an ancestor counts the month only if it is above the organization on each day, as the
summary's whole-month rows require), and takes the organization's kind on the month's last day.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

import pytest

from grassroots.derived import meeting_months
from grassroots.figures.models import (
    MeetingAbsenceMonth,
    MeetingAbsenceYear,
    MeetingAncestorMonth,
    QualityAncestorMonth,
)
from grassroots.meetings import quality, queries, rollup, rules
from grassroots.meetings.models import Attendance, Meeting, MeetingKind, QualityScore
from grassroots.meetings.services import (
    attendance_mark,
    meeting_record,
    meeting_void,
    minutes_approve,
    minutes_correct,
    quality_record,
)
from grassroots.organizations import services as orgs
from grassroots.organizations.models import MEMBER_KINDS, Kind, UnitVersion
from grassroots.restructure import services as restructure

from .factories import SYSTEM, admit, d, unit

pytestmark = pytest.mark.django_db
T = dt.time
TODAY = dt.date(2019, 12, 31)


def _month_days(month: dt.date) -> list[dt.date]:
    first, last = meeting_months.month_bounds(month)
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _above(unit_id: int, day: dt.date, versions) -> set[int]:
    """The organization and every organization above it on `day` (parent links)."""
    alive = {
        v.unit_id: v.parent_id
        for v in versions
        if v.valid_from <= day and (v.valid_to is None or day < v.valid_to)
    }
    out, current = set(), unit_id
    while current is not None and current in alive:
        out.add(current)
        current = alive[current]
    return out


def recount() -> dict[tuple[int, dt.date], tuple[int, ...]]:
    """{(ancestor, month): MeetingAncestorMonth's columns} from the meetings, slowly."""
    versions = list(UnitVersion.objects.all())
    per_cell: dict[tuple[int, dt.date], list[int]] = {}
    for m in Meeting.objects.filter(voided_at=None):
        total = per_cell.setdefault((m.unit_id, m.date.replace(day=1)), [0] * meeting_months.WIDTH)
        for i, value in enumerate(rollup.values(m)):
            total[i] += value
    out: dict[tuple[int, dt.date], list[int]] = {}
    for (unit_id, month), values in per_cell.items():
        days = _month_days(month)
        ancestors = set.intersection(*(_above(unit_id, day, versions) for day in days))
        end = days[-1]
        cell = any(
            v.unit_id == unit_id
            and v.valid_from <= end
            and (v.valid_to is None or end < v.valid_to)
            and v.kind in MEMBER_KINDS
            for v in versions
        )
        held = int(values[1] > 0 and cell)  # values[1]: regular meetings
        for ancestor in ancestors:
            total = out.setdefault((ancestor, month), [0] * len(meeting_months.ANCESTOR_FIELDS))
            for i, value in enumerate([*values, held]):
                total[i] += value
    return {key: tuple(v) for key, v in out.items() if any(v)}


def absence_recount() -> dict[tuple[int, dt.date, int], int]:
    """{(ancestor, month, member): unexcused marks} from the marks, slowly: each mark of a
    meeting not voided under every organization above its cell on the mark's date."""
    versions = list(UnitVersion.objects.all())
    out: dict[tuple[int, dt.date, int], int] = defaultdict(int)
    for a in Attendance.objects.filter(mark="unexcused", meeting__voided_at=None):
        for ancestor in _above(a.unit_id, a.date, versions):
            out[(ancestor, a.date.replace(day=1), a.member_id)] += 1
    return dict(out)


def kept_absences() -> dict[tuple[int, dt.date, int], int]:
    rows = MeetingAbsenceMonth.objects.values_list("ancestor_id", "month", "member_id", "marks")
    assert all(month.year == year for month, year in
               MeetingAbsenceMonth.objects.values_list("month", "year"))  # fmt: skip
    return {(a, m, member): n for a, m, member, n in rows if n}


def absence_year_recount() -> dict[tuple[int, int, int], int]:
    """{(ancestor, year, member): months with an unexcused mark} from the marks, slowly."""
    months: dict[tuple[int, int, int], set[int]] = defaultdict(set)
    for (ancestor, month, member), marks in absence_recount().items():
        if marks:
            months[(ancestor, month.year, member)].add(month.month)
    return {key: len(seen) for key, seen in months.items()}


def kept_absence_years() -> dict[tuple[int, int, int], int]:
    rows = MeetingAbsenceYear.objects.values_list("ancestor_id", "year", "member_id", "months")
    return {(a, y, member): n for a, y, member, n in rows if n}


def quality_recount() -> dict[tuple[int, dt.date], tuple[int, int]]:
    """{(ancestor, month): (sheets, sum of totals)} from the sheets, slowly: each sheet under
    every organization above its cell on the month's first day."""
    versions = list(UnitVersion.objects.all())
    out: dict[tuple[int, dt.date], list[int]] = {}
    for q in QualityScore.objects.all():
        for ancestor in _above(q.unit_id, q.month, versions):
            row = out.setdefault((ancestor, q.month), [0, 0])
            row[0] += 1
            row[1] += q.total
    return {key: tuple(v) for key, v in out.items()}


def kept_quality() -> dict[tuple[int, dt.date], tuple[int, int]]:
    rows = QualityAncestorMonth.objects.values_list("ancestor_id", "month", "sheets", "total")
    return {(a, m): (n, t) for a, m, n, t in rows if n or t}


def exact() -> dict[tuple[int, dt.date], tuple[int, ...]]:
    """The per-ancestor rollups as kept equal their recounts; the monthly one is returned."""
    rows = kept()
    assert rows == recount()
    assert kept_absences() == absence_recount()
    assert kept_absence_years() == absence_year_recount()
    assert kept_quality() == quality_recount()
    return rows


def kept() -> dict[tuple[int, dt.date], tuple[int, ...]]:
    """The table as kept (a month whose meetings all left keeps a row of zeros: skipped)."""
    rows = MeetingAncestorMonth.objects.values_list(
        "ancestor_id", "month", *meeting_months.ANCESTOR_FIELDS
    )
    return {(a, m): tuple(v) for a, m, *v in rows if any(v)}


def _record_months(cells, months, rng, start=None):
    start = start or T(8)
    for cell in cells:
        for month in months:
            day = dt.date(2019, month, rng.randint(2, 12))
            people = [p for p in queries.expected_list(cell, day) if p.expected]
            marks = {p.member_id: "unexcused" for p in people if rng.random() < 0.3}
            meeting_record(
                actor=SYSTEM, unit=cell, kind=MeetingKind.REGULAR, date=day, start=start,
                end=T(start.hour + 1, rng.choice([0, 45])), with_thematic=rng.random() < 0.3, marks=marks,
                today=TODAY,
            )  # fmt: skip
            if rng.random() < 0.7:  # the month's self-assessment sheet, sometimes recorded again
                for _ in range(rng.choice([1, 1, 2])):
                    points = {
                        c.key: rng.randint(0, c.points) for c in quality.sheet_on(day).criteria
                    }
                    quality_record(
                        actor=SYSTEM, unit=cell, year=2019, month=month, scores=points, today=TODAY
                    )


@pytest.fixture
def tree(settings):
    settings.MEETING_RULES = [
        rules.with_values(rules.RULE_VERSIONS[1], effective=dt.date(1900, 1, 1))
    ]
    P = unit("P", Kind.PROVINCE)
    D1 = unit("D1", Kind.DISTRICT, P)
    D2 = unit("D2", Kind.DISTRICT, P)
    G1 = unit("G1", Kind.GRASSROOTS_COMMITTEE, D1)
    G2 = unit("G2", Kind.GRASSROOTS_COMMITTEE, D2)
    cells = [unit(f"C{i}", Kind.SUBORDINATE_CELL, g) for i, g in enumerate([G1, G1, G2, G2], 1)]
    for i in range(12):
        admit(cells[i % 4], f"201{i % 8}-03-01", full_name=f"Người {i:02d}")
    return {"P": P, "D1": D1, "D2": D2, "G1": G1, "G2": G2, "cells": cells}


def test_the_per_ancestor_rollup_equals_a_recount_after_every_write(tree):
    rng = random.Random(7)
    P, D1, D2, G1, G2 = (tree[k] for k in ("P", "D1", "D2", "G1", "G2"))
    c1, c2, c3, c4 = tree["cells"]
    _record_months(tree["cells"], range(1, 10), rng)
    first = exact()
    assert len(kept_absences()) > 20
    # Province rows: 4 cells × 9 months held, every cell held its month.
    assert first[(P.pk, d("2019-03-01"))][-1] == 4
    assert sum(v[1] for (a, _m), v in first.items() if a == P.pk) == 36

    # Re-marked, approved and corrected (the duration: the "short" flag), voided.
    meetings = list(Meeting.objects.order_by("pk"))
    for i, m in enumerate(meetings):
        if i % 6 == 0:
            meeting_void(actor=SYSTEM, meeting=m, reason="Nhập nhầm")
        elif i % 6 == 1:
            people = [p for p in queries.expected_list(m.unit, m.date) if p.expected]
            attendance_mark(
                actor=SYSTEM, meeting=m, marks={p.member_id: "unexcused" for p in people[:2]}
            )
        elif i % 6 == 2:
            m = minutes_approve(actor=SYSTEM, meeting=m)
            minutes_correct(actor=SYSTEM, meeting=m, reason="Ghi sai giờ", end=T(10, 30))
    # A second regular meeting in a month (the cell-month stays held once) and its void.
    extra = meeting_record(
        actor=SYSTEM, unit=c1, kind=MeetingKind.REGULAR, date=d("2019-05-20"), start=T(14),
        end=T(16), today=TODAY,
    )  # fmt: skip
    assert exact() != first
    meeting_void(actor=SYSTEM, meeting=extra, reason="Trùng")
    assert exact()

    # A backdated move in the middle of a month: C3's March leaves both districts' rows (the
    # summary reads that cell-month meeting by meeting), April on counts for D1.
    before = kept()
    orgs.unit_move(actor=SYSTEM, unit=c3, new_parent=G1, date=d("2019-03-15"))
    after = exact()
    march = (c3.pk, d("2019-03-01"))
    assert march in after  # the cell's own row covers the whole month
    assert after[(D1.pk, d("2019-04-01"))][1] == before[(D1.pk, d("2019-04-01"))][1] + 1
    assert after[(D2.pk, d("2019-03-01"))][1] < before[(D2.pk, d("2019-03-01"))][1]
    # A move on a month's first day: whole months on both sides.
    orgs.unit_move(actor=SYSTEM, unit=c4, new_parent=G1, date=d("2019-06-01"))
    assert exact()
    # C2 merged into C1 mid-month: C2's members move, C2 ends (it no longer owes August).
    restructure.unit_merge(actor=SYSTEM, sources=[c2], target=c1, date=d("2019-08-10"))
    merged = exact()
    # C2 ended on 10/08: its August is in no ancestor's rows (not even its own), only C1, C3
    # and C4 can count as held for G1.
    assert not [key for key in merged if key[0] == c2.pk and key[1] >= d("2019-08-01")]
    assert (c2.pk, d("2019-07-01")) in merged or (c2.pk, d("2019-06-01")) in merged
    assert merged[(G1.pk, d("2019-08-01"))][-1] <= 3
    # Meetings of the merged cell after the merger; then the summary of the year from the rows
    # agrees with the same summary read meeting by meeting.
    _record_months([c1], [10, 11], rng, start=T(15))
    assert exact()
    for code in ("P", "D1", "D2", "G1", "G2"):
        fast = queries.summary(tree[code], d("2019-01-01"), d("2019-12-31"))
        slow = _summary_meeting_by_meeting(tree[code], d("2019-01-01"), d("2019-12-31"))
        assert fast == slow, code
        # The mid-month moves read through the closure's date ranges are those of a scan of
        # the whole subtree (C3 on 15/03, C2 ending on 10/08; C4's move on 01/06 is none).
        for first, last in ((d("2019-01-01"), d("2019-12-31")), (d("2019-04-01"), d("2019-08-31"))):
            assert queries._mixed_months(tree[code], first, last) == _mixed_scan(
                tree[code], first, last
            ), code
    year_of = (d("2019-01-01"), d("2019-12-31"))
    assert queries._mixed_months(P, *year_of) == {(c2.pk, d("2019-08-01"))}  # C3 stayed under P
    assert queries._mixed_months(D1, *year_of) == {
        (c3.pk, d("2019-03-01")), (c2.pk, d("2019-08-01")),
    }  # fmt: skip
    for code in ("P", "D1", "D2", "G1", "G2"):  # the quality average: sheet by sheet
        fast = queries.quality_average(tree[code], *year_of)
        assert fast == queries.quality_average_of_sheets(tree[code], *year_of), code
        for since, until in (
            (d("2019-03-01"), d("2019-08-31")),
            (d("2019-03-10"), d("2019-08-20")),
        ):
            assert queries.quality_average(tree[code], since, until) == (
                queries.quality_average_of_sheets(tree[code], since, until)
            ), code
    assert queries.quality_average(P, d("2019-01-01"), d("2019-12-31")) is not None
    # The year's watch list (whole year: the yearly rows) is not empty.
    year = queries.summary(P, d("2019-01-01"), d("2019-12-31"))
    assert year["absent_3_months"] > 3
    assert year["absent_3_months"] == len(
        {m for (a, y, m), n in kept_absence_years().items() if a == P.pk and y == 2019 and n >= 3}
    )
    # The rebuild gives the same table.
    final, absences = exact(), kept_absences()
    meeting_months.rebuild_ancestors()
    assert exact() == final and kept_absences() == absences


def _mixed_scan(unit, first, last) -> set:
    """(organization, month) whose closure row under `unit` begins or ends inside a month of
    [first, last], not on its first day: every closure row of the subtree read."""
    from grassroots.organizations.models import UnitAncestry

    out = set()
    for row in UnitAncestry.objects.filter(ancestor=unit):
        for day in (row.valid_from, row.valid_to):
            if day is not None and first < day <= last and day.day != 1:
                out.add((row.descendant_id, day.replace(day=1)))
    return out


def _summary_meeting_by_meeting(unit, since, until) -> dict:
    """queries.summary with the whole-month rows switched off: every month read meeting by
    meeting (the path that existed before any rollup)."""
    saved = queries._full_months
    queries._full_months = lambda since, until: None
    try:
        return queries.summary(unit, since, until)
    finally:
        queries._full_months = saved


def test_the_rebuild_equals_the_kept_table_and_the_recount(tree):
    rng = random.Random(3)
    _record_months(tree["cells"], range(1, 7), rng)
    orgs.unit_move(actor=SYSTEM, unit=tree["cells"][0], new_parent=tree["G2"], date=d("2019-02-11"))
    kept_rows, absences = exact(), kept_absences()
    assert len(kept_rows) > 30 and len(absences) > 10
    MeetingAncestorMonth.objects.all().delete()
    MeetingAbsenceMonth.objects.all().delete()
    MeetingAbsenceYear.objects.all().delete()
    QualityAncestorMonth.objects.all().delete()
    rollup.rebuild()  # grassroots meetings-rollup: every rollup
    assert exact() == kept_rows and kept_absences() == absences
    MeetingAncestorMonth.objects.all().delete()
    MeetingAbsenceMonth.objects.all().delete()
    MeetingAbsenceYear.objects.all().delete()
    QualityAncestorMonth.objects.all().delete()
    meeting_months.rebuild_ancestors()  # the migration's path
    assert exact() == kept_rows and kept_absences() == absences
    MeetingAbsenceYear.objects.all().delete()
    meeting_months.rebuild_absence_years()  # the yearly counts' migration
    assert exact() == kept_rows
    QualityAncestorMonth.objects.all().delete()
    meeting_months.rebuild_quality()  # the quality rollup's migration
    assert exact() == kept_rows and kept_absences() == absences
