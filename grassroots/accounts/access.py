"""Who may see and change what. Every view, export, search, API call and command goes through
these functions; nothing checks access on its own (style.md habit 4).

A user's scope is one organization; they see its subtree as it was on each date. Something
outside the scope is treated exactly like something that does not exist (404).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from grassroots.core.dates import FAR_FUTURE
from grassroots.members.models import Member, MemberStint
from grassroots.organizations.models import Unit, UnitAncestry, UnitVersion
from grassroots.organizations.queries import on

from .models import Role


def sees_everything(user) -> bool:
    return bool(user.is_active and user.is_superuser)


def _scope_id(user) -> int | None:
    if not user.is_authenticated or not user.is_active:
        return None
    return user.scope_id


def units_ever_visible(user) -> QuerySet:
    """Units that were inside the user's scope at some time."""
    if sees_everything(user):
        return Unit.objects.all()
    scope = _scope_id(user)
    if scope is None:
        return Unit.objects.none()
    return Unit.objects.filter(pk__in=UnitAncestry.objects.filter(ancestor_id=scope).values("descendant_id"))


def unit_ids_visible_on(user, day: dt.date) -> QuerySet | None:
    """Ids under the scope on `day` (a subquery), or None meaning no restriction."""
    if sees_everything(user):
        return None
    scope = _scope_id(user)
    if scope is None:
        return UnitAncestry.objects.none().values("descendant_id")
    return UnitAncestry.objects.filter(on(day), ancestor_id=scope).values("descendant_id")


def versions_visible_on(user, day: dt.date) -> QuerySet:
    qs = UnitVersion.objects.filter(on(day))
    ids = unit_ids_visible_on(user, day)
    return qs if ids is None else qs.filter(unit_id__in=ids)


def can_see_unit_on(user, unit: Unit, day: dt.date) -> bool:
    if sees_everything(user):
        return True
    scope = _scope_id(user)
    return scope is not None and UnitAncestry.objects.filter(on(day), ancestor_id=scope, descendant=unit).exists()


def visible_period(user, unit: Unit) -> list[tuple[dt.date, dt.date | None]]:
    """The intervals in which `unit` was inside the user's scope (all of its life for superusers)."""
    if sees_everything(user):
        return [(unit.established, unit.ended)]
    rows = UnitAncestry.objects.filter(ancestor_id=_scope_id(user), descendant=unit).order_by("valid_from")
    return list(rows.values_list("valid_from", "valid_to"))


def get_unit_for_user(user, code: str, *, role: str = Role.VIEWER) -> Unit:
    """The unit with this code if it was ever inside the user's scope; 404 otherwise.

    `role` is the least role needed for what the caller is about to do (403 if the user lacks it).
    """
    unit = units_ever_visible(user).filter(code__iexact=code).first()
    if unit is None:
        raise Http404("Không tìm thấy tổ chức.")
    require_role(user, role)
    return unit


def require_role(user, role: str) -> None:
    if not user.has_role(role):
        raise PermissionDenied("Tài khoản không có quyền thực hiện thao tác này.")


def _stint_in_scope(scope_id: int):
    """A correlated EXISTS: the member's stint lay in a unit while that unit was in scope."""
    far = Value(FAR_FUTURE)
    overlap = UnitAncestry.objects.filter(
        ancestor_id=scope_id,
        descendant_id=OuterRef("unit_id"),
        valid_from__lt=Coalesce(OuterRef("end"), far),
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=OuterRef("start")))
    return MemberStint.objects.filter(member_id=OuterRef("pk")).filter(Exists(overlap))


def members_visible(user) -> QuerySet:
    """Members who were counted somewhere inside the user's scope at some time."""
    if sees_everything(user):
        return Member.objects.all()
    scope = _scope_id(user)
    if scope is None:
        return Member.objects.none()
    return Member.objects.filter(Exists(_stint_in_scope(scope)))


def get_member_for_user(user, pk: int, *, role: str = Role.VIEWER) -> Member:
    member = members_visible(user).filter(pk=pk).first()
    if member is None:
        raise Http404("Không tìm thấy đảng viên.")
    require_role(user, role)
    return member
