"""The register's pages (thin: parse, fetch through accounts.access, call one service)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from grassroots.accounts import access
from grassroots.accounts.models import Role
from grassroots.audit.services import Actor
from grassroots.core import scans
from grassroots.organizations.queries import display_version
from grassroots.web.forms import parse_day

from . import forms, queries, services, sheets
from .kinds import DOC_KINDS, KIND_CHOICES
from .models import Document, DocumentFile, StudySession


def _document_for_user(user, pk: int) -> Document:
    doc = queries.documents_visible(user).filter(pk=pk).select_related("issuer", "parent").first()
    if doc is None:
        raise Http404("Không tìm thấy văn bản.")
    return doc


def _day(request) -> tuple[dt.date, list[str]]:
    """`?at=` as people type it (dd/mm/yyyy, the app's date box) or as links carry it (ISO);
    today when absent, today and a Vietnamese message when unreadable."""
    raw = request.GET.get("at", "").strip()
    day = parse_day(raw) if raw else None
    if raw and day is None:
        return timezone.localdate(), [
            _("Ngày “%(value)s” không hợp lệ; hãy nhập dd/mm/yyyy.") % {"value": raw}
        ]
    return day or timezone.localdate(), []


@login_required
def index(request):
    text = request.GET.get("q", "")
    kind = request.GET.get("kind", "")
    kind = kind if kind in DOC_KINDS else ""
    rows = queries.search_documents(request.user, text, kind=kind, limit=100)
    context = {"rows": rows, "q": text, "kind": kind, "kinds": KIND_CHOICES}
    return render(request, "directives/index.html", context)


@login_required
def inbox(request, code: str):
    unit = access.get_unit_for_user(request.user, code)
    at = access.nearest_visible_day(request.user, unit, _day(request)[0])
    context = {
        "unit": unit,
        "name": display_version(unit, at).name,
        "at": at,
        "items": queries.inbox(unit, at),
        "issued": queries.documents_visible(request.user).filter(issuer=unit)[:100],
        "can_write": access.may_write_unit(request.user, unit),
    }
    return render(request, "directives/inbox.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def register(request, code: str):
    unit = access.get_unit_for_user(request.user, code, role=Role.CLERK)
    form = forms.RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        parent_text = data.pop("parent")
        requirement = {k: data.pop(k) for k in ("level", "action", "audience", "doc_kind",
                                                 "deadline")}  # fmt: skip
        parent = queries.find_document(request.user, parent_text) if parent_text else None
        try:
            if parent_text and parent is None:
                raise ValidationError({"parent": [f"Không tìm thấy văn bản {parent_text}."]})
            doc = services.document_register(
                actor=Actor.from_request(request), issuer=unit, parent=parent,
                requirements=[requirement] if requirement["level"] else [], **data,
            )  # fmt: skip
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("Đã đăng ký văn bản."))
            return redirect("directives:document", pk=doc.pk)
    title = _("Đăng ký văn bản do %(name)s ban hành") % {"name": unit.code}
    back = f"/directives/units/{unit.code}/"
    return render(request, "web/form.html", {"form": form, "title": title, "back": back})


@login_required
def document(request, pk: int):
    doc = _document_for_user(request.user, pk)
    studies = access.only_ever_visible(
        request.user, StudySession.objects.filter(document=doc, voided_at__isnull=True), "unit_id"
    ).select_related("unit", "meeting")
    may_write = doc.issuer is not None and access.may_write_unit(request.user, doc.issuer)
    context = {
        "doc": doc,
        "kind": DOC_KINDS[doc.kind].label,
        "files": doc.files.all(),
        "requirements": doc.requirements.all(),
        "children": queries.documents_visible(request.user).filter(parent=doc),
        "studies": studies,
        "pending_since": queries.cascade_pending(doc),
        "can_upload": may_write or (doc.issuer is None and access.may_act_for(
            request.user, None, doc.date, Role.APPROVER)),
        "scope": getattr(request.user, "scope", None),
        "upload_form": forms.UploadForm(),
        "study_form": forms.StudyForm(),
    }  # fmt: skip
    return render(request, "directives/document.html", context)


@login_required
@require_POST
def upload(request, pk: int):
    doc = _document_for_user(request.user, pk)
    access.require_role(request.user, Role.CLERK)
    form = forms.UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Cần chọn tệp."))
        return redirect("directives:document", pk=doc.pk)
    upload = form.cleaned_data["file"]
    if upload.size > services.max_file_bytes():
        messages.error(request, _("Tệp lớn hơn giới hạn cho phép."))
        return redirect("directives:document", pk=doc.pk)
    try:
        services.file_attach(
            actor=Actor.from_request(request), document=doc, name=upload.name,
            content=upload.read(),
        )  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã lưu tệp."))
    return redirect("directives:document", pk=doc.pk)


@login_required
@require_POST
def study(request, pk: int):
    doc = _document_for_user(request.user, pk)
    access.require_role(request.user, Role.CLERK)
    form = forms.StudyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Cần mã tổ chức, ngày và đối tượng."))
        return redirect("directives:document", pk=doc.pk)
    data = dict(form.cleaned_data)
    unit = access.get_unit_for_user(request.user, data.pop("unit_code"), role=Role.CLERK)
    meeting_id = data.pop("meeting")
    meeting = None
    if meeting_id:
        from grassroots.meetings.models import Meeting

        meeting = access.only_ever_visible(
            request.user, Meeting.objects.filter(pk=meeting_id), "unit_id"
        ).first()
    try:
        services.study_record(
            actor=Actor.from_request(request), document=doc, unit=unit, meeting=meeting,
            date=data["date"], audience=data["audience"], expected=data["expected"] or 0,
            attended=data["attended"] or 0,
        )  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã ghi buổi học tập."))
    return redirect("directives:document", pk=doc.pk)


@login_required
def cascade(request, pk: int, code: str):
    doc = _document_for_user(request.user, pk)
    day, errors = _day(request)
    unit = access.get_report_unit_for_user(request.user, code, [day])
    result = queries.cascade_page(doc, unit, day)
    context = {
        "doc": doc,
        "unit": unit,
        "name": display_version(unit, day).name,
        "at": day,
        "date_errors": errors,
        "figures": result.figures,
        "own": result.own,
        "children": result.children,
        "pending_since": result.pending_since,
    }
    return render(request, "directives/cascade.html", context)


@login_required
def download(request, pk: int):
    item = DocumentFile.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    _document_for_user(request.user, item.document_id)  # 404 outside what the account reads
    path = scans.open_path("directives", item.path)
    if path is None:
        raise Http404
    services.file_log_download(actor=Actor.from_request(request), item=item)
    response = FileResponse(path.open("rb"), content_type=item.content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="van-ban-{item.pk}{Path(item.path).suffix}"'
    )
    return response


@login_required
def export(request, code: str):
    """The register under the organization (and the Centre's), in the import format."""
    unit = access.get_unit_for_user(request.user, code)
    content = sheets.export_register(request.user, unit, Actor.from_request(request))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="van-ban-{unit.code}.xlsx"'
    return response
