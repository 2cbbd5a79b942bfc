"""A year of meetings per member and per cell (meetings/yearly.py) against the expected list
derived meeting by meeting, and on the annual rating sheet (page and Excel) with a fixed number
of queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from grassroots.cadres.models import Post
from grassroots.cadres.services import holding_start, term_open
from grassroots.inspection.services import suspension_record
from grassroots.meetings import queries
from grassroots.meetings.models import Attendance, Meeting, MeetingKind
from grassroots.meetings.services import meeting_record
from grassroots.members.models import Member

from .factories import SYSTEM, admit, d, event
from .meetings_world import build
from .test_assessment_helpers import open_round, user

pytestmark = pytest.mark.django_db
T = dt.time


@pytest.fixture
def w():
    world = build()
    # Suspended from 01/03 to 29/05/2019 (đình chỉ sinh hoạt đảng): not expected at three meetings.
    suspended = admit(world["C1"], "2012-03-01", full_name="Vũ Văn Đình")
    event(suspended, "official")
    suspension_record(
        actor=SYSTEM, member=suspended, body=world["G1"], organ="committee", ground="violation",
        signed_on=d("2019-03-01"), start=d("2019-03-01"),
    )  # fmt: skip
    world["suspended"] = suspended
    rng = random.Random(14)
    for cell in (world["C1"], world["C2"]):
        for month in range(1, 13):
            if cell.code == "C2" and month in (4, 5):
                continue  # C2 missed two months
            day = dt.date(2019, month, 10)
            marks = {}
            for p in queries.expected_list(cell, day):
                roll = rng.random()
                if p.expected and roll < 0.3:
                    marks[p.member_id] = "unexcused" if roll < 0.2 else ("excused", "Ốm")
            meeting_record(
                actor=SYSTEM, unit=cell, kind=MeetingKind.REGULAR, date=day, start=T(8),
                end=T(10), with_thematic=month % 3 == 0, marks=marks,
            )  # fmt: skip
    # A study session of the whole commune, and a committee meeting (the committee's list, not
    # the members': in the year of its post holder only).
    term = term_open(actor=SYSTEM, unit=world["G1"], name="2015–2020", start=d("2015-10-01"))
    holding_start(
        actor=SYSTEM, term=term, member=world["official"], post=Post.SECRETARY,
        start=d("2015-10-01"),
    )  # fmt: skip
    meeting_record(
        actor=SYSTEM, unit=world["G1"], kind=MeetingKind.STUDY, date=d("2019-06-20"),
        start=T(8), end=T(11), marks={world["official"].pk: "unexcused"},
    )  # fmt: skip
    meeting_record(
        actor=SYSTEM, unit=world["G1"], kind=MeetingKind.COMMITTEE, date=d("2019-06-21"),
        start=T(8), end=T(9),
    )  # fmt: skip
    # A member who transfers from C2 to C1 mid-year.
    mover = admit(world["C2"], "2012-03-01", full_name="Mai Văn Chuyển")
    event(mover, "official")
    event(mover, "transfer", "2019-07-01", unit=world["C1"])
    world["mover"] = mover
    return world


def _reference(member: Member, year: int) -> tuple[int, int, list[int]]:
    expected, absent, months = 0, 0, set()
    for m in Meeting.objects.filter(date__year=year, voided_at=None):
        people = queries.meeting_list(m.unit, m.kind, m.date)  # a committee's: its post holders
        listed = {p.member_id for p in people if p.expected}
        if member.pk in listed:
            expected += 1
            absent += Attendance.objects.filter(
                meeting=m, member=member, mark__in=["excused", "unexcused"]
            ).count()
    for a in Attendance.objects.filter(member=member, mark="unexcused", date__year=year):
        months.add(a.date.month)
    return expected, expected - absent, sorted(months)


def test_members_year_agrees_with_the_derived_lists(w):
    ids = list(Member.objects.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as ctx:
        fast = queries.members_year(ids, 2019)
    assert len(ctx) <= 7
    for member in Member.objects.all():
        row = fast[member.pk]
        assert (row.expected, row.present, row.unexcused_months) == _reference(member, 2019), (
            member.full_name
        )
    # The exempt member is on no list; the one away since February is expected at C1 in January
    # and at C2's nine meetings after, the guest the other way round; the study session of the
    # commune lists both.
    assert fast[w["exempt"].pk].expected == 0
    assert fast[w["away"].pk].expected == 1 + 9 + 1
    assert fast[w["guest"].pk].expected == 13
    # The secretary of the commune's committee also owed its committee meeting.
    assert fast[w["official"].pk].expected == 14 and 6 in fast[w["official"].pk].unexcused_months
    assert fast[w["suspended"].pk].expected == 13 - 3


def test_cells_year(w):
    cells = queries.cells_year([w["C1"].pk, w["C2"].pk, w["G1"].pk], 2019)
    assert (cells[w["C1"].pk].due, cells[w["C1"].pk].held, cells[w["C1"].pk].thematic) == (
        12, 12, 4,
    )  # fmt: skip
    assert (cells[w["C2"].pk].due, cells[w["C2"].pk].held) == (12, 10)
    assert w["G1"].pk not in cells  # a commune is not a cell: no monthly record


def test_the_rating_sheet_shows_the_year_in_a_fixed_number_of_queries(client, w):
    rnd = open_round(w["P"], 2019)
    client.force_login(user(w["G1"], "clerk"))
    url = reverse("assessments:sheet", args=[rnd.pk, "G1"])
    page = client.get(url).content.decode()
    official = queries.members_year([w["official"].pk], 2019)[w["official"].pk]
    assert f"{official.present}/14 buổi" in page  # 13 party meetings and the committee's
    assert "12/12 tháng; 4 chuyên đề" in page and "10/12 tháng" in page
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(30):  # thirty more members: the page costs the same number of queries
        admit(w["C1"], "2015-03-01", full_name=f"Thêm Văn {i:02d}")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    data = client.get(reverse("assessments:export", args=[rnd.pk, "G1"])).content
    ws = load_workbook(io.BytesIO(data))["Xếp loại"]
    header = [c.value for c in ws[4]]
    col = header.index("Sinh hoạt trong năm")
    by_code = {r[1]: r for r in ws.iter_rows(min_row=5, values_only=True)}
    assert by_code["C1"][col] == "12/12 tháng; 4 chuyên đề"
    assert by_code[w["official"].profile_number][col] == f"{official.present}/14 buổi"
    assert by_code[w["official"].profile_number][col + 1].startswith("T")
