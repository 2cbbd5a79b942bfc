"""API v1 of the pipeline: `development-summary` and `candidates`, the same query functions as the
CLI (development/queries.py), scoped through the account's access like every API view (outside
the scope, or outside the part of time it covers, reads as 404)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers as s
from rest_framework.response import Response
from rest_framework.views import APIView

from grassroots.api.views import DATES, _dates, _unit_on

from . import queries, rules


class DevelopmentSummaryView(APIView):
    """The pipeline of the organization on `at` and its admissions in (since, at], with the keys
    of `grassroots development-summary --json` (without `since`: the year so far)."""

    @extend_schema(
        parameters=DATES,
        responses=inline_serializer("DevelopmentSummary", {"unit": s.DictField()}),
    )
    def get(self, request, code: str):
        at, since = _dates(request)
        unit = _unit_on(request.user, code, at, since)
        return Response(queries.summary(unit, at, since).as_json())


STAGES = [str(stage) for stage in rules.OPEN_STAGES]


class CandidatesView(APIView):
    """The cases open under the organization on `at` (optionally at one stage), overdue first,
    as `grassroots candidates --json`."""

    @extend_schema(
        parameters=[DATES[0], OpenApiParameter("stage", str, enum=STAGES, description="mã bước")],
        responses=inline_serializer(
            "CandidateRow", {"id": s.IntegerField(), "full_name": s.CharField()}, many=True
        ),
    )
    def get(self, request, code: str):
        at, _ = _dates(request)
        stage = request.query_params.get("stage") or None
        if stage is not None and stage not in STAGES:
            raise s.ValidationError(
                {"stage": f"Không có bước “{stage}”; dùng: {', '.join(STAGES)}."}
            )
        unit = _unit_on(request.user, code, at)
        return Response([row.as_json() for row in queries.cases(unit, at, stage)])
