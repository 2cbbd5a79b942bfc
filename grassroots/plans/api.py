"""Restructure plans by API (/api/v1/plans/, docs/api.md): create a draft from changes as JSON,
check it (every problem), preview it (the affected organizations before and after with every key
of `grassroots figures`, members whose cell changes, villages whose commune changes) and apply it.

Thin, like grassroots/api/views.py: access through accounts.access with the token's account (a
plan outside the account's scope reads as 404), writes through plans.services only. A refused
apply is an RFC 9457 problem (422) whose `errors.problems` lists every problem of the plan."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers as s
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from grassroots.accounts import access
from grassroots.accounts.models import Role
from grassroots.audit.models import Source as AuditSource
from grassroots.audit.services import Actor

from . import services
from .models import Plan, Source, Status
from .preview import look_back

CHANGE_FIELDS = (
    "action", "code", "date", "name", "kind", "grassroots_type", "parent", "target",
    "new_cell_code", "new_cell_name", "parts", "assign",
)  # fmt: skip


class PlanRow(s.ModelSerializer):
    scope = s.CharField(source="scope.code")

    class Meta:
        model = Plan
        fields = ["id", "name", "effective_date", "scope", "status", "source"]


class ChangeInput(s.Serializer):
    action = s.CharField()
    code = s.CharField()
    date = s.DateField(required=False)
    name = s.CharField(required=False, allow_blank=True)
    kind = s.CharField(required=False, allow_blank=True)
    grassroots_type = s.CharField(required=False, allow_blank=True)
    parent = s.CharField(required=False, allow_blank=True)
    target = s.CharField(required=False, allow_blank=True)
    new_cell_code = s.CharField(required=False, allow_blank=True)
    new_cell_name = s.CharField(required=False, allow_blank=True)
    parts = s.ListField(child=s.DictField(), required=False)
    assign = s.DictField(child=s.CharField(), required=False)


class PlanInput(s.Serializer):
    name = s.CharField()
    effective_date = s.DateField()
    scope = s.CharField(help_text="mã tổ chức quyết định")
    decision_number = s.CharField(required=False, allow_blank=True)
    changes = ChangeInput(many=True)


def _actor(request) -> Actor:
    return Actor(request.user, AuditSource.API, Actor.from_request(request).address)


def _plan(user, pk: int, *, write: bool = False) -> Plan:
    plan = (
        Plan.objects.filter(pk=pk, scope__in=access.units_ever_visible(user))
        .select_related("scope")
        .first()
    )
    if plan is None:
        raise Http404
    if write:
        access.require_role(user, Role.APPROVER)
        if not access.may_write_unit(user, plan.scope, Role.APPROVER):
            raise Http404
    return plan


def _plan_json(plan: Plan) -> dict:
    return {
        **PlanRow(plan).data,
        "decisions": plan.decisions,
        "summary": plan.summary,
        "changes": [
            {
                "position": c.position,
                **{k: getattr(c, k) for k in CHANGE_FIELDS},
                "date": c.date.isoformat(),
            }
            for c in plan.changes.filter(voided=False).order_by("position")
        ],
    }


class PlansView(ListAPIView):
    """GET: the plans the account's scope ever held. POST: a draft from its changes (approvers of
    the deciding organization), all or nothing: every bad change is named (`changes[i]`)."""

    serializer_class = PlanRow

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Plan.objects.none()
        visible = access.units_ever_visible(self.request.user)
        return Plan.objects.filter(scope__in=visible).select_related("scope")

    @extend_schema(request=PlanInput, responses={201: PlanRow})
    def post(self, request):
        access.require_role(request.user, Role.APPROVER)
        data = PlanInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        scope = access.get_unit_for_user(request.user, values["scope"], role=Role.APPROVER)
        actor = _actor(request)
        with transaction.atomic():
            plan = services.plan_create(
                actor=actor,
                name=values["name"],
                effective_date=values["effective_date"],
                scope=scope,
                decisions=[{"number": values.get("decision_number", ""), "date": None}],
                source=Source.API,
            )
            errors = {}
            for i, change in enumerate(values["changes"]):
                change = dict(change)
                try:
                    services.plan_add_change(
                        actor=actor, plan=plan, action=change.pop("action"), **change
                    )
                except ValidationError as exc:
                    errors[f"changes[{i}]"] = (
                        exc.message_dict if hasattr(exc, "error_dict") else exc.messages
                    )
            if errors:
                raise s.ValidationError(errors)  # rolls the draft back: nothing is written
        return Response(_plan_json(plan), status=201)


class PlanView(APIView):
    """The plan with its changes."""

    @extend_schema(responses=inline_serializer("Plan", {"id": s.IntegerField()}))
    def get(self, request, pk: int):
        return Response(_plan_json(_plan(request.user, pk)))


class PlanCheckView(APIView):
    """Every problem of a draft, played as a whole and rolled back (`ok`, `problems`)."""

    @extend_schema(responses=inline_serializer("PlanCheck", {"ok": s.BooleanField()}))
    def get(self, request, pk: int):
        plan = _plan(request.user, pk, write=True)
        result = services.plan_check(actor=_actor(request), plan=plan, preview=False)
        return Response({"ok": result.ok, "problems": [str(p) for p in result.problems]})


class PlanPreviewView(APIView):
    """A draft's preview (played and rolled back), or what an applied plan did (the day before →
    its day): `affected` holds `code`, `before`, `after`, each with the keys of
    `grassroots figures`; `members`, `villages`, `records`, `problems`."""

    @extend_schema(responses=inline_serializer("PlanPreview", {"ok": s.BooleanField()}))
    def get(self, request, pk: int):
        plan = _plan(request.user, pk, write=True)
        if plan.status == Status.APPLIED:
            result = look_back(services.to_changes(plan), plan.effective_date)
        else:
            result = services.plan_check(actor=_actor(request), plan=plan)
        return Response(result.as_json())


class PlanApplyView(APIView):
    """Apply a draft in one transaction; refused (422, every problem) with nothing written."""

    @extend_schema(
        request=None, responses=inline_serializer("PlanApplied", {"id": s.IntegerField()})
    )
    def post(self, request, pk: int):
        plan = _plan(request.user, pk, write=True)
        try:
            plan = services.plan_apply(actor=_actor(request), plan=plan)
        except services.PlanRefused as exc:
            raise ValidationError({"problems": exc.messages}) from None
        return Response(_plan_json(plan))
