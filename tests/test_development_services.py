"""The pipeline's write functions: each rule passes once and is refused once, writing nothing
and auditing what it writes; admission and recognition go through the registry's services."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from grassroots.audit.models import AuditRecord
from grassroots.development import services as dev
from grassroots.development.models import Candidate, CaseStep, Stage
from grassroots.figures.queries import figures
from grassroots.members.models import EventKind, Member, Status

from .development_world import admit_through, file_ready, propose, world
from .factories import SYSTEM, d, event

pytestmark = pytest.mark.django_db


def _nothing_written(cand, before_steps, before_audit):
    assert CaseStep.objects.filter(candidate=cand).count() == before_steps
    assert AuditRecord.objects.count() == before_audit


def refused(cand, match, call, **kwargs):
    steps, audit = CaseStep.objects.filter(candidate=cand).count(), AuditRecord.objects.count()
    with pytest.raises(ValidationError, match=match):
        call(actor=SYSTEM, candidate=cand, **kwargs)
    _nothing_written(cand, steps, audit)


def test_propose_reuses_member_profile_checks_and_audits():
    w = world()
    with pytest.raises(ValidationError, match="CCCD"):
        propose(w.c1, citizen_id="123")
    with pytest.raises(ValidationError, match="không phải là chi bộ"):
        propose(w.g)
    assert not Candidate.objects.exists()
    cand = propose(w.c1, citizen_id="012345678901")
    assert cand.spans.get().stage == Stage.PROPOSED
    assert AuditRecord.objects.filter(object_type="candidate", object_id=str(cand.pk)).exists()


def test_walk_to_official_member_through_the_registry():
    w = world()
    cand = propose(w.c1)
    admit_through(w, cand)
    cand.refresh_from_db()
    member = Member.objects.get(pk=cand.member_id)
    assert member.full_name == cand.full_name and member.ethnicity == "Tày"
    admission = member.events.get(kind=EventKind.ADMISSION)
    assert admission.decision_number == "12-QĐ/ĐU" and admission.unit_id == w.c1.pk
    ceremony = admission.date
    assert figures(w.p, ceremony, ceremony - dt.timedelta(days=1)).since.admitted == 1
    refused(cand, "Chưa hết 12 tháng", dev.step_recognition, date=ceremony + dt.timedelta(days=300))
    dev.step_recognition(actor=SYSTEM, candidate=cand, date=d("2025-05-20"), document_number="3")
    stint = member.stints.order_by("-start").first()
    assert stint.status == Status.OFFICIAL and stint.start.year == 2025
    assert not cand.spans.filter(end__isnull=True).exists()
    assert list(cand.spans.values_list("stage", flat=True))[-1] == Stage.PROBATION


def test_introducers_checked_against_the_registry():
    w = world()
    cand = propose(w.c1)
    dev.step_certificate(actor=SYSTEM, candidate=cand, date=d("2024-02-01"))
    dev.step_application(actor=SYSTEM, candidate=cand, date=d("2024-02-02"))
    day = d("2024-02-10")
    refused(cand, "không phải đảng viên chính thức", dev.step_introduction, date=day,
            introducer_1=w.a, introducer_2=w.probationer)  # fmt: skip
    refused(cand, "12 tháng", dev.step_introduction, date=day, introducer_1=w.a,
            introducer_2=w.outsider)  # fmt: skip
    # C2 is another cell of the same grassroots organization: that counts.
    dev.step_introduction(
        actor=SYSTEM, candidate=cand, date=day, introducer_1=w.a, introducer_2=w.c
    )
    # A member transferred into G less than 12 months ago does not.
    cand2 = propose(w.c1, full_name="Vi Văn Hai")
    dev.step_application(actor=SYSTEM, candidate=cand2, date=d("2024-02-02"))
    event(w.outsider, "transfer", "2023-09-01", unit=w.c2)
    refused(cand2, "12 tháng", dev.step_introduction, date=day, introducer_1=w.a,
            introducer_2=w.outsider)  # fmt: skip
    dev.step_introduction(actor=SYSTEM, candidate=cand2, date=d("2024-09-02"), introducer_1=w.a,
                          introducer_2=w.outsider)  # fmt: skip


def test_vote_below_two_thirds_three_times_goes_up():
    w = world()
    cand = propose(w.c1)
    day = file_ready(w, cand)
    # C1 has 2 official members on that day (the probationer is not counted): 1 of 2 < 2/3.
    for i in range(3):
        dev.step_cell_vote(
            actor=SYSTEM, candidate=cand, date=day + dt.timedelta(days=i + 1), votes_for=1
        )
    assert not CaseStep.objects.filter(candidate=cand, passed=True, kind="cell_vote").exists()
    assert cand.spans.get(end__isnull=True).stage == Stage.ESCALATED
    refused(cand, "3 lần", dev.step_cell_vote, date=day + dt.timedelta(days=9), votes_for=2)
    refused(
        cand,
        "Chi bộ chưa biểu quyết",
        dev.step_grassroots_proposal,
        date=day + dt.timedelta(days=9),
    )
    dev.step_upper_ruling(
        actor=SYSTEM, candidate=cand, date=day + dt.timedelta(days=10), passed=True
    )
    dev.step_grassroots_proposal(actor=SYSTEM, candidate=cand, date=day + dt.timedelta(days=11))


def test_vote_counts_and_age_at_consideration():
    w = world()
    young = propose(w.c1, birth_date=dt.date(2006, 4, 1))
    day = file_ready(w, young)  # 2024-02-21: 17 years 10 months
    refused(young, "votes_for", dev.step_cell_vote, date=day, votes_for=3)
    refused(young, "đủ 18 tuổi", dev.step_cell_vote, date=day, votes_for=2)
    old = propose(w.c1, full_name="Ông Già", birth_date=dt.date(1963, 12, 1))
    day = file_ready(w, old)
    refused(old, "quá 60 tuổi", dev.step_cell_vote, date=day, votes_for=2)
    dev.candidate_update_profile(actor=SYSTEM, candidate=old, age_exception="QĐ 9-QĐ/TU")
    step = dev.step_cell_vote(actor=SYSTEM, candidate=old, date=day, votes_for=2)
    assert step.passed and step.official_members == 2


def test_order_of_the_file():
    w = world()
    cand = propose(w.c1)
    refused(cand, "Chưa có bước", dev.step_background, date=d("2024-02-01"))
    refused(cand, "trước ngày đưa vào danh sách", dev.step_application, date=d("2023-12-01"))
    dev.step_application(actor=SYSTEM, candidate=cand, date=d("2024-03-01"))
    refused(cand, "Chưa có bước", dev.step_cell_vote, date=d("2024-03-05"), votes_for=2)


def test_ceremony_within_thirty_working_days_unless_upper_approval():
    w = world()
    cand = propose(w.c1)
    with pytest.raises(ValidationError, match="30 ngày làm việc"):
        admit_through(w, cand, ceremony_offset=60)
    assert cand.member is None and not Member.objects.filter(full_name=cand.full_name).exists()
    decision = CaseStep.objects.get(candidate=cand, kind="decision").date
    dev.step_ceremony(actor=SYSTEM, candidate=cand, date=decision + dt.timedelta(days=60),
                      upper_approval="CV 15-CV/ĐU", profile_number="777777LS")  # fmt: skip
    assert Member.objects.filter(profile_number="777777LS").exists()


def test_move_to_a_cell_that_does_not_exist_on_that_day():
    w = world()
    cand = propose(w.c1)
    with pytest.raises(ValidationError, match="không phải là chi bộ"):
        dev.candidate_move(actor=SYSTEM, candidate=cand, to_unit=w.g, date=d("2024-03-01"))
    with pytest.raises(ValidationError, match="không phải là chi bộ"):
        dev.candidate_move(actor=SYSTEM, candidate=cand, to_unit=w.c2, date=d("1999-03-01"))
    dev.candidate_move(actor=SYSTEM, candidate=cand, to_unit=w.c2, date=d("2024-03-01"))
    assert cand.spans.get(end__isnull=True).unit_id == w.c2.pk


def test_readmission_once_and_exclusions():
    w = world()
    event(w.c, "leaving", "2015-01-01")
    with pytest.raises(ValidationError, match="không xem xét kết nạp lại"):
        propose(
            w.c2, full_name=w.c.full_name, former_member=w.c, readmission_bar="applied_to_leave"
        )
    with pytest.raises(ValidationError, match="không phải người đã ra khỏi Đảng"):
        propose(w.c2, full_name=w.a.full_name, former_member=w.a)
    cand = propose(w.c1, full_name=w.c.full_name, former_member=w.c, birth_date=w.c.birth_date)
    admit_through(w, cand)
    w.c.refresh_from_db()
    assert w.c.events.filter(kind=EventKind.READMISSION).count() == 1
    event(w.c, "removal", "2025-08-01")
    with pytest.raises(ValidationError, match="một lần"):
        propose(w.c2, full_name=w.c.full_name, former_member=w.c)


def test_close_and_void():
    w = world()
    cand = propose(w.c1)
    step = dev.step_application(actor=SYSTEM, candidate=cand, date=d("2024-03-01"))
    with pytest.raises(ValidationError, match="lý do"):
        dev.step_void(actor=SYSTEM, step=step, reason=" ")
    dev.step_void(actor=SYSTEM, step=step, reason="Nhập nhầm")
    assert cand.spans.get(end__isnull=True).stage == Stage.PROPOSED
    dev.candidate_close(
        actor=SYSTEM, candidate=cand, date=d("2024-04-01"), reason="Chuyển đi nơi khác"
    )
    assert not cand.spans.filter(end__isnull=True).exists()
    refused(cand, "ra khỏi danh sách", dev.step_application, date=d("2024-05-01"))


def test_step_dates_within_the_allowed_range():
    # core/limits.py (issue 20 §13): the pipeline's dates have the range of every other input
    w = world()
    with pytest.raises(ValidationError) as refused:
        propose(w.c1, on="1899-12-31")
    assert "phải từ 01/01/1900" in str(refused.value)
    cand = propose(w.c1)
    far = dt.date.today() + dt.timedelta(days=3 * 366)
    before = CaseStep.objects.count()
    with pytest.raises(ValidationError) as refused:
        dev.step_certificate(actor=SYSTEM, candidate=cand, date=far, course="Lớp NTVĐ khóa 1")
    assert "Ngày phải từ" in str(refused.value) and CaseStep.objects.count() == before
    dev.step_certificate(actor=SYSTEM, candidate=cand, date=d("2024-02-01"), course="Lớp NTVĐ")
