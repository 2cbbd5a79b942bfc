"""Pages of inspection, supervision and discipline. Thin: parse, fetch through
inspection.access (accounts/access.py for the tree), call one service or query, render.
Outside the scope, and for an account without the inspection flag, a case is a 404
(docs/inspection.md "Access")."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from grassroots.accounts import access as registry_access
from grassroots.audit.services import Actor
from grassroots.core import scans
from grassroots.directives.queries import find_document
from grassroots.excel.views import queue_upload
from grassroots.organizations.queries import display_version, find_unit
from grassroots.web.forms import parse_day

from . import access, documents, forms, queries, services, sheet
from .models import ProgrammeItem, Recommendation, Scan


def _unit_by_code(user, code: str, field: str):
    """A body named by code: any organization (the body may stand above the user's scope)."""
    unit = find_unit((code or "").strip())
    if unit is None:
        raise ValidationError({field: [_("Không tìm thấy tổ chức có mã %(c)s.") % {"c": code}]})
    return unit


def _subject(user, data: dict):
    code = data.pop("subject_unit_code", "").strip()
    number = data.pop("subject_member_number", "").strip().upper()
    unit = registry_access.get_unit_for_user(user, code) if code else None
    member = None
    if number:
        member = registry_access.members_visible(user).filter(profile_number=number).first()
        if member is None:
            raise ValidationError({"subject_member_number": [_("Không tìm thấy đảng viên.")]})
    return unit, member


def _form_page(request, form, title: str, back: str, write):
    """GET shows the form; a valid POST calls `write(data)` (a service) and follows its answer."""
    if request.method == "POST" and form.is_valid():
        try:
            target = write(dict(form.cleaned_data))
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("Đã ghi."))
            return redirect(target)
    return render(request, "web/form.html", {"form": form, "title": title, "back": back})


def _programme_item(request):
    """The programme item a case is opened for (?item=N), if the user may read its programme."""
    pk = request.GET.get("item", "")
    if not pk.isdigit():
        return None
    item = ProgrammeItem.objects.filter(pk=int(pk)).select_related("programme").first()
    if item is None:
        raise Http404
    access.get_programme_for_user(request.user, item.programme_id)
    return item


def _item_initial(item) -> dict:
    if item is None:
        return {}
    programme = item.programme
    return {
        "kind": item.kind, "title": item.subject, "team": item.team,
        "subject_unit_code": getattr(item.target_unit, "code", ""),
        "subject_member_number": getattr(item.target_member, "profile_number", ""),
        "body_code": programme.unit.code, "organ": programme.organ,
        "opened_on": item.start, "period_start": dt.date(programme.year, 1, 1),
        "period_end": item.end,
    }  # fmt: skip


@login_required
def unit(request, code: str):
    unit = access.get_unit_for_inspector(request.user, code)
    today = timezone.localdate()
    periods = registry_access.visible_period(request.user, unit)
    at = min(today, periods[-1][1]) if periods and periods[-1][1] else today
    cases = access.cases_visible(request.user) & queries.cases_under(unit)
    decisions = access.decisions_visible(request.user) & queries.decisions_under(unit)
    programmes = [
        (p, queries.programme_progress(p, at))
        for p in access.programmes_visible(request.user).filter(unit=unit)
    ]
    context = {
        "unit": unit,
        "name": display_version(unit, at).name,
        "at": at,
        "cases": cases.select_related("subject_unit", "subject_member")[:200],
        "decisions": decisions.select_related("subject_unit", "subject_member")[:200],
        "programmes": programmes,
        "overdue": queries.recommendations_overdue(unit, at).select_related("case")[:50],
        "waiting": queries.appeals_waiting(unit, at).select_related("decision")[:50],
        "can_write": access.may_write(request.user, unit),
    }
    return render(request, "inspection/unit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request, code: str):
    unit = access.get_unit_for_inspector(request.user, code, write=True)
    item = _programme_item(request)
    form = forms.CaseForm(request.POST or None, initial=_item_initial(item))

    def write(data):
        subject_unit, subject_member = _subject(request.user, data)
        body = _unit_by_code(request.user, data.pop("body_code"), "body_code")
        case = services.case_open(
            actor=Actor.from_request(request), body=body, subject_unit=subject_unit,
            subject_member=subject_member, programme_item=item, **data,
        )  # fmt: skip
        return reverse("inspection:case", args=[case.pk])

    title = _("Cuộc kiểm tra, giám sát mới — %(u)s") % {"u": unit.code}
    return _form_page(request, form, title, reverse("inspection:unit", args=[unit.code]), write)


@login_required
def case(request, pk: int):
    case = access.get_case_for_user(request.user, pk)
    services.log_view(actor=Actor.from_request(request), case=case)
    context = {
        "case": case,
        "unit_name": display_version(case.unit, case.placed_on).name,
        "recommendations": case.recommendations.all(),
        "decisions": case.decisions.all(),
        "suspensions": case.suspensions.all(),
        "scans": case.scans.all(),
        "upload": forms.UploadForm(),
        "can_write": access.may_write(request.user, case.unit),
        "today": timezone.localdate(),
    }
    return render(request, "inspection/case.html", context)


def _case_form(request, pk: int, form_cls, title: str, write, initial=None, case=None):
    """A form page about one case the user may write: the case through the access helper,
    back to the case page, `write(case, data)` calls the service and returns where to go."""
    case = case or access.get_case_for_user(request.user, pk, write=True)
    form = form_cls(request.POST or None, initial=initial)
    back = reverse("inspection:case", args=[case.pk])
    return _form_page(
        request, form, title % {"t": case.title}, back, lambda data: write(case, data)
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_conclude(request, pk: int):
    def write(case, data):
        services.case_conclude(actor=Actor.from_request(request), case=case, **data)
        return reverse("inspection:case", args=[case.pk])

    return _case_form(request, pk, forms.ConcludeForm, _("Kết luận: %(t)s"), write)


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_new(request, pk: int):
    def write(case, data):
        services.recommendation_add(actor=Actor.from_request(request), case=case, **data)
        return reverse("inspection:case", args=[case.pk])

    return _case_form(request, pk, forms.RecommendationForm, _("Kiến nghị: %(t)s"), write)


@login_required
@require_http_methods(["GET", "POST"])
def recommendation(request, pk: int):
    rec = Recommendation.objects.filter(pk=pk).first()
    if rec is None:
        raise Http404
    case = access.get_case_for_user(request.user, rec.case_id, write=True)

    def write(case, data):
        services.recommendation_follow_up(
            actor=Actor.from_request(request), recommendation=rec, **data
        )
        return reverse("inspection:case", args=[case.pk])

    initial = {"done_on": rec.done_on, "follow_up": rec.follow_up}
    return _case_form(request, case.pk, forms.FollowUpForm, _("Theo dõi kiến nghị"), write,
                      initial=initial, case=case)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def decision_new(request, pk: int):
    def write(case, data):
        body = _unit_by_code(request.user, data.pop("body_code"), "body_code")
        decision = services.decision_record(
            actor=Actor.from_request(request), case=case, body=body,
            subject_member=case.subject_member, subject_unit=case.subject_unit, **data,
        )  # fmt: skip
        return reverse("inspection:decision", args=[decision.pk])

    return _case_form(request, pk, forms.DecisionForm, _("Quyết định kỷ luật: %(t)s"), write)


@login_required
@require_http_methods(["GET", "POST"])
def suspension_new(request, pk: int):
    def write(case, data):
        if case.subject_member is None:
            raise ValidationError({"ground": [_("Chỉ đình chỉ sinh hoạt đảng của một đảng viên.")]})
        body = _unit_by_code(request.user, data.pop("body_code"), "body_code")
        suspension = services.suspension_record(
            actor=Actor.from_request(request), case=case, body=body, member=case.subject_member,
            **data,
        )  # fmt: skip
        return reverse("inspection:suspension", args=[suspension.pk])

    return _case_form(request, pk, forms.SuspensionForm, _("Đình chỉ sinh hoạt đảng: %(t)s"), write)


@login_required
def suspension(request, pk: int):
    suspension = access.get_suspension_for_user(request.user, pk)
    if suspension.case_id:
        services.log_view(
            actor=Actor.from_request(request), case=suspension.case, what="suspension"
        )
    context = {
        "suspension": suspension,
        "running": suspension.runs_on(timezone.localdate()),
        "can_write": access.may_write(request.user, suspension.unit),
    }
    return render(request, "inspection/suspension.html", context)


def _suspension_form(request, pk: int, form_cls, title: str, write):
    suspension = access.get_suspension_for_user(request.user, pk, write=True)
    back = reverse("inspection:suspension", args=[suspension.pk])

    def call(data):
        write(suspension, data)
        return back

    return _form_page(request, form_cls(request.POST or None), title, back, call)


@login_required
@require_http_methods(["GET", "POST"])
def suspension_extend(request, pk: int):
    def write(suspension, data):
        services.suspension_extend(actor=Actor.from_request(request), suspension=suspension, **data)

    return _suspension_form(
        request, pk, forms.SuspensionExtendForm, _("Gia hạn đình chỉ sinh hoạt đảng"), write
    )


@login_required
@require_http_methods(["GET", "POST"])
def suspension_lift(request, pk: int):
    def write(suspension, data):
        services.suspension_lift(actor=Actor.from_request(request), suspension=suspension, **data)

    return _suspension_form(
        request, pk, forms.SuspensionLiftForm, _("Chấm dứt đình chỉ sinh hoạt đảng"), write
    )


@login_required
def decision(request, pk: int):
    decision = access.get_decision_for_user(request.user, pk)
    if decision.case_id:
        services.log_view(actor=Actor.from_request(request), case=decision.case, what="decision")
    context = {
        "decision": decision,
        "appeals": decision.appeals.select_related("body"),
        "lapse_on": queries.lapse_on(decision),
        "can_write": access.may_write(request.user, decision.unit),
    }
    return render(request, "inspection/decision.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def appeal_new(request, pk: int):
    decision = access.get_decision_for_user(request.user, pk, write=True)
    form = forms.AppealForm(request.POST or None)

    def write(data):
        body = _unit_by_code(request.user, data.pop("body_code"), "body_code")
        services.appeal_file(
            actor=Actor.from_request(request), decision=decision, body=body, **data
        )
        return reverse("inspection:decision", args=[decision.pk])

    back = reverse("inspection:decision", args=[decision.pk])
    return _form_page(request, form, _("Khiếu nại kỷ luật"), back, write)


@login_required
@require_http_methods(["GET", "POST"])
def appeal_decide(request, pk: int):
    appeal = access.get_appeal_for_user(request.user, pk)
    form = forms.AppealDecisionForm(request.POST or None)

    def write(data):
        services.appeal_decide(actor=Actor.from_request(request), appeal=appeal, **data)
        return reverse("inspection:decision", args=[appeal.decision_id])

    back = reverse("inspection:decision", args=[appeal.decision_id])
    return _form_page(request, form, _("Giải quyết khiếu nại kỷ luật"), back, write)


@login_required
@require_POST
def scan_upload(request, pk: int):
    case = access.get_case_for_user(request.user, pk, write=True)
    form = forms.UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.scan_upload(
                actor=Actor.from_request(request), case=case, title=form.cleaned_data["title"],
                content=form.cleaned_data["file"].read(),
            )  # fmt: skip
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Đã lưu bản quét."))
    else:
        messages.error(request, _("Cần tên tài liệu và tệp."))
    return redirect("inspection:case", pk=case.pk)


@login_required
def scan(request, pk: int):
    item = Scan.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    case = access.get_case_for_user(request.user, item.case_id)
    services.log_view(actor=Actor.from_request(request), case=case, what="scan")
    path = scans.open_path("inspection", item.path)
    if path is None:
        raise Http404
    return FileResponse(path.open("rb"), content_type=item.content_type)


CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


@login_required
def case_document(request, pk: int, fmt: str):
    case = access.get_case_for_user(request.user, pk)
    services.log_view(actor=Actor.from_request(request), case=case, what="document")
    content = documents.render(documents.conclusion(case), fmt)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="ket-luan-{case.pk}.{fmt}"'
    return response


@login_required
def decision_document(request, pk: int, fmt: str):
    decision = access.get_decision_for_user(request.user, pk)
    if decision.case_id:
        services.log_view(actor=Actor.from_request(request), case=decision.case, what="document")
    content = documents.render(documents.decision(decision), fmt)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="quyet-dinh-{decision.pk}.{fmt}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def export(request, code: str):
    """The organization's cases and decisions of a year (?year=), in the import format."""
    unit = access.get_unit_for_inspector(request.user, code)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    year = year if 1900 <= year <= today.year else today.year
    content = sheet.export_inspection(
        request.user, unit, dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="kiem-tra-{unit.code}-{year}.xlsx"'
    return response


@login_required
@require_POST
def import_sheet(request, code: str):
    """Upload through the Excel framework (checked by the worker, all or nothing)."""
    unit = access.get_unit_for_inspector(request.user, code, write=True)
    return queue_upload(request, reverse("inspection:unit", args=[unit.code]))


# --- Programmes ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def programme_new(request, code: str):
    unit = access.get_unit_for_inspector(request.user, code, write=True)
    today = timezone.localdate()
    form = forms.ProgrammeForm(request.POST or None, initial={"year": today.year})

    def write(data):
        programme = services.programme_adopt(actor=Actor.from_request(request), unit=unit, **data)
        return reverse("inspection:programme", args=[programme.pk])

    title = _("Chương trình kiểm tra, giám sát mới — %(u)s") % {"u": unit.code}
    return _form_page(request, form, title, reverse("inspection:unit", args=[unit.code]), write)


@login_required
def programme(request, pk: int):
    """The programme's items and their progress as of a day (?date=dd/mm/yyyy, default today
    or the programme's last day)."""
    programme = access.get_programme_for_user(request.user, pk)
    today = timezone.localdate()
    day = parse_day(request.GET.get("date", "")) or min(today, dt.date(programme.year, 12, 31))
    context = {
        "programme": programme,
        "name": display_version(programme.unit, programme.adopted_on).name,
        "day": day,
        "rows": queries.programme_items_on(programme, day),
        "progress": queries.programme_progress(programme, day),
        "can_write": access.may_write(request.user, programme.unit),
    }
    return render(request, "inspection/programme.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def programme_item_new(request, pk: int):
    programme = access.get_programme_for_user(request.user, pk, write=True)
    form = forms.ProgrammeItemForm(request.POST or None)

    def write(data):
        target_unit, target_member = _subject(
            request.user,
            {"subject_unit_code": data.pop("target_unit_code"),
             "subject_member_number": data.pop("target_member_number")},
        )  # fmt: skip
        symbol = data.pop("document_symbol").strip()
        document = find_document(request.user, symbol) if symbol else None
        if symbol and document is None:
            raise ValidationError(
                {"document": [_("Không tìm thấy văn bản %(s)s trong sổ văn bản.") % {"s": symbol}]}
            )
        services.programme_item_add(
            actor=Actor.from_request(request), programme=programme, target_unit=target_unit,
            target_member=target_member, document=document, **data,
        )  # fmt: skip
        return reverse("inspection:programme", args=[programme.pk])

    back = reverse("inspection:programme", args=[programme.pk])
    title = _("Thêm nội dung chương trình năm %(y)s") % {"y": programme.year}
    return _form_page(request, form, title, back, write)
