"""API v1 for the cadres figures, the same dicts as the commands (docs/api.md):
`/api/v1/organizations/{code}/training/?from=&to=` (`grassroots training-summary --json`) and
`/api/v1/organizations/{code}/cadre-standards/?at=&gaps=1` (`grassroots cadre-standards --json
[--gaps]`). Scope as every API view: the account must have seen the organization on each day
asked (else 404, as for a wrong code); a bad date is a 400 problem (RFC 9457)."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers as s
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from grassroots.accounts import access
from grassroots.organizations.models import Unit
from grassroots.web.forms import parse_day

from . import queries, standards


def _day(request, name: str, default: dt.date | None = None) -> dt.date:
    raw = request.query_params.get(name, "").strip()
    if not raw and default is not None:
        return default
    day = parse_day(raw)
    if day is None:
        raise ValidationError({name: [f"Ngày không hợp lệ: “{raw}” (YYYY-MM-DD hoặc dd/mm/yyyy)."]})
    return day


def _unit_on(user, code: str, *days: dt.date) -> Unit:
    unit = access.get_unit_for_user(user, code)
    if not all(access.can_see_unit_on(user, unit, day) for day in days):
        raise Http404
    return unit


class TrainingSummaryView(APIView):
    """Trained and fostered in a period, in turns and people, by subject (training-summary)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, required=True, description="ngày đầu kỳ"),
            OpenApiParameter("to", str, description="ngày cuối kỳ; mặc định hôm nay"),
        ],
        responses=inline_serializer("TrainingSummary", {"unit": s.CharField()}),
    )
    def get(self, request, code: str):
        since = _day(request, "from")
        until = _day(request, "to", timezone.localdate())
        if since > until:
            raise ValidationError({"from": ["Ngày đầu kỳ phải trước ngày cuối kỳ."]})
        unit = _unit_on(request.user, code, since, until)
        return Response(queries.training_summary(unit, since, until))


class CadreStandardsView(APIView):
    """Posts, filled, vacant, meeting and below the standard on a day (cadre-standards)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("at", str, description="ngày xem; mặc định hôm nay"),
            OpenApiParameter("gaps", bool, description="1: kèm danh sách chưa đạt chuẩn"),
        ],
        responses=inline_serializer("CadreStandards", {"unit": s.CharField()}),
    )
    def get(self, request, code: str):
        at = _day(request, "at", timezone.localdate())
        unit = _unit_on(request.user, code, at)
        checks = standards.check(unit, at)
        result = standards.summary(unit, at, checks)
        if request.query_params.get("gaps") in ("1", "true"):
            result["gaps"] = standards.gap_rows(unit, at, checks)
        return Response(result)
