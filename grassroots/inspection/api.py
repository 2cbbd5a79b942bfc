"""/api/v1/organizations/CODE/inspection-summary/?from=D&to=D: the figures of
`grassroots inspection-summary --json` (docs/api.md, docs/inspection.md).

Counts only — no case content — so, like the review report's section built from the same
`queries.summary`, they are readable by whoever reads the organization's figures on both days
(accounts.access; 404 otherwise, as for a wrong code). Case content stays on the inspection
pages, for inspection accounts."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers as s
from rest_framework.response import Response
from rest_framework.views import APIView

from grassroots.accounts import access
from grassroots.web.forms import DATE_INPUT_FORMATS

from . import queries


class WindowQuery(s.Serializer):
    since = s.DateField(input_formats=DATE_INPUT_FORMATS)
    at = s.DateField(input_formats=DATE_INPUT_FORMATS)

    def validate(self, data):
        if data["since"] > data["at"]:
            raise s.ValidationError({"from": "Ngày bắt đầu phải trước ngày kết thúc."})
        return data


class InspectionSummaryView(APIView):
    """Supervision, inspection and discipline of the organization's subtree in (from, to]."""

    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, required=True, description="từ sau ngày (YYYY-MM-DD)"),
            OpenApiParameter("to", str, required=True, description="đến hết ngày (YYYY-MM-DD)"),
        ],
        responses=inline_serializer("InspectionSummary", {"unit": s.DictField()}),
    )
    def get(self, request, code: str):
        query = WindowQuery(
            data={"since": request.query_params.get("from"), "at": request.query_params.get("to")}
        )
        if not query.is_valid():
            # The API's parameters are named from/to: say so in the problem's fields.
            names = {"since": "from", "at": "to"}
            raise s.ValidationError({names.get(k, k): v for k, v in query.errors.items()})
        since, at = query.validated_data["since"], query.validated_data["at"]
        unit = access.get_unit_for_user(request.user, code)
        for day in (since, at):
            if not access.can_see_unit_on(request.user, unit, day):
                raise Http404
        return Response(queries.summary(unit, since, at).as_json())
