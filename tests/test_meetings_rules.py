"""The meeting book's rules: the expected list through the registry (transfers, temporary
attachment, exemption), the refusals, the locked minutes, the flags and the watch list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from grassroots.audit.models import AuditRecord
from grassroots.meetings import queries, rules
from grassroots.meetings.models import Attendance, Correction, Meeting, MeetingKind, Role
from grassroots.meetings.services import (
    attendance_mark,
    meeting_record,
    meeting_void,
    minutes_approve,
    minutes_correct,
)
from grassroots.members.models import EventKind

from .factories import SYSTEM, d, event
from .meetings_world import T, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build()


EIGHT, TEN = T(8), T(10)


def record(w, day="2019-03-05", start=EIGHT, end=TEN, marks=None, unit="C1", **kw):
    return meeting_record(
        actor=SYSTEM, unit=w[unit], kind=kw.pop("kind", MeetingKind.REGULAR), date=d(day),
        start=start, end=end, marks=marks, today=d("2019-12-31"), **kw,
    )  # fmt: skip


def roles(unit, day):
    return {p.full_name: p.role for p in queries.expected_list(unit, d(day))}


def test_expected_list_is_derived_from_the_registry(w):
    assert roles(w["C1"], "2019-03-05") == {
        "An Văn Chính": Role.OFFICIAL,
        "Bùi Thị Dự": Role.PROBATIONARY,
        "Cao Văn Miễn": Role.EXEMPT,
        "Đỗ Văn Đi": Role.AWAY,
        "Hà Thị Đến": Role.ATTACHED,
    }
    # Before the temporary attachments and the probationer's admission.
    assert roles(w["C1"], "2019-01-05") == {
        "An Văn Chính": Role.OFFICIAL,
        "Cao Văn Miễn": Role.EXEMPT,
        "Đỗ Văn Đi": Role.OFFICIAL,
    }
    # The whole commune: a member attached inside it stays expected with their own status.
    assert roles(w["G1"], "2019-03-05")["Đỗ Văn Đi"] == Role.OFFICIAL
    assert roles(w["G1"], "2019-03-05")["Hà Thị Đến"] == Role.OFFICIAL


def test_expected_list_follows_transfers_and_returns(w):
    event(w["official"], EventKind.TRANSFER, "2019-04-01", unit=w["C2"])
    event(w["guest"], EventKind.TEMP_RETURN, "2019-04-01")
    assert "An Văn Chính" not in roles(w["C1"], "2019-04-05")
    assert roles(w["C2"], "2019-04-05")["An Văn Chính"] == Role.OFFICIAL
    assert "Hà Thị Đến" not in roles(w["C1"], "2019-04-05")
    assert roles(w["C1"], "2019-03-31")["An Văn Chính"] == Role.OFFICIAL


def test_recording_computes_totals_from_the_marks(w):
    m = record(
        w,
        marks={
            w["probationary"].pk: ("excused", "Ốm"),
            w["guest"].pk: "unexcused",
            w["exempt"].pk: "present",
        },
        agenda="Học tập và làm theo Bác",
    )
    assert (m.expected_official, m.expected_probationary, m.expected_attached) == (1, 1, 1)
    assert (m.exempt, m.away) == (1, 1)
    assert (m.present, m.present_extra, m.absent_excused, m.absent_unexcused) == (1, 1, 1, 1)
    assert Attendance.objects.filter(meeting=m).count() == 3  # exceptions only
    assert queries.attendance_of(m).pct == pytest.approx(33.33)
    assert AuditRecord.objects.filter(object_type="meeting", object_id=str(m.pk)).exists()
    # Marking again replaces the exceptions (draft minutes).
    m = attendance_mark(actor=SYSTEM, meeting=m, marks={w["official"].pk: "excused"})
    assert (m.present, m.absent_excused, m.absent_unexcused, m.present_extra) == (2, 1, 0, 0)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"day": "2020-06-01"}, "vượt quá thời gian lập kế hoạch"),
        ({"start": T(10), "end": T(9)}, "Giờ kết thúc phải sau giờ bắt đầu"),
        ({"day": "1999-03-05"}, "không tồn tại vào ngày 05/03/1999"),
        ({"unit": "G1"}, "không tổ chức ở cấp"),
        ({"kind": MeetingKind.COMMITTEE}, "không tổ chức ở cấp"),
    ],
)
def test_bad_meetings_are_refused_and_nothing_is_written(w, change, message):
    with pytest.raises(ValidationError, match=message):
        record(w, **change)
    assert not Meeting.objects.exists() and not Attendance.objects.exists()


def test_a_person_not_expected_cannot_be_marked(w):
    with pytest.raises(ValidationError, match="không có trong danh sách sinh hoạt"):
        record(w, marks={w["other"].pk: "unexcused"})
    with pytest.raises(ValidationError, match="không thuộc diện phải dự"):
        record(w, marks={w["away"].pk: "unexcused"})
    assert not Meeting.objects.exists()


def test_duplicate_meeting_for_the_same_cell_and_time_is_refused(w):
    record(w)
    with pytest.raises(ValidationError, match="đã có buổi sinh hoạt ngày 05/03/2019 lúc 08:00"):
        record(w)
    assert Meeting.objects.count() == 1
    record(w, start=T(14), end=T(16))  # the same day, another time: allowed


def test_approved_minutes_are_locked_and_corrected_with_a_trail(w):
    m = record(w, conclusions="Cũ")
    m = minutes_approve(actor=SYSTEM, meeting=m)
    with pytest.raises(ValidationError, match="đã được thông qua và khóa"):
        attendance_mark(actor=SYSTEM, meeting=m, marks={w["official"].pk: "excused"})
    assert Attendance.objects.count() == 0
    with pytest.raises(ValidationError, match="Cần ghi lý do"):
        minutes_correct(actor=SYSTEM, meeting=m, reason=" ", conclusions="Mới")
    m = minutes_correct(actor=SYSTEM, meeting=m, reason="Ghi sót", conclusions="Mới")
    assert m.conclusions == "Mới"
    assert Correction.objects.get(meeting=m).old == "Cũ"
    assert AuditRecord.objects.filter(action="correct", reason="Ghi sót").exists()


def test_totals_stay_as_recorded_after_a_backdated_transfer(w):
    m = record(w, marks={w["official"].pk: "unexcused"})
    minutes_approve(actor=SYSTEM, meeting=m)
    event(w["official"], EventKind.TRANSFER, "2019-02-01", unit=w["C2"])
    m.refresh_from_db()
    assert (m.expected_official, m.absent_unexcused) == (1, 1)
    assert queries.drift(m) == {
        "then": {"official": 1, "probationary": 1, "attached": 1},
        "now": {"official": 0, "probationary": 1, "attached": 1},
        "marked_not_on_list": ["An Văn Chính"],
    }
    assert queries.summary(w["G1"], d("2019-03-01"), d("2019-03-31"))["attendance_pct"] == 66.67


def test_flags_short_meetings_and_late_documents_under_chi_thi_50(w):
    before = record(w, day="2019-03-05", start=T(8), end=T(9))  # no minimum before 2025
    assert queries.meeting_flags(before) == []
    w["C1"].refresh_from_db()
    today = dt.date(2025, 12, 31)
    short = meeting_record(actor=SYSTEM, unit=w["C1"], kind="regular", date=d("2025-09-05"),
                           start=T(8), end=T(9, 20), documents_posted_on=d("2025-09-05"),
                           today=today)  # fmt: skip
    combined = meeting_record(actor=SYSTEM, unit=w["C1"], kind="regular", with_thematic=True,
                              date=d("2025-10-05"), start=T(8), end=T(9, 45),
                              documents_posted_on=d("2025-10-03"), today=today)  # fmt: skip
    fine = meeting_record(actor=SYSTEM, unit=w["C1"], kind="regular", date=d("2025-11-05"),
                          start=T(8), end=T(9, 30), documents_posted_on=d("2025-11-04"),
                          today=today)  # fmt: skip
    assert len(queries.meeting_flags(short)) == 2
    assert queries.meeting_flags(combined) == ["Thời lượng 105 phút, dưới mức tối thiểu 120 phút."]
    assert queries.meeting_flags(fine) == []
    all_ = Meeting.objects.all()
    window = (d("2019-01-01"), d("2025-12-31"))
    assert set(queries.short_meetings(all_, *window)) == {short, combined}
    assert set(queries.late_documents(all_, *window)) == {short}


def test_rules_are_dated_and_configurable(settings):
    assert rules.rules_on(d("2025-07-22")).min_minutes == 0
    assert rules.rules_on(d("2025-07-23")).min_minutes == 90
    settings.MEETING_RULES = [rules.with_values(rules.RULE_VERSIONS[0], thematic_every_months=6)]
    assert rules.rules_on(d("2026-01-01")).thematic_every_months == 6


def test_missed_months_and_the_watch_list(w):
    for month in (1, 2, 4, 5):
        marks = {w["official"].pk: "unexcused"} if month in (1, 4, 5) else {}
        record(w, day=f"2019-{month:02d}-05", marks=marks)
    missed = queries.missed_months(w["G1"], d("2019-01-01"), d("2019-05-31"))
    c1, c2 = w["C1"].pk, w["C2"].pk
    assert missed == [(c1, 2019, 3)] + [(c2, 2019, m) for m in range(1, 6)]
    rows = queries.watch_list(w["G1"], d("2019-01-01"), d("2019-12-31"))
    assert [(r.full_name, r.months, len(r.evidence)) for r in rows] == [
        ("An Văn Chính", [1, 4, 5], 3)
    ]
    # Two months only: not yet on the list; a voided meeting is no evidence.
    assert not queries.watch_list(w["G1"], d("2019-01-01"), d("2019-04-30"))
    meeting_void(actor=SYSTEM, meeting=Meeting.objects.get(date=d("2019-05-05")), reason="Nhầm")
    assert not queries.watch_list(w["G1"], d("2019-01-01"), d("2019-12-31"))
