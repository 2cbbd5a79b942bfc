"""The registry's write pages: organization changes (establish, rename, move, change of kind,
merge, split, dissolve), admitting a member, editing a profile, recording, voiding and
correcting events. Each parses a form, checks access through accounts.access, calls one service
(or a restructure use case) and redirects; anything outside the user's scope is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from grassroots.accounts import access
from grassroots.accounts.models import Role
from grassroots.audit.services import Actor, log_profile_view
from grassroots.members import services as member_services
from grassroots.members.models import EventKind, MemberEvent
from grassroots.members.queries import revision
from grassroots.organizations import services as unit_services
from grassroots.organizations.models import ChangeAction
from grassroots.organizations.queries import (
    display_version,
)
from grassroots.restructure import services as restructure

from . import forms
from .views import form_page, unit_from_code, visible_code


def _decision(data: dict) -> unit_services.Decision:
    return unit_services.Decision(
        number=data.get("decision_number", ""),
        date=data.get("decision_date"),
        issuing_body=data.get("issuing_body", ""),
    )


def _establish(actor, unit, data):
    return unit_services.unit_establish(
        actor=actor,
        code=data["code"],
        name=data["name"],
        kind=data["kind"],
        date=data["date"],
        parent=unit,
        grassroots_type=data["grassroots_type"],
        decision=_decision(data),
        note=data["note"],
    )


def _rename(actor, unit, data):
    return unit_services.unit_rename(
        actor=actor,
        unit=unit,
        name=data["name"],
        date=data["date"],
        decision=_decision(data),
        note=data["note"],
    )


def _move(actor, unit, data):
    parent = unit_from_code(actor.user, data["parent_code"], "parent")
    return unit_services.unit_move(
        actor=actor,
        unit=unit,
        new_parent=parent,
        date=data["date"],
        decision=_decision(data),
        note=data["note"],
    )


def _change_kind(actor, unit, data):
    return restructure.unit_change_kind(
        actor=actor,
        unit=unit,
        kind=data["kind"],
        date=data["date"],
        decision=_decision(data),
        note=data["note"],
        new_cell_code=data["new_cell_code"],
        new_cell_name=data["new_cell_name"],
    )


def _merge(actor, unit, data):
    target = unit_from_code(actor.user, data["target_code"], "target")
    return restructure.unit_merge(
        actor=actor,
        sources=[unit],
        target=target,
        date=data["date"],
        decision=_decision(data),
        note=data["note"],
    )


def _split(actor, unit, data):
    kind = display_version(unit, data["date"]).kind
    parts = [restructure.SplitPart(code=code, name=name, kind=kind) for code, name in data["parts"]]
    new_units = restructure.unit_split(
        actor=actor,
        unit=unit,
        parts=parts,
        date=data["date"],
        decision=_decision(data),
        note=data["note"],
    )
    return new_units[0]


def _dissolve(actor, unit, data):
    return restructure.unit_dissolve(
        actor=actor, unit=unit, date=data["date"], decision=_decision(data), note=data["note"]
    )


UNIT_ACTIONS = {
    ChangeAction.ESTABLISH: (forms.UnitEstablishForm, _establish),
    ChangeAction.RENAME: (forms.UnitRenameForm, _rename),
    ChangeAction.MOVE: (forms.UnitMoveForm, _move),
    ChangeAction.CHANGE_KIND: (forms.UnitChangeKindForm, _change_kind),
    ChangeAction.MERGE: (forms.UnitMergeForm, _merge),
    ChangeAction.SPLIT: (forms.UnitSplitForm, _split),
    ChangeAction.DISSOLVE: (forms.UnitDissolveForm, _dissolve),
}


@login_required
@require_http_methods(["GET", "POST"])
def unit_change(request, code: str, action: str):
    unit = access.get_unit_for_user(request.user, code, role=Role.APPROVER)
    if action not in UNIT_ACTIONS:
        raise Http404
    form_class, perform = UNIT_ACTIONS[action]
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = perform(Actor.from_request(request), unit, form.cleaned_data)
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(
                request, _("Đã ghi: %(action)s.") % {"action": ChangeAction(action).label}
            )
            return redirect("web:unit", code=result.code)
    title = f"{ChangeAction(action).label}: {display_version(unit, timezone.localdate()).name}"
    if action == ChangeAction.ESTABLISH:
        title = _("Thành lập tổ chức trực thuộc %(name)s") % {
            "name": display_version(unit, timezone.localdate()).name
        }
    return form_page(request, form, title, reverse("web:unit", args=[unit.code]))


# --- forms: members (clerk) -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def member_admit(request, code: str):
    unit = access.get_unit_for_user(request.user, code, role=Role.CLERK)
    form = forms.AdmitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            member = member_services.member_admit(
                actor=Actor.from_request(request), unit=unit, **data
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("Đã ghi kết nạp đảng viên."))
            return redirect("web:member", pk=member.pk)
    title = _("Kết nạp đảng viên vào %(name)s") % {
        "name": display_version(unit, timezone.localdate()).name
    }
    return form_page(request, form, title, reverse("web:unit", args=[unit.code]))


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, pk: int):
    member = access.get_member_for_user(request.user, pk, role=Role.CLERK)
    if request.method == "GET":  # the form shows the whole profile, citizen ID included
        log_profile_view(
            user=request.user, member=member, address=Actor.from_request(request).address
        )
    # A callable initial is read only when the form shows it (a GET), not on a POST.
    initial = {f: getattr(member, f) for f in member_services.PROFILE_FIELDS} | {
        "expected_version": lambda: revision(member)
    }
    form = forms.ProfileEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        expected, reason = data.pop("expected_version"), data.pop("reason")
        try:
            member_services.member_update_profile(
                actor=Actor.from_request(request),
                member=member,
                expected_version=expected,
                reason=reason,
                **data,
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("Đã lưu hồ sơ."))
            return redirect("web:member", pk=member.pk)
    title = _("Sửa hồ sơ: %(name)s") % {"name": member.full_name}
    return form_page(request, form, title, reverse("web:member", args=[pk]))


@login_required
@require_http_methods(["GET", "POST"])
def member_event(request, pk: int, kind: str):
    member = access.get_member_for_user(request.user, pk, role=Role.CLERK)
    if kind not in forms.EVENT_INPUTS:
        raise Http404
    form = forms.EventForm(
        request.POST or None, kind=kind, initial={"expected_version": lambda: revision(member)}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            code = data.pop("unit_code", "")
            unit = unit_from_code(request.user, code, "unit") if code else None
            member_services.member_record_event(
                actor=Actor.from_request(request), member=member, kind=kind, unit=unit, **data
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("Đã ghi: %(kind)s.") % {"kind": EventKind(kind).label})
            return redirect("web:member", pk=member.pk)
    title = f"{EventKind(kind).label}: {member.full_name}"
    return form_page(request, form, title, reverse("web:member", args=[pk]))


def _event_for_user(user, pk: int) -> MemberEvent:
    """An event of a member in scope, dated inside the part of the member's life the user sees."""
    event = get_object_or_404(MemberEvent.objects.only("pk", "member_id"), pk=pk)
    member = access.get_member_for_user(user, event.member_id, role=Role.CLERK)
    return get_object_or_404(
        access.member_events_visible(user, member).select_related("member", "unit"), pk=pk
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_void(request, pk: int):
    event = _event_for_user(request.user, pk)
    form = forms.VoidEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member_services.member_void_event(
                actor=Actor.from_request(request), event=event, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("Đã hủy sự kiện."))
            return redirect("web:member", pk=event.member_id)
    title = _("Hủy sự kiện: %(event)s") % {"event": event}
    return form_page(request, form, title, reverse("web:member", args=[event.member_id]))


@login_required
@require_http_methods(["GET", "POST"])
def event_correct(request, pk: int):
    event = _event_for_user(request.user, pk)
    initial = {
        "date": event.date,
        "unit_code": visible_code(request.user, event.unit),
        "decision_number": event.decision_number,
        "decision_date": event.decision_date,
        "issuing_body": event.issuing_body,
        "place": event.place,
        "note": event.note,
    }
    form = forms.CorrectEventForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason, code = data.pop("reason"), data.pop("unit_code")
        try:
            data["unit"] = unit_from_code(request.user, code, "unit") if code else None
            member_services.member_correct_event(
                actor=Actor.from_request(request), event=event, reason=reason, **data
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("Đã sửa sự kiện."))
            return redirect("web:member", pk=event.member_id)
    title = _("Sửa sự kiện: %(event)s") % {"event": event}
    return form_page(request, form, title, reverse("web:member", args=[event.member_id]))
