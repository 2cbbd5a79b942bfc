"""Every change to inspection records goes through one of these functions (pages, import, demo).

Each validates with a Vietnamese message (nothing written on refusal), writes, and writes the
audit record in one transaction. What a decision means for the registry is written by the
registry's own services (one path): a member's discipline or expulsion by
`members.services.member_record_event` (an annulment by `member_void_event`, a changed form by
`member_correct_event`); an organization's reprimand or warning by the assessments'
`organization_discipline_record`, which the rating caps read; a dissolution by
`restructure.services.unit_dissolve`.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from grassroots.assessments import follow_up
from grassroots.assessments.models import DisciplineTarget
from grassroots.audit.services import Actor, diff, for_update, record, snapshot
from grassroots.core import limits, scans
from grassroots.core.dates import add_months, vn
from grassroots.core.text import clean
from grassroots.members import services as members
from grassroots.members.models import EventKind, Member, MemberEvent, MemberStint, Status
from grassroots.organizations.models import ChangeAction, Unit, UnitAncestry, UnitChange
from grassroots.organizations.queries import display_version, on, version_at
from grassroots.organizations.services import Decision as UnitDecision
from grassroots.restructure import services as restructure

from . import rules
from .access import require_actor
from .models import (
    MEMBER_FORMS,
    ORGANIZATION_FORMS,
    PROBATIONER_FORMS,
    Appeal,
    Case,
    CaseKind,
    Conclusion,
    Decision,
    Form,
    Organ,
    Outcome,
    Programme,
    ProgrammeItem,
    Recommendation,
    Scan,
    Severity,
    Suspension,
    SuspensionGround,
)

CASE_FIELDS = ["kind", "title", "subject_unit", "subject_member", "body", "organ", "number",
               "opened_on", "period_start", "period_end", "team"]  # fmt: skip
DECISION_FIELDS = ["form", "subject_unit", "subject_member", "body", "organ", "number",
                   "signed_on", "announced_on", "votes_for", "voters", "case"]  # fmt: skip


def _err(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def stint_on(member: Member, day: dt.date) -> MemberStint | None:
    """The member's stint (cell, status) on `day`, or None when not a member that day."""
    return (
        member.stints.filter(start__lte=day)
        .exclude(end__isnull=False, end__lte=day)
        .order_by("-start")
        .first()
    )


def _under(ancestor: Unit, unit: Unit, day: dt.date, strict: bool = False) -> bool:
    if strict and ancestor.pk == unit.pk:
        return False
    return UnitAncestry.objects.filter(on(day), ancestor=ancestor, descendant=unit).exists()


def _placement(subject_unit, subject_member, start: dt.date, day: dt.date):
    """(unit, day) placing a record about the subject in the tree: the organization, or the
    member's cell, on `day` or, if the subject was gone by then, on its last day after `start`."""
    if (subject_unit is None) == (subject_member is None):
        raise _err("subject", "Cần chọn một tổ chức đảng hoặc một đảng viên.")
    if subject_unit is not None:
        # QĐ 296 also covers dissolved organizations, for the time they existed.
        last = min(day, subject_unit.ended - dt.timedelta(days=1)) if subject_unit.ended else day
        if subject_unit.established > day or last < start:
            raise _err(
                "subject",
                f"Tổ chức {subject_unit.code} không tồn tại trong thời kỳ từ {vn(start)} đến "
                f"{vn(day)} (thành lập {vn(subject_unit.established)}"
                + (f", kết thúc {vn(subject_unit.ended)})." if subject_unit.ended else ")."),
            )
        return subject_unit, last
    stint = stint_on(subject_member, day)
    if stint is None:
        stint = (
            subject_member.stints.filter(start__lte=day, end__gt=start).order_by("-start").first()
        )
        if stint is None:
            raise _err(
                "subject",
                f"{subject_member.full_name} không là đảng viên trong thời kỳ từ {vn(start)} "
                f"đến {vn(day)}.",
            )
        day = stint.end - dt.timedelta(days=1)
    return stint.unit, day


def _check_body(body: Unit, day: dt.date) -> str:
    version = version_at(body, day)
    if version is None:
        raise _err("body", f"Cơ quan {body.code} không tồn tại vào ngày {vn(day)}.")
    return version.kind


def _body_label(body: Unit, organ: str, day: dt.date) -> str:
    name = display_version(body, day).name
    if organ == Organ.INSPECTION_COMMISSION:
        return f"Ủy ban Kiểm tra {name}"
    return name


# --- Cases ----------------------------------------------------------------------------------


@transaction.atomic
def case_open(
    *, actor: Actor, kind: str, title: str, body: Unit, organ: str, opened_on: dt.date,
    period_start: dt.date, period_end: dt.date, subject_unit: Unit | None = None,
    subject_member: Member | None = None, team: str = "", content: str = "", number: str = "",
    programme_item: ProgrammeItem | None = None,
) -> Case:  # fmt: skip
    """Open a supervision, inspection, denunciation or complaint about one subject; the subject
    must have existed (organization) or been a member in the period looked at."""
    if kind not in CaseKind.values:
        raise _err("kind", "Loại cuộc kiểm tra, giám sát không hợp lệ.")
    if organ not in Organ.values:
        raise _err("organ", "Cơ quan quyết định không hợp lệ.")
    title = limits.clean_text(title)
    if not title:
        raise _err("title", "Cần nhập nội dung kiểm tra, giám sát.")
    if period_start > period_end:
        raise _err("period_end", "Thời kỳ kiểm tra: ngày kết thúc trước ngày bắt đầu.")
    for field_name, day in (("opened_on", opened_on), ("period_start", period_start)):
        limits.check_date(day, field_name, "Ngày")
    unit, placed_on = _placement(
        subject_unit, subject_member, period_start, min(opened_on, period_end)
    )
    _check_body(body, opened_on)
    if not _under(body, unit, placed_on):
        raise _err("body", f"{body.code} không phải là cấp trên của đối tượng kiểm tra, giám sát.")
    require_actor(actor, unit, placed_on)
    case = Case.objects.create(
        kind=kind, title=title, body=body, organ=organ, opened_on=opened_on,
        period_start=period_start, period_end=period_end, subject_unit=subject_unit,
        subject_member=subject_member, unit=unit, placed_on=placed_on, team=clean(team),
        content=content.strip(), number=limits.clean_text(number), programme_item=programme_item,
        created_by=getattr(actor, "user", None),
    )  # fmt: skip
    record(actor, obj=case, action="create", changes=diff({}, snapshot(case, CASE_FIELDS)))
    return case


@transaction.atomic
def case_conclude(
    *, actor: Actor, case: Case, concluded_on: dt.date, conclusion: str, findings: str,
    severity: str = "",
) -> Case:  # fmt: skip
    case = for_update(Case.objects).get(pk=case.pk)
    require_actor(actor, case.unit)
    if conclusion not in Conclusion.values:
        raise _err("conclusion", "Cần chọn kết luận: có vi phạm hoặc không vi phạm.")
    if conclusion == Conclusion.VIOLATION and severity not in Severity.values:
        raise _err("severity", "Kết luận có vi phạm cần ghi mức độ vi phạm.")
    if conclusion == Conclusion.NO_VIOLATION:
        severity = ""
    if concluded_on < case.opened_on:
        raise _err("concluded_on", "Ngày kết luận trước ngày quyết định kiểm tra, giám sát.")
    before = snapshot(case, ["conclusion", "severity", "concluded_on"])
    case.concluded_on, case.conclusion, case.severity = concluded_on, conclusion, severity
    case.findings = findings.strip()
    case.save(update_fields=["concluded_on", "conclusion", "severity", "findings"])
    changes = diff(before, snapshot(case, ["conclusion", "severity", "concluded_on"]))
    record(actor, obj=case, action="conclude", changes=changes)
    return case


@transaction.atomic
def recommendation_add(*, actor: Actor, case: Case, text: str, deadline: dt.date) -> Recommendation:
    require_actor(actor, case.unit)
    if not clean(text):
        raise _err("text", "Cần nhập nội dung kiến nghị.")
    if deadline < case.opened_on:
        raise _err("deadline", "Thời hạn thực hiện kiến nghị trước ngày mở cuộc kiểm tra.")
    rec = Recommendation.objects.create(case=case, text=text.strip(), deadline=deadline)
    record(actor, obj=rec, action="create",
           changes={"case": [None, case.pk], "deadline": [None, deadline.isoformat()]})  # fmt: skip
    return rec


@transaction.atomic
def recommendation_follow_up(
    *, actor: Actor, recommendation: Recommendation, done_on: dt.date | None, follow_up: str
) -> Recommendation:
    rec = for_update(Recommendation.objects).select_related("case").get(pk=recommendation.pk)
    require_actor(actor, rec.case.unit)
    if done_on is not None and done_on < rec.case.opened_on:
        raise _err("done_on", "Ngày thực hiện xong trước ngày mở cuộc kiểm tra.")
    before = snapshot(rec, ["done_on", "follow_up"])
    rec.done_on, rec.follow_up = done_on, follow_up.strip()
    rec.save(update_fields=["done_on", "follow_up"])
    record(actor, obj=rec, action="update", changes=diff(before, snapshot(rec, ["done_on", "follow_up"])))  # fmt: skip
    return rec


# --- Discipline decisions -------------------------------------------------------------------


def check_competence(body: Unit, organ: str, form: str, subject: str, unit: Unit,
                     day: dt.date) -> None:  # fmt: skip
    """The deciding body may impose `form` on the subject (rules.py, dated) and stands above it
    (a cell: the member's own cell)."""
    kind = _check_body(body, day)
    allowed = rules.allowed_forms(day, kind, organ, subject)
    label = f"{Organ(organ).label} {display_version(body, day).name}"
    if form not in allowed:
        raise _err(
            "body",
            f"{label} không có thẩm quyền quyết định hình thức “{Form(form).label}” "
            f"(quy định {rules.rules_on(day).code}).",
        )
    if organ == Organ.CELL:
        if body.pk != unit.pk:
            raise _err("body", "Chi bộ chỉ kỷ luật đảng viên của chi bộ mình.")
    elif not _under(body, unit, day, strict=subject == "organization"):
        raise _err("body", f"{label} không phải là cấp trên của đối tượng kỷ luật.")


def _check_dates(signed_on: dt.date, announced_on: dt.date, organ: str) -> None:
    limits.check_date(signed_on, "signed_on", "Ngày ký")
    limits.check_date(announced_on, "announced_on", "Ngày công bố")
    # Điều lệ Điều 39.6: a decision takes effect when announced, which follows its signing.
    if announced_on < signed_on:
        raise _err(
            "announced_on",
            f"Ngày công bố ({vn(announced_on)}) trước ngày ký quyết định ({vn(signed_on)}).",
        )
    # Điều lệ Điều 39.6: announced within 15 days of signing (dated rule `announce_days`); a
    # cell's reprimand or warning takes effect with its vote result, so the cell is not held to it.
    version = rules.rules_on(signed_on)
    if organ != Organ.CELL and (announced_on - signed_on).days > version.announce_days:
        raise _err(
            "announced_on",
            f"Quyết định ký ngày {vn(signed_on)} phải được công bố trong {version.announce_days} "
            f"ngày (chậm nhất {vn(signed_on + dt.timedelta(days=version.announce_days))}; "
            "Điều lệ Đảng Điều 39).",
        )


def _check_probation(member: Member, form: str, day: dt.date) -> None:
    stint = stint_on(member, day)
    if stint is None:
        raise _err("announced_on", f"{member.full_name} không là đảng viên vào ngày {vn(day)}.")
    # Điều lệ Điều 35 (domain.md §2.9): probationers get khiển trách or cảnh cáo only.
    if stint.status == Status.PROBATIONARY and form not in PROBATIONER_FORMS:
        raise _err(
            "form",
            f"{member.full_name} là đảng viên dự bị vào ngày {vn(day)}: chỉ bị khiển trách hoặc "
            "cảnh cáo (Điều lệ Điều 35).",
        )


def _member_event(actor, member, form, day, number, signed_on, issuing_body) -> MemberEvent:
    if form == Form.EXPULSION:
        return members.member_record_event(
            actor=actor, member=member, kind=EventKind.EXPULSION, date=day,
            decision_number=number, decision_date=signed_on, issuing_body=issuing_body,
        )  # fmt: skip
    return members.member_record_event(
        actor=actor, member=member, kind=EventKind.DISCIPLINE, date=day, discipline_form=form,
        decision_number=number, decision_date=signed_on, issuing_body=issuing_body,
    )  # fmt: skip


def _check_existing(event: MemberEvent, member: Member, form: str, day: dt.date) -> None:
    kind = EventKind.EXPULSION if form == Form.EXPULSION else EventKind.DISCIPLINE
    if (
        event.member_id != member.pk
        or event.kind != kind
        or event.date != day
        or event.voided_at is not None
        or (kind == EventKind.DISCIPLINE and event.discipline_form != form)
    ):
        raise _err("member_event", "Sự kiện kỷ luật trong hồ sơ đảng viên không khớp quyết định.")
    if Decision.objects.filter(member_event=event).exists():
        raise _err("member_event", "Sự kiện kỷ luật này đã gắn với một quyết định khác.")


@transaction.atomic
def decision_record(
    *, actor: Actor, form: str, body: Unit, organ: str, signed_on: dt.date,
    announced_on: dt.date, subject_member: Member | None = None,
    subject_unit: Unit | None = None, case: Case | None = None, number: str = "",
    reason: str = "", votes_for: int | None = None, voters: int | None = None,
    member_event: MemberEvent | None = None,
) -> Decision:  # fmt: skip
    """Record a discipline decision and write its effect in the registry (or link the registry
    event already recorded for it, `member_event`: decisions entered after the fact)."""
    subject = "member" if subject_member is not None else "organization"
    if form not in (MEMBER_FORMS if subject == "member" else ORGANIZATION_FORMS):
        raise _err("form", "Hình thức kỷ luật không áp dụng cho đối tượng này.")
    _check_dates(signed_on, announced_on, organ)
    if votes_for is not None and voters is not None and votes_for > voters:
        raise _err("votes_for", "Số phiếu tán thành lớn hơn số người biểu quyết.")
    unit, placed_on = _placement(subject_unit, subject_member, signed_on, signed_on)
    if placed_on != signed_on:
        raise _err("signed_on", "Đối tượng kỷ luật không còn vào ngày ký quyết định.")
    if subject_member is not None:
        _check_probation(subject_member, form, announced_on)
    elif not subject_unit.exists_on(announced_on):
        raise _err("announced_on", f"{subject_unit.code} không tồn tại vào ngày công bố.")
    check_competence(body, organ, form, subject, unit, signed_on)
    if case is not None and (case.subject_member_id, case.subject_unit_id) != (
        getattr(subject_member, "pk", None),
        getattr(subject_unit, "pk", None),
    ):
        raise _err("case", "Quyết định không cùng đối tượng với cuộc kiểm tra.")
    require_actor(actor, unit, signed_on)
    number = limits.clean_text(number)
    issuing = _body_label(body, organ, signed_on)
    decision = Decision(
        form=form, body=body, organ=organ, signed_on=signed_on, announced_on=announced_on,
        subject_member=subject_member, subject_unit=subject_unit, unit=unit, placed_on=placed_on,
        case=case, number=number, reason=reason.strip(), votes_for=votes_for, voters=voters,
        created_by=getattr(actor, "user", None),
    )  # fmt: skip
    if subject_member is not None:
        if member_event is not None:
            _check_existing(member_event, subject_member, form, announced_on)
            decision.member_event = member_event
        else:
            decision.member_event = _member_event(
                actor, subject_member, form, announced_on, number, signed_on, issuing
            )
    elif form == Form.DISSOLUTION:
        restructure.unit_dissolve(
            actor=actor, unit=subject_unit, date=announced_on,
            decision=UnitDecision(number, signed_on, issuing), note=reason.strip(),
        )  # fmt: skip
        decision.unit_change = UnitChange.objects.filter(
            unit=subject_unit, action=ChangeAction.DISSOLVE
        ).latest("id")
    else:
        decision.unit_discipline = follow_up.organization_discipline_record(
            actor=actor, unit=subject_unit, target=DisciplineTarget.ORGANIZATION, form=form,
            date=announced_on, decision_number=number, decision_date=signed_on,
            issuing_body=issuing,
        )  # fmt: skip
    decision.save()
    record(actor, obj=decision, action="create",
           changes=diff({}, snapshot(decision, DECISION_FIELDS)))  # fmt: skip
    return decision


# --- Appeals (khiếu nại kỷ luật) -------------------------------------------------------------


def _check_appeal_body(decision: Decision, body: Unit, day: dt.date) -> None:
    """Decided by the body above the one that decided; a committee is also the first instance for
    its own inspection commission's decisions (QĐ 22 Điều 22, domain-processes.md §3.5)."""
    _check_body(body, day)
    own = body.pk == decision.body_id and decision.organ == Organ.INSPECTION_COMMISSION
    if not own and not _under(body, decision.body, day, strict=True):
        raise _err("body", f"{body.code} không phải là cấp trên của cơ quan đã quyết định kỷ luật.")


@transaction.atomic
def appeal_file(
    *, actor: Actor, decision: Decision, filed_on: dt.date, complainant: str, body: Unit,
    content: str = "",
) -> Appeal:  # fmt: skip
    require_actor(actor, decision.unit)
    if decision.annulled_on:
        raise _err("decision", "Quyết định này đã bị xóa bỏ.")
    if not clean(complainant):
        raise _err("complainant", "Cần ghi người khiếu nại.")
    version = rules.rules_on(decision.announced_on)
    limit = add_months(decision.announced_on, version.appeal_months)
    if filed_on < decision.announced_on:
        raise _err("filed_on", "Ngày nhận đơn trước ngày công bố quyết định.")
    # Điều lệ Điều 39.7: within one month of receiving the decision (announced to the member).
    if filed_on > limit:
        raise _err(
            "filed_on",
            f"Đơn khiếu nại quá thời hạn: phải gửi trong {version.appeal_months} tháng kể từ ngày "
            f"công bố quyết định ({vn(decision.announced_on)}), tức đến {vn(limit)} "
            "(Điều lệ Điều 39).",
        )
    if decision.appeals.filter(outcome="").exists():
        raise _err("decision", "Quyết định đang có đơn khiếu nại chưa giải quyết.")
    _check_appeal_body(decision, body, filed_on)
    appeal = Appeal.objects.create(
        decision=decision, filed_on=filed_on, complainant=clean(complainant), body=body,
        content=content.strip(),
    )  # fmt: skip
    record(actor, obj=appeal, action="create",
           changes={"decision": [None, decision.pk], "filed_on": [None, filed_on.isoformat()]})  # fmt: skip
    return appeal


@transaction.atomic
def appeal_decide(
    *, actor: Actor, appeal: Appeal, outcome: str, decided_on: dt.date, number: str = "",
    new_form: str = "", note: str = "",
) -> Appeal:  # fmt: skip
    """Uphold, change or annul. An annulment voids the registry event (never deletes it); a
    changed form corrects it; the audit says which ruling did it."""
    appeal = for_update(Appeal.objects).get(pk=appeal.pk)
    decision = for_update(Decision.objects).get(pk=appeal.decision_id)
    require_actor(actor, decision.unit)
    if appeal.outcome:
        raise _err("outcome", "Đơn khiếu nại này đã được giải quyết.")
    if outcome not in Outcome.values:
        raise _err("outcome", "Cần chọn kết quả: chuẩn y, thay đổi hình thức hoặc xóa kỷ luật.")
    if decided_on < appeal.filed_on:
        raise _err("decided_on", "Ngày giải quyết trước ngày nhận đơn.")
    why = f"Giải quyết khiếu nại {clean(number) or ''} ngày {vn(decided_on)}".replace("  ", " ")
    if decision.form == Form.DISSOLUTION and outcome != Outcome.UPHELD:
        raise _err("outcome", "Quyết định giải tán đã thi hành: hãy thành lập lại tổ chức.")
    if outcome == Outcome.CHANGED:
        _change_form(actor, decision, new_form, why)
    elif outcome == Outcome.ANNULLED:
        if decision.member_event_id:
            members.member_void_event(actor=actor, event=decision.member_event, reason=why)
        elif decision.unit_discipline_id:
            follow_up.organization_discipline_void(
                actor=actor, discipline=decision.unit_discipline, reason=why
            )
        decision.annulled_on = decided_on
        decision.save(update_fields=["annulled_on"])
    appeal.outcome, appeal.decided_on, appeal.number = (
        outcome,
        decided_on,
        limits.clean_text(number),
    )
    appeal.new_form, appeal.note = (new_form if outcome == Outcome.CHANGED else ""), note.strip()
    appeal.save()
    record(actor, obj=appeal, action="decide", reason=why,
           changes={"outcome": [None, outcome], "new_form": [None, appeal.new_form]})  # fmt: skip
    return appeal


def _change_form(actor, decision: Decision, new_form: str, why: str) -> None:
    subject = "member" if decision.subject_member_id else "organization"
    if new_form not in (MEMBER_FORMS if subject == "member" else ORGANIZATION_FORMS):
        raise _err("new_form", "Hình thức kỷ luật mới không áp dụng cho đối tượng này.")
    if new_form == decision.form:
        raise _err("new_form", "Hình thức mới trùng hình thức cũ: hãy chọn “Chuẩn y”.")
    if new_form == Form.DISSOLUTION:
        raise _err("new_form", "Không đổi sang giải tán khi giải quyết khiếu nại.")
    if subject == "member":
        _check_probation(decision.subject_member, new_form, decision.announced_on)
        kind = EventKind.EXPULSION if new_form == Form.EXPULSION else EventKind.DISCIPLINE
        decision.member_event = members.member_correct_event(
            actor=actor, event=decision.member_event, reason=why, kind=kind,
            discipline_form="" if kind == EventKind.EXPULSION else new_form,
        )  # fmt: skip
    else:
        old = decision.unit_discipline
        follow_up.organization_discipline_void(actor=actor, discipline=old, reason=why)
        decision.unit_discipline = follow_up.organization_discipline_record(
            actor=actor, unit=old.unit, target=old.target, form=new_form, date=old.date,
            decision_number=old.decision_number, decision_date=old.decision_date,
            issuing_body=old.issuing_body, note=why,
        )  # fmt: skip
    decision.form = new_form
    decision.save(update_fields=["form", "member_event", "unit_discipline"])


# --- Suspension of party activity (đình chỉ sinh hoạt đảng) -----------------------------------

SUSPENSION_FIELDS = ["subject_member", "body", "organ", "number", "ground", "signed_on", "start",
                     "last_day", "case"]  # fmt: skip


def _check_suspension_length(ground: str, start: dt.date, last_day: dt.date, limit: int,
                             what: str) -> None:  # fmt: skip
    """QĐ 22 Điều 28–31 (domain-processes.md §3.7): 90 days, at most 180 with an extension; a
    prosecuted or detained member for the legal term (no limit here)."""
    days = (last_day - start).days + 1
    if ground != SuspensionGround.PROSECUTION and days > limit:
        raise _err(
            "last_day",
            f"{what} {days} ngày, quá {limit} ngày (quy định {rules.rules_on(start).code}; "
            "trừ trường hợp bị khởi tố, truy tố, tạm giam).",
        )


def _overlapping(member: Member, start: dt.date, last_day: dt.date, pk=None):
    rows = Suspension.objects.filter(subject_member=member, start__lte=last_day,
                                     last_day__gte=start).exclude(pk=pk)  # fmt: skip
    return [s for s in rows if s.lifted_on is None or s.lifted_on > start]


@transaction.atomic
def suspension_record(
    *, actor: Actor, member: Member, body: Unit, organ: str, ground: str, signed_on: dt.date,
    start: dt.date, last_day: dt.date | None = None, number: str = "", reason: str = "",
    case: Case | None = None,
) -> Suspension:  # fmt: skip
    """Suspend a member's party activity from `start` to `last_day` (default: the rule's 90 days).
    Decided by a body competent to expel the member (QĐ 22 Điều 28–31)."""
    limits.check_date(signed_on, "signed_on", "Ngày ký")
    limits.check_date(start, "start", "Ngày bắt đầu")
    if ground not in SuspensionGround.values:
        raise _err("ground", "Cần chọn căn cứ đình chỉ sinh hoạt.")
    version = rules.rules_on(start)
    last_day = last_day or start + dt.timedelta(days=version.suspension_days - 1)
    limits.check_date(last_day, "last_day", "Ngày kết thúc")
    if start < signed_on:
        raise _err("start", f"Ngày bắt đầu ({vn(start)}) trước ngày ký ({vn(signed_on)}).")
    if last_day < start:
        raise _err("last_day", "Ngày kết thúc trước ngày bắt đầu.")
    _check_suspension_length(ground, start, last_day, version.suspension_days, "Thời hạn đình chỉ")
    stint = stint_on(member, start)
    if stint is None:
        raise _err("start", f"{member.full_name} không là đảng viên vào ngày {vn(start)}.")
    # The body competent to expel the member decides a suspension (whatever the member's status).
    kind = _check_body(body, signed_on)
    if Form.EXPULSION not in rules.allowed_forms(signed_on, kind, organ, "member") or not _under(
        body, stint.unit, signed_on
    ):
        raise _err(
            "body",
            f"{Organ(organ).label} {display_version(body, signed_on).name} không có thẩm quyền "
            f"đình chỉ sinh hoạt đảng của {member.full_name} (cơ quan có thẩm quyền khai trừ mới "
            "được đình chỉ).",
        )
    if case is not None and case.subject_member_id != member.pk:
        raise _err("case", "Quyết định không cùng đối tượng với cuộc kiểm tra.")
    if _overlapping(member, start, last_day):
        raise _err("start", f"{member.full_name} đang bị đình chỉ sinh hoạt trong thời gian này.")
    require_actor(actor, stint.unit, start)
    suspension = Suspension.objects.create(
        subject_member=member, unit=stint.unit, placed_on=start, body=body, organ=organ,
        number=limits.clean_text(number), ground=ground, reason=reason.strip(),
        signed_on=signed_on, start=start, last_day=last_day, case=case,
        created_by=getattr(actor, "user", None),
    )  # fmt: skip
    record(actor, obj=suspension, action="create",
           changes=diff({}, snapshot(suspension, SUSPENSION_FIELDS)))  # fmt: skip
    return suspension


@transaction.atomic
def suspension_extend(
    *, actor: Actor, suspension: Suspension, last_day: dt.date, extended_on: dt.date,
    number: str = "",
) -> Suspension:  # fmt: skip
    """Extend a running suspension, to at most the rule's 180 days in all."""
    suspension = for_update(Suspension.objects).get(pk=suspension.pk)
    require_actor(actor, suspension.unit)
    limits.check_date(last_day, "last_day", "Ngày kết thúc")
    if suspension.lifted_on is not None:
        raise _err("last_day", "Việc đình chỉ đã chấm dứt.")
    if last_day <= suspension.last_day:
        raise _err("last_day", f"Gia hạn phải đến sau ngày {vn(suspension.last_day)}.")
    if not suspension.start <= extended_on <= suspension.last_day:
        raise _err("extended_on", "Quyết định gia hạn phải ban hành trong thời gian đình chỉ.")
    version = rules.rules_on(suspension.start)
    _check_suspension_length(suspension.ground, suspension.start, last_day,
                             version.suspension_max_days, "Tổng thời gian đình chỉ")  # fmt: skip
    if _overlapping(suspension.subject_member, suspension.start, last_day, pk=suspension.pk):
        raise _err("last_day", "Trùng với một lần đình chỉ khác.")
    before = {"last_day": suspension.last_day, "extension_number": suspension.extension_number}
    suspension.last_day, suspension.extended_on = last_day, extended_on
    suspension.extension_number = limits.clean_text(number)
    suspension.save(update_fields=["last_day", "extended_on", "extension_number"])
    record(actor, obj=suspension, action="update", changes=diff(before, {
        "last_day": last_day, "extension_number": suspension.extension_number}))  # fmt: skip
    return suspension


@transaction.atomic
def suspension_lift(
    *, actor: Actor, suspension: Suspension, lifted_on: dt.date, reason: str = ""
) -> Suspension:
    """End a suspension before its last day (the member takes part again from `lifted_on`)."""
    suspension = for_update(Suspension.objects).get(pk=suspension.pk)
    require_actor(actor, suspension.unit)
    limits.check_date(lifted_on, "lifted_on", "Ngày chấm dứt")
    if suspension.lifted_on is not None:
        raise _err("lifted_on", "Việc đình chỉ đã chấm dứt.")
    if not suspension.start < lifted_on <= suspension.last_day:
        raise _err(
            "lifted_on",
            f"Ngày chấm dứt phải sau ngày bắt đầu ({vn(suspension.start)}) và không sau ngày "
            f"kết thúc ({vn(suspension.last_day)}).",
        )
    suspension.lifted_on = lifted_on
    suspension.save(update_fields=["lifted_on"])
    record(actor, obj=suspension, action="end", reason=clean(reason),
           changes={"lifted_on": [None, lifted_on.isoformat()]})  # fmt: skip
    return suspension


# --- Programmes, scans, views ---------------------------------------------------------------


@transaction.atomic
def programme_adopt(
    *, actor: Actor, unit: Unit, organ: str, year: int, adopted_on: dt.date, number: str = ""
) -> Programme:
    require_actor(actor, unit, adopted_on)
    if organ not in (Organ.COMMITTEE, Organ.INSPECTION_COMMISSION):
        raise _err("organ", "Chương trình do cấp ủy hoặc ủy ban kiểm tra ban hành.")
    _check_body(unit, adopted_on)
    if Programme.objects.filter(unit=unit, organ=organ, year=year).exists():
        raise _err("year", f"{unit.code} đã có chương trình kiểm tra, giám sát năm {year}.")
    programme = Programme.objects.create(
        unit=unit, organ=organ, year=year, adopted_on=adopted_on, number=limits.clean_text(number)
    )
    record(actor, obj=programme, action="create", changes={"year": [None, year]})
    return programme


@transaction.atomic
def programme_item_add(
    *, actor: Actor, programme: Programme, kind: str, subject: str, start: dt.date,
    end: dt.date, target_unit: Unit | None = None, target_member: Member | None = None,
    team: str = "", document=None,
) -> ProgrammeItem:  # fmt: skip
    require_actor(actor, programme.unit)
    if kind not in CaseKind.values:
        raise _err("kind", "Loại kiểm tra, giám sát không hợp lệ.")
    if not clean(subject):
        raise _err("subject", "Cần nhập nội dung.")
    if start > end or start.year != programme.year:
        raise _err("start", f"Thời gian phải nằm trong năm {programme.year}, từ trước đến sau.")
    unit, day = _placement(target_unit, target_member, start, start)
    if not _under(programme.unit, unit, day):
        raise _err("target", "Đối tượng không thuộc phạm vi của cấp ủy ban hành chương trình.")
    if document is not None and document.date > end:
        raise _err("document", "Văn bản được ban hành sau thời gian kiểm tra, giám sát.")
    item = ProgrammeItem.objects.create(
        programme=programme, kind=kind, subject=clean(subject), start=start, end=end,
        target_unit=target_unit, target_member=target_member, team=clean(team), document=document,
    )  # fmt: skip
    record(actor, obj=item, action="create", changes={
        "programme": [None, programme.pk], "document": [None, getattr(document, "pk", None)],
    })  # fmt: skip
    return item


@transaction.atomic
def scan_upload(*, actor: Actor, case: Case, title: str, content: bytes) -> Scan:
    """A scanned decision or conclusion, stored like the development scans (core/scans.py)."""
    require_actor(actor, case.unit)
    if not clean(title):
        raise _err("title", "Cần nhập tên tài liệu.")
    path, content_type = scans.store("inspection", case.pk, content)
    scan = Scan.objects.create(
        case=case, title=clean(title), path=path, content_type=content_type, size=len(content),
        uploaded_by=getattr(actor, "user", None),
    )  # fmt: skip
    record(actor, obj=scan, action="create", changes={"title": [None, scan.title]})
    return scan


def log_view(*, actor: Actor, case: Case, what: str = "case") -> None:
    """Opening a case (or its documents) is recorded like opening a member's record."""
    record(actor, obj=case, action="view", object_type=f"inspection_{what}")
