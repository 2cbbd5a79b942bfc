"""Self-service password change and `Cache-Control: no-store` (issue 20 §20)."""

from __future__ import annotations

import pytest
from django.test import Client

from grassroots.accounts.models import Role, User
from grassroots.audit.models import AuditRecord
from grassroots.organizations.models import Kind

from .factories import unit

pytestmark = pytest.mark.django_db
PASSWORD = "Grassroots@2026"
NEW = "Một-Mật-Khẩu-Mới-2026"


@pytest.fixture
def clerk():
    P = unit("P", Kind.PROVINCE)
    return User.objects.create_user("clerk_p", password=PASSWORD, scope=P, role=Role.CLERK)


def change(client, old, new, again=None):
    return client.post(
        "/accounts/password/",
        {"old_password": old, "password": new, "password_again": again or new},
    )


def test_an_ordinary_user_changes_their_own_password(clerk):
    client = Client()
    client.force_login(clerk)
    assert "Mật khẩu hiện tại" in client.get("/accounts/password/").content.decode()
    assert "Mật khẩu hiện tại không đúng" in change(client, "sai", NEW).content.decode()
    assert "không khớp" in change(client, PASSWORD, NEW, NEW + "x").content.decode()
    weak = change(client, PASSWORD, "12345678901").content.decode()
    assert "Mật khẩu" in weak and not AuditRecord.objects.filter(action="password").exists()
    response = change(client, PASSWORD, NEW)
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # still signed in on this browser
    clerk.refresh_from_db()
    assert clerk.check_password(NEW) and not clerk.check_password(PASSWORD)
    entry = AuditRecord.objects.get(action="password")
    assert (entry.actor_id, entry.object_id, entry.reason) == (
        clerk.pk,
        str(clerk.pk),
        "Tự đổi mật khẩu",
    )
    assert NEW not in str(entry.changes)
    assert Client().post("/login/", {"username": "clerk_p", "password": NEW}).status_code == 302


def test_anonymous_users_are_sent_to_the_login(clerk):
    assert Client().get("/accounts/password/").status_code == 302


def test_pages_and_exports_are_never_stored(clerk):
    client = Client()
    assert "no-store" in client.get("/login/")["Cache-Control"]
    client.force_login(clerk)
    for url in ("/", "/units/P/", "/excel/export/members/?unit=P", "/accounts/password/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "no-store" not in client.get("/static/web/app.css").get("Cache-Control", "")
