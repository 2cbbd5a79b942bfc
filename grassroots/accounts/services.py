"""Every change to an account goes through these functions (views, `createadmin`, the admin's
own forms do not save users directly). Each validates, checks that the acting administrator may
touch the account and the scope, and writes the audit record in the same transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from grassroots.audit.services import Actor, diff, for_update, record, snapshot
from grassroots.core.text import clean
from grassroots.organizations.models import Unit

from . import access, totp
from .models import Role, TOTPDevice, User

AUDITED_FIELDS = [
    "username",
    "first_name",
    "last_name",
    "email",
    "scope",
    "role",
    "member",
    "can_inspect",
    "is_active",
]


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


def _member_link(actor: Actor, role: str, member, scope: Unit | None) -> Unit | None:
    """A member's own account (issue 14) is linked to a member the administrator can see; its
    scope is the member's cell (it grants no subtree: access._scope_id). Other roles have none."""
    if role != Role.MEMBER:
        if member is not None:
            raise ValidationError(
                {"member_number": ["Chỉ tài khoản vai trò Đảng viên mới gắn với một đảng viên."]}
            )
        return scope
    if member is None:
        raise ValidationError({"member_number": ["Tài khoản đảng viên cần số lý lịch đảng viên."]})
    if (
        actor.user is not None
        and not access.members_visible(actor.user).filter(pk=member.pk).exists()
    ):
        raise ValidationError({"member_number": ["Không tìm thấy đảng viên."]})
    if User.objects.filter(member=member).exists():
        raise ValidationError({"member_number": ["Đảng viên này đã có tài khoản."]})
    stint = member.stints.order_by("-start").first()
    if stint is None:
        raise ValidationError({"member_number": ["Đảng viên chưa có nơi sinh hoạt."]})
    return stint.unit


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
    member=None,
) -> User:
    username = clean(username)
    if not username:
        raise ValidationError({"username": ["Cần nhập tên đăng nhập."]})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": [f"Tên đăng nhập {username} đã có."]})
    role = Role(role)
    scope = _member_link(actor, role, member, scope)
    if scope is None:
        raise ValidationError({"scope": ["Tài khoản phải có phạm vi (một tổ chức)."]})
    _check_manager(actor, scope)
    user = User(
        username=username,
        first_name=clean(first_name),
        last_name=clean(last_name),
        email=email.strip(),
        scope=scope,
        role=role,
        member=member,
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
    account = for_update(User.objects).get(pk=account.pk)
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
        if fields["role"] == Role.MEMBER and account.member_id is None:
            raise ValidationError(
                {"role": ["Tài khoản đảng viên phải tạo mới, gắn với số lý lịch đảng viên."]}
            )
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
    account = for_update(User.objects).get(pk=account.pk)
    _check_manager(actor, None, account)
    _check_password(password, account)
    account.set_password(password)
    account.save(update_fields=["password"])
    # The trail says that the password changed, never what it is.
    record(actor, obj=account, action="password", object_type="account")
    return account


@transaction.atomic
def account_change_own_password(
    *, actor: Actor, account: User, old_password: str, new_password: str
) -> User:
    """Self-service change (issue 20 §20): the current password proves it is the owner at the
    keyboard; the new one passes the same validators as everywhere else. Audited, never the
    password itself."""
    account = for_update(User.objects).get(pk=account.pk)
    if actor.user is None or actor.user.pk != account.pk:
        raise ValidationError("Chỉ chủ tài khoản mới tự đổi được mật khẩu.")
    if not account.check_password(old_password):
        raise ValidationError({"old_password": ["Mật khẩu hiện tại không đúng."]})
    if old_password == new_password:
        raise ValidationError({"password": ["Mật khẩu mới phải khác mật khẩu hiện tại."]})
    _check_password(new_password, account)
    account.set_password(new_password)
    account.save(update_fields=["password"])
    record(actor, obj=account, action="password", object_type="account", reason="Tự đổi mật khẩu")
    return account


# --- second factor ------------------------------------------------------------------------------


@transaction.atomic
def totp_begin(*, actor: Actor, user: User) -> TOTPDevice:
    """A fresh secret for the user's authenticator, not active until a code confirms it."""
    device = for_update(TOTPDevice.objects).filter(user=user).first()
    if device is not None and device.confirmed:
        raise ValidationError("Xác thực hai bước đã được bật.")
    if device is None:
        device = TOTPDevice(user=user)
    device.secret = totp.new_secret()
    device.last_step = 0
    device.save()
    return device


def _accept(device: TOTPDevice, code: str) -> bool:
    step = totp.matching_step(device.secret, code, after=device.last_step)
    if step is None:
        return False
    device.last_step = step
    device.save(update_fields=["last_step"])
    return True


@transaction.atomic
def totp_confirm(*, actor: Actor, user: User, code: str) -> TOTPDevice:
    device = for_update(TOTPDevice.objects).filter(user=user, confirmed=False).first()
    if device is None or not _accept(device, code):
        raise ValidationError({"code": ["Mã xác thực không đúng."]})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record(actor, obj=user, action="totp_enabled", object_type="account")
    return device


@transaction.atomic
def totp_check(*, user: User, code: str) -> bool:
    """The second step of a login: the code is right and has not been used before."""
    device = for_update(TOTPDevice.objects).filter(user=user, confirmed=True).first()
    return device is not None and _accept(device, code)


@transaction.atomic
def totp_disable(*, actor: Actor, account: User, code: str | None = None) -> None:
    """Turn the second factor off: the owner with a current code, or an administrator above
    them (a lost phone) without one."""
    device = for_update(TOTPDevice.objects).filter(user=account).first()
    if device is None:
        return
    if actor.user is not None and actor.user.pk == account.pk:
        if not device.confirmed or not _accept(device, code or ""):
            raise ValidationError({"code": ["Mã xác thực không đúng."]})
    else:
        _check_manager(actor, None, account)
    device.delete()
    record(actor, obj=account, action="totp_disabled", object_type="account")
