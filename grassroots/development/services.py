"""Every change to a development case goes through one of these functions (UI, CLI, import).

Each locks the case, replays its steps (`rules.replay`), refuses with a Vietnamese message what
domain.md §2.2–2.3 does not allow (nothing written), writes the step, re-derives the case's
spans and writes the audit record, in one transaction. Admission and official recognition are
the registry's own services (one admission path): the ceremony step calls
`members.services.member_admit` (or records the re-admission), the recognition step records the
registry's official event.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from grassroots.audit.services import Actor, diff, for_update, record, snapshot
from grassroots.core import limits, scans
from grassroots.core.dates import vn
from grassroots.core.text import clean, fold
from grassroots.members import lifecycle
from grassroots.members import services as members
from grassroots.members.models import EventKind, Member
from grassroots.organizations.models import Unit

from . import config, registry, rules
from .models import (
    Candidate,
    CaseSpan,
    CaseStep,
    Document,
    ProposalSource,
    ReadmissionBar,
    StepKind,
)

# The member's profile fields (same names, same checks) plus what only a candidate has.
PROFILE_FIELDS = [f for f in members.PROFILE_FIELDS if f != "card_number"] + ["youth_union"]
CASE_FIELDS = ["cell", "source", "helper", "former_member", "readmission_bar", "age_exception"]
STEP_FIELDS = [
    "kind",
    "date",
    "unit",
    "document_number",
    "issuing_body",
    "course",
    "introduced_by",
    "introducer_1",
    "introducer_2",
    "official_members",
    "votes_for",
    "passed",
    "upper_approval",
    "note",
]


def _validate_profile(values: dict[str, Any], candidate: Candidate | None = None) -> dict:
    """The member profile's checks (members.services), plus the candidate's own."""
    youth = values.pop("youth_union", None)
    number = values.get("profile_number")
    if number == "" or number is None:
        values.pop("profile_number", None)
    values = members._validate_profile(values)
    if values.get("profile_number"):
        clash = Candidate.objects.filter(profile_number__iexact=values["profile_number"])
        if candidate is not None:
            clash = clash.exclude(pk=candidate.pk)
        if clash.filter(member__isnull=True, closed_on__isnull=True).exists():
            raise ValidationError(
                {
                    "profile_number": [
                        f"Số lý lịch {values['profile_number']} đã dùng cho hồ sơ khác."
                    ]
                }
            )
    if youth is not None:
        values["youth_union"] = bool(youth)
    return values


def _lock(candidate: Candidate) -> Candidate:
    # The audit chain's lock before the case's row, the one lock order of every writer (the
    # ceremony and recognition reach the registry's ledger, which takes the chain's lock too).
    return for_update(Candidate.objects.filter(pk=candidate.pk)).get()


def _steps(candidate: Candidate) -> list[CaseStep]:
    return list(candidate.steps.filter(voided_at__isnull=True).order_by("date", "id"))


def _as_st(step: CaseStep) -> rules.St:
    return rules.St(step.kind, step.date, step.unit_id, step.passed, step.pk or 10**12)


def _state(steps: list[CaseStep], day: dt.date) -> tuple[rules.CaseState, rules.Rules]:
    rule_values = config.rules_on(day)
    state, _ = rules.replay([_as_st(s) for s in steps], rule_values)
    return state, rule_values


def _store_spans(candidate: Candidate, steps: list[CaseStep]) -> None:
    """Re-derive the case's (cell, stage) intervals; stage dates use each step's rule set."""
    rule_values = config.rules_on(steps[-1].date) if steps else rules.Rules()
    _, timeline = rules.replay([_as_st(s) for s in steps], rule_values)
    candidate.spans.all().delete()
    CaseSpan.objects.bulk_create(
        CaseSpan(candidate=candidate, unit_id=u, stage=s, start=a, end=b)
        for u, s, a, b in rules.spans(timeline)
    )


def _refuse(message: str | None, field: str | None = None) -> None:
    if message:
        raise ValidationError({field: [message]} if field else message)


def _check_former_member(former: Member, bar: str) -> None:
    # domain.md §2.1–2.2: re-admission once only, never for the excluded list (QĐ 232 §3, kept
    # by QĐ 294).
    if bar:
        label = ReadmissionBar(bar).label
        raise ValidationError(
            {"readmission_bar": [f"Thuộc diện không xem xét kết nạp lại: {label}."]}
        )
    live = members.live_events(former)
    state = lifecycle.final_state([members.as_ev(e) for e in live])
    if any(e.kind == EventKind.READMISSION for e in live):
        raise ValidationError(
            {
                "former_member": [
                    f"{former.full_name} đã được kết nạp lại một lần; chỉ được kết nạp lại một lần."
                ]
            }
        )
    if state.phase != "ended" or state.end_kind == EventKind.DEATH:
        raise ValidationError(
            {"former_member": [f"{former.full_name} không phải người đã ra khỏi Đảng."]}
        )


@transaction.atomic
def candidate_propose(
    *,
    actor: Actor,
    cell: Unit,
    proposed_on: dt.date,
    source: str,
    helper: Member | None = None,
    former_member: Member | None = None,
    readmission_bar: str = "",
    age_exception: str = "",
    **profile: Any,
) -> Candidate:
    """The cell puts a person on its list of outstanding candidates (domain-processes.md §4)."""
    for_update(Candidate.objects.none())  # the audit chain's lock first (no row to lock yet)
    if source not in ProposalSource.values:
        raise ValidationError({"source": ["Nguồn giới thiệu không hợp lệ."]})
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    values = _validate_profile(dict(profile))
    if not values.get("birth_date"):
        raise ValidationError({"birth_date": ["Cần nhập ngày sinh."]})
    limits.check_date(proposed_on, "proposed_on", "Ngày đưa vào danh sách")
    if not registry.is_cell_on(cell, proposed_on):
        raise ValidationError(
            {"cell": [f"{cell.code} không phải là chi bộ vào ngày {vn(proposed_on)}."]}
        )
    if former_member is not None:
        _check_former_member(former_member, readmission_bar)
    candidate = Candidate(
        **values,
        search_name=fold(values["full_name"]),
        cell=cell,
        proposed_on=proposed_on,
        source=source,
        helper=helper,
        former_member=former_member,
        readmission_bar=readmission_bar,
        age_exception=clean(age_exception),
    )
    candidate.save()
    step = CaseStep.objects.create(
        candidate=candidate, kind=StepKind.PROPOSED, date=proposed_on, unit=cell, note=source
    )
    _store_spans(candidate, [step])
    record(
        actor,
        obj=candidate,
        action="create",
        changes=diff({}, snapshot(candidate, PROFILE_FIELDS + CASE_FIELDS)),
        object_type="candidate",
    )
    return candidate


@transaction.atomic
def candidate_update_profile(
    *, actor: Actor, candidate: Candidate, reason: str = "", **fields: Any
) -> Candidate:
    candidate = _lock(candidate)
    allowed = set(PROFILE_FIELDS) | {"helper", "age_exception", "readmission_bar"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not candidate fields: {sorted(unknown)}")
    if candidate.member_id:
        raise ValidationError("Đã kết nạp: sửa lý lịch trong hồ sơ đảng viên.")
    before = snapshot(candidate, PROFILE_FIELDS + CASE_FIELDS)
    profile = {k: v for k, v in fields.items() if k in PROFILE_FIELDS}
    values = _validate_profile(profile, candidate)
    for name, value in values.items():
        setattr(candidate, name, value)
    for name in ("helper", "age_exception", "readmission_bar"):
        if name in fields:
            setattr(candidate, name, fields[name])
    candidate.search_name = fold(candidate.full_name)
    changes = diff(before, snapshot(candidate, PROFILE_FIELDS + CASE_FIELDS))
    if changes:
        candidate.version += 1
        candidate.save()
        record(
            actor,
            obj=candidate,
            action="update",
            changes=changes,
            reason=reason,
            object_type="candidate",
        )
    return candidate


def _add_step(
    actor: Actor, candidate: Candidate, kind: str, date: dt.date, check=None, **fields: Any
) -> CaseStep:
    """Lock, check the order and the step's own rule (`check(state, rules)`), write, audit."""
    if date is None:
        raise ValidationError({"date": ["Cần nhập ngày."]})
    limits.check_date(date)  # issue 20 §13: the same range as every other date input
    steps = _steps(candidate)
    state, rule_values = _state(steps, date)
    rules.check_step(state, kind, date, rule_values)
    if check is not None:
        check(state, rule_values)
    step = CaseStep(candidate=candidate, kind=kind, date=date, **fields)
    step.save()
    _store_spans(candidate, steps + [step])
    candidate.version += 1
    candidate.save(update_fields=["version"])
    record(
        actor,
        obj=step,
        action="create",
        changes=diff({}, snapshot(step, STEP_FIELDS)),
        object_type="casestep",
    )
    return step


@transaction.atomic
def candidate_move(*, actor: Actor, candidate: Candidate, to_unit: Unit, date: dt.date) -> CaseStep:
    """The case follows the person to another cell (before admission)."""
    candidate = _lock(candidate)
    if not registry.is_cell_on(to_unit, date):
        raise ValidationError(
            {"to_unit": [f"{to_unit.code} không phải là chi bộ vào ngày {vn(date)}."]}
        )
    step = _add_step(actor, candidate, StepKind.MOVED, date, unit=to_unit)
    candidate.cell = to_unit
    candidate.save(update_fields=["cell"])
    return step


@transaction.atomic
def candidate_close(*, actor: Actor, candidate: Candidate, date: dt.date, reason: str) -> CaseStep:
    """The cell takes the person off its list (no longer qualified, moved away, withdrew)."""
    if not reason.strip():
        raise ValidationError({"reason": ["Cần ghi lý do."]})
    candidate = _lock(candidate)
    if candidate.member_id:
        raise ValidationError("Đã kết nạp: các việc tiếp theo được ghi trong hồ sơ đảng viên.")
    step = _add_step(actor, candidate, StepKind.CLOSED, date, note=reason.strip())
    candidate.closed_on = date
    candidate.close_reason = reason.strip()
    candidate.save(update_fields=["closed_on", "close_reason"])
    return step


# the steps that changed the registry (ceremony, recognition) are corrected in the member's
# record; proposing and closing are the case itself
VOIDABLE = frozenset(StepKind) - {
    StepKind.PROPOSED,
    StepKind.CEREMONY,
    StepKind.RECOGNITION,
    StepKind.CLOSED,
}


@transaction.atomic
def step_void(*, actor: Actor, step: CaseStep, reason: str) -> CaseStep:
    """Void a wrongly recorded step (it stays visible, marked void). Steps that changed the
    registry (ceremony, recognition) are corrected in the member's record instead."""
    if not reason.strip():
        raise ValidationError({"reason": ["Cần ghi lý do hủy."]})
    candidate = _lock(step.candidate)
    step = for_update(CaseStep.objects.filter(pk=step.pk)).get()
    if step.voided_at:
        raise ValidationError("Bước này đã bị hủy.")
    if step.kind not in VOIDABLE:
        raise ValidationError("Không thể hủy bước này.")
    rest = [s for s in _steps(candidate) if s.pk != step.pk]
    state, rule_values = _state(rest, step.date)
    from django.utils import timezone

    step.voided_at = timezone.now()
    step.void_reason = reason.strip()
    step.save(update_fields=["voided_at", "void_reason"])
    if step.kind == StepKind.MOVED:
        candidate.cell_id = state.unit_id
        candidate.save(update_fields=["cell"])
    _store_spans(candidate, rest)
    record(actor, obj=step, action="void", reason=reason, object_type="casestep")
    return step


# --- Scans and views of the file -------------------------------------------------------------


def scan_dir():
    return scans.scan_dir("development")


@transaction.atomic
def document_upload(
    *, actor: Actor, candidate: Candidate, title: str, content: bytes, step: CaseStep | None = None
) -> Document:
    """Store a scan (PDF, PNG or JPEG, by its first bytes) under the var dir (core/scans.py)."""
    if not clean(title):
        raise ValidationError({"title": ["Cần nhập tên tài liệu."]})
    if step is not None and step.candidate_id != candidate.pk:
        raise ValidationError({"step": ["Bước không thuộc hồ sơ này."]})
    path, content_type = scans.store("development", candidate.pk, content)
    doc = Document.objects.create(
        candidate=candidate, step=step, title=clean(title), path=path,
        content_type=content_type, size=len(content), uploaded_by=actor.user,
    )  # fmt: skip
    record(
        actor, obj=doc, action="create", object_type="document",
        changes={"title": [None, doc.title], "candidate": [None, candidate.pk]},
    )  # fmt: skip
    return doc


def candidate_log_view(*, actor: Actor, candidate: Candidate, document: Document | None = None):
    """A candidate's file is as confidential as a member's: every opening is recorded."""
    obj = document or candidate
    record(actor, obj=obj, action="view", object_type="document" if document else "candidate")


# The write function of each step (pages and the Excel sheet dispatch through it).
# The step writers live in steps.py (re-exported: callers use `services.step_*`).
from .steps import (  # noqa: E402
    step_application,
    step_background,
    step_cell_vote,
    step_ceremony,
    step_certificate,
    step_decision,
    step_grassroots_proposal,
    step_introduction,
    step_recognition,
    step_upper_ruling,
    step_verification,
)

STEP_WRITERS = {
    StepKind.CERTIFICATE: step_certificate,
    StepKind.APPLICATION: step_application,
    StepKind.BACKGROUND: step_background,
    StepKind.INTRODUCTION: step_introduction,
    StepKind.VERIFICATION: step_verification,
    StepKind.CELL_VOTE: step_cell_vote,
    StepKind.UPPER_RULING: step_upper_ruling,
    StepKind.GRASSROOTS_PROPOSAL: step_grassroots_proposal,
    StepKind.DECISION: step_decision,
    StepKind.CEREMONY: step_ceremony,
    StepKind.RECOGNITION: step_recognition,
}
