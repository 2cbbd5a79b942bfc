"""API v1 for the register (docs/api.md), the same dicts as the commands:
`/api/v1/documents/?q=&unit=&kind=` (`grassroots documents --json`),
`/api/v1/documents/{id}/cascade/{code}/?at=` (`grassroots cascade --json`) and
`/api/v1/documents/files/{id}/` (a file of a document). Scope as every API view: a document the
account does not read, or an organization it did not see on the day, is 404 like a wrong id; a
bad date is a 422 problem (RFC 9457). Downloads are audited like the page's."""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse, Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers as s
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from grassroots.accounts import access
from grassroots.audit.models import Source
from grassroots.audit.services import Actor
from grassroots.core import scans
from grassroots.web.forms import parse_day

from . import queries, services
from .kinds import DOC_KINDS
from .models import Document, DocumentFile


def _document(user, pk: int) -> Document:
    doc = queries.documents_visible(user).filter(pk=pk).first()
    if doc is None:
        raise Http404
    return doc


class DocumentsView(APIView):
    """Documents the account reads, matching every word of `q` (diacritics-insensitive)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="từ cần tìm (không dấu cũng được)"),
            OpenApiParameter("unit", str, description="mã tổ chức: văn bản của cây tổ chức này"),
            OpenApiParameter("kind", str, description="loại văn bản (nghi_quyet, ke_hoach...)"),
        ],
        responses=inline_serializer("Documents", {"documents": s.ListField()}),
    )
    def get(self, request):
        kind = request.query_params.get("kind", "")
        if kind and kind not in DOC_KINDS:
            raise ValidationError({"kind": [f"Loại văn bản không hợp lệ: “{kind}”."]})
        code = request.query_params.get("unit", "").strip()
        unit = access.get_unit_for_user(request.user, code) if code else None
        rows = queries.search_documents(
            request.user, request.query_params.get("q", ""), unit=unit, kind=kind, limit=100
        )
        return Response({"documents": [queries.document_json(d) for d in rows]})


class CascadeView(APIView):
    """The tracker of a document for an organization as of a day (grassroots cascade --json);
    202 with `pending` while the worker recomputes it after a whole-root change."""

    @extend_schema(
        parameters=[OpenApiParameter("at", str, description="ngày xem; mặc định hôm nay")],
        responses=inline_serializer("Cascade", {"document": s.CharField()}),
    )
    def get(self, request, pk: int, code: str):
        raw = request.query_params.get("at", "").strip()
        at = parse_day(raw) if raw else timezone.localdate()
        if at is None:
            raise ValidationError(
                {"at": [f"Ngày không hợp lệ: “{raw}” (YYYY-MM-DD hoặc dd/mm/yyyy)."]}
            )
        doc = _document(request.user, pk)
        unit = access.get_unit_for_user(request.user, code)
        if not access.can_see_unit_on(request.user, unit, at):
            raise Http404
        figures = queries.cascade_figures(doc, unit, at)
        if figures.get("pending"):  # being recomputed by the worker: ask again (202, Retry-After)
            return Response(figures, status=202, headers={"Retry-After": "30"})
        return Response(figures)


class DocumentFileView(APIView):
    """A file of a document the account reads (404 otherwise, whatever the id guessed)."""

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, pk: int):
        item = DocumentFile.objects.filter(pk=pk).first()
        if item is None:
            raise Http404
        _document(request.user, item.document_id)
        path = scans.open_path("directives", item.path)
        if path is None:
            raise Http404
        actor = Actor(request.user, Source.API, Actor.from_request(request).address)
        services.file_log_download(actor=actor, item=item)
        response = FileResponse(path.open("rb"), content_type=item.content_type)
        response["Content-Disposition"] = (
            f'attachment; filename="van-ban-{item.pk}{Path(item.path).suffix}"'
        )
        return response
