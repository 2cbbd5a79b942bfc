"""Report pages: the review report (preview, edit the summary, export as a background job),
the kept reports of the account, and the member statistics. Thin: parse, check access through
accounts.access, call the reports services and queries, render."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from grassroots.accounts import access
from grassroots.audit.services import Actor
from grassroots.members.structure import (
    DIMENSIONS,
    FLOW_DIMENSIONS,
    ORGANIZATION_DIMENSIONS,
    UnknownDimension,
    flow_structure,
    member_structure,
    organization_structure,
)

from . import jobs
from .export import CONTENT_TYPES, FORMATS
from .export.common import chart_image, line_cells, line_headers, table_cells, table_headers
from .models import ReportJob
from .review import build_review
from .services import ReportError, report_downloaded, report_job_create


def _day(request, name: str, default: dt.date) -> dt.date:
    raw = (request.GET.get(name) or request.POST.get(name) or "").strip()
    if not raw:
        return default
    for parse in (dt.date.fromisoformat, lambda v: dt.datetime.strptime(v, "%d/%m/%Y").date()):
        try:
            return parse(raw)
        except ValueError:
            continue
    raise Http404(f"Ngày không hợp lệ: {raw}")


def _scope_code(request) -> str:
    scope = getattr(request.user, "scope", None)
    return scope.code if scope else ""


def _params(request):
    today = timezone.localdate()
    code = (request.GET.get("unit") or request.POST.get("unit") or _scope_code(request)).strip()
    since = _day(request, "since", today.replace(year=today.year - 5))
    at = _day(request, "at", today)
    return code, since, at


def _own_jobs(request):
    return ReportJob.objects.filter(user=request.user).select_related("unit")


@login_required
@require_GET
def index(request):
    code, since, at = _params(request)
    return render(
        request,
        "reports/index.html",
        {
            "code": code,
            "since": since,
            "at": at,
            "jobs": [jobs.refresh(j) for j in _own_jobs(request)[:20]],
            "dims": DIMENSIONS,
            "kinds": {k: v[0] for k, v in STATISTICS.items()},
        },
    )


# what the statistics page counts: title, dimensions, default dimension
STATISTICS = {
    "members": (_("Cơ cấu đảng viên"), DIMENSIONS, "gender"),
    "organizations": (_("Cơ cấu tổ chức đảng"), ORGANIZATION_DIMENSIONS, "kind,grassroots_type"),
    "admissions": (_("Kết nạp đảng viên trong kỳ"), FLOW_DIMENSIONS, "flow"),
    "reductions": (_("Đảng viên giảm trong kỳ"), FLOW_DIMENSIONS, "flow"),
}


def _svg(chart) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(chart_image(chart, "svg")).decode()


@login_required
@require_GET
def review(request):
    code, since, at = _params(request)
    if since > at:
        raise Http404("Ngày đầu kỳ phải trước hoặc bằng ngày cuối kỳ.")
    unit = access.get_report_unit_for_user(request.user, code, [since, at])
    report = build_review(unit, since, at)
    sections = [
        {
            "section": s,
            "headers": line_headers(report),
            "lines": [line_cells(x) for x in s.lines],
            "tables": [(t.title, table_headers(t), table_cells(t)) for t in s.tables],
            "charts": [_svg(c) for c in s.charts],
        }
        for s in report.sections
    ]
    return render(
        request,
        "reports/review.html",
        {"report": report, "sections": sections, "formats": FORMATS, "code": unit.code},
    )


@login_required
@require_POST
def job_create(request):
    code, since, at = _params(request)
    unit = access.get_report_unit_for_user(request.user, code, [since, at])
    try:
        job = report_job_create(
            actor=Actor.from_request(request),
            unit=unit,
            since=since,
            at=at,
            fmt=request.POST.get("format", ""),
            summary=request.POST.get("summary", ""),
        )
    except ReportError as error:
        raise Http404(str(error)) from None
    jobs.start(job)
    return redirect("reports:job", pk=job.pk)


def _job_for_user(request, pk: int) -> ReportJob:
    """Reports are personal: only the account that made one sees it, and only while the unit
    is still in its scope on the report's dates (a changed scope loses the old reports)."""
    job = _own_jobs(request).filter(pk=pk).first()
    if job is None:
        raise Http404("Không tìm thấy báo cáo.")
    access.get_report_unit_for_user(request.user, job.unit.code, [job.since, job.at])
    return job


@login_required
@require_GET
def job(request, pk: int):
    return render(request, "reports/job.html", {"job": jobs.refresh(_job_for_user(request, pk))})


@login_required
@require_GET
def job_status(request, pk: int):
    return JsonResponse(jobs.refresh(_job_for_user(request, pk)).as_json())


@login_required
@require_GET
def job_download(request, pk: int):
    job = _job_for_user(request, pk)
    if job.status != "done" or not Path(job.stored_path).exists():
        raise Http404("Báo cáo chưa lập xong.")
    report_downloaded(actor=Actor.from_request(request), job=job)
    return FileResponse(
        open(job.stored_path, "rb"),  # noqa: SIM115 — FileResponse closes it
        as_attachment=True,
        filename=job.file_name,
        content_type=CONTENT_TYPES[job.fmt],
    )


@login_required
@require_GET
def statistics(request):
    code, since, at = _params(request)
    what = request.GET.get("what", "members")
    if what not in STATISTICS:
        raise Http404(f"Không có loại thống kê: {what}")
    title, dims, default = STATISTICS[what]
    by = [d for d in request.GET.get("by", default).split(",") if d]
    second = request.GET.get("by2", "")
    if second and second not in by:
        by.append(second)
    known = {d for _title, other, _default in STATISTICS.values() for d in other}
    if all(d in known for d in by) and any(d not in dims for d in by):
        by = default.split(",")  # the form kept the dimensions of another statistic
    period = what in ("admissions", "reductions")
    unit = access.get_report_unit_for_user(request.user, code, [since, at] if period else [at])
    try:
        if what == "members":
            result = member_structure(unit, at, by, children=True)
        elif what == "organizations":
            result = organization_structure(unit, at, by, children=True)
        else:
            result = flow_structure(unit, since, at, what, by, children=True)
    except UnknownDimension as error:
        raise Http404(str(error)) from None
    first = result.categories(by[0])
    table = [
        (u.code if u else "", name, total, [cells_sum(cells, 0, c) for c in first])
        for u, name, total, cells in result.children
    ]
    cross = None
    if len(by) == 2:
        second = result.categories(by[1])
        cross = (second, [(c, [result.cells.get((c, s), 0) for s in second]) for c in first])
    return render(
        request,
        "reports/statistics.html",
        {
            "unit": unit,
            "what": what,
            "kinds": {k: v[0] for k, v in STATISTICS.items()},
            "title": title,
            "period": period,
            "since": since,
            "at": at,
            "by": by,
            "dims": dims,
            "result": result,
            "first": first,
            "totals": [cells_sum(result.cells, 0, c) for c in first],
            "table": table,
            "cross": cross,
            "unmapped": {k: v.most_common() for k, v in result.unmapped.items() if v},
        },
    )


def cells_sum(cells, index: int, category: str) -> int:
    return sum(n for key, n in cells.items() if key[index] == category)
