"""Who may see and write inspection records, in the style of accounts/access.py (which the
registry's layers keep from importing this app).

Case content (denunciations, findings, conclusions, decisions) is for accounts with the
inspection flag (`User.can_inspect`) and superusers only, and only inside their scope as it was
on the case's date. An account without the flag sees nothing of a case, not even that it exists:
its pages answer 404 like something outside the scope, the unit's list page 403, and the member
page shows no inspection section. Aggregated figures (`inspection-summary`, the report section)
are for everyone who may read the organization's figures. Writes need the flag, the clerk role
and the subject in the scope today (accounts.access.require_writable_unit).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from grassroots.accounts import access
from grassroots.accounts.models import Role
from grassroots.organizations.models import Unit, UnitAncestry

NOT_INSPECTOR = "Tài khoản không thuộc bộ phận kiểm tra: không xem được hồ sơ kiểm tra, kỷ luật."


def is_inspector(user) -> bool:
    if access.sees_everything(user):
        return True
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and getattr(user, "can_inspect", False)
        and user.has_role(Role.VIEWER)
    )


def _scope(user) -> int | None:
    return access._scope_id(user)


def only_visible(user, rows: QuerySet, day_field: str) -> QuerySet:
    """Rows (cases, decisions) whose unit lay in the user's scope on the row's own date."""
    if access.sees_everything(user):
        return rows
    scope = _scope(user)
    if scope is None or not is_inspector(user):
        return rows.none()
    return rows.filter(
        Exists(
            UnitAncestry.objects.filter(
                Q(valid_to__isnull=True) | Q(valid_to__gt=OuterRef(day_field)),
                ancestor_id=scope,
                descendant_id=OuterRef("unit_id"),
                valid_from__lte=OuterRef(day_field),
            )
        )
    )


def cases_visible(user) -> QuerySet:
    from .models import Case

    return only_visible(user, Case.objects.all(), "placed_on")


def decisions_visible(user) -> QuerySet:
    from .models import Decision

    return only_visible(user, Decision.objects.all(), "placed_on")


def suspensions_visible(user) -> QuerySet:
    from .models import Suspension

    return only_visible(user, Suspension.objects.all(), "placed_on")


def get_suspension_for_user(user, pk: int, *, write: bool = False):
    """A suspension's page (its grounds and reason): inspectors in the scope only, like a case."""
    suspension = suspensions_visible(user).filter(pk=pk).select_related("unit", "body").first()
    if suspension is None:
        raise Http404("Không tìm thấy quyết định đình chỉ.")
    if write:
        require_inspector_write(user, suspension.unit)
    return suspension


def programmes_visible(user) -> QuerySet:
    from .models import Programme

    return only_visible(user, Programme.objects.all(), "adopted_on")


def get_programme_for_user(user, pk: int, *, write: bool = False):
    """A programme in the user's scope, for inspectors (404 otherwise, like a case)."""
    programme = programmes_visible(user).filter(pk=pk).select_related("unit").first()
    if programme is None:
        raise Http404("Không tìm thấy chương trình.")
    if write:
        require_inspector_write(user, programme.unit)
    return programme


def get_appeal_for_user(user, pk: int):
    """An appeal to decide: its decision readable and writable by the user."""
    from .models import Appeal

    appeal = Appeal.objects.filter(pk=pk).first()
    if appeal is None:
        raise Http404("Không tìm thấy đơn khiếu nại.")
    get_decision_for_user(user, appeal.decision_id, write=True)
    return appeal


def get_case_for_user(user, pk: int, *, write: bool = False):
    """The case if the user may read its content (404 otherwise: a non-inspector learns nothing);
    with `write`, also the clerk role and the subject in the scope today (403)."""
    case = cases_visible(user).filter(pk=pk).select_related("unit", "body").first()
    if case is None:
        raise Http404("Không tìm thấy hồ sơ.")
    if write:
        require_inspector_write(user, case.unit)
    return case


def get_decision_for_user(user, pk: int, *, write: bool = False):
    decision = decisions_visible(user).filter(pk=pk).select_related("unit", "body").first()
    if decision is None:
        raise Http404("Không tìm thấy quyết định.")
    if write:
        require_inspector_write(user, decision.unit)
    return decision


def get_unit_for_inspector(user, code: str, *, write: bool = False) -> Unit:
    """The organization's inspection pages: in scope (404), inspectors only (403)."""
    unit = access.get_unit_for_user(user, code)
    if not is_inspector(user):
        raise PermissionDenied(NOT_INSPECTOR)
    if write:
        require_inspector_write(user, unit)
    return unit


def require_inspector_write(user, unit: Unit) -> None:
    if not is_inspector(user):
        raise PermissionDenied(NOT_INSPECTOR)
    access.require_role(user, Role.CLERK)
    access.require_writable_unit(user, unit)


def require_actor(actor, unit: Unit, day: dt.date | None = None) -> None:
    """Services: a user actor must be an inspector who may write `unit` (on `day` too); the
    system (demo, CLI, import under a checked user) passes."""
    user = getattr(actor, "user", None)
    if user is None:
        access._acting_user(actor)  # UI/API without a user: refused there
        return
    require_inspector_write(user, unit)
    if day is not None and not access.sees_everything(user) and unit.exists_on(day):
        if not access.can_see_unit_on(user, unit, day):
            raise access._outside_period(day, f"tổ chức {unit.code}")


def may_write(user, unit: Unit) -> bool:
    try:
        require_inspector_write(user, unit)
    except PermissionDenied:
        return False
    return True
