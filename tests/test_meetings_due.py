"""The meeting book's line on the dashboard (meetings/duties.py): cell-months missed counted only
for the cells that keep their book here, and those cells read once each."""

from __future__ import annotations

import datetime as dt

import pytest

from grassroots.meetings import queries
from grassroots.meetings.duties import meetings_due
from grassroots.meetings.models import MeetingKind
from grassroots.meetings.services import meeting_record, meeting_void
from grassroots.organizations.models import Kind

from .factories import SYSTEM, d, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def cells():
    province = unit("P", Kind.PROVINCE)
    commune = unit("G1", Kind.GRASSROOTS_COMMITTEE, province)
    keeps, voided_only, never = (
        unit(f"C{i}", Kind.SUBORDINATE_CELL, commune) for i in (1, 2, 3)
    )  # fmt: skip

    def meet(cell, day):
        return meeting_record(
            actor=SYSTEM, unit=cell, kind=MeetingKind.REGULAR, date=d(day),
            start=dt.time(8), end=dt.time(10), marks={}, today=d("2020-03-31"),
        )  # fmt: skip

    for day in ("2020-01-05", "2020-01-20", "2020-03-02"):
        meet(keeps, day)  # three meetings, none in February
    meeting_void(actor=SYSTEM, meeting=meet(voided_only, "2020-01-05"), reason="Nhập nhầm")
    return {"P": province, "keeps": keeps, "voided_only": voided_only, "never": never}


def test_cells_keeping_their_book_are_listed_once_each(cells):
    ids = [cells[k].pk for k in ("keeps", "voided_only", "never")]
    # Meeting's default ordering made DISTINCT run over (unit, date, start, id): one row per
    # meeting, here three for the one cell.
    assert queries.cells_keeping_book(ids) == [cells["keeps"].pk]
    assert queries.cells_keeping_book([cells["never"].pk]) == []


def test_the_dashboard_counts_missed_months_only_of_cells_keeping_their_book(cells):
    # On 10/03/2020 the line is February's: the three cells missed it; only C1 keeps its book.
    missed, _watch = meetings_due(None, cells["P"], d("2020-03-10"))
    assert missed.overdue and "02/2020" in missed.label
    assert missed.count == 1
