"""Who may act in the assessment: the scope (404) and role (403) of accounts/access.py, and the
body that holds the power to act at each step (domain.md §3.3–3.4)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404

from grassroots.accounts import access
from grassroots.audit.services import Actor
from grassroots.organizations.models import Unit, UnitVersion
from grassroots.organizations.queries import on

# Who may act -------------------------------------------------------------------------------------


def authorize(
    actor: Actor,
    *,
    role: str,
    subject_unit: Unit | int,
    authority: Unit | int | None,
    day: dt.date,
    authority_label: str = "",
) -> None:
    """404 when the subject is outside the user's scope; 403 without the role, or when the body
    that has the power to act (`authority`) is not inside the user's scope."""
    user = actor.user
    if user is None:  # system, demo, data migrations
        return
    subject = subject_unit if isinstance(subject_unit, Unit) else Unit.objects.get(pk=subject_unit)
    if not access.can_see_unit_on(user, subject, day):
        raise Http404("Không tìm thấy tổ chức.")
    access.require_role(user, role)
    if authority is None:
        if not access.sees_everything(user):
            raise PermissionDenied(
                f"Chỉ cấp trên của {subject.code} mới có thẩm quyền thực hiện thao tác này."
            )
        return
    authority_unit = authority if isinstance(authority, Unit) else Unit.objects.get(pk=authority)
    if not access.can_see_unit_on(user, authority_unit, day):
        raise PermissionDenied(
            f"Thao tác này thuộc thẩm quyền của {authority_label or 'cấp ủy'} {authority_unit.code}, "
            "ngoài phạm vi tài khoản."
        )


def parent_on(unit_id: int, day: dt.date) -> int | None:
    version = UnitVersion.objects.filter(on(day), unit_id=unit_id).first()
    return version.parent_id if version else None
