"""Login that holds (issue 4 §5): lockout per account and per address, CSRF, security headers,
a strict CSP, idle session expiry, `check --deploy` clean under production settings, and the
account pages and `createadmin`."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from grassroots.accounts.models import LoginAttempt, Role, User
from grassroots.audit.models import AuditRecord
from grassroots.organizations.models import Kind

from .factories import unit

pytestmark = pytest.mark.django_db
PASSWORD = "Grassroots@2026"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def tree():
    P = unit("P", Kind.PROVINCE, name="Đảng bộ tỉnh Pê")
    G1 = unit("G1", Kind.GRASSROOTS_CELL, P)
    Q = unit("Q", Kind.PROVINCE)
    admin = User.objects.create_user("admin_p", password=PASSWORD, scope=P, role=Role.ADMIN)
    clerk = User.objects.create_user("clerk_g1", password=PASSWORD, scope=G1, role=Role.CLERK)
    return {"P": P, "G1": G1, "Q": Q, "admin": admin, "clerk": clerk}


def login(client, username, password=PASSWORD, path="/login/"):
    return client.post(path, {"username": username, "password": password})


# --- lockout -------------------------------------------------------------------------------


def test_account_locks_after_repeated_failures_even_with_the_right_password(tree, settings):
    settings.LOGIN_LOCKOUT_ACCOUNT_FAILURES = 3
    client = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(3):
        assert login(client, "admin_p", "wrong").status_code == 200
    response = login(client, "admin_p")
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "tạm bị khóa" in response.content.decode()
    # From another address too: the lock is on the account.
    assert login(Client(REMOTE_ADDR="10.0.0.2"), "Admin_P").status_code == 200
    # Other accounts are not affected.
    assert login(Client(REMOTE_ADDR="10.0.0.1"), "clerk_g1").status_code == 302


def test_lock_lifts_when_the_window_has_passed(tree, settings):
    settings.LOGIN_LOCKOUT_ACCOUNT_FAILURES = 3
    client = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(3):
        login(client, "admin_p", "wrong")
    assert login(client, "admin_p").status_code == 200
    old = dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS + 1)
    for attempt in LoginAttempt.objects.all():  # age the attempts (the table is not append-only)
        LoginAttempt.objects.filter(pk=attempt.pk).update(at=attempt.at - old)
    assert login(client, "admin_p").status_code == 302


def test_a_success_resets_the_account_count(tree, settings):
    settings.LOGIN_LOCKOUT_ACCOUNT_FAILURES = 3
    client = Client(REMOTE_ADDR="10.0.0.1")
    login(client, "admin_p", "wrong")
    login(client, "admin_p", "wrong")
    assert login(client, "admin_p").status_code == 302
    client.post("/logout/")
    login(client, "admin_p", "wrong")
    login(client, "admin_p", "wrong")
    assert login(client, "admin_p").status_code == 302


def test_address_locks_after_guessing_many_accounts(tree, settings):
    settings.LOGIN_LOCKOUT_ADDRESS_FAILURES = 4
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for name in ("a", "b", "c", "d"):
        login(attacker, name, "guess")
    assert login(attacker, "clerk_g1").status_code == 200  # right password, locked address
    assert login(Client(REMOTE_ADDR="10.0.0.5"), "clerk_g1").status_code == 302


def test_the_django_admin_login_is_locked_too(tree, settings):
    settings.LOGIN_LOCKOUT_ACCOUNT_FAILURES = 2
    User.objects.create_superuser("root", password=PASSWORD)
    client = Client(REMOTE_ADDR="10.0.0.1")
    login(client, "root", "wrong", "/admin/login/")
    login(client, "root", "wrong", "/admin/login/")
    assert login(client, "root", PASSWORD, "/admin/login/").status_code == 200
    assert "_auth_user_id" not in client.session


def test_locked_accounts_by_an_administrator_cannot_log_in(tree):
    tree["clerk"].is_active = False
    tree["clerk"].save()
    assert login(Client(), "clerk_g1").status_code == 200


# --- CSRF, headers, CSP, sessions ---------------------------------------------------------------


def test_csrf_is_enforced_on_login_and_on_forms(tree):
    client = Client(enforce_csrf_checks=True)
    assert login(client, "admin_p").status_code == 403
    client.force_login(tree["admin"])
    assert client.post("/accounts/new/", {"username": "x"}).status_code == 403
    page = client.get("/accounts/new/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert (
        client.post("/accounts/new/", {"csrfmiddlewaretoken": token, "username": "x"}).status_code
        == 200
    )


def test_security_headers_and_strict_csp(tree):
    client = Client()
    response = client.get("/login/")
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    for name in ("script-src", "style-src"):
        assert directives[name] == "'self'", name  # no 'unsafe-inline', no CDN
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    client.force_login(tree["admin"])
    assert "Content-Security-Policy" in client.get("/accounts/").headers


def test_templates_have_no_inline_scripts_styles_or_cdn():
    offenders = []
    for path in (ROOT / "grassroots").rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (
            r"<script(?![^>]*\bsrc=)[^>]*>",
            r"<style\b",
            r"\sstyle\s*=",
            r"\son[a-z]+\s*=",
            r"https?://",
        ):
            if re.search(pattern, text, re.IGNORECASE):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert not offenders, offenders


def test_sessions_expire_after_idleness():
    assert settings.SESSION_COOKIE_AGE <= 60 * 60
    # Activity pushes the deadline (idle, not absolute), once a minute: not a write per request.
    middleware = settings.MIDDLEWARE
    touch = middleware.index("grassroots.core.middleware.SessionTouchMiddleware")
    assert touch > middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
    assert not settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_COOKIE_HTTPONLY and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_passwords_are_hashed_with_argon2(tree):
    assert tree["admin"].password.startswith("argon2")


def _production_env(tmp_path, **extra):
    """Only what docs/deployment.md documents; no DEBUG (production is the default)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY")
        and not k.startswith("PYTEST")  # a test worker's var dir is not the deployment's
    }
    env.update(
        SECRET_KEY="x7#kP2!vQ9@mZ4$wL8^rT1&yN6*bH3(jF5)dG0-sC_aE+uV=oI",
        ALLOWED_HOSTS="grassroots.example.vn",
        GRASSROOTS_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        CSRF_TRUSTED_ORIGINS="https://grassroots.example.vn",
        CLIENT_ADDRESS_HEADER="HTTP_X_FORWARDED_FOR",
        CLIENT_ADDRESS_PROXY_COUNT="1",
    )
    env.update(extra)
    return env


def _manage(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "grassroots.manage", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    result = _manage(_production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_is_the_default_and_development_opts_in(tmp_path):
    # No DEBUG and no SECRET_KEY: refused, there is no built-in key (issue 20 §15).
    env = _production_env(tmp_path)
    del env["SECRET_KEY"]
    refused = _manage(env, "check")
    assert refused.returncode != 0 and "SECRET_KEY must be set" in refused.stderr
    shown = "from django.conf import settings as s; print(s.DEBUG, s.SECURE_PROXY_SSL_HEADER, s.CSRF_TRUSTED_ORIGINS)"
    production = _manage(_production_env(tmp_path), "shell", "-v", "0", "-c", shown)
    assert production.stdout.split() == [
        "False",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "['https://grassroots.example.vn']",
    ], production.stderr
    # Development: DEBUG=1 generates a private secret into the var dir once.
    development = _manage(
        env | {"DEBUG": "1"},
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings as s; print(s.DEBUG, s.SECRET_KEY)",
    )
    secret = tmp_path / "development-secret-key"
    assert development.stdout.split() == ["True", secret.read_text()], development.stderr
    assert len(secret.read_text()) >= 50 and secret.stat().st_mode & 0o777 == 0o600


def test_client_address_is_the_entry_the_trusted_proxy_appended(tree, settings):
    from django.test import RequestFactory

    from grassroots.core.request import client_address

    settings.CLIENT_ADDRESS_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.CLIENT_ADDRESS_PROXY_COUNT = 1
    forged = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7"
    )
    assert client_address(forged) == "198.51.100.7"  # not the client-chosen 1.2.3.4
    settings.CLIENT_ADDRESS_PROXY_COUNT = 2
    assert client_address(forged) == "1.2.3.4"
    bypassed = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="5.6.7.8")
    assert client_address(bypassed) == "10.0.0.9"  # fewer entries than proxies
    # The lockout follows the real address, whatever the client puts first.
    settings.CLIENT_ADDRESS_PROXY_COUNT = 1
    settings.LOGIN_LOCKOUT_ADDRESS_FAILURES = 3
    for forged_first in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        Client(HTTP_X_FORWARDED_FOR=f"{forged_first}, 203.0.113.9").post(
            "/login/", {"username": "nobody", "password": "x"}
        )
    locked = Client(HTTP_X_FORWARDED_FOR="4.4.4.4, 203.0.113.9")
    assert login(locked, "clerk_g1").status_code == 200


def test_own_login_does_not_reset_the_address_count(tree, settings):
    # issue 20 §17: 57 failures from one address without a lock by logging into one's own account.
    settings.LOGIN_LOCKOUT_ADDRESS_FAILURES = 4
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for name in ("a", "b"):
        login(attacker, name, "guess")
    assert login(attacker, "clerk_g1").status_code == 302
    attacker.post("/logout/")
    for name in ("c", "d"):
        login(attacker, name, "guess")
    assert login(attacker, "clerk_g1").status_code == 200  # locked: 4 failures on others
    # A colleague's own typos are forgiven by their own success.
    office = Client(REMOTE_ADDR="10.9.9.9")
    for _ in range(3):
        login(office, "clerk_g1", "typo")
    assert login(office, "clerk_g1").status_code == 302
    office.post("/logout/")
    login(office, "admin_p", "typo")
    assert login(office, "admin_p").status_code == 302


# --- account pages ------------------------------------------------------------------------------


def test_administrator_creates_edits_and_locks_accounts_in_scope(tree):
    client = Client()
    client.force_login(tree["admin"])
    outside = client.post(
        "/accounts/new/",
        {"username": "ngoai", "role": "viewer", "scope": "Q", "password": PASSWORD},
    )
    assert outside.status_code == 200 and "Không tìm thấy tổ chức" in outside.content.decode()
    weak = client.post(
        "/accounts/new/", {"username": "yeu", "role": "viewer", "scope": "G1", "password": "123"}
    )
    assert weak.status_code == 200 and not User.objects.filter(username="yeu").exists()
    made = client.post(
        "/accounts/new/",
        {"username": "xem_g1", "role": "viewer", "scope": "g1", "password": PASSWORD},
    )
    assert made.status_code == 302
    user = User.objects.get(username="xem_g1")
    assert (user.scope, user.role) == (tree["G1"], Role.VIEWER)
    edit = client.post(
        f"/accounts/{user.pk}/", {"role": "clerk", "scope": "G1", "last_name": "Người Xem"}
    )
    assert edit.status_code == 302  # is_active unticked: locked
    user.refresh_from_db()
    assert (user.role, user.is_active, user.last_name) == (Role.CLERK, False, "Người Xem")
    assert list(
        AuditRecord.objects.filter(object_type="account", object_id=str(user.pk)).values_list(
            "action", flat=True
        )
    ) == ["lock", "create"]
    assert "xem_g1" in client.get("/accounts/").content.decode()
    # A clerk manages nothing.
    client.force_login(tree["clerk"])
    assert client.get("/accounts/").status_code == 403


# --- createadmin ------------------------------------------------------------------------------


def test_createadmin_makes_a_province_administrator(tree):
    call_command("createadmin", "--username", "qt_tinh", "--scope", "P", "--password", PASSWORD)
    user = User.objects.get(username="qt_tinh")
    assert (user.scope, user.role, user.is_superuser) == (tree["P"], Role.ADMIN, False)
    assert user.check_password(PASSWORD)
    row = AuditRecord.objects.get(object_type="account", object_id=str(user.pk))
    assert (row.action, row.source) == ("create", "cli")
    with pytest.raises(CommandError, match="đã có"):
        call_command("createadmin", "--username", "qt_tinh", "--scope", "P", "--password", PASSWORD)
    with pytest.raises(CommandError):
        call_command("createadmin", "--username", "qt2", "--scope", "P", "--password", "12345678")
    with pytest.raises(CommandError, match="Không có tổ chức"):
        call_command("createadmin", "--username", "qt3", "--scope", "NOPE", "--password", PASSWORD)


def test_an_idle_session_is_logged_out(tree):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client = Client()
    assert login(client, "admin_p").status_code == 302
    assert client.get("/accounts/").status_code == 200
    key = client.session.session_key
    before = Session.objects.get(pk=key).expire_date
    # Within a minute of the last push a page view writes no session row ...
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/accounts/").status_code == 200
    assert not [q for q in queries if "django_session" in q["sql"] and "SELECT" not in q["sql"]]
    # ... after it, activity pushes the deadline.
    session = client.session
    session["_touched"] -= 61
    session.save()
    Session.objects.filter(pk=key).update(expire_date=before - dt.timedelta(minutes=5))
    client.get("/accounts/")
    assert Session.objects.get(pk=key).expire_date >= before
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/accounts/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
