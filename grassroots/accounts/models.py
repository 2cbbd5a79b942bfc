"""Accounts bound to one part of the organization tree, with a role."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # A member's own account (issue 14): linked to one Member by `User.member`, it sees that
    # member's record and their cell's meetings only, never a subtree (access._scope_id).
    MEMBER = "member", _("Đảng viên")
    VIEWER = "viewer", _("Xem")
    CLERK = "clerk", _("Cán bộ nghiệp vụ")
    APPROVER = "approver", _("Người phê duyệt")
    ADMIN = "admin", _("Quản trị")


class User(AbstractUser):
    scope = models.ForeignKey(
        "organizations.Unit",
        verbose_name=_("phạm vi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Tài khoản chỉ thấy tổ chức này và các tổ chức trực thuộc."),
    )
    role = models.CharField(_("vai trò"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    member = models.OneToOneField(
        "members.Member",
        verbose_name=_("đảng viên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account",
        help_text=_("Chỉ với vai trò Đảng viên: hồ sơ của chính người dùng."),
    )
    # The inspection role (issue 16) is a capability beside the rank: an inspection officer may be
    # a viewer or a clerk of their committee's subtree and read inspection cases there.
    can_inspect = models.BooleanField(
        _("cán bộ kiểm tra"),
        default=False,
        help_text=_("Được xem và ghi hồ sơ kiểm tra, giám sát, kỷ luật trong phạm vi."),
    )

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")

    ROLE_RANK = {Role.MEMBER: -1, Role.VIEWER: 0, Role.CLERK: 1, Role.APPROVER: 2, Role.ADMIN: 3}

    def has_role(self, role: str) -> bool:
        if self.is_superuser:
            return True
        return self.ROLE_RANK[Role(self.role)] >= self.ROLE_RANK[Role(role)]


class LoginAttempt(models.Model):
    """One login attempt, kept to lock out guessing per account and per address (issue 4 §5).

    The username is stored as typed, whether or not such an account exists, so a lockout tells
    nothing about which accounts exist.
    """

    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    username = models.CharField(_("tên đăng nhập"), max_length=150, db_index=True)
    address = models.CharField(_("địa chỉ"), max_length=64, blank=True, db_index=True)
    succeeded = models.BooleanField(_("thành công"), default=False)

    class Meta:
        verbose_name = _("lần đăng nhập")
        verbose_name_plural = _("lần đăng nhập")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        outcome = "ok" if self.succeeded else "failed"
        return f"{self.username} @ {self.address or '?'} ({outcome})"


class TOTPDevice(models.Model):
    """An authenticator app (RFC 6238 time-based codes) bound to one account: optional second
    factor for administrators. The secret is shown once, at setup."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp"
    )
    secret = models.CharField(max_length=64)
    confirmed = models.BooleanField(default=False)
    # The last accepted 30-second step: a code is never accepted twice (replay).
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("xác thực hai bước")
        verbose_name_plural = _("xác thực hai bước")

    def __str__(self) -> str:
        return f"TOTP {self.user_id} ({'on' if self.confirmed else 'pending'})"
