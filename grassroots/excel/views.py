"""Excel pages: templates to download, upload with preview then confirm, exports.

Thin views: parse, fetch through accounts.access, call the importer/exporter, render.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from grassroots.accounts import access
from grassroots.accounts.models import Role
from grassroots.audit.services import Actor
from grassroots.organizations.queries import display_version

from . import export_jobs, exporter, jobs, schema
from .cells import CellError, parse_date
from .models import ExportJob, ImportJob
from .workbooks import template_workbook, write_csv, write_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORTS = {
    "organizations": "Danh sách tổ chức",
    "members": "Danh sách đảng viên",
    "figures": "Số liệu tổng hợp",
    "workbook": "Toàn bộ dữ liệu theo mẫu nhập",
}


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def index(request):
    recent = ImportJob.objects.filter(user=request.user)[:10]
    scope = request.user.scope.code if getattr(request.user, "scope", None) else ""
    return render(
        request,
        "excel/index.html",
        {
            "sheets": schema.SHEETS,
            "recent": recent,
            "exports": EXPORTS,
            "scope_code": scope,
            "today": timezone.localdate(),
            "can_import": request.user.has_role(Role.CLERK),
            "exports_made": [export_jobs.refresh(j) for j in _own_exports(request)[:10]],
        },
    )


@login_required
@require_GET
def template(request, kind: str):
    try:
        wb = template_workbook(kind)
    except KeyError:
        raise Http404("Không có mẫu này.") from None
    buffer = io.BytesIO()
    wb.save(buffer)
    return _download(buffer.getvalue(), f"mau-nhap-{kind}.xlsx", XLSX)


@login_required
@require_POST
def upload(request):
    access.require_role(request.user, Role.CLERK)
    upload = request.FILES.get("file")
    if upload is None:
        return render(
            request,
            "excel/index.html",
            {
                "sheets": schema.SHEETS,
                "exports": EXPORTS,
                "upload_error": "Hãy chọn một tệp .xlsx hoặc .csv.",
                "recent": ImportJob.objects.filter(user=request.user)[:10],
                "today": timezone.localdate(),
                "can_import": True,
            },
            status=400,
        )
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if upload.size > limit:
        return render(
            request,
            "excel/index.html",
            {
                "sheets": schema.SHEETS,
                "exports": EXPORTS,
                "can_import": True,
                "today": timezone.localdate(),
                "upload_error": f"Tệp quá lớn ({upload.size // 1_000_000} MB); giới hạn {limit // 1_000_000} MB.",
                "recent": ImportJob.objects.filter(user=request.user)[:10],
            },
            status=400,
        )
    return redirect("excel:job", pk=_queue(request, upload).pk)


def _queue(request, upload) -> ImportJob:
    """Store the upload and queue its check for the worker (issue 20 §1: never in a web thread)."""
    stored = jobs.store_upload(upload.name, upload.chunks())
    job = ImportJob.objects.create(
        user=request.user,
        file_name=Path(upload.name).name[:255],
        stored_path=str(stored),
        size=upload.size,
        address=Actor.from_request(request).address,
    )
    jobs.queue_check(job)
    return job


def queue_upload(request, back: str) -> HttpResponse:
    """A module page's upload form (development board, meeting book, ...): the same path as the
    Excel page — checked by the worker, its progress and error report on the job page, applied
    on confirmation, all or nothing — or back to `back` with the reason."""
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Cần chọn tệp Excel.")
        return redirect(back)
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if upload.size > limit:
        messages.error(
            request,
            f"Tệp quá lớn ({upload.size // 1_000_000} MB); giới hạn {limit // 1_000_000} MB.",
        )
        return redirect(back)
    return redirect("excel:job", pk=_queue(request, upload).pk)


def _job_for_user(request, pk: int) -> ImportJob:
    job = ImportJob.objects.filter(pk=pk, user=request.user).first()
    if job is None:
        raise Http404("Không tìm thấy lượt nhập.")
    return jobs.refresh(job)


@login_required
@require_GET
def job(request, pk: int):
    job = _job_for_user(request, pk)
    labels = {"created": "Tạo mới", "updated": "Cập nhật", "unchanged": "Không đổi"}
    rows = [(sheet, [counts.get(k, 0) for k in labels]) for sheet, counts in job.counts.items()]
    return render(
        request,
        "excel/job.html",
        {
            "job": job,
            "labels": labels.values(),
            "rows": rows,
            "more_errors": max(0, job.error_count - len(job.errors)),
            "more_notices": max(0, job.notice_count - len(job.notices)),
        },
    )


@login_required
@require_GET
def job_status(request, pk: int):
    return JsonResponse(_job_for_user(request, pk).as_json())


@login_required
@require_POST
def job_confirm(request, pk: int):
    access.require_role(request.user, Role.CLERK)
    job = _job_for_user(request, pk)
    jobs.confirm(job)  # a second click finds the job no longer ready and queues nothing
    return redirect("excel:job", pk=job.pk)


def _day(request, name: str, default: dt.date | None) -> dt.date | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    try:
        return parse_date(raw)
    except CellError:
        raise Http404(f"Ngày không hợp lệ: {raw}") from None


@login_required
@require_GET
def export(request, what: str):
    if what not in EXPORTS:
        raise Http404("Không có loại xuất này.")
    unit = access.get_unit_for_user(request.user, request.GET.get("unit", ""))
    at = _day(request, "at", timezone.localdate())
    since = _day(request, "since", None)
    if since is not None and since > at:  # issue 20 §14: was a 500
        raise BadRequest("Ngày bắt đầu (since) phải trước hoặc bằng ngày tính (at).")
    fmt = "csv" if request.GET.get("format") == "csv" and what != "workbook" else "xlsx"
    if what == "members":
        return _members_export_form(request, unit, at, fmt)
    actor = Actor.from_request(request)
    if what == "workbook":
        sheets = exporter.import_format_export(request.user, unit, actor)
    elif what == "organizations":
        sheets = [exporter.organizations_export(request.user, unit, at, actor, fmt)]
    else:
        sheets = [exporter.figures_export(request.user, unit, at, actor, since, fmt)]
    stamp = "" if what == "workbook" else f"-{at:%Y%m%d}"
    name = f"{what}-{unit.code}{stamp}"
    if fmt == "csv":
        text = io.StringIO()
        write_csv(sheets[0], text)
        return _download(text.getvalue().encode("utf-8"), f"{name}.csv", "text/csv; charset=utf-8")
    buffer = io.BytesIO()
    write_xlsx(sheets, buffer)
    return _download(buffer.getvalue(), f"{name}.xlsx", XLSX)


# The member list as a background job with progress (export_jobs.py): the pages' way to it.
CONTENT_TYPES = {"xlsx": XLSX, "csv": "text/csv; charset=utf-8"}


def _members_export_form(request, unit, at: dt.date, fmt: str) -> HttpResponse:
    """The member list's direct address (bookmarks, links of older pages) asks for the same
    background job as the pages: a province's list is minutes of work, never a web thread's
    (issue 11 §8). A GET only shows the request; its button posts it, so a followed link
    creates no job and no audit record."""
    if at > timezone.localdate():
        raise BadRequest("Ngày tính không được sau hôm nay.")
    context = {"unit": unit, "unit_name": display_version(unit, at).name, "at": at, "fmt": fmt}
    return render(request, "excel/export_members.html", context)


def _own_exports(request):
    return ExportJob.objects.filter(user=request.user).select_related("unit")


@login_required
@require_POST
def export_job_create(request):
    unit = access.get_unit_for_user(request.user, request.POST.get("unit", ""))
    raw = request.POST.get("at", "").strip()
    try:
        at = parse_date(raw) if raw else timezone.localdate()
    except CellError:
        raise BadRequest(f"Ngày không hợp lệ: {raw}") from None
    try:
        job = export_jobs.export_job_create(
            actor=Actor.from_request(request),
            unit=unit,
            at=at,
            fmt=request.POST.get("format", "xlsx") or "xlsx",
        )
    except export_jobs.ExportError as error:
        raise BadRequest(str(error)) from None
    export_jobs.start(job)
    return redirect("excel:export_job", pk=job.pk)


def _export_for_user(request, pk: int) -> ExportJob:
    """Exports are personal: only the account that asked sees one, and only while the unit is
    still in its scope (a changed scope loses the old files)."""
    job = _own_exports(request).filter(pk=pk).first()
    if job is None:
        raise Http404("Không tìm thấy lượt xuất.")
    access.get_unit_for_user(request.user, job.unit.code)
    return export_jobs.refresh(job)


@login_required
@require_GET
def export_job(request, pk: int):
    job = _export_for_user(request, pk)
    unit_name = display_version(job.unit, job.at).name
    return render(request, "excel/export_job.html", {"job": job, "unit_name": unit_name})


@login_required
@require_GET
def export_job_status(request, pk: int):
    return JsonResponse(_export_for_user(request, pk).as_json())


@login_required
@require_GET
def export_job_download(request, pk: int):
    job = _export_for_user(request, pk)
    if job.status != "done" or not Path(job.stored_path).exists():
        raise Http404("Tệp chưa xuất xong.")
    export_jobs.export_downloaded(actor=Actor.from_request(request), job=job)
    return FileResponse(
        open(job.stored_path, "rb"),  # noqa: SIM115 — FileResponse closes it
        as_attachment=True,
        filename=job.file_name,
        content_type=CONTENT_TYPES[job.fmt],
    )
