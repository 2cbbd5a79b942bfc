"""Reads of the API app: find a token from a presented key; an account's tokens."""

from __future__ import annotations

import hmac

from django.db.models import QuerySet

from .models import ApiToken
from .services import KEY_START, key_hash


def token_for_key(key: str) -> ApiToken | None:
    """The usable token this key belongs to (active account, not revoked, not expired), or None."""
    if not key.startswith(KEY_START):
        return None
    prefix, _, secret = key[len(KEY_START) :].partition("_")
    if not prefix or not secret:
        return None
    token = ApiToken.objects.select_related("user", "user__scope").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.key_hash, key_hash(secret)):
        return None
    if not token.usable() or not token.user.is_active:
        return None
    return token


def tokens_of(user) -> QuerySet:
    return ApiToken.objects.filter(user=user)
