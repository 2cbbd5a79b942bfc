"""GET /api/v1/organizations/{code}/meetings/?from=&to= — the meeting book's figures of a window
(`queries.summary`, the same keys as `grassroots meetings-summary --json`; docs/api.md).

Scope as every API view: the organization must be in the token's account's scope on both days
of the window, else 404 as for a wrong code; bad dates are a 422 problem."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers as s
from rest_framework.response import Response
from rest_framework.views import APIView

from grassroots.api.views import _unit_on
from grassroots.core import limits
from grassroots.formats.vi.formats import DATE_INPUT_FORMATS

from . import queries

MAX_YEARS = 5


class WindowQuery(s.Serializer):
    since = s.DateField(required=False, input_formats=DATE_INPUT_FORMATS)
    until = s.DateField(required=False, input_formats=DATE_INPUT_FORMATS)

    def validate(self, data):
        if data["since"] > data["until"]:
            raise s.ValidationError({"to": "Ngày kết thúc phải sau ngày bắt đầu."})
        if data["since"] < limits.EARLIEST_DAY:
            raise s.ValidationError({"from": "Ngày bắt đầu quá xa trong quá khứ."})
        # Each month of the window costs one count of the cells due: a window is at most
        # MAX_YEARS years (a longer series is asked year by year).
        if (data["until"] - data["since"]).days > 366 * MAX_YEARS:
            raise s.ValidationError({"to": f"Khoảng thời gian tối đa {MAX_YEARS} năm."})
        return data


class MeetingsSummaryView(APIView):
    """Meetings due, held, thematic, attendance, members absent without reason ≥3 months, short
    meetings, quality average — for an organization and a window, through the restructured tree."""

    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, description="từ ngày (mặc định 01/01 năm nay)"),
            OpenApiParameter("to", str, description="đến ngày (mặc định hôm nay)"),
        ],
        responses=inline_serializer("MeetingsSummary", {"unit": s.CharField()}),
    )
    def get(self, request, code: str):
        today = timezone.localdate()
        params = request.query_params
        query = WindowQuery(
            data={
                "since": params.get("from") or dt.date(today.year, 1, 1).isoformat(),
                "until": params.get("to") or today.isoformat(),
            }
        )
        if not query.is_valid():
            errors = query.errors
            # the parameters are called from/to on the wire
            raise s.ValidationError(
                {{"since": "from", "until": "to"}.get(k, k): v for k, v in errors.items()}
            )
        since, until = query.validated_data["since"], query.validated_data["until"]
        unit = _unit_on(request.user, code, since, until)
        return Response(queries.summary(unit, since, until))
