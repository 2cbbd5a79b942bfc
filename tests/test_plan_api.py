"""Restructure plans by API (/api/v1/plans/): a draft from JSON, check, preview with the figures'
keys before and after, apply; the scope refused; a refused apply as an RFC 9457 problem."""

from __future__ import annotations

import pytest
from django.test import Client

from grassroots.accounts.models import Role, User
from grassroots.api.services import token_create
from grassroots.audit.models import Source
from grassroots.audit.services import Actor
from grassroots.figures.queries import figures
from grassroots.organizations.models import Kind, Unit
from grassroots.organizations.queries import version_at
from grassroots.plans.models import Plan, Status

from . import plan_world as world

pytestmark = pytest.mark.django_db
DAY = world.DAY.isoformat()
CHANGES = [
    {"action": "merge", "code": "P-D1-C1", "target": "P-D1-C2"},
    {
        "action": "change_kind",
        "code": "P-D1-C3",
        "kind": Kind.GRASSROOTS_COMMITTEE,
        "new_cell_code": "P-D1-C3-1",
        "new_cell_name": "Chi bộ thôn 1",
    },
]


def api_client(code: str, username: str, role=Role.APPROVER) -> Client:
    user = User.objects.create_user(
        username, password="Grassroots@2026", scope=Unit.objects.get(code=code), role=role
    )
    _, token = token_create(actor=Actor(user, Source.UI), name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def approver():
    world.build()
    return api_client("P", "duyet")


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_draft_check_preview_apply(approver):
    r = post(approver, "/api/v1/plans/", {"name": "Sắp xếp", "effective_date": DAY, "scope": "P", "changes": CHANGES})  # fmt: skip
    assert r.status_code == 201, r.content
    plan = r.json()
    assert plan["status"] == Status.DRAFT and [c["action"] for c in plan["changes"]] == [
        "merge",
        "change_kind",
    ]
    url = f"/api/v1/plans/{plan['id']}/"
    assert approver.get(url + "check/").json() == {"ok": True, "problems": []}
    preview = approver.get(url + "preview/").json()
    keys = set(figures(Unit.objects.get(code="P"), world.DAY).as_json()) - {"unit", "at"}
    d1 = next(a for a in preview["affected"] if a["code"] == "P-D1")
    assert keys <= set(d1["before"]) and keys <= set(d1["after"])
    assert d1["before"]["grassroots_organizations"] == 4
    assert d1["after"]["grassroots_organizations"] == 3
    assert {m["after"] for m in preview["members"]} >= {"P-D1-C2", "P-D1-C3-1"}
    assert not Unit.objects.filter(code="P-D1-C3-1").exists()  # check and preview wrote nothing
    r = post(approver, url + "apply/")
    assert r.status_code == 200 and r.json()["status"] == Status.APPLIED
    assert version_at(Unit.objects.get(code="P-D1-C3"), world.DAY).kind == Kind.GRASSROOTS_COMMITTEE
    done = approver.get(url + "preview/").json()  # an applied plan: what it did
    d1 = next(a for a in done["affected"] if a["code"] == "P-D1")
    assert (d1["before"]["grassroots_organizations"], d1["after"]["grassroots_organizations"]) == (
        4,
        3,
    )
    assert post(approver, url + "apply/").status_code == 422  # never applied twice


def test_a_refused_apply_lists_every_problem_as_rfc_9457(approver):
    r = post(approver, "/api/v1/plans/", {"name": "Sai", "effective_date": DAY, "scope": "P", "changes": [{"action": "dissolve", "code": "P-D1"}, {"action": "dissolve", "code": "P-D2"}]})  # fmt: skip
    url = f"/api/v1/plans/{r.json()['id']}/"
    check = approver.get(url + "check/").json()
    assert not check["ok"] and len(check["problems"]) == 2
    assert check["problems"][0].startswith("Thay đổi 1: Giải thể P-D1")
    r = post(approver, url + "apply/")
    assert r.status_code == 422 and r["Content-Type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == 422 and body["instance"] == url + "apply/"
    assert body["errors"]["problems"] == check["problems"]
    assert Plan.objects.get().status == Status.DRAFT and Unit.objects.get(code="P-D1").ended is None


def test_bad_changes_are_named_and_nothing_is_written(approver):
    r = post(approver, "/api/v1/plans/", {"name": "Sai", "effective_date": DAY, "scope": "P", "changes": [CHANGES[0], {"action": "merge", "code": "P-D1-C4"}, {"action": "explode", "code": "P-D2"}]})  # fmt: skip
    assert r.status_code == 422 and r["Content-Type"] == "application/problem+json"
    errors = r.json()["errors"]
    assert set(errors) == {"changes[1]", "changes[2]"}
    assert errors["changes[1]"]["target"] == ["Cần nhập giá trị này."]
    assert not Plan.objects.exists()


def test_scope_is_refused(approver):
    r = post(approver, "/api/v1/plans/", {"name": "Của P", "effective_date": DAY, "scope": "P", "changes": CHANGES})  # fmt: skip
    url = f"/api/v1/plans/{r.json()['id']}/"
    district = api_client("P-D2", "huyen")
    assert district.get("/api/v1/plans/").json()["results"] == []
    for path in ("", "check/", "preview/"):
        assert district.get(url + path).status_code == 404
    assert post(district, url + "apply/").status_code == 404
    r = post(district, "/api/v1/plans/", {"name": "Vượt cấp", "effective_date": DAY, "scope": "P", "changes": CHANGES})  # fmt: skip
    assert r.status_code == 404 and Plan.objects.count() == 1
    viewer = api_client("P", "xem", role=Role.VIEWER)
    assert viewer.get(url).status_code == 200  # a viewer reads the plan...
    assert viewer.get(url + "check/").status_code == 403  # ...but checks nothing
    assert post(viewer, url + "apply/").status_code == 403
    assert Plan.objects.get().status == Status.DRAFT
