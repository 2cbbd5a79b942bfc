"""Audit gaps closed (issue 20 §18): a password change in the Django admin writes a record,
account edits in the admin record the old values, and members created by import record their
whole profile."""

from __future__ import annotations

import pytest
from django.test import Client

from grassroots.accounts.models import Role, User
from grassroots.audit.models import AuditRecord
from grassroots.excel.importer import Importer
from grassroots.members.models import Member
from grassroots.organizations.models import Kind

from .excel_helpers import basic
from .factories import SYSTEM, unit

pytestmark = pytest.mark.django_db
PASSWORD = "Grassroots@2026"


@pytest.fixture
def admin_client():
    P = unit("P", Kind.PROVINCE)
    root = User.objects.create_superuser("root", password=PASSWORD)
    clerk = User.objects.create_user(
        "clerk_p", password=PASSWORD, scope=P, role=Role.CLERK, last_name="Cũ"
    )
    client = Client()
    client.force_login(root)
    return client, clerk, P


def test_a_password_change_in_the_admin_is_recorded(admin_client):
    client, clerk, _ = admin_client
    response = client.post(
        f"/admin/accounts/user/{clerk.pk}/password/",
        {"password1": "Mới-Rất-Dài-2026!", "password2": "Mới-Rất-Dài-2026!"},
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password("Mới-Rất-Dài-2026!")
    entry = AuditRecord.objects.get(object_type="account", object_id=str(clerk.pk))
    assert (entry.action, entry.actor_name, entry.changes) == ("password", "root", {})
    assert "Mới-Rất-Dài" not in str(entry.changes) + entry.reason


def test_admin_account_edits_record_old_values(admin_client):
    client, clerk, P = admin_client
    page = client.get(f"/admin/accounts/user/{clerk.pk}/change/")
    assert page.status_code == 200
    data = {
        "username": "clerk_p",
        "first_name": "",
        "last_name": "Mới",
        "email": "",
        "is_active": "on",
        "scope": str(P.pk),
        "role": Role.VIEWER,
        "date_joined_0": clerk.date_joined.strftime("%d/%m/%Y"),
        "date_joined_1": clerk.date_joined.strftime("%H:%M:%S"),
        "initial-date_joined_0": clerk.date_joined.strftime("%d/%m/%Y"),
        "initial-date_joined_1": clerk.date_joined.strftime("%H:%M:%S"),
    }
    response = client.post(f"/admin/accounts/user/{clerk.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditRecord.objects.get(object_type="account", object_id=str(clerk.pk))
    assert entry.changes["last_name"] == ["Cũ", "Mới"]
    assert entry.changes["role"] == [Role.CLERK, Role.VIEWER]


def test_members_created_by_import_record_the_whole_profile(tmp_path):
    report = Importer(basic(tmp_path / "ok.xlsx")).run(actor=SYSTEM)
    assert report.ok, report.messages()
    member = Member.objects.get()
    entry = AuditRecord.objects.get(object_type="member", object_id=str(member.pk))
    assert entry.changes["full_name"] == [None, "Nguyễn Văn An"]
    assert entry.changes["birth_date"] == [None, "1980-03-15"]
    assert entry.changes["gender"] == [None, member.gender]
    assert entry.changes["ethnicity"] == [None, "Tày"]
    assert entry.changes["profile_number"] == [None, member.profile_number]
