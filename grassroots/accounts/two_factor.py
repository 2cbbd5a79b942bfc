"""Optional second factor (TOTP) for administrators.

After the password, an account with a confirmed authenticator is not logged in yet: the login
view parks it in the session and asks for the 6-digit code. Any other way in (the Django
admin's own login) is caught by `TwoFactorMiddleware`, which logs out a session whose code was
never given. The session remembers the state, so ordinary requests cost no query.
"""

from __future__ import annotations

import time

from django.contrib.auth import logout
from django.shortcuts import redirect

from .models import Role, TOTPDevice

STATE = "grassroots_2fa"  # "none" | "pending" | "ok"
PENDING = "grassroots_2fa_pending"
PENDING_SECONDS = 300


def offered_to(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role == Role.ADMIN))


def enabled_for(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def park(request, user, next_url: str) -> None:
    request.session[PENDING] = {
        "user": user.pk,
        "backend": user.backend,
        "next": next_url,
        "at": time.time(),
    }


def parked(request) -> dict | None:
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    return pending


def mark_logged_in(request, user) -> None:
    """Called on every login: sessions of accounts with an authenticator start 'pending'."""
    if request is not None and hasattr(request, "session"):
        request.session[STATE] = "pending" if enabled_for(user) else "none"


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and request.session.get(STATE) == "pending":
            logout(request)
            return redirect("login")
        return self.get_response(request)
