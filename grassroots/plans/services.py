"""Every change to a restructure plan goes through these functions (pages, Excel, API, CLI).

A draft is built (`plan_create`, `plan_add_change`, `plan_edit_change`, `plan_void_change`), checked and previewed
as a whole (`plan_check`: played in a transaction that is rolled back), and applied at once
(`plan_apply`: one transaction, all or nothing). Organization changes are approvers' work
(access.require_unit_write on the plan's deciding organization, as in the services the plan
calls). An applied plan is never edited: it is undone by another plan (`reverts`).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from grassroots.accounts import access
from grassroots.audit.services import Actor, record
from grassroots.core import limits
from grassroots.organizations.models import ChangeAction, Kind, Unit, UnitChange, UnitVersion
from grassroots.organizations.queries import on
from grassroots.organizations.services import Decision
from grassroots.restructure import plan as engine

from .models import Plan, PlanChange, Source, Status
from .preview import Preview, rehearse

ACTION_CODES = tuple(engine.ACTIONS)


class PlanRefused(ValidationError):
    """The plan has problems: every one of them, each naming its change."""

    def __init__(self, problems: list[engine.Problem]) -> None:
        super().__init__([str(p) for p in problems])
        self.problems = problems


def _decision(decisions: list[dict]) -> Decision:
    first = decisions[0] if decisions else {}
    day = first.get("date")
    if isinstance(day, str) and day:
        day = dt.date.fromisoformat(day)
    return Decision(first.get("number", ""), day or None, first.get("issuing_body", ""))


def _require_draft(plan: Plan) -> None:
    if plan.status != Status.DRAFT:
        raise ValidationError(
            "Kế hoạch đã thực hiện không thể sửa; muốn hoàn tác hãy lập một kế hoạch khác."
        )


@transaction.atomic
def plan_create(
    *,
    actor: Actor,
    name: str,
    effective_date: dt.date,
    scope: Unit,
    decisions: list[dict] | None = None,
    note: str = "",
    source: str = Source.UI,
    source_name: str = "",
    reverts: Plan | None = None,
) -> Plan:
    access.require_unit_write(actor, scope, effective_date)
    name = limits.clean_text(name)
    errors = {}
    if not name:
        errors["name"] = ["Cần nhập tên kế hoạch."]
    problem = limits.date_problem(effective_date, "Ngày hiệu lực")
    if problem:
        errors["effective_date"] = [problem]
    if reverts is not None and Plan.objects.get(pk=reverts.pk).status != Status.APPLIED:
        errors["reverts"] = ["Chỉ hoàn tác được kế hoạch đã thực hiện."]
    if errors:
        raise ValidationError(errors)
    decisions = [
        {
            "number": limits.clean_text(d.get("number", "")),
            "date": d["date"].isoformat() if isinstance(d.get("date"), dt.date) else d.get("date"),
            "issuing_body": limits.clean_text(d.get("issuing_body", "")),
        }
        for d in (decisions or [])
    ]
    plan = Plan.objects.create(
        name=name,
        effective_date=effective_date,
        scope=scope,
        decisions=decisions,
        note=note,
        source=source,
        source_name=source_name[:255],
        reverts=reverts,
        created_by=getattr(actor, "user", None) if getattr(actor.user, "pk", None) else None,
    )
    record(
        actor,
        obj=plan,
        action="create",
        changes={"name": [None, name], "effective_date": [None, effective_date.isoformat()]},
        object_type="plan",
    )
    return plan


_FIELDS = (
    "code",
    "name",
    "kind",
    "grassroots_type",
    "parent",
    "target",
    "new_cell_code",
    "new_cell_name",
    "decision_number",
    "issuing_body",
    "note",
    "sheet",
)


def _check_change(action: str, values: dict) -> dict:
    errors: dict[str, list[str]] = {}
    if action not in ACTION_CODES:
        errors["action"] = ["Thay đổi không hợp lệ."]
    if not values.get("code"):
        errors["code"] = ["Cần nhập mã tổ chức (hoặc số lý lịch với chuyển đảng viên)."]
    need = {
        ChangeAction.ESTABLISH: ("name", "kind"),
        ChangeAction.RENAME: ("name",),
        ChangeAction.MOVE: ("parent",),
        ChangeAction.CHANGE_KIND: ("kind",),
        ChangeAction.MERGE: ("target",),
        engine.MEMBER_MOVE: ("target",),
    }.get(action, ())
    for name in need:
        if not values.get(name):
            errors[name] = ["Cần nhập giá trị này."]
    if values.get("kind") and values["kind"] not in Kind.values:
        errors["kind"] = ["Cấp tổ chức không hợp lệ."]
    if action == ChangeAction.SPLIT and len(values.get("parts") or []) < 2:
        errors["parts"] = ["Chia tách cần ít nhất hai tổ chức mới."]
    if errors:
        raise ValidationError(errors)
    return values


def _clean(action: str, values: dict) -> dict:
    """A change's fields as stored: trimmed, codes upper-case, then checked (`_check_change`)."""
    clean = {k: limits.clean_text(str(values.get(k) or "")) for k in _FIELDS}
    for k in ("code", "parent", "target", "new_cell_code"):
        clean[k] = clean[k].upper()
    clean["parts"] = [
        {
            k: limits.clean_text(str(p.get(k) or ""))
            for k in ("code", "name", "kind", "grassroots_type")
        }
        for p in values.get("parts") or []
    ]
    for p in clean["parts"]:
        p["code"] = p["code"].upper()
    clean["assign"] = {
        str(k).strip().upper(): str(v).strip().upper()
        for k, v in (values.get("assign") or {}).items()
    }
    return _check_change(action, clean)


@transaction.atomic
def plan_add_change(*, actor: Actor, plan: Plan, action: str, **values) -> PlanChange:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    access.require_unit_write(actor, plan.scope, plan.effective_date)
    _require_draft(plan)
    clean = _clean(action, values)
    day = values.get("date") or plan.effective_date
    position = plan.changes.count() + 1
    change = PlanChange.objects.create(
        plan=plan,
        position=position,
        action=action,
        date=day,
        decision_date=values.get("decision_date"),
        row=values.get("row"),
        **clean,
    )
    record(
        actor,
        obj=plan,
        action="add_change",
        changes={"change": [None, f"{engine.ACTIONS[action]} {clean['code']}"]},
        object_type="plan",
    )
    return change


# The fields a person edits on the page; the decision, the Excel sheet and row stay as they were
# (they say where the change came from).
EDITABLE = ("action", "code", "name", "kind", "parent", "target", "new_cell_code",
            "new_cell_name", "parts")  # fmt: skip


@transaction.atomic
def plan_edit_change(*, actor: Actor, change: PlanChange, action: str, **values) -> PlanChange:
    """Correct one change of a draft in place (same position in the plan); the audit record
    holds every field's value before and after. A voided change is not edited: it is history."""
    plan = Plan.objects.select_for_update().get(pk=change.plan_id)
    access.require_unit_write(actor, plan.scope, plan.effective_date)
    _require_draft(plan)
    change = PlanChange.objects.select_for_update().get(pk=change.pk)
    if change.voided:
        raise ValidationError("Thay đổi này đã bị hủy, không sửa được; hãy thêm thay đổi mới.")
    clean = _clean(action, values) | {"action": action}
    diff = {k: [getattr(change, k), clean[k]] for k in EDITABLE if getattr(change, k) != clean[k]}
    if not diff:
        return change
    for k, (_before, after) in diff.items():
        setattr(change, k, after)
    change.save(update_fields=list(diff))
    record(
        actor,
        obj=plan,
        action="edit_change",
        changes={"change": [change.position, change.position]} | diff,
        object_type="plan",
    )
    return change


@transaction.atomic
def plan_void_change(*, actor: Actor, change: PlanChange, reason: str = "") -> PlanChange:
    plan = Plan.objects.select_for_update().get(pk=change.plan_id)
    access.require_unit_write(actor, plan.scope, plan.effective_date)
    _require_draft(plan)
    change.voided = True
    change.save(update_fields=["voided"])
    record(
        actor,
        obj=plan,
        action="void_change",
        changes={"change": [f"{engine.ACTIONS.get(change.action)} {change.code}", None]},
        reason=reason,
        object_type="plan",
    )
    return change


def to_changes(plan: Plan) -> list[engine.Change]:
    """The plan's live changes as the engine plays them (each knows its line and Excel row)."""
    fallback = _decision(plan.decisions)
    out = []
    for c in plan.changes.filter(voided=False).order_by("position"):
        decision = (
            Decision(c.decision_number, c.decision_date, c.issuing_body)
            if c.decision_number or c.decision_date or c.issuing_body
            else fallback
        )
        where = f"Sheet {c.sheet}, dòng {c.row}" if c.row else f"Thay đổi {c.position}"
        out.append(
            engine.Change(
                action=c.action,
                code=c.code,
                date=c.date,
                name=c.name,
                kind=c.kind,
                grassroots_type=c.grassroots_type,
                parent=c.parent,
                target=c.target,
                new_cell_code=c.new_cell_code,
                new_cell_name=c.new_cell_name,
                parts=list(c.parts),
                assign=dict(c.assign),
                decision=decision,
                note=c.note or f"Theo kế hoạch: {plan.name}",
                ref=c.pk,
                where=where,
                position=c.position,
            )
        )
    return out


def plan_check(*, actor: Actor, plan: Plan, preview: bool = True) -> Preview:
    """Play the whole plan and roll it back: every problem, and (if asked) the preview."""
    access.require_unit_write(actor, plan.scope, plan.effective_date)
    _require_draft(plan)
    return rehearse(actor, to_changes(plan), plan.effective_date, preview=preview)


@transaction.atomic
def plan_apply(*, actor: Actor, plan: Plan, expected_version: int | None = None) -> Plan:
    """All or nothing: every change through its service in one transaction, or nothing and
    `PlanRefused` with every problem."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    access.require_unit_write(actor, plan.scope, plan.effective_date)
    _require_draft(plan)
    if expected_version is not None and plan.version != expected_version:
        raise ValidationError("Kế hoạch vừa được người khác sửa: hãy tải lại trang.")
    changes = to_changes(plan)
    if not changes:
        raise ValidationError("Kế hoạch chưa có thay đổi nào.")
    outcome = engine.play(actor, changes)
    if outcome.problems:
        raise PlanRefused(outcome.problems)
    plan.status = Status.APPLIED
    plan.applied_at = timezone.now()
    plan.applied_by = actor.user if getattr(actor.user, "pk", None) else None
    plan.version += 1
    plan.summary = {
        "changes": len(outcome.applied),
        "recognized": [c.label for c in outcome.recognized],
    }
    plan.save()
    record(
        actor,
        obj=plan,
        action="apply",
        changes={
            "status": [Status.DRAFT, Status.APPLIED],
            "changes": [None, [c.label for c in outcome.applied]],
        },
        reason=plan.name,
        object_type="plan",
    )
    return plan


@transaction.atomic
def plan_import(
    *,
    actor: Actor,
    name: str,
    effective_date: dt.date,
    scope: Unit,
    changes: list[engine.Change],
    source: str = Source.EXCEL,
    source_name: str = "",
    decisions: list[dict] | None = None,
) -> Plan:
    """A draft plan holding `changes` as read from a workbook (one audit record for the plan,
    rows written in bulk: a province's plan has thousands of member moves)."""
    plan = plan_create(
        actor=actor,
        name=name,
        effective_date=effective_date,
        scope=scope,
        decisions=decisions,
        source=source,
        source_name=source_name,
    )
    rows = []
    for i, c in enumerate(changes, start=1):
        values = _check_change(
            c.action,
            {
                "code": c.code.upper(),
                "name": c.name,
                "kind": c.kind,
                "grassroots_type": c.grassroots_type,
                "parent": c.parent.upper(),
                "target": c.target.upper(),
                "new_cell_code": c.new_cell_code.upper(),
                "new_cell_name": c.new_cell_name,
                "parts": c.parts,
            },
        )
        sheet, row = c.ref if isinstance(c.ref, tuple) else ("", None)
        rows.append(
            PlanChange(
                plan=plan,
                position=i,
                action=c.action,
                date=c.date,
                assign=c.assign,
                decision_number=c.decision.number,
                decision_date=c.decision.date,
                issuing_body=c.decision.issuing_body,
                note=c.note,
                sheet=sheet,
                row=row,
                **values,
            )
        )
    PlanChange.objects.bulk_create(rows, batch_size=2000)
    record(
        actor,
        obj=plan,
        action="import",
        changes={"changes": [None, len(rows)]},
        reason=source_name,
        object_type="plan",
    )
    return plan


def _as_change(uc: UnitChange, versions: dict[int, UnitVersion]) -> dict:
    """A change of the registry (`UnitChange`, with its unit's version on its day) as a plan's
    change: the values the plan would have held to make it."""
    version = versions.get(uc.unit_id)
    related = [u.code for u in uc.related_units.all()]
    values = {"action": uc.action, "code": uc.unit.code}
    if uc.action == ChangeAction.ESTABLISH and version is not None:
        values.update(
            name=version.name,
            kind=version.kind,
            grassroots_type=version.grassroots_type,
            parent=version.parent.code if version.parent else "",
        )
    elif uc.action == ChangeAction.RENAME and version is not None:
        values["name"] = version.name
    elif uc.action == ChangeAction.MOVE and version is not None:
        values["parent"] = version.parent.code if version.parent else ""
    elif uc.action == ChangeAction.CHANGE_KIND and version is not None:
        values["kind"] = version.kind
    elif uc.action == ChangeAction.MERGE and related:
        values["target"] = related[0]
    elif uc.action == ChangeAction.SPLIT:
        values["parts"] = [{"code": code} for code in related]
    return values


@transaction.atomic
def plan_record_applied(
    *,
    actor: Actor,
    name: str,
    scope: Unit,
    unit_changes: list[UnitChange],
    source: str = Source.DEMO,
    source_name: str = "",
) -> Plan:
    """Record changes already made in the registry (by a bulk load: the demo's 2025
    reorganization) as one applied plan, so they are read as a plan: its changes are derived from
    the registry's own `UnitChange` rows (all of one day) and linked to them, never typed in, so
    the record cannot claim what was not done."""
    if not unit_changes:
        raise ValidationError("Kế hoạch chưa có thay đổi nào.")
    days = {uc.date for uc in unit_changes}
    if len(days) != 1:
        raise ValidationError("Các thay đổi của một kế hoạch đã thực hiện phải cùng một ngày.")
    (day,) = days
    decisions, seen = [], set()
    for uc in unit_changes:
        if uc.decision_number and uc.decision_number not in seen:
            seen.add(uc.decision_number)
            decisions.append(
                {
                    "number": uc.decision_number,
                    "date": uc.decision_date,
                    "issuing_body": uc.issuing_body,
                }
            )
    plan = plan_create(
        actor=actor,
        name=name,
        effective_date=day,
        scope=scope,
        decisions=decisions,
        source=source,
        source_name=source_name,
    )
    versions = {
        v.unit_id: v
        for v in UnitVersion.objects.filter(
            on(day), unit_id__in=[uc.unit_id for uc in unit_changes]
        ).select_related("parent")
    }
    rows = []
    for i, uc in enumerate(unit_changes, start=1):
        values = _as_change(uc, versions)
        rows.append(
            PlanChange(
                plan=plan,
                position=i,
                date=day,
                decision_number=uc.decision_number,
                decision_date=uc.decision_date,
                issuing_body=uc.issuing_body,
                note=uc.note,
                **values,
            )
        )
    PlanChange.objects.bulk_create(rows, batch_size=2000)
    plan.status = Status.APPLIED
    plan.applied_at = timezone.now()
    plan.summary = {
        "changes": len(rows),
        "recognized": [],
        "unit_changes": [uc.pk for uc in unit_changes],
    }
    plan.save(update_fields=["status", "applied_at", "summary"])
    record(
        actor,
        obj=plan,
        action="record_applied",
        changes={
            "status": [None, Status.APPLIED],
            "unit_changes": [None, plan.summary["unit_changes"]],
        },
        reason=source_name or name,
        object_type="plan",
    )
    return plan
