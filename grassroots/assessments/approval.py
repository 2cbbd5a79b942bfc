"""The superior's approval of a subtree's results (which locks them) and sending them back."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from grassroots.accounts.models import Role
from grassroots.audit.services import Actor, for_update, record
from grassroots.core.text import clean
from grassroots.organizations.models import Unit, UnitAncestry, UnitVersion
from grassroots.organizations.queries import on

from . import queries as q
from .authority import authorize, parent_on
from .checks import BIG_BATCH, cap_errors
from .models import (
    Round,
    RoundAction,
)

# Approval ----------------------------------------------------------------------------------------


def _superior(actor: Actor, rnd: Round, unit: Unit) -> None:
    day = q.year_end(rnd.year)
    if not UnitAncestry.objects.filter(on(day), ancestor=rnd.unit, descendant=unit).exists():
        raise ValidationError(
            f"{unit.code} không thuộc đợt đánh giá {rnd.unit.code} năm {rnd.year}."
        )
    parent = parent_on(unit.pk, day)
    authorize(
        actor,
        role=Role.APPROVER,
        subject_unit=unit,
        authority=parent,
        day=day,
        authority_label="cấp trên trực tiếp",
    )


@transaction.atomic
def round_approve(
    *,
    actor: Actor,
    round: Round,
    unit: Unit,
    note: str = "",
    orgs: dict[int, UnitVersion] | None = None,
    members: dict[int, q.MemberPlace] | None = None,
) -> RoundAction:
    """The superior approves the results of `unit`'s subtree, which locks them (anchors.md §1.2).
    `orgs` / `members`: `q.organizations_due` / `q.members_at_year_end` of `unit` and the round's
    year when the caller already has them (completeness and the cap are checked the same way)."""
    rnd = for_update(Round.objects).select_related("scheme", "unit").get(pk=round.pk)
    _superior(actor, rnd, unit)
    locked = q.locked_by(rnd, [unit.pk])
    if unit.pk in locked:
        raise ValidationError(f"Kết quả của {unit.code} đã được phê duyệt.")
    rules = q.Rules.of(rnd.scheme)
    if orgs is None:
        orgs = q.organizations_due(unit, rnd.year)
    decided_orgs = set(
        q.current()
        .filter(round=rnd, unit_id__in=list(orgs), member__isnull=True)
        .values_list("unit_id", flat=True)
    )
    if members is None:
        due = q.members_due(unit, rnd.year, rules)
    else:
        due = {k: v for k, v in members.items() if not v.reason}
    decided = q.current().filter(round=rnd, member__isnull=False)
    if len(due) <= BIG_BATCH:  # a big subtree: read the round's rows instead of a huge IN list
        decided = decided.filter(member_id__in=list(due))
    decided_members = set(decided.values_list("member_id", flat=True)) & set(due)
    missing_orgs, missing_members = len(set(orgs) - decided_orgs), len(set(due) - decided_members)
    if missing_orgs or missing_members:
        raise ValidationError(
            f"Chưa thể phê duyệt {unit.code}: còn {missing_orgs} tổ chức và {missing_members} đảng viên "
            "chưa có quyết định xếp loại."
        )
    groups = {p.grassroots_id for p in due.values()} - {None}
    errors = cap_errors(rnd, groups, rules, due=due, complete=True)
    if errors:
        raise ValidationError(errors)
    action = RoundAction.objects.create(
        round=rnd, unit=unit, action=RoundAction.Action.APPROVE, reason=clean(note), by=actor.user
    )
    record(
        actor,
        obj=rnd,
        action="approve",
        object_type="round",
        changes={"approved": [None, unit.code]},
        reason=clean(note),
    )
    return action


@transaction.atomic
def round_send_back(*, actor: Actor, round: Round, unit: Unit, reason: str) -> RoundAction:
    """The superior sends `unit`'s results back with a reason; an approval is lifted (unlocked)."""
    rnd = for_update(Round.objects).select_related("scheme", "unit").get(pk=round.pk)
    _superior(actor, rnd, unit)
    reason = clean(reason)
    if not reason:
        raise ValidationError({"reason": ["Cần ghi lý do trả lại."]})
    approved = q.approved_units(rnd)
    day = q.year_end(rnd.year)
    above = UnitAncestry.objects.filter(
        on(day), descendant=unit, depth__gt=0, ancestor_id__in=approved
    )
    if above.exists():
        raise ValidationError(
            "Cấp trên đã phê duyệt kết quả bao gồm tổ chức này; cần trả lại từ cấp trên trước."
        )
    action = RoundAction.objects.create(
        round=rnd, unit=unit, action=RoundAction.Action.SEND_BACK, reason=reason, by=actor.user
    )
    record(
        actor,
        obj=rnd,
        action="send_back",
        object_type="round",
        changes={"sent_back": [None, unit.code]},
        reason=reason,
    )
    return action
