"""Writes of the API app: create, revoke and use a personal token (each audited)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from grassroots.audit import services as audit
from grassroots.audit.models import Source
from grassroots.audit.services import Actor, for_update

from .models import ApiToken

KEY_START = "grt_"
MAX_TOKENS = 20  # live tokens per account


def key_hash(secret: str) -> str:
    # The secret is 256 random bits: a plain SHA-256 cannot be brute-forced, and it lets every
    # request be checked without a slow password hash.
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(*, actor: Actor, name: str, expires_on: dt.date | None = None) -> tuple:
    """A new token for the acting account. Returns (token, full key); the key is not stored."""
    user = actor.user
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Hãy đặt tên cho khóa (ví dụ: hệ thống báo cáo của tỉnh)."
    if expires_on is not None and expires_on <= timezone.localdate():
        errors["expires_on"] = "Ngày hết hạn phải sau hôm nay."
    live = ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()
    if live >= MAX_TOKENS:
        errors["name"] = f"Mỗi tài khoản có tối đa {MAX_TOKENS} khóa đang dùng; hãy thu hồi bớt."
    if errors:
        raise ValidationError(errors)
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    expires_at = (
        timezone.make_aware(dt.datetime.combine(expires_on, dt.time.min)) if expires_on else None
    )
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=prefix, key_hash=key_hash(secret), expires_at=expires_at
    )
    audit.record(
        actor,
        obj=token,
        action="api_token.create",
        changes={"name": [None, token.name], "expires_at": [None, expires_at]},
    )
    return token, f"{KEY_START}{prefix}_{secret}"


@transaction.atomic
def token_revoke(*, actor: Actor, token: ApiToken) -> None:
    token = for_update(ApiToken.objects).get(pk=token.pk)
    if token.user_id != actor.user.pk:
        raise ValidationError("Chỉ chủ tài khoản thu hồi được khóa của mình.")
    if token.revoked_at is not None:
        raise ValidationError("Khóa này đã bị thu hồi.")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        actor,
        obj=token,
        action="api_token.revoke",
        changes={"revoked_at": [None, token.revoked_at]},
    )


def token_use(*, token: ApiToken, method: str, path: str, address: str) -> None:
    """Every request made with a token is written to the audit trail with the token's id."""
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        audit.record(
            Actor(token.user, Source.API, address),
            obj=token,
            action="api_token.use",
            reason=f"{method} {path}"[:500],
        )
