"""Logins, failed logins and logouts go to the lockout table and the audit trail."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from grassroots.audit.models import Source
from grassroots.audit.services import Actor, record
from grassroots.core.request import client_address

from . import lockout, two_factor


def _actor(user, request) -> Actor:
    source = Source.UI if request is not None else Source.SYSTEM
    return Actor(user, source, client_address(request))


@receiver(user_login_failed, dispatch_uid="grassroots_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = credentials.get("username", "")
    with transaction.atomic():
        attempt = lockout.note_attempt(username, client_address(request), succeeded=False)
        record(
            _actor(None, request),
            obj=attempt,
            action="login_failed",
            object_type="login",
            changes={"username": [None, attempt.username]},
        )


@receiver(user_logged_in, dispatch_uid="grassroots_logged_in")
def _logged_in(sender, request, user, **kwargs):
    two_factor.mark_logged_in(request, user)
    with transaction.atomic():
        lockout.note_attempt(user.get_username(), client_address(request), succeeded=True)
        record(_actor(user, request), obj=user, action="login", object_type="account")


@receiver(user_logged_out, dispatch_uid="grassroots_logged_out")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(_actor(user, request), obj=user, action="logout", object_type="account")
