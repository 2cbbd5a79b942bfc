"""Member lifecycle rules from domain.md §2, each through the real services."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from grassroots.audit.models import AuditRecord
from grassroots.figures.queries import figures
from grassroots.members import lifecycle
from grassroots.members import services as members
from grassroots.members.models import EventKind, MemberEvent, Status
from grassroots.members.queries import revision
from grassroots.organizations.models import Kind

from .factories import SYSTEM, admit, d, event, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def cells():
    P = unit("P", Kind.PROVINCE)
    A = unit("A", Kind.GRASSROOTS_CELL, P)
    B = unit("B", Kind.GRASSROOTS_CELL, P)
    G = unit("G", Kind.GRASSROOTS_COMMITTEE, P)
    return P, A, B, G


def messages(excinfo) -> str:
    return (
        " ".join(sum(excinfo.value.message_dict.values(), []))
        if hasattr(excinfo.value, "message_dict")
        else str(excinfo.value)
    )


def test_decision_and_ceremony_dates_are_kept_apart(cells):
    _, A, _, _ = cells
    m = admit(A, "2010-03-15", decision="2010-03-01")
    admission = m.events.get(kind=EventKind.ADMISSION)
    assert (admission.decision_date, admission.date) == (d("2010-03-01"), d("2010-03-15"))


def test_official_status_takes_effect_at_end_of_probation_even_if_decided_late(cells):
    # Điều lệ Điều 5: 12 months from the ceremony, retroactive when the decision is late.
    _, A, _, _ = cells
    m = admit(A, "2010-03-15")
    ev = event(m, EventKind.OFFICIAL, decision_date=d("2011-05-01"))
    assert ev.date == d("2011-03-15")
    assert figures(A, d("2011-03-14")).probationary_members == 1
    assert figures(A, d("2011-03-15")).official_members == 1


def test_official_before_probation_ends_is_refused(cells):
    _, A, _, _ = cells
    m = admit(A, "2010-03-15")
    with pytest.raises(ValidationError) as exc:
        event(m, EventKind.OFFICIAL, decision_date=d("2011-01-01"))
    assert "Chưa hết thời kỳ dự bị" in messages(exc)
    with pytest.raises(ValidationError):
        event(m, EventKind.OFFICIAL, "2010-12-01")


def test_events_before_admission_or_after_death_are_refused(cells):
    _, A, B, _ = cells
    m = admit(A, "2010-03-15")
    with pytest.raises(ValidationError, match="chưa là đảng viên"):
        event(m, EventKind.TRANSFER, "2009-01-01", B)
    event(m, EventKind.DEATH, "2012-01-01")
    with pytest.raises(ValidationError, match="từ trần"):
        event(m, EventKind.EXEMPTION, "2013-01-01")
    with pytest.raises(ValidationError, match="từ trần"):
        event(m, EventKind.READMISSION, "2013-01-01", A)


def test_members_belong_to_one_cell_and_only_to_cells(cells):
    _, A, _, G = cells
    m = admit(A, "2010-03-15")
    with pytest.raises(ValidationError, match="chi bộ"):
        event(m, EventKind.TRANSFER, "2011-01-01", G)  # a đảng bộ cơ sở holds cells, not members
    with pytest.raises(ValidationError, match="trùng"):
        event(m, EventKind.TRANSFER, "2011-01-01", A)


def test_temporary_transfer_is_not_counted_by_the_host(cells):
    # domain.md §2.7: a temporarily attached member is not counted in the host's đảng số.
    _, A, B, _ = cells
    m = admit(A, "2010-03-15")
    event(m, EventKind.TEMP_ATTACH, "2011-01-01", B)
    assert figures(A, d("2011-06-01")).members == 1
    assert figures(B, d("2011-06-01")).members == 0
    event(m, EventKind.TEMP_RETURN, "2011-09-01")


def test_exempt_members_remain_members(cells):
    # domain.md §2.8
    _, A, _, _ = cells
    m = admit(A, "2000-03-15")
    event(m, EventKind.OFFICIAL)
    event(m, EventKind.EXEMPTION, "2020-01-01")
    fig = figures(A, d("2020-06-01"))
    assert (fig.members, fig.exempt_members, fig.official_members) == (1, 1, 1)
    event(m, EventKind.EXEMPTION_END, "2021-01-01")
    assert figures(A, d("2021-06-01")).exempt_members == 0


def test_probationary_members_cannot_be_dismissed_or_expelled(cells):
    _, A, _, _ = cells
    m = admit(A, "2010-03-15")
    with pytest.raises(ValidationError):
        event(m, EventKind.DISCIPLINE, "2010-06-01", discipline_form="dismissal")
    with pytest.raises(ValidationError, match="Xóa tên"):
        event(m, EventKind.EXPULSION, "2010-06-01")
    event(m, EventKind.DISCIPLINE, "2010-06-01", discipline_form="warning")


def test_readmission_once_only_with_new_probation(cells):
    _, A, _, _ = cells
    m = admit(A, "2000-03-15")
    event(m, EventKind.OFFICIAL)
    event(m, EventKind.REMOVAL, "2005-01-01")
    event(m, EventKind.READMISSION, "2008-01-01", A, decision_date=d("2007-12-20"))
    assert figures(A, d("2008-06-01")).probationary_members == 1
    ev = event(m, EventKind.OFFICIAL)
    assert ev.date == d("2009-01-01")
    event(m, EventKind.LEAVING, "2010-01-01")
    with pytest.raises(ValidationError, match="một lần"):
        event(m, EventKind.READMISSION, "2012-01-01", A)


def test_seniority_counts_from_decision_less_gaps():
    # domain.md §2.5: from the first admission decision, minus time out of the Party.
    evs = [
        lifecycle.Ev(EventKind.ADMISSION, d("2000-01-15"), 1, d("2000-01-01")),
        lifecycle.Ev(EventKind.OFFICIAL, d("2001-01-15"), 1),
        lifecycle.Ev(EventKind.REMOVAL, d("2005-01-01"), None),
        lifecycle.Ev(EventKind.READMISSION, d("2006-01-01"), 1, d("2005-12-20")),
    ]
    at = d("2010-01-01")
    assert (
        lifecycle.seniority_days(evs, at)
        == (at - d("2000-01-01")).days - (d("2006-01-01") - d("2005-01-01")).days
    )


def test_age_at_admission(cells):
    _, A, _, _ = cells
    with pytest.raises(ValidationError, match="18 tuổi"):
        admit(A, "2010-03-15", decision="2010-03-01", birth_date=dt.date(1992, 3, 2))
    admit(A, "2010-03-15", decision="2010-03-01", birth_date=dt.date(1992, 3, 1))


def test_void_keeps_the_record_and_moves_figures_back(cells):
    _, A, B, _ = cells
    m = admit(A, "2010-03-15")
    ev = event(m, EventKind.TRANSFER, "2011-01-01", B)
    assert figures(B, d("2011-06-01")).members == 1
    with pytest.raises(ValidationError):
        members.member_void_event(actor=SYSTEM, event=ev, reason="  ")
    members.member_void_event(actor=SYSTEM, event=ev, reason="Nhập nhầm chi bộ")
    assert figures(B, d("2011-06-01")).members == 0 and figures(A, d("2011-06-01")).members == 1
    assert MemberEvent.objects.filter(pk=ev.pk, voided_at__isnull=False).exists()
    assert AuditRecord.objects.filter(
        object_type="memberevent", object_id=str(ev.pk), action="void"
    ).exists()


def test_correction_replaces_an_event_and_keeps_both(cells):
    _, A, B, _ = cells
    m = admit(A, "2010-03-15")
    ev = event(m, EventKind.TRANSFER, "2011-01-01", B)
    fixed = members.member_correct_event(
        actor=SYSTEM, event=ev, reason="Sai ngày", date=d("2011-02-01")
    )
    ev.refresh_from_db()
    assert ev.corrected_by == fixed and ev.voided_at is not None
    assert figures(B, d("2011-01-15")).members == 0 and figures(B, d("2011-02-01")).members == 1


def test_stale_profile_edit_is_refused(cells):
    _, A, _, _ = cells
    m = admit(A, "2010-03-15")
    version = revision(m)
    members.member_update_profile(
        actor=SYSTEM, member=m, expected_version=version, residence="Thôn Bắc"
    )
    with pytest.raises(ValidationError, match="người khác"):
        members.member_update_profile(
            actor=SYSTEM, member=m, expected_version=version, residence="Thôn Nam"
        )


def test_profile_validation_messages(cells):
    _, A, _, _ = cells
    m = admit(A, "2010-03-15")
    with pytest.raises(ValidationError) as exc:
        members.member_update_profile(actor=SYSTEM, member=m, card_number="123", citizen_id="abc")
    assert set(exc.value.message_dict) == {"card_number", "citizen_id"}


def test_state_helpers():
    evs = [lifecycle.Ev(EventKind.ADMISSION, d("2000-01-15"), 1, d("2000-01-01"))]
    assert lifecycle.final_state(evs).status == Status.PROBATIONARY
    assert lifecycle.probation_end(d("2000-01-31")) == d("2001-01-31")
    assert lifecycle.probation_end(d("2000-02-29")) == d("2001-02-28")


@pytest.mark.parametrize(
    "end, words",
    [
        (EventKind.EXPULSION, "bị khai trừ khỏi Đảng"),
        (EventKind.REMOVAL, "bị xóa tên khỏi danh sách đảng viên"),
        (EventKind.LEAVING, "ra khỏi Đảng"),
    ],
)
def test_an_event_after_the_membership_ended_says_so_and_when(cells, end, words):
    """Issue 12 §6: after an expulsion, removal or leaving, a later event was refused with
    "chưa là đảng viên vào ngày này" (not yet a member)."""
    _, A, B, _ = cells
    m = admit(A, "2010-03-15")
    event(m, EventKind.OFFICIAL)
    event(m, end, "2014-05-20")
    with pytest.raises(ValidationError) as exc:
        event(m, EventKind.TRANSFER, "2015-01-01", B)
    text = messages(exc)
    assert "chưa là đảng viên" not in text
    assert (
        f"Không thể ghi “Chuyển sinh hoạt chính thức” ngày 01/01/2015: tư cách đảng viên đã chấm "
        f"dứt từ ngày 20/05/2014 ({words})."
    ) in text
    assert "Kết nạp lại" in text
    # Before the admission it is still "not yet a member"; after a re-admission, allowed again.
    with pytest.raises(ValidationError, match="chưa là đảng viên"):
        event(m, EventKind.TRANSFER, "2009-01-01", B)
    event(m, EventKind.READMISSION, "2016-02-01", A)
    event(m, EventKind.TRANSFER, "2016-06-01", B)
