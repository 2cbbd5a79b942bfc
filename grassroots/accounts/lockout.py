"""Lockout after repeated failed logins, per account and per address (issue 4 §5).

An account is locked once it has LOGIN_LOCKOUT_ACCOUNT_FAILURES failures within
LOGIN_LOCKOUT_SECONDS and no successful login since; an address likewise with
LOGIN_LOCKOUT_ADDRESS_FAILURES (higher: an office may share one address). The lock lifts by
itself when the window has passed. Attempts made while locked count as failures, so a guessing
script keeps itself locked out.

An address's count forgives only the failures of usernames that later logged in from it (a
colleague's typos), never the others: logging into one's own account between rounds of guesses
at other accounts does not reset the address (issue 20 §17).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .models import LoginAttempt


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)


def _failures_since_success(**match) -> int:
    since = _window_start()
    last_ok = (
        LoginAttempt.objects.filter(succeeded=True, at__gte=since, **match)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    failures = LoginAttempt.objects.filter(succeeded=False, at__gte=last_ok or since, **match)
    return failures.count()


def _username_key(username: str | None) -> str:
    return (username or "").strip().lower()[:150]


def account_locked(username: str | None) -> bool:
    key = _username_key(username)
    return (
        bool(key)
        and _failures_since_success(username=key) >= settings.LOGIN_LOCKOUT_ACCOUNT_FAILURES
    )


def _address_failures(address: str) -> int:
    later_success_same_account = LoginAttempt.objects.filter(
        succeeded=True, address=address, username=OuterRef("username"), at__gt=OuterRef("at")
    )
    return (
        LoginAttempt.objects.filter(succeeded=False, address=address, at__gte=_window_start())
        .exclude(Exists(later_success_same_account))
        .count()
    )


def address_locked(address: str) -> bool:
    return bool(address) and _address_failures(address) >= settings.LOGIN_LOCKOUT_ADDRESS_FAILURES


def is_locked(username: str | None, address: str) -> bool:
    return account_locked(username) or address_locked(address)


def note_attempt(username: str | None, address: str, *, succeeded: bool) -> LoginAttempt:
    return LoginAttempt.objects.create(
        username=_username_key(username), address=address, succeeded=succeeded
    )


def lockout_minutes() -> int:
    return max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)
