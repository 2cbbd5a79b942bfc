"""REST API v1: thin views over the other apps' queries and services.

Every object is reached through grassroots.accounts.access with the token's account, exactly as
the pages do: outside the scope (or outside the part of time the scope covers) reads as 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers as s
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from grassroots.accounts import access
from grassroots.accounts.models import Role
from grassroots.assessments import queries as assessments
from grassroots.audit.models import Source
from grassroots.audit.services import Actor, log_profile_view
from grassroots.figures.queries import figures
from grassroots.members import lifecycle
from grassroots.members import services as member_services
from grassroots.members.models import EventKind, MemberEvent, Status
from grassroots.members.models import Member as MemberModel
from grassroots.members.queries import revision
from grassroots.organizations.models import Unit, UnitVersion
from grassroots.organizations.queries import unit_rows
from grassroots.territory import queries as territory
from grassroots.web.forms import EVENT_INPUTS, EventForm

from . import serializers as out

DATES = [
    OpenApiParameter(
        "at", str, description="ngày xem (YYYY-MM-DD hoặc dd/mm/yyyy); mặc định hôm nay"
    ),
    OpenApiParameter("since", str, description="ngày so sánh (tùy chọn), trước ngày xem"),
]


def _dates(request) -> tuple[dt.date, dt.date | None]:
    query = out.DatesQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data.get("at") or timezone.localdate(), query.validated_data.get("since")


def _actor(request) -> Actor:
    return Actor(request.user, Source.API, Actor.from_request(request).address)


def _unit_on(user, code: str, *days: dt.date | None) -> Unit:
    """The unit if the account saw it on each given day (else 404, as for a wrong code)."""
    unit = access.get_unit_for_user(user, code)
    for day in days:
        if day is not None and not access.can_see_unit_on(user, unit, day):
            raise Http404
    return unit


class TreeView(ListAPIView):
    """The organizations on a date, in tree order, under `under` (default: the account's scope)."""

    serializer_class = out.TreeRow

    @extend_schema(
        parameters=[DATES[0], OpenApiParameter("under", str, description="mã tổ chức gốc")]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no account
            return UnitVersion.objects.none()
        at, _ = _dates(self.request)
        user = self.request.user
        code = self.request.query_params.get("under") or (user.scope.code if user.scope_id else "")
        under = _unit_on(user, code, at) if code else None
        if under is None and not access.sees_everything(user):
            raise Http404
        # `type` is null outside grassroots organizations, as in `grassroots units --json`.
        return [{**asdict(row), "type": row.type or None} for row in unit_rows(at, under)]


class OrganizationView(APIView):
    """An organization with its versions (name, kind, parent over time) inside the visible period."""

    @extend_schema(responses=out.Organization)
    def get(self, request, code: str):
        unit = access.get_unit_for_user(request.user, code)
        periods = access.visible_period(request.user, unit)
        versions = [
            v
            for v in unit.versions.select_related("parent").order_by("valid_from")
            if any(
                (end is None or v.valid_from < end) and (v.valid_to is None or start < v.valid_to)
                for start, end in periods
            )
        ]
        return Response(
            {
                "code": unit.code,
                "established": unit.established,
                "ended": unit.ended,
                "versions": [
                    {
                        "valid_from": v.valid_from,
                        "valid_to": v.valid_to,
                        "name": v.name,
                        "kind": v.kind,
                        "type": v.grassroots_type or None,
                        "parent": v.parent.code if v.parent else None,
                    }
                    for v in versions
                ],
            }
        )


class FiguresView(APIView):
    """The figures of `grassroots figures --json`, as of `at` and, with `since`, between two dates."""

    @extend_schema(
        parameters=DATES, responses=inline_serializer("Figures", {"unit": s.DictField()})
    )
    def get(self, request, code: str):
        at, since = _dates(request)
        unit = _unit_on(request.user, code, at, since)
        return Response(figures(unit, at, since).as_json())


class MemberFilter(filters.FilterSet):
    q = filters.CharFilter(method="search", required=True, label="tên, số lý lịch, số thẻ, CCCD")

    def search(self, queryset, name, value):
        return access.find_members(self.request.user, value.strip()).members


class MemberSearchView(ListAPIView):
    """Members the account may see whose name (or profile, card, citizen number) matches `q`."""

    serializer_class = out.MemberRow
    filterset_class = MemberFilter

    queryset = MemberModel.objects.none()  # the search (filter_queryset) gives the rows

    def filter_queryset(self, queryset):
        query = self.request.query_params.get("q", "").strip()
        if not query:
            raise s.ValidationError({"q": "Hãy nhập tên hoặc số cần tìm."})
        return access.find_members(self.request.user, query).members


def _member_json(user, member) -> dict:
    live = [member_services.as_ev(e) for e in member_services.live_events(member)]
    state = lifecycle.final_state(live)
    cell = None
    if state.unit_id:
        seen = access.only_ever_visible(user, Unit.objects.filter(pk=state.unit_id)).first()
        cell = seen.code if seen else None
    return {
        "id": member.pk,
        "full_name": member.full_name,
        "birth_date": member.birth_date,
        "profile_number": member.profile_number,
        "gender": member.gender,
        "status": Status(state.status).value if state.status else None,
        "cell": cell,
        "version": revision(member),
        "profile": {f: getattr(member, f) for f in member_services.PROFILE_FIELDS},
    }


class MemberView(APIView):
    """A member's record; reading it is logged as a profile view, as on the member page."""

    @extend_schema(responses=out.Member)
    def get(self, request, pk: int):
        member = access.get_member_for_user(request.user, pk)
        log_profile_view(user=request.user, member=member, address=_actor(request).address)
        return Response(_member_json(request.user, member))


class EventFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=EventKind.choices)
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = MemberEvent
        fields = ["kind"]


def _event_json(event: MemberEvent, codes: dict[int, str]) -> dict:
    return {
        "id": event.pk,
        "kind": event.kind,
        "date": event.date,
        "unit": codes.get(event.unit_id),
        "decision_number": event.decision_number,
        "decision_date": event.decision_date,
        "issuing_body": event.issuing_body,
        "voided": event.voided_at is not None,
    }


class MemberEventsView(ListAPIView):
    """GET: the member's events inside the visible period. POST: record one (role clerk), through
    the same form and service as the page."""

    serializer_class = out.Event
    filterset_class = EventFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MemberEvent.objects.none()
        member = access.get_member_for_user(self.request.user, self.kwargs["pk"])
        return access.member_events_visible(self.request.user, member)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        seen = access.only_ever_visible(
            request.user, Unit.objects.filter(pk__in={e.unit_id for e in page if e.unit_id})
        )
        codes = dict(seen.values_list("pk", "code"))
        return self.get_paginated_response([_event_json(e, codes) for e in page])

    @extend_schema(request=out.EventInput, responses={201: out.Event})
    def post(self, request, pk: int):
        member = access.get_member_for_user(request.user, pk, role=Role.CLERK)
        data = {k: v for k, v in request.data.items() if isinstance(v, str | int)}
        kind = str(data.pop("kind", ""))
        if kind not in EVENT_INPUTS:
            raise s.ValidationError({"kind": f"Loại sự kiện không ghi được: {kind!r}."})
        data.setdefault("expected_version", revision(member))
        form = EventForm(data, kind=kind)
        if not form.is_valid():
            raise ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
        cleaned = dict(form.cleaned_data)
        code = cleaned.pop("unit_code", "")
        unit = None
        if code:
            try:
                unit = access.get_unit_for_user(request.user, code)
            except Http404:  # outside the scope reads exactly like a wrong code
                raise ValidationError(
                    {"unit_code": [f"Không tìm thấy tổ chức có mã {code}."]}
                ) from None
        event = member_services.member_record_event(
            actor=_actor(request), member=member, kind=kind, unit=unit, **cleaned
        )
        codes = {unit.pk: unit.code} if unit else {}
        return Response(_event_json(event, codes), status=201)


class VillagesView(APIView):
    """The villages of a commune (or all under an organization) on a date, with their arrangement."""

    @extend_schema(parameters=DATES[:1], responses=out.Villages)
    def get(self, request, code: str):
        at, _ = _dates(request)
        unit = _unit_on(request.user, code, at)
        rows = territory.villages_at(unit, at)
        return Response(
            {
                "at": at,
                "counts": territory.arrangement_counts(rows),
                "villages": [
                    {
                        "code": r.code,
                        "name": r.name,
                        "kind": r.kind,
                        "arrangement": r.arrangement,
                        "unit": r.unit_code,
                        "cell": r.cell_code,
                        "since": r.since,
                    }
                    for r in rows
                ],
            }
        )


class PopulationView(APIView):
    """Population recorded for the organization, by year."""

    @extend_schema(responses=out.Population(many=True))
    def get(self, request, code: str):
        unit = access.get_unit_for_user(request.user, code)
        return Response(
            [{"year": y, "population": p} for y, p in territory.population_by_year(unit)]
        )


class AssessmentSummaryView(APIView):
    """The year's decided ratings under the organization (as `grassroots assessment-summary`)."""

    @extend_schema(responses=inline_serializer("AssessmentSummary", {"unit": s.CharField()}))
    def get(self, request, code: str, year: int):
        if not 1930 <= year <= timezone.localdate().year + 1:
            raise Http404
        unit = _unit_on(request.user, code, assessments.year_end(year))
        return Response(assessments.summary(unit, year).as_json())
