"""Pages of the pipeline: the board of an organization, the candidate's file with its timeline
and scans, a form per step, the printable cell resolution. Thin: parse, fetch through
accounts.access, call one service or query, render. Outside the scope is a 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from grassroots.accounts import access
from grassroots.accounts.models import Role
from grassroots.assessments.presenters import plain_source
from grassroots.audit.services import Actor
from grassroots.excel.views import queue_upload
from grassroots.organizations.queries import display_version, versions_at

from . import config, documents, forms, queries, rules, rulesets, services, sheet
from .models import Candidate, CaseStep, Document, Holiday, Stage, StepKind


def _last_day(unit, closed_on=None):
    """The latest day worth showing for a unit: today, or its last day if it has ended."""
    day = timezone.localdate()
    for end in (unit.ended, closed_on):
        if end is not None and end <= day:
            day = end - dt.timedelta(days=1)
    return day


def get_candidate_for_user(user, pk: int, *, role: str = Role.VIEWER) -> Candidate:
    """The case if its cell lies in the user's scope on the case's latest day (today, or the day
    before it was closed): a clerk whose district was dissolved does not see cases proposed after
    (404, as for members). Writes also need the role and the cell in the scope today."""
    candidate = Candidate.objects.filter(pk=pk).select_related("cell").first()
    if candidate is None or not access.can_see_unit_on(
        user, candidate.cell, _last_day(candidate.cell, candidate.closed_on)
    ):
        raise Http404("Không tìm thấy hồ sơ.")
    access.require_role(user, role)
    if role != Role.VIEWER:
        access.require_writable_unit(user, candidate.cell)
    return candidate


def _member_by_number(user, number: str):
    number = (number or "").strip().upper()
    if not number:
        return None
    member = access.members_visible(user).filter(profile_number=number).first()
    if member is None:
        raise ValidationError(_("Không tìm thấy đảng viên có số lý lịch %(n)s.") % {"n": number})
    return member


@login_required
def board(request, code: str):
    unit = access.get_unit_for_user(request.user, code)
    # Today, or the last day the organization lay in the user's scope (a dissolved district's
    # clerk sees the board as it stood then, nothing after).
    periods = access.visible_period(request.user, unit)
    end = periods[-1][1] if periods else None
    at = _last_day(unit, end)
    due = queries.deadlines(unit, at)
    rows = queries.cases(unit, at, due=due)
    # Cells by name on the day, not by code (one query for the subtree).
    names = dict(versions_at(at, under=unit).values_list("unit__code", "name"))
    for row in rows:
        row.cell = names.get(row.cell, row.cell)
    by_stage = {s: [r for r in rows if r.stage == s] for s in rules.OPEN_STAGES}
    # Residents are counted only for the villages of the page shown.
    villages = _paged(request, queries.village_versions(unit, at), "page_villages")
    villages.rows = queries.village_rows(villages.rows, at)
    # A province has ~2,300 open cases: each list is paged on its own (drawing them all was
    # half of the board's 1.7 s, issue 11 §9).
    context = {
        "unit": unit,
        "name": display_version(unit, at).name,
        "at": at,
        "overdue": _paged(request, [r for r in rows if r.overdue], "page_overdue"),
        "columns": [
            (Stage(s).label, _paged(request, by_stage[s], f"page_{s}"))
            for s in rules.OPEN_STAGES
            if by_stage[s]
        ],
        "due": _paged(request, due, "page_due"),
        "villages": villages,
        "can_write": access.may_write_unit(request.user, unit),
        "rule_admin": _is_rule_admin(request),
    }
    return render(request, "development/board.html", context)


BOARD_PAGE_SIZE = 50


@dataclass
class BoardPage:
    """One page of one list of the board, with the links to its neighbours (the other lists
    keep their own page in the address)."""

    rows: list
    total: int
    number: int
    pages: int
    previous: str
    next: str


def _paged(request, rows: list, key: str) -> BoardPage:
    page = Paginator(rows, BOARD_PAGE_SIZE).get_page(request.GET.get(key))

    def link(number: int) -> str:
        query = request.GET.copy()
        query[key] = str(number)
        return f"?{query.urlencode()}"

    return BoardPage(
        rows=list(page.object_list),
        total=len(rows),
        number=page.number,
        pages=page.paginator.num_pages,
        previous=link(page.previous_page_number()) if page.has_previous() else "",
        next=link(page.next_page_number()) if page.has_next() else "",
    )


def _is_rule_admin(request) -> bool:
    try:
        rulesets.require_rule_admin(Actor.from_request(request))
    except PermissionDenied:
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def propose(request, code: str):
    unit = access.get_unit_for_user(request.user, code, role=Role.CLERK)
    form = forms.ProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            helper = _member_by_number(request.user, data.pop("helper_number"))
            candidate = services.candidate_propose(
                actor=Actor.from_request(request), cell=unit, helper=helper, **data
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("Đã đưa vào danh sách quần chúng ưu tú."))
            return redirect("development:candidate", pk=candidate.pk)
    title = _("Quần chúng ưu tú mới của %(name)s") % {
        "name": display_version(unit, timezone.localdate()).name
    }
    back = reverse("development:board", args=[unit.code])
    return render(request, "web/form.html", {"form": form, "title": title, "back": back})


@login_required
def candidate(request, pk: int):
    case = get_candidate_for_user(request.user, pk)
    services.candidate_log_view(actor=Actor.from_request(request), candidate=case)
    today = timezone.localdate()
    steps = list(case.steps.select_related("introducer_1", "introducer_2", "unit"))
    live = [s for s in steps if s.voided_at is None]
    stage = case.spans.filter(end__isnull=True).values_list("stage", flat=True).first()
    context = {
        "case": case,
        "cell_name": display_version(case.cell, today).name,
        "stage": Stage(stage).label if stage else "",
        "steps": steps,
        "documents": case.documents.all(),
        "due": queries.case_deadlines(case, live, today, services.config.holidays()),
        "profile": [
            (Candidate._meta.get_field(f).verbose_name, getattr(case, f))
            for f in services.PROFILE_FIELDS
        ],
        "can_write": access.may_write_unit(request.user, case.cell) and not case.closed_on,
        "step_kinds": [(k, StepKind(k).label) for k in forms.STEP_INPUTS],
        "upload": forms.UploadForm(),
        "voidable": services.VOIDABLE,
    }
    return render(request, "development/candidate.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def step(request, pk: int, kind: str):
    case = get_candidate_for_user(request.user, pk, role=Role.CLERK)
    if kind not in forms.STEP_INPUTS:
        raise Http404
    form = forms.StepForm(kind, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _record_step(request, case, kind, dict(form.cleaned_data))
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("Đã ghi: %(step)s.") % {"step": StepKind(kind).label})
            return redirect("development:candidate", pk=case.pk)
    title = f"{StepKind(kind).label} — {case.full_name}"
    back = reverse("development:candidate", args=[case.pk])
    return render(request, "web/form.html", {"form": form, "title": title, "back": back})


def _record_step(request, case: Candidate, kind: str, data: dict) -> None:
    actor = Actor.from_request(request)
    if kind == StepKind.MOVED:
        unit = access.get_unit_for_user(request.user, data["unit_code"], role=Role.CLERK)
        services.candidate_move(actor=actor, candidate=case, to_unit=unit, date=data["date"])
        return
    if kind == StepKind.CLOSED:
        services.candidate_close(actor=actor, candidate=case, **data)
        return
    if kind == StepKind.INTRODUCTION:
        data["introducer_1"] = _member_by_number(request.user, data["introducer_1"])
        data["introducer_2"] = _member_by_number(request.user, data["introducer_2"])
    write = services.STEP_WRITERS[kind]
    write(actor=actor, candidate=case, **data)


@login_required
@require_POST
def void(request, pk: int, step_pk: int):
    """Void a wrongly recorded step, with its reason (kept and marked, audited; never deleted)."""
    case = get_candidate_for_user(request.user, pk, role=Role.CLERK)
    step = CaseStep.objects.filter(pk=step_pk, candidate=case).first()
    if step is None:
        raise Http404(_("Không tìm thấy bước này."))
    try:
        services.step_void(
            actor=Actor.from_request(request), step=step, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã hủy bước: %(step)s.") % {"step": step.get_kind_display()})
    return redirect("development:candidate", pk=case.pk)


@login_required
@require_POST
def upload(request, pk: int):
    case = get_candidate_for_user(request.user, pk, role=Role.CLERK)
    form = forms.UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_upload(
                actor=Actor.from_request(request), candidate=case,
                title=form.cleaned_data["title"], content=form.cleaned_data["file"].read(),
            )  # fmt: skip
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Đã lưu bản quét."))
    else:
        messages.error(request, _("Cần tên tài liệu và tệp."))
    return redirect("development:candidate", pk=case.pk)


@login_required
def document(request, pk: int):
    doc = Document.objects.filter(pk=pk).first()
    if doc is None:
        raise Http404
    case = get_candidate_for_user(request.user, doc.candidate_id)
    services.candidate_log_view(actor=Actor.from_request(request), candidate=case, document=doc)
    path = services.scan_dir() / doc.path
    if not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), content_type=doc.content_type)


@login_required
def resolution(request, pk: int):
    case = get_candidate_for_user(request.user, pk)
    services.candidate_log_view(actor=Actor.from_request(request), candidate=case)
    content = documents.cell_resolution(case)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="nghi-quyet-chi-bo-{case.pk}.docx"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def export(request, code: str):
    unit = access.get_unit_for_user(request.user, code)
    periods = access.visible_period(request.user, unit)
    at = _last_day(unit, periods[-1][1] if periods else None)
    response = HttpResponse(sheet.export_pipeline(unit, at), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="phat-trien-dang-vien-{unit.code}.xlsx"'
    )
    return response


@login_required
@require_POST
def import_sheet(request, code: str):
    unit = access.get_unit_for_user(request.user, code, role=Role.CLERK)
    return queue_upload(request, reverse("development:board", args=[unit.code]))


# --- The dated rule sets and the public holidays (province administrators) -------------------


def _rule_admin(request) -> Actor:
    actor = Actor.from_request(request)
    rulesets.require_rule_admin(actor)  # PermissionDenied → 403
    return actor


@login_required
def rule_sets(request):
    _rule_admin(request)
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 1950), timezone.localdate().year + 5)
    rows = config.rule_set_rows()
    for row in rows:
        for value in row["values"]:
            value["source"] = plain_source(value["source"])
    context = {
        "rule_sets": rows,
        "year": year,
        "years": [year - 1, year + 1],
        "holidays": config.holidays_of(year),
        "holiday_form": forms.HolidayForm(),
    }
    return render(request, "development/rules.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def rule_set_new(request):
    actor = _rule_admin(request)
    latest = config.rule_set_rows()[-1:] or [None]
    initial = {}
    if latest[0]:
        initial = {k: v["value"] for k, v in zip(config.LABELS, latest[0]["values"], strict=True)}
    form = forms.RuleSetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        values = {k: data.pop(k) for k in config.LABELS}
        try:
            rulesets.ruleset_create(
                actor=actor, values=values, unconfirmed=tuple(data.pop("unconfirmed")), **data
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("Đã thêm quy định mới."))
            return redirect("development:rules")
    title = _("Quy định kết nạp mới (áp dụng từ một ngày)")
    back = reverse("development:rules")
    return render(request, "web/form.html", {"form": form, "title": title, "back": back})


@login_required
@require_POST
def holiday_add(request):
    actor = _rule_admin(request)
    form = forms.HolidayForm(request.POST)
    year = ""
    if form.is_valid():
        year = form.cleaned_data["date"].year
        try:
            rulesets.holiday_add(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Đã thêm ngày nghỉ lễ."))
    else:
        messages.error(request, _("Cần ngày (dd/mm/yyyy) và tên ngày lễ."))
    return redirect(reverse("development:rules") + (f"?year={year}" if year else ""))


@login_required
@require_POST
def holiday_remove(request, pk: int):
    actor = _rule_admin(request)
    holiday = Holiday.objects.filter(pk=pk).first()
    if holiday is None:
        raise Http404(_("Không tìm thấy ngày nghỉ lễ."))
    try:
        rulesets.holiday_remove(actor=actor, holiday=holiday, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã bỏ ngày nghỉ lễ."))
    return redirect(reverse("development:rules") + f"?year={holiday.date.year}")
