"""Django admin: for superusers only, read-only (changes go through services and the audit trail)."""

import pytest

from grassroots.accounts.models import User

from .web_world import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


PAGES = [
    "/admin/organizations/unit/",
    "/admin/organizations/unitchange/",
    "/admin/members/member/",
    "/admin/members/memberevent/",
    "/admin/territory/village/",
    "/admin/territory/population/",
]


def test_superuser_browses_the_registry(client, world):
    client.force_login(User.objects.create_superuser("root", password="x-Grassroots@2026"))
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    body = client.get(f"/admin/members/member/{world['an'].pk}/change/").content.decode()
    assert "Nguyễn Văn Ấn" in body
    assert client.get("/admin/organizations/unit/add/").status_code == 403
    assert (
        client.post(f"/admin/members/member/{world['an'].pk}/delete/", {"post": "yes"}).status_code
        == 403
    )


def test_province_admin_is_not_let_into_django_admin(client, world):
    admin = world["admin"]
    admin.is_staff = True  # even if someone made them staff
    admin.save()
    client.force_login(admin)
    for url in PAGES:
        assert client.get(url).status_code in (302, 403), url
