"""Optional TOTP second factor for administrators (issue 4 §5)."""

from __future__ import annotations

import base64
import re

import pytest
from django.test import Client

from grassroots.accounts import totp
from grassroots.accounts.models import Role, TOTPDevice, User
from grassroots.audit.models import AuditRecord
from grassroots.organizations.models import Kind

from .factories import unit

pytestmark = pytest.mark.django_db
PASSWORD = "Grassroots@2026"


def test_codes_follow_rfc_6238():
    secret = base64.b32encode(b"12345678901234567890").decode()
    # RFC 6238 appendix B (SHA-1), last 6 of the 8 digits.
    for t, expected in [
        (59, "287082"),
        (1111111109, "081804"),
        (1234567890, "005924"),
        (2000000000, "279037"),
    ]:
        assert totp.code_at(secret, t // 30) == expected
    assert totp.matching_step(secret, "287082", now=59) == 1
    assert totp.matching_step(secret, "287082", now=59 + 30) == 1  # one step of drift
    assert totp.matching_step(secret, "287082", now=59 + 90) is None
    assert totp.matching_step(secret, "287082", now=59, after=1) is None  # never twice


@pytest.fixture
def admin():
    P = unit("P", Kind.PROVINCE)
    return User.objects.create_user("admin_p", password=PASSWORD, scope=P, role=Role.ADMIN)


def enable(client, user) -> str:
    client.force_login(user)
    page = client.get("/accounts/2fa/").content.decode()
    assert "<svg" in page  # the QR code, drawn by the app itself
    secret = re.search(r"<code>([A-Z2-7]+)</code>", page).group(1)
    assert (
        client.post(
            "/accounts/2fa/",
            {
                "code": "000000"
                if totp.code_at(secret, totp.current_step()) != "000000"
                else "111111"
            },
        ).status_code
        == 200
    )
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert (
        client.post(
            "/accounts/2fa/", {"code": totp.code_at(secret, totp.current_step())}
        ).status_code
        == 302
    )
    assert TOTPDevice.objects.get(user=user).confirmed
    client.post("/logout/")
    return secret


def test_login_asks_for_the_code_once_enabled(admin):
    client = Client()
    secret = enable(client, admin)
    response = client.post("/login/", {"username": "admin_p", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/verify/"
    assert "_auth_user_id" not in client.session
    assert client.get("/accounts/").status_code == 302  # not logged in yet
    assert client.post("/accounts/2fa/verify/", {"code": "12345"}).status_code == 200
    assert "_auth_user_id" not in client.session
    # The code of the step used to enable it was spent: take the next step's code.
    code = totp.code_at(secret, totp.current_step() + 1)
    assert client.post("/accounts/2fa/verify/", {"code": code}).status_code == 302
    assert client.get("/accounts/").status_code == 200
    actions = list(
        AuditRecord.objects.filter(object_type__in=["account", "login"])
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-4:] == ["totp_enabled", "logout", "login_failed", "login"]


def test_another_door_in_is_closed(admin):
    """The Django admin's login (or any `login()`) without the code: the next request logs out."""
    admin.is_superuser = admin.is_staff = True
    admin.save()
    client = Client()
    enable(client, admin)
    client.post("/admin/login/", {"username": "admin_p", "password": PASSWORD})
    response = client.get("/accounts/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session


def test_wrong_codes_lock_the_account(admin, settings):
    settings.LOGIN_LOCKOUT_ACCOUNT_FAILURES = 3
    client = Client()
    secret = enable(client, admin)
    client.post("/login/", {"username": "admin_p", "password": PASSWORD})
    for _ in range(3):
        client.post("/accounts/2fa/verify/", {"code": "999999"})
    page = client.post(
        "/accounts/2fa/verify/", {"code": totp.code_at(secret, totp.current_step() + 1)}
    )
    assert page.status_code == 200 and "tạm bị khóa" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_only_administrators_are_offered_it_and_owners_turn_it_off_with_a_code(admin, monkeypatch):
    clerk = User.objects.create_user("clerk", password=PASSWORD, scope=admin.scope, role=Role.CLERK)
    client = Client()
    client.force_login(clerk)
    assert client.get("/accounts/2fa/").status_code == 403
    secret = enable(client, admin)
    client.post("/login/", {"username": "admin_p", "password": PASSWORD})
    client.post("/accounts/2fa/verify/", {"code": totp.code_at(secret, totp.current_step() + 1)})
    assert client.post("/accounts/2fa/", {"code": "000000"}).status_code == 200
    assert TOTPDevice.objects.filter(user=admin).exists()
    later = totp.current_step() + 3  # a minute later: a fresh code
    monkeypatch.setattr(totp, "current_step", lambda now=None: later)
    assert client.post("/accounts/2fa/", {"code": totp.code_at(secret, later)}).status_code == 302
    assert not TOTPDevice.objects.filter(user=admin).exists()
    assert AuditRecord.objects.filter(object_id=str(admin.pk), action="totp_disabled").exists()
