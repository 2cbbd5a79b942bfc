"""Every change to an account goes through these functions (views, `createadmin`, the admin's
own forms do not save users directly). Each validates, checks that the acting administrator may
touch the account and the scope, and writes the audit record in the same transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from grassroots.audit.services import Actor, diff, record, snapshot
from grassroots.core.text import clean
from grassroots.organizations.models import Unit

from . import access
from .models import Role, User

AUDITED_FIELDS = ["username", "first_name", "last_name", "email", "scope", "role", "is_active"]


def _check_manager(actor: Actor, scope: Unit | None, account: User | None = None) -> None:
    """The acting user may give this scope and touch this account (system and CLI actors may)."""
    manager = actor.user
    if manager is None:
        return
    if not manager.has_role(Role.ADMIN):
        raise ValidationError("Chỉ quản trị viên mới quản lý được tài khoản.")
    if account is not None and not access.accounts_visible(manager).filter(pk=account.pk).exists():
        raise ValidationError("Không tìm thấy tài khoản.")
    if scope is not None and not access.scopes_assignable(manager).filter(pk=scope.pk).exists():
        raise ValidationError({"scope": ["Không thể giao phạm vi ngoài phạm vi quản lý của bạn."]})


def _check_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


@transaction.atomic
def account_create(
    *,
    actor: Actor,
    username: str,
    password: str,
    scope: Unit,
    role: str = Role.VIEWER,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    username = clean(username)
    if not username:
        raise ValidationError({"username": ["Cần nhập tên đăng nhập."]})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": [f"Tên đăng nhập {username} đã có."]})
    if scope is None:
        raise ValidationError({"scope": ["Tài khoản phải có phạm vi (một tổ chức)."]})
    role = Role(role)
    _check_manager(actor, scope)
    user = User(
        username=username,
        first_name=clean(first_name),
        last_name=clean(last_name),
        email=email.strip(),
        scope=scope,
        role=role,
    )
    _check_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    record(
        actor,
        obj=user,
        action="create",
        object_type="account",
        changes=diff({}, snapshot(user, AUDITED_FIELDS)),
    )
    return user


@transaction.atomic
def account_update(*, actor: Actor, account: User, reason: str = "", **fields: Any) -> User:
    """Change an account's name, e-mail, scope, role or active flag (False = locked by an admin)."""
    unknown = set(fields) - set(AUDITED_FIELDS) - {"username"}
    if unknown:
        raise ValueError(f"not account fields: {sorted(unknown)}")
    account = User.objects.select_for_update().get(pk=account.pk)
    _check_manager(actor, fields.get("scope"), account)
    if (
        actor.user is not None
        and actor.user.pk == account.pk
        and (
            {"scope", "role", "is_active"}
            & {k for k, v in fields.items() if v != getattr(account, k)}
        )
    ):
        raise ValidationError(
            "Không thể tự thay đổi phạm vi, vai trò hoặc khóa tài khoản của chính mình."
        )
    if "role" in fields:
        fields["role"] = Role(fields["role"])
    if "scope" in fields and fields["scope"] is None and not account.is_superuser:
        raise ValidationError({"scope": ["Tài khoản phải có phạm vi (một tổ chức)."]})
    before = snapshot(account, AUDITED_FIELDS)
    for name, value in fields.items():
        setattr(
            account, name, clean(value) if isinstance(value, str) and name != "email" else value
        )
    changes = diff(before, snapshot(account, AUDITED_FIELDS))
    if not changes:
        return account
    account.full_clean(exclude=["password"])
    account.save()
    action = "update"
    if "is_active" in changes:
        action = "unlock" if account.is_active else "lock"
    elif "role" in changes or "scope" in changes:
        action = "role_change"
    record(actor, obj=account, action=action, object_type="account", changes=changes, reason=reason)
    return account


@transaction.atomic
def account_set_password(*, actor: Actor, account: User, password: str) -> User:
    account = User.objects.select_for_update().get(pk=account.pk)
    _check_manager(actor, None, account)
    _check_password(password, account)
    account.set_password(password)
    account.save(update_fields=["password"])
    # The trail says that the password changed, never what it is.
    record(actor, obj=account, action="password", object_type="account")
    return account
