"""What follows a rating: an organization's discipline and the consolidation plan of an
organization rated at the lowest level."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from grassroots.accounts.models import Role
from grassroots.audit.services import Actor, diff, record, snapshot
from grassroots.core import limits
from grassroots.core.dates import vn
from grassroots.core.text import clean
from grassroots.organizations.models import Unit

from . import queries as q
from .authority import authorize, parent_on
from .models import (
    ConsolidationPlan,
    DisciplineTarget,
    OrganizationDiscipline,
    OrganizationDisciplineForm,
    Subject,
)

# Organization discipline and consolidation plans -------------------------------------------------

DISCIPLINE_FIELDS = [
    "unit",
    "target",
    "form",
    "date",
    "decision_number",
    "decision_date",
    "issuing_body",
    "note",
]


@transaction.atomic
def organization_discipline_record(
    *,
    actor: Actor,
    unit: Unit,
    target: str,
    form: str,
    date: dt.date,
    decision_number: str = "",
    decision_date: dt.date | None = None,
    issuing_body: str = "",
    note: str = "",
) -> OrganizationDiscipline:
    """Record that an organization or its leadership collective was disciplined (Điều lệ Điều 35)."""
    authorize(actor, role=Role.CLERK, subject_unit=unit, authority=unit, day=date)
    if target not in DisciplineTarget.values:
        raise ValidationError({"target": ["Đối tượng kỷ luật không hợp lệ."]})
    if form not in OrganizationDisciplineForm.values:
        raise ValidationError({"form": ["Hình thức kỷ luật không hợp lệ."]})
    if not unit.exists_on(date):
        raise ValidationError({"date": [f"{unit.code} không tồn tại vào ngày {vn(date)}."]})
    if decision_date and decision_date > date:
        raise ValidationError({"decision_date": ["Ngày quyết định không được sau ngày hiệu lực."]})
    obj = OrganizationDiscipline.objects.create(
        unit=unit,
        target=target,
        form=form,
        date=date,
        decision_number=clean(decision_number),
        decision_date=decision_date,
        issuing_body=clean(issuing_body),
        note=note.strip(),
    )
    record(actor, obj=obj, action="create", changes=diff({}, snapshot(obj, DISCIPLINE_FIELDS)))
    return obj


@transaction.atomic
def organization_discipline_void(
    *, actor: Actor, discipline: OrganizationDiscipline, reason: str
) -> None:
    authorize(
        actor,
        role=Role.CLERK,
        subject_unit=discipline.unit,
        authority=discipline.unit,
        day=discipline.date,
    )
    if not clean(reason):
        raise ValidationError({"reason": ["Cần ghi lý do hủy."]})
    discipline.voided_at = timezone.now()
    discipline.void_reason = clean(reason)
    discipline.save(update_fields=["voided_at", "void_reason"])
    record(actor, obj=discipline, action="void", reason=discipline.void_reason)


PLAN_FIELDS = ["measures", "responsible", "deadline"]


@transaction.atomic
def consolidation_plan_save(
    *,
    actor: Actor,
    unit: Unit,
    year: int,
    measures: str,
    responsible: str = "",
    deadline: dt.date | None = None,
) -> ConsolidationPlan:
    """The plan to consolidate an organization rated at the lowest level (yếu kém / không hoàn thành)."""
    # Years 0, 99999: a clean refusal, not a 500 (issue 20 §14); range: core/limits.py.
    if limits.year_problem(year):
        raise ValidationError({"year": [limits.year_problem(year)]})
    day = q.year_end(year)
    parent = parent_on(unit.pk, day)
    authorize(
        actor,
        role=Role.CLERK,
        subject_unit=unit,
        authority=parent,
        day=day,
        authority_label="cấp ủy cấp trên trực tiếp",
    )
    rating = (
        q.current()
        .filter(year=year, subject=Subject.ORGANIZATION, unit=unit)
        .select_related("level")
        .first()
    )
    if rating is None:
        raise ValidationError(f"{unit.code} chưa có quyết định xếp loại năm {year}.")
    lowest = rating.scheme.levels.filter(subject=Subject.ORGANIZATION).order_by("-order").first()
    if rating.level_id != lowest.pk:
        raise ValidationError(
            f"Kế hoạch củng cố dành cho tổ chức xếp loại {lowest.label}; "
            f"{unit.code} được xếp loại {rating.level.label}."
        )
    if not clean(measures):
        raise ValidationError({"measures": ["Cần ghi biện pháp củng cố."]})
    if deadline and deadline <= day:
        raise ValidationError({"deadline": [f"Thời hạn phải sau ngày {vn(day)}."]})
    plan = ConsolidationPlan.objects.filter(unit=unit, year=year).first()
    before = snapshot(plan, PLAN_FIELDS) if plan else {}
    if plan is None:
        plan = ConsolidationPlan(unit=unit, year=year, created_by=actor.user)
    plan.measures, plan.responsible, plan.deadline = measures.strip(), clean(responsible), deadline
    plan.save()
    record(
        actor,
        obj=plan,
        action="update" if before else "create",
        changes=diff(before, snapshot(plan, PLAN_FIELDS)),
    )
    return plan
