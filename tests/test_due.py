"""What is due on the dashboard (grassroots.core.due) and the member's own account role."""

import datetime as dt

import pytest

from grassroots.core import due

from . import development_world as dw
from .factories import d

pytestmark = pytest.mark.django_db


def test_registered_providers_are_asked_and_empty_items_dropped(monkeypatch):
    monkeypatch.setattr(due, "_PROVIDERS", [])
    monkeypatch.setattr(due, "autodiscover_modules", lambda name: None)
    calls = []

    def provider(user, unit, day):
        calls.append((user, unit, day))
        yield due.DueItem("Thử", "Việc chưa quá hạn", 2, False)
        yield due.DueItem("Thử", "Việc không có trường hợp", 0, True)
        yield due.DueItem("Thử", "Việc quá hạn", 1, True)

    due.register_due("test-provider", provider, order=999)
    items = due.due_items("u", "unit", d("2026-01-01"))
    assert [i.label for i in items] == ["Việc quá hạn", "Việc chưa quá hạn"]
    assert calls == [("u", "unit", d("2026-01-01"))]


def test_development_deadlines_reach_the_home_page(client, settings):
    from grassroots.accounts.models import Role, User

    w = dw.world()
    cand = dw.propose(w.c1, on="2024-01-10")
    dw.file_ready(w, cand, start="2024-02-01")  # introduced 08/02/2024: stale after 12 months
    user = User.objects.create_user("xem_g", password="x", scope=w.g, role=Role.VIEWER)
    client.force_login(user)
    today = dt.date.today()
    body = client.get("/").content.decode()
    if today > d("2025-02-08"):
        assert "Việc đến hạn, quá hạn" in body and "Phát triển đảng viên" in body
        assert "Hồ sơ quá 12 tháng" in body and "Quá hạn" in body
    # Nothing is due for a unit without cases.
    other = User.objects.create_user("xem_x", password="x", scope=w.x, role=Role.VIEWER)
    client.force_login(other)
    assert "Việc đến hạn, quá hạn" not in client.get("/").content.decode()


def test_member_account_sees_no_subtree(client):
    from grassroots.accounts import access
    from grassroots.accounts.models import Role, User

    w = dw.world()
    own = User.objects.create_user("dv_a", password="x", scope=w.c1, role=Role.MEMBER, member=w.a)
    assert not access.units_ever_visible(own).exists()
    assert not access.members_visible(own).exists()
    assert not own.has_role(Role.VIEWER)
    viewer = User.objects.create_user("xem_c1", password="x", scope=w.c1, role=Role.VIEWER)
    assert access.members_visible(viewer).filter(pk=w.a.pk).exists()  # the refused case's twin
    client.force_login(own)
    # Issue 14: the home page leads to the member's own page; every other page is refused.
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/meetings/mine/"
    assert client.get(f"/units/{w.c1.code}/").status_code == 403
    assert Role.MEMBER not in access.roles_assignable(viewer)
