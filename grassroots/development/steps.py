"""The steps of a case after the proposal (domain.md §2.2–2.3), one write function each.

Split from services.py (which re-exports them, so callers keep `services.step_*`): each locks the
case (the audit chain's lock first), replays its steps, refuses what the rules do not allow with a
Vietnamese message (nothing written), writes the step, re-derives the spans and audits, in one
transaction. The ceremony and the recognition go through the registry's own services.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from grassroots.audit.services import Actor
from grassroots.core.dates import vn
from grassroots.core.text import clean
from grassroots.members import services as members
from grassroots.members.models import EventKind, Member, Status
from grassroots.organizations.models import Unit

from . import config, registry, rules
from .models import (
    Candidate,
    CaseStep,
    IntroducedBy,
    StepKind,
)
from .services import _add_step, _check_former_member, _lock, _refuse, _steps


@transaction.atomic
def step_certificate(
    *,
    actor: Actor,
    candidate: Candidate,
    date: dt.date,
    course: str = "",
    issuing_body: str = "",
    document_number: str = "",
) -> CaseStep:
    """Giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng (CN-NTVĐ), domain.md §2.2."""
    candidate = _lock(candidate)
    return _add_step(
        actor, candidate, StepKind.CERTIFICATE, date, course=clean(course),
        issuing_body=clean(issuing_body), document_number=clean(document_number),
    )  # fmt: skip


@transaction.atomic
def step_application(*, actor: Actor, candidate: Candidate, date: dt.date) -> CaseStep:
    """Đơn xin vào Đảng, mẫu 1-KNĐ."""
    return _add_step(actor, _lock(candidate), StepKind.APPLICATION, date)


@transaction.atomic
def step_background(*, actor: Actor, candidate: Candidate, date: dt.date) -> CaseStep:
    """Lý lịch người xin vào Đảng, mẫu 2-KNĐ."""
    return _add_step(actor, _lock(candidate), StepKind.BACKGROUND, date)


@transaction.atomic
def step_introduction(
    *,
    actor: Actor,
    candidate: Candidate,
    date: dt.date,
    introduced_by: str = IntroducedBy.MEMBERS,
    introducer_1: Member | None = None,
    introducer_2: Member | None = None,
    document_number: str = "",
) -> CaseStep:
    """Two official members (checked against the registry on `date`) or a Youth Union / trade
    union resolution introduce the applicant (domain.md §2.2)."""
    candidate = _lock(candidate)
    if introduced_by not in IntroducedBy.values:
        raise ValidationError({"introduced_by": ["Hình thức giới thiệu không hợp lệ."]})

    def check(state, rule_values):
        if introduced_by != IntroducedBy.MEMBERS:
            if not clean(document_number):
                raise ValidationError({"document_number": ["Cần số nghị quyết giới thiệu."]})
            return
        if introducer_1 is None or introducer_2 is None:
            raise ValidationError({"introducer_2": ["Cần hai đảng viên chính thức giới thiệu."]})
        if introducer_1.pk == introducer_2.pk:
            raise ValidationError({"introducer_2": ["Hai người giới thiệu phải khác nhau."]})
        cell = Unit.objects.get(pk=state.unit_id)
        for field, member in (("introducer_1", introducer_1), ("introducer_2", introducer_2)):
            facts = registry.introducer_facts(member, cell, date)
            _refuse(rules.introducer_problem(facts, date, rule_values), field)

    return _add_step(
        actor, candidate, StepKind.INTRODUCTION, date, check=check, introduced_by=introduced_by,
        introducer_1=introducer_1 if introduced_by == IntroducedBy.MEMBERS else None,
        introducer_2=introducer_2 if introduced_by == IntroducedBy.MEMBERS else None,
        document_number=clean(document_number),
    )  # fmt: skip


@transaction.atomic
def step_verification(
    *, actor: Actor, candidate: Candidate, date: dt.date, passed: bool, note: str = ""
) -> CaseStep:
    """Thẩm tra lý lịch người vào Đảng, with its result."""
    if not passed and not note.strip():
        raise ValidationError({"note": ["Cần ghi lý do không đạt."]})
    return _add_step(
        actor, _lock(candidate), StepKind.VERIFICATION, date, passed=bool(passed), note=note.strip()
    )


@transaction.atomic
def step_cell_vote(
    *, actor: Actor, candidate: Candidate, date: dt.date, votes_for: int, note: str = ""
) -> CaseStep:
    """The cell votes on the case; the base is the registry's official members of the cell on
    that day. Below 2/3 is recorded as a failed vote; the third failure sends it up."""
    candidate = _lock(candidate)
    cell = candidate.cell
    official = registry.official_members(cell, date)

    def check(state, rule_values):
        cell_now = Unit.objects.get(pk=state.unit_id)
        if official <= 0:
            raise ValidationError(
                f"Chi bộ {cell_now.code} không có đảng viên chính thức vào ngày {vn(date)}."
            )
        if votes_for < 0 or votes_for > official:
            raise ValidationError(
                {"votes_for": [f"Số tán thành phải từ 0 đến {official} (số đảng viên chính thức)."]}
            )
        _refuse(rules.age_problem(candidate.birth_date, date, rule_values, candidate.age_exception))
        _refuse(rules.certificate_problem(state, date, rule_values))
        _refuse(rules.stale_problem(state, date, rule_values))

    passed = rules.vote_passes(votes_for, official, config.rules_on(date))
    return _add_step(
        actor, candidate, StepKind.CELL_VOTE, date, check=check, official_members=official,
        votes_for=votes_for, passed=passed, note=note.strip(),
    )  # fmt: skip


@transaction.atomic
def step_upper_ruling(
    *,
    actor: Actor,
    candidate: Candidate,
    date: dt.date,
    passed: bool,
    document_number: str = "",
    issuing_body: str = "",
) -> CaseStep:
    """The upper committee decides a case the cell failed to pass three times."""
    return _add_step(
        actor, _lock(candidate), StepKind.UPPER_RULING, date, passed=bool(passed),
        document_number=clean(document_number), issuing_body=clean(issuing_body),
    )  # fmt: skip


@transaction.atomic
def step_grassroots_proposal(
    *, actor: Actor, candidate: Candidate, date: dt.date, document_number: str = ""
) -> CaseStep:
    """Nghị quyết của đảng ủy cơ sở đề nghị kết nạp."""
    return _add_step(
        actor, _lock(candidate), StepKind.GRASSROOTS_PROPOSAL, date,
        document_number=clean(document_number),
    )  # fmt: skip


@transaction.atomic
def step_decision(
    *, actor: Actor, candidate: Candidate, date: dt.date, document_number: str, issuing_body: str
) -> CaseStep:
    """The competent committee's admission decision (number, date, issuing body)."""
    if not clean(document_number):
        raise ValidationError({"document_number": ["Cần số quyết định kết nạp."]})
    if not clean(issuing_body):
        raise ValidationError({"issuing_body": ["Cần cơ quan ra quyết định."]})
    return _add_step(
        actor, _lock(candidate), StepKind.DECISION, date, document_number=clean(document_number),
        issuing_body=clean(issuing_body),
    )  # fmt: skip


@transaction.atomic
def step_ceremony(
    *,
    actor: Actor,
    candidate: Candidate,
    date: dt.date,
    upper_approval: str = "",
    profile_number: str = "",
) -> CaseStep:
    """The admission ceremony: the registry admits the person (members.services.member_admit, or
    the re-admission event for a former member), with the decision's number, date and body."""
    candidate = _lock(candidate)
    steps = _steps(candidate)
    decision = next((s for s in reversed(steps) if s.kind == StepKind.DECISION), None)
    holidays = config.holidays()

    def check(state, rule_values):
        if decision is not None:
            _refuse(
                rules.ceremony_problem(decision.date, date, rule_values, holidays, upper_approval)
            )

    step = _add_step(
        actor, candidate, StepKind.CEREMONY, date, check=check, upper_approval=clean(upper_approval),
    )  # fmt: skip
    cell = Unit.objects.get(pk=candidate.cell_id)
    if candidate.former_member_id:
        former = Member.objects.get(pk=candidate.former_member_id)
        _check_former_member(former, candidate.readmission_bar)
        members.member_record_event(
            actor=actor, member=former, kind=EventKind.READMISSION, date=date, unit=cell,
            decision_number=decision.document_number, decision_date=decision.date,
            issuing_body=decision.issuing_body,
        )  # fmt: skip
        member = former
    else:
        profile = {f: getattr(candidate, f) for f in members.PROFILE_FIELDS if f != "card_number"}
        if profile_number:
            profile["profile_number"] = profile_number
        if not profile.get("profile_number"):
            raise ValidationError({"profile_number": ["Cần số lý lịch đảng viên để kết nạp."]})
        member = members.member_admit(
            actor=actor, unit=cell, ceremony_date=date, decision_date=decision.date,
            decision_number=decision.document_number, issuing_body=decision.issuing_body,
            **profile,
        )  # fmt: skip
    candidate.member = member
    candidate.save(update_fields=["member"])
    return step


@transaction.atomic
def step_recognition(
    *,
    actor: Actor,
    candidate: Candidate,
    date: dt.date,
    document_number: str = "",
    issuing_body: str = "",
    votes_for: int | None = None,
) -> CaseStep:
    """Official recognition: the registry's official event, effective at the end of probation
    (domain.md §2.3) even when the vote or the decision (`date`) is late."""
    candidate = _lock(candidate)
    if candidate.member_id is None:
        raise ValidationError("Chưa kết nạp.")
    member = Member.objects.get(pk=candidate.member_id)
    step = _add_step(
        actor, candidate, StepKind.RECOGNITION, date, document_number=clean(document_number),
        issuing_body=clean(issuing_body), votes_for=votes_for,
    )  # fmt: skip
    stint = member.stints.order_by("-start").first()
    if stint is None or stint.status != Status.PROBATIONARY or stint.end is not None:
        raise ValidationError(
            f"{member.full_name} không còn là đảng viên dự bị trong sổ đảng viên."
        )
    members.member_record_event(
        actor=actor, member=member, kind=EventKind.OFFICIAL, decision_number=clean(document_number),
        decision_date=date, issuing_body=clean(issuing_body),
    )  # fmt: skip
    return step
