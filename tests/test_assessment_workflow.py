"""The yearly round as a workflow (issue 6 point 2; anchors.md §1.2): steps kept apart, the
competent level decides, the superior approves (locks) or sends back with a reason."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from grassroots.accounts.models import Role
from grassroots.assessments import approval
from grassroots.assessments import services as svc
from grassroots.assessments.models import Rating, RoundAction, Step
from grassroots.audit.models import AuditRecord
from grassroots.audit.services import Actor

from .test_assessment_helpers import build_tree, members, open_round, user

pytestmark = pytest.mark.django_db


def act(u):
    return Actor(u, "ui")


@pytest.fixture
def setup():
    t = build_tree()
    people = members(t["C11"], 3) + members(t["G2"], 1)
    rnd = open_round(t["P"], 2019)
    return t, people, rnd


def _complete_d1(t, people, rnd, approver_d1):
    for m in people[:3]:
        svc.assessment_decide(actor=act(approver_d1), round=rnd, level="tot", member=m)
    svc.assessment_decide(actor=act(approver_d1), round=rnd, level="hoan_thanh", member=people[3])
    for code in ("G1", "G2"):
        svc.assessment_decide(actor=act(approver_d1), round=rnd, level="tot", unit=t[code])
    approver_g1 = user(t["G1"])
    for code in ("C11", "C12"):
        svc.assessment_decide(actor=act(approver_g1), round=rnd, level="tot", unit=t[code])


def test_self_proposal_decision_are_separate_audited_records(setup):
    t, people, rnd = setup
    clerk = user(t["C11"], Role.CLERK)
    approver = user(t["G1"])
    m = people[0]
    svc.assessment_self(actor=act(clerk), round=rnd, level="xuat_sac", member=m)
    svc.assessment_propose(actor=act(clerk), round=rnd, level="tot", member=m)
    svc.assessment_propose(
        actor=act(clerk), round=rnd, level="hoan_thanh", member=m, note="Sửa đề xuất"
    )
    svc.assessment_decide(actor=act(approver), round=rnd, level="hoan_thanh", member=m)
    rows = Rating.objects.filter(member=m).order_by("id")
    assert [(r.step, r.level.code, r.superseded_at is None) for r in rows] == [
        ("self", "xuat_sac", True),
        ("proposal", "tot", False),
        ("proposal", "hoan_thanh", True),
        ("decision", "hoan_thanh", True),
    ]
    audit = AuditRecord.objects.filter(object_type="rating").order_by("id")
    assert [a.action for a in audit] == ["self_assess", "propose", "propose", "decide"]
    assert audit[2].changes["level"] == ["tot", "hoan_thanh"] and audit[2].reason == "Sửa đề xuất"
    assert audit[3].actor == approver and audit[3].changes["scheme"] == [None, "qd132_2018"]


def test_decision_outside_scope_or_authority(setup):
    t, people, rnd = setup
    m = people[0]  # in C11 under G1 under D1
    with pytest.raises(Http404):  # another district: outside the scope
        svc.assessment_decide(actor=act(user(t["D2"])), round=rnd, level="tot", member=m)
    with pytest.raises(
        PermissionDenied, match="đảng ủy cơ sở G1"
    ):  # the cell is not the competent level
        svc.assessment_decide(actor=act(user(t["C11"])), round=rnd, level="tot", member=m)
    with pytest.raises(PermissionDenied):  # a clerk may propose, not decide
        svc.assessment_decide(
            actor=act(user(t["D1"], Role.CLERK)), round=rnd, level="tot", member=m
        )
    with pytest.raises(
        PermissionDenied, match="cấp ủy cấp trên trực tiếp D1"
    ):  # G1 does not rate itself
        svc.assessment_decide(actor=act(user(t["G1"])), round=rnd, level="tot", unit=t["G1"])
    svc.assessment_propose(actor=act(user(t["C11"], Role.CLERK)), round=rnd, level="tot", member=m)
    svc.assessment_decide(actor=act(user(t["D1"])), round=rnd, level="tot", unit=t["G1"])
    assert not Rating.objects.filter(step=Step.DECISION, member=m).exists()


def test_approval_locks_and_sending_back_unlocks(setup):
    t, people, rnd = setup
    approver_d1 = user(t["D1"])
    with pytest.raises(ValidationError, match="còn 3 tổ chức và 3 đảng viên"):
        approval.round_approve(actor=act(approver_d1), round=rnd, unit=t["G1"])
    _complete_d1(t, people, rnd, approver_d1)
    with pytest.raises(PermissionDenied):  # G1 cannot approve its own results
        approval.round_approve(actor=act(user(t["G1"])), round=rnd, unit=t["G1"])
    approval.round_approve(actor=act(approver_d1), round=rnd, unit=t["G1"])
    with pytest.raises(ValidationError, match="đã được phê duyệt ở G1, đã khóa"):
        svc.assessment_decide(
            actor=act(approver_d1), round=rnd, level="hoan_thanh", member=people[0]
        )
    with pytest.raises(ValidationError, match="đã khóa"):
        svc.assessment_self(actor=act(approver_d1), round=rnd, level="hoan_thanh", unit=t["C11"])
    # G2 is not under G1: still open.
    svc.assessment_decide(actor=act(approver_d1), round=rnd, level="tot", member=people[3])
    with pytest.raises(ValidationError, match="Cần ghi lý do"):
        approval.round_send_back(actor=act(approver_d1), round=rnd, unit=t["G1"], reason="  ")
    approval.round_send_back(
        actor=act(approver_d1), round=rnd, unit=t["G1"], reason="Chưa đúng tỷ lệ"
    )
    svc.assessment_decide(actor=act(approver_d1), round=rnd, level="hoan_thanh", member=people[0])
    assert [a.action for a in RoundAction.objects.order_by("id")] == ["approve", "send_back"]
    assert RoundAction.objects.last().reason == "Chưa đúng tỷ lệ"
    assert AuditRecord.objects.filter(
        object_type="round", action="send_back", reason="Chưa đúng tỷ lệ"
    ).exists()


def test_higher_approval_must_be_sent_back_first(setup):
    t, people, rnd = setup
    approver_d1, approver_p = user(t["D1"]), user(t["P"])
    _complete_d1(t, people, rnd, approver_d1)
    approval.round_approve(actor=act(approver_d1), round=rnd, unit=t["G1"])
    approval.round_approve(actor=act(approver_p), round=rnd, unit=t["D1"])
    with pytest.raises(ValidationError, match="cần trả lại từ cấp trên trước"):
        approval.round_send_back(actor=act(approver_d1), round=rnd, unit=t["G1"], reason="Sửa")
    with pytest.raises(PermissionDenied):  # D1 cannot lift the province's approval of D1
        approval.round_send_back(actor=act(approver_d1), round=rnd, unit=t["D1"], reason="Sửa")
    approval.round_send_back(
        actor=act(approver_p), round=rnd, unit=t["D1"], reason="Kiểm tra lại G1"
    )
    approval.round_send_back(actor=act(approver_d1), round=rnd, unit=t["G1"], reason="Sửa")
    svc.assessment_decide(actor=act(approver_d1), round=rnd, level="hoan_thanh", member=people[0])


def test_cap_is_checked_again_at_approval(setup):
    t, people, rnd = setup
    approver_d1 = user(t["D1"])
    _complete_d1(t, people, rnd, approver_d1)
    # All of G1's three members are "good"; an excellent one now would exceed the cap.
    with pytest.raises(ValidationError, match="vượt quá 20%"):
        svc.assessment_decide(actor=act(approver_d1), round=rnd, level="xuat_sac", member=people[0])


def test_round_rules(setup):
    t, people, rnd = setup
    with pytest.raises(ValidationError, match="Đã có đợt đánh giá năm 2019 của P"):
        open_round(t["D1"], 2019)
    with pytest.raises(ValidationError, match="Chưa có quy định xếp loại cho năm 2007"):
        open_round(t["D1"], 2007)
    with pytest.raises(Http404):
        svc.round_open(actor=act(user(t["D2"])), unit=t["D1"], year=2020)
    with pytest.raises(PermissionDenied):
        svc.round_open(actor=act(user(t["D1"], Role.CLERK)), unit=t["D1"], year=2020)
    assert (
        svc.round_open(actor=act(user(t["D1"])), unit=t["D1"], year=2020).scheme.code
        == "qd132_2018"
    )
