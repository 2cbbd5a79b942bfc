"""Pages of restructure plans: the list, a plan (its changes, the editor's form with the
organization pickers, the preview before → after, apply), the preview as Excel, a workbook
uploaded as a draft. Thin: access through accounts.access, one service or query, render.
Outside the scope is a 404; changing a plan is for approvers (the services check it too)."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grassroots.accounts import access
from grassroots.accounts.models import Role
from grassroots.audit.services import Actor
from grassroots.core.text import vietnamese
from grassroots.organizations.models import ChangeAction, Kind, UnitVersion
from grassroots.organizations.queries import children_at, on
from grassroots.restructure import plan as engine

from . import services
from .export import FIGURE_KEYS, preview_workbook
from .models import Plan, Source, Status
from .preview import look_back
from .workbook import deciding_unit, read_plan

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN = FIGURE_KEYS[:5] + FIGURE_KEYS[10:11]


def _plans_visible(user):
    return Plan.objects.filter(scope__in=access.units_ever_visible(user))


def _plan_for(user, pk: int, *, role: str = Role.VIEWER) -> Plan:
    plan = _plans_visible(user).filter(pk=pk).select_related("scope").first()
    if plan is None:
        raise Http404
    access.require_role(user, role)
    return plan


@login_required
def plan_list(request):
    plans = _plans_visible(request.user).select_related("scope")[:200]
    return render(
        request,
        "plans/list.html",
        {"plans": plans, "can_create": request.user.has_role(Role.APPROVER)},
    )


@login_required
@require_POST
def plan_new(request):
    access.require_role(request.user, Role.APPROVER)
    data = request.POST
    try:
        scope = access.get_unit_for_user(request.user, data.get("scope", ""), role=Role.APPROVER)
        day = dt.date.fromisoformat(data.get("effective_date", ""))
    except ValueError:
        messages.error(request, _("Ngày hiệu lực không hợp lệ."))
        return redirect("plans:list")
    try:
        plan = services.plan_create(
            actor=Actor.from_request(request),
            name=data.get("name", ""),
            effective_date=day,
            scope=scope,
            decisions=[{"number": data.get("decision_number", ""), "date": None}],
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("plans:list")
    return redirect("plans:plan", pk=plan.pk)


@login_required
@require_POST
def plan_upload(request):
    access.require_role(request.user, Role.APPROVER)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Cần chọn tệp Excel."))
        return redirect("plans:list")
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        handle.write(upload.read())
        handle.flush()
        parsed = read_plan(handle.name, upload.name, user=request.user)
    scope = deciding_unit(parsed.changes, parsed.effective_date) if parsed.changes else None
    if parsed.problems or scope is None:
        for message in parsed.problems[:50] or [_("Tệp không có thay đổi tổ chức nào.")]:
            messages.error(request, message)
        return redirect("plans:list")
    try:
        plan = services.plan_import(
            actor=Actor.from_request(request),
            name=upload.name,
            effective_date=parsed.effective_date,
            scope=scope,
            changes=parsed.changes,
            source=Source.EXCEL,
            source_name=upload.name,
        )
    except (ValidationError, PermissionDenied) as exc:
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
        return redirect("plans:list")
    return redirect("plans:plan", pk=plan.pk)


def _change_rows(changes) -> list[dict]:
    """The plan's changes as a person reads them: the action's and the kind's names, not keys."""
    kinds = dict(Kind.choices)
    rows = []
    for c in changes:
        detail = [c.name, str(kinds.get(c.kind, c.kind)) if c.kind else ""]
        if c.parent:
            detail.append(_("cấp trên %(code)s") % {"code": c.parent})
        if c.target:
            detail.append(_("vào %(code)s") % {"code": c.target})
        if c.new_cell_code:
            detail.append(
                _("chi bộ nhận đảng viên %(code)s %(name)s")
                % {"code": c.new_cell_code, "name": c.new_cell_name}
            )
        if c.parts:
            detail.append(", ".join(p.get("code", "") for p in c.parts))
        rows.append(
            {
                "change": c,
                "label": engine.ACTIONS.get(c.action, c.action),
                "detail": " · ".join(d.strip() for d in detail if d and d.strip()),
            }
        )
    return rows


def _rows(preview) -> list[dict]:
    rows = []
    for a in preview.affected:
        before, after = a["before"] or {}, a["after"] or {}
        rows.append(
            {
                "code": a["code"],
                "before": before,
                "after": after,
                "cells": [
                    (before.get(key) if before else None, after.get(key) if after else None)
                    for key, _label in SHOWN
                ],
            }
        )
    return rows


TREE_ROWS = 1000  # the editor's tree stops here; the tree page has the rest


def _tree(plan: Plan, change_rows: list[dict]) -> dict:
    """The plan's scope two levels down on the day before it takes effect — the tree the editor
    works over — each organization with the plan's changes that name it and a link to its own
    tree on that day (a province's 2025 plan names communes under districts)."""
    day = plan.effective_date - dt.timedelta(days=1)
    named = defaultdict(list)
    for row in change_rows:
        c = row["change"]
        named[c.code.upper()].append(row["label"])
        for other in (c.target, c.parent):
            if other:
                named[other.upper()].append(_("%(what)s (nhận)") % {"what": row["label"]})
    top = list(children_at(plan.scope, day)[:TREE_ROWS])
    below = defaultdict(list)
    ordered = (
        UnitVersion.objects.filter(on(day), parent_id__in=[v.unit_id for v in top])
        .select_related("unit")
        .order_by(vietnamese("name"), "unit_id")
    )
    for v in ordered[: max(0, TREE_ROWS - len(top))]:
        below[v.parent_id].append(v)

    def row(v):
        return {"code": v.unit.code, "name": v.name, "kind": v.get_kind_display(),
                "named": named.get(v.unit.code.upper(), [])}  # fmt: skip

    return {
        "day": day,
        "rows": [row(v) | {"children": [row(c) for c in below[v.unit_id]]} for v in top],
        "more": len(top) + sum(map(len, below.values())) >= TREE_ROWS,
    }


@login_required
def plan_page(request, pk: int):
    plan = _plan_for(request.user, pk)
    may_write = access.may_write_unit(request.user, plan.scope, Role.APPROVER)
    preview = None
    if may_write and plan.status == Status.DRAFT and plan.changes.filter(voided=False).exists():
        preview = services.plan_check(actor=Actor.from_request(request), plan=plan)
    elif plan.status == Status.APPLIED:
        preview = look_back(services.to_changes(plan), plan.effective_date)
    changes = _change_rows(plan.changes.filter(voided=False))
    can_edit = may_write and plan.status == Status.DRAFT
    return render(
        request,
        "plans/plan.html",
        {
            "plan": plan,
            "changes": changes,
            "tree": _tree(plan, changes) if can_edit else None,
            "can_edit": can_edit,
            "preview": preview,
            "applied": plan.status == Status.APPLIED,
            "rows": _rows(preview) if preview else [],
            "shown": [label for _key, label in SHOWN],
            "actions": list(engine.ACTIONS.items()),
            "kinds": Kind.choices,
        },
    )


def _posted_change(data, kept_parts=()) -> dict:
    """The editor form's fields as the services take them (a split's parts typed as codes; a
    part already in the change keeps its name and kind — from Excel they are more than a code)."""
    kept = {p.get("code", "").upper(): p for p in kept_parts}
    values = {
        k: data.get(k, "")
        for k in ("code", "name", "kind", "parent", "target", "new_cell_code", "new_cell_name")
    }
    if data.get("action") == ChangeAction.SPLIT:
        values["parts"] = [
            kept.get(c.strip().upper())
            or {"code": c.strip(), "name": c.strip(), "kind": data.get("kind", "")}
            for c in data.get("parts", "").split(",")
            if c.strip()
        ]
    return values


@login_required
@require_POST
def plan_add(request, pk: int):
    plan = _plan_for(request.user, pk, role=Role.APPROVER)
    try:
        services.plan_add_change(
            actor=Actor.from_request(request),
            plan=plan,
            action=request.POST.get("action", ""),
            **_posted_change(request.POST),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("plans:plan", pk=plan.pk)


@login_required
def plan_edit(request, pk: int, change_pk: int):
    """Correct one change of a draft: the editor's form filled with it; saved in place."""
    plan = _plan_for(request.user, pk, role=Role.APPROVER)
    change = plan.changes.filter(pk=change_pk, voided=False).first()
    if change is None or not access.may_write_unit(request.user, plan.scope, Role.APPROVER):
        raise Http404
    if plan.status != Status.DRAFT:
        messages.error(request, _("Kế hoạch đã thực hiện không thể sửa."))
        return redirect("plans:plan", pk=plan.pk)
    # the fields a correction may change (services.EDITABLE), the parts as the form types them
    values = {k: getattr(change, k) for k in services.EDITABLE if k != "parts"} | {
        "parts": ", ".join(p.get("code", "") for p in change.parts)
    }
    if request.method == "POST":
        try:
            services.plan_edit_change(
                actor=Actor.from_request(request),
                change=change,
                action=request.POST.get("action", ""),
                **_posted_change(request.POST, change.parts),
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Đã sửa thay đổi %(n)s.") % {"n": change.position})
            return redirect("plans:plan", pk=plan.pk)
        values = {k: request.POST.get(k, "") for k in values}  # keep what was typed
    return render(
        request,
        "plans/edit_change.html",
        {
            "plan": plan,
            "change": change,
            "label": engine.ACTIONS.get(change.action, change.action),
            "values": values,
            "actions": list(engine.ACTIONS.items()),
            "kinds": Kind.choices,
        },
    )


@login_required
@require_POST
def plan_void(request, pk: int, change_pk: int):
    """Void one change of a draft (it stays in the plan's history, marked void, and audited)."""
    plan = _plan_for(request.user, pk, role=Role.APPROVER)
    change = plan.changes.filter(pk=change_pk, voided=False).first()
    if change is None:
        raise Http404
    try:
        services.plan_void_change(
            actor=Actor.from_request(request), change=change, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Đã hủy thay đổi: %(label)s %(code)s.")
            % {"label": engine.ACTIONS.get(change.action, change.action), "code": change.code},
        )
    return redirect("plans:plan", pk=plan.pk)


@login_required
@require_POST
def plan_apply(request, pk: int):
    plan = _plan_for(request.user, pk, role=Role.APPROVER)
    try:
        services.plan_apply(actor=Actor.from_request(request), plan=plan)
    except services.PlanRefused as exc:
        messages.error(
            request, _("Không thực hiện: kế hoạch có %(n)s vấn đề.") % {"n": len(exc.problems)}
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Đã thực hiện kế hoạch."))
    return redirect("plans:plan", pk=plan.pk)


@login_required
def plan_preview_xlsx(request, pk: int):
    plan = _plan_for(request.user, pk, role=Role.APPROVER)
    if not access.may_write_unit(request.user, plan.scope, Role.APPROVER):
        raise Http404
    if plan.status == Status.DRAFT:
        preview = services.plan_check(actor=Actor.from_request(request), plan=plan)
    elif plan.status == Status.APPLIED:
        preview = look_back(services.to_changes(plan), plan.effective_date)
    else:
        raise Http404
    response = HttpResponse(preview_workbook(plan, preview), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="ke-hoach-{plan.pk}.xlsx"'
    return response
