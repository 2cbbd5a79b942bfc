"""A committee meeting's list is the committee's post holders on the day (cadres posts), not the
cell's members: marked like any meeting, refused for someone who held no post that day, and
left out of the members' attendance rate."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from grassroots.cadres.models import EndReason, Post
from grassroots.cadres.services import holding_end, holding_start, term_open
from grassroots.meetings import queries
from grassroots.meetings.models import Attendance, Meeting, MeetingKind, Role
from grassroots.meetings.services import meeting_record

from .factories import SYSTEM, d
from .meetings_world import build

pytestmark = pytest.mark.django_db
T = dt.time


@pytest.fixture
def w():
    world = build()
    term = term_open(actor=SYSTEM, unit=world["G1"], name="2015–2020", start=d("2015-10-01"))
    world["secretary"] = holding_start(
        actor=SYSTEM, term=term, member=world["official"], post=Post.SECRETARY,
        start=d("2015-10-01"),
    )  # fmt: skip
    holding_start(
        actor=SYSTEM, term=term, member=world["official"], post=Post.STANDING,
        start=d("2015-10-01"),
    )  # fmt: skip
    deputy = holding_start(
        actor=SYSTEM, term=term, member=world["other"], post=Post.DEPUTY, start=d("2015-10-01")
    )
    holding_end(actor=SYSTEM, holding=deputy, end=d("2019-05-01"), reason=EndReason.MOVED)
    holding_start(
        actor=SYSTEM, term=term, member=world["guest"], post=Post.COMMITTEE, start=d("2019-05-01")
    )
    return world


def _committee(w, day: str, start: int = 8, marks=None) -> Meeting:
    return meeting_record(
        actor=SYSTEM, unit=w["G1"], kind=MeetingKind.COMMITTEE, date=d(day), start=T(start),
        end=T(start + 2), marks=marks,
    )  # fmt: skip


def test_the_list_is_the_post_holders_on_the_day(w):
    before = {
        p.member_id for p in queries.meeting_list(w["G1"], MeetingKind.COMMITTEE, d("2019-04-10"))
    }
    after = {
        p.member_id for p in queries.meeting_list(w["G1"], MeetingKind.COMMITTEE, d("2019-06-10"))
    }
    assert before == {w["official"].pk, w["other"].pk}  # two posts, listed once
    assert after == {w["official"].pk, w["guest"].pk}  # the deputy moved, a member joined
    people = queries.meeting_list(w["G1"], MeetingKind.COMMITTEE, d("2019-06-10"))
    assert all(p.role == Role.OFFICIAL and p.expected for p in people)
    # Before the term the committee has nobody on record.
    assert queries.meeting_list(w["G1"], MeetingKind.COMMITTEE, d("2015-01-10")) == []


def test_a_committee_meeting_is_marked_and_totalled(w):
    m = _committee(w, "2019-06-10", marks={w["guest"].pk: ("excused", "Công tác")})
    assert (m.expected, m.present, m.absent_excused) == (2, 1, 1)
    assert Attendance.objects.get(meeting=m).member == w["guest"]
    # The members' attendance rate of the commune is that of its party meetings only.
    cov = queries.coverage(queries.meetings_under(w["G1"], d("2019-01-01"), d("2019-12-31")))
    assert cov.meetings == 0


def test_someone_without_a_post_that_day_is_refused(w):
    with pytest.raises(ValidationError, match="không giữ chức danh trong cấp ủy"):
        _committee(w, "2019-06-10", marks={w["other"].pk: "unexcused"})
    with pytest.raises(ValidationError, match="không giữ chức danh trong cấp ủy"):
        _committee(w, "2019-04-10", marks={w["guest"].pk: "unexcused"})
    assert not Meeting.objects.exists()


def test_a_committee_meeting_is_in_the_year_of_its_post_holders_only(w):
    """Điều lệ Điều 24.2 (the committee meets monthly) and domain.md §1.5: a committee meeting is
    one of the year's meetings of whoever held a post of that committee on the day — on the
    rating sheet's yearly attendance and the member's own page — and of nobody else."""
    april = _committee(w, "2019-04-10", marks={w["other"].pk: ("unexcused", "")})
    june = _committee(w, "2019-06-10", marks={w["guest"].pk: ("excused", "Công tác")})
    people = [w[k] for k in ("official", "other", "guest", "probationary")]
    year = queries.members_year([p.pk for p in people], 2019)
    # The secretary (two posts, counted once a meeting) was at both.
    assert (year[w["official"].pk].expected, year[w["official"].pk].present) == (2, 2)
    # The deputy until 01/05 owed April only and missed it without reason.
    other = year[w["other"].pk]
    assert (other.expected, other.present, other.unexcused, other.unexcused_months) == (
        1, 0, 1, [4],
    )  # fmt: skip
    # The member elected on 01/05 owed June only, excused.
    guest = year[w["guest"].pk]
    assert (guest.expected, guest.present, guest.excused) == (1, 0, 1)
    # A member with no post: not counted.
    assert year[w["probationary"].pk].expected == 0
    # The member's own page: the committee meetings of the posts held that day, with the mark.
    mine = queries.member_attendance(w["other"], d("2019-01-01"), d("2019-12-31"))
    assert [(r.meeting.pk, r.mark) for r in mine] == [(april.pk, "unexcused")]
    mine = queries.member_attendance(w["guest"], d("2019-01-01"), d("2019-12-31"))
    assert [(r.meeting.pk, r.mark) for r in mine] == [(june.pk, "excused")]
    assert queries.member_attendance(w["probationary"], d("2019-01-01"), d("2019-12-31")) == []
    # Each agrees with the meeting's own list on its day.
    for meeting in (april, june):
        listed = {
            p.member_id for p in queries.meeting_list(meeting.unit, meeting.kind, meeting.date)
        }
        assert listed == {p.pk for p in people if meeting.pk in _expected_meetings(p)}


def _expected_meetings(member) -> set[int]:
    """The committee meetings whose list names the member (from the member's page)."""
    return {
        r.meeting.pk
        for r in queries.member_attendance(member, d("2019-01-01"), d("2019-12-31"))
        if r.meeting.kind == MeetingKind.COMMITTEE and r.mark
    }
