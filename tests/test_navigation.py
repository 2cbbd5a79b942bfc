"""Every module is reachable from the pages (found on the demo: the directives register, the
restructure plans and the inspection pages had no link anywhere; only typed URLs reached them)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .web_world import make_world

pytestmark = pytest.mark.django_db


def test_the_menu_and_the_organization_page_lead_to_every_module(client):
    w = make_world()
    client.force_login(w["clerk"])
    page = client.get(reverse("web:unit", args=["D1"])).content.decode()
    for url in (
        reverse("directives:index"),
        reverse("plans:list"),
        reverse("directives:inbox", args=["D1"]),
        reverse("development:board", args=["D1"]),
        reverse("meetings:book", args=["D1"]),
        reverse("cadres:committee", args=["D1"]),
    ):
        assert f'href="{url}' in page, url
    # The inspection pages only for an inspection account.
    assert reverse("inspection:unit", args=["D1"]) not in page
    w["clerk"].can_inspect = True
    w["clerk"].save()
    page = client.get(reverse("web:unit", args=["D1"])).content.decode()
    assert f'href="{reverse("inspection:unit", args=["D1"])}"' in page
    for url in (reverse("directives:index"), reverse("plans:list")):
        assert client.get(url).status_code == 200
