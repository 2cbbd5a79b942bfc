"""The organization / member picker (issue 11: targets were typed as internal codes): one
endpoint, diacritics-insensitive, typed order first, limited to the scope; forms offer it."""

import pytest
from django.urls import reverse

from grassroots.organizations.models import Kind

from .factories import unit
from .web_world import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = make_world()
    # Same words in the other order: typed order ranks first.
    unit("C9", Kind.SUBORDINATE_CELL, w["G1"], name="Chi bộ thôn Chắt Bản")
    return w


def pick(client, **params):
    response = client.get(reverse("web:pick"), params)
    assert response.status_code == 200
    return response.json()["results"]


def test_units_without_diacritics_in_typed_order(client, world):
    client.force_login(world["admin"])
    found = pick(client, q="ban chat")
    assert [r["value"] for r in found] == ["C1", "C9"]
    assert found[0]["label"] == "Chi bộ thôn Bản Chắt"
    assert "Chi bộ trực thuộc" in found[0]["detail"] and "Đảng bộ xã Ấn Lạc" in found[0]["detail"]
    assert [r["value"] for r in pick(client, q="chat ban")] == ["C9", "C1"]
    assert pick(client, q="c1")[0]["value"] == "C1"  # the code typed exactly comes first


def test_kinds_narrow_the_choice(client, world):
    client.force_login(world["admin"])
    assert {r["value"] for r in pick(client, q="an lac")} == {"G1"}
    assert pick(client, q="an lac", kinds="cell") == []
    assert {r["value"] for r in pick(client, q="huyen", kinds="parent")} == {"D1", "D2"}


def test_only_the_scope(client, world):
    client.force_login(world["clerk"])  # district D1
    assert pick(client, q="hai") == []  # D2, G2 (Đảng bộ xã Hai) lie outside
    assert {r["value"] for r in pick(client, q="thon")} == {"C1", "C2", "C9"}
    assert pick(client, type="member", q="cuong") == []
    found = pick(client, type="member", q="nguyen an")
    assert [r["label"] for r in found] == ["Nguyễn Văn Ấn"]


def test_anonymous_gets_nothing(client, world):
    assert client.get(reverse("web:pick"), {"q": "thon"}).status_code == 302


def test_forms_offer_the_picker(client, world):
    client.force_login(world["admin"])
    transfer = reverse("web:member_event", args=[world["an"].pk, "transfer"])
    body = client.get(transfer).content.decode()
    assert 'data-pick="unit"' in body and 'data-kinds="cell"' in body
    body = client.get(reverse("web:unit_change", args=["C2", "merge"])).content.decode()
    assert 'name="target_code"' in body and 'data-pick="unit"' in body
    body = client.get(reverse("web:unit_change", args=["C2", "move"])).content.decode()
    assert 'data-kinds="parent"' in body
    assert 'src="/static/web/picker.js"' in body
    assert 'data-pick="unit"' in client.get(reverse("excel:index")).content.decode()
    assert 'data-pick="unit"' in client.get(reverse("assessments:index")).content.decode()
