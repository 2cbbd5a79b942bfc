"""/api/v1/organizations/CODE/inspection-summary/: the command's JSON, from the same query,
for whoever reads the organization's figures; bad windows refused as RFC 9457 problems."""

from __future__ import annotations

import pytest
from django.test import Client

from grassroots.accounts.models import Role, User
from grassroots.api.services import token_create
from grassroots.audit.models import Source
from grassroots.audit.services import Actor
from grassroots.inspection import queries

from .factories import d
from .inspection_world import decide, open_case, world

pytestmark = pytest.mark.django_db
KEYS = {"unit", "from", "to", "supervised_organizations", "supervised_members", "inspections",
        "violations", "disciplined_members", "disciplined_organizations", "appeals", "expelled"}  # fmt: skip


def client(user) -> Client:
    key = token_create(actor=Actor(user, Source.UI), name="t")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_the_summary_by_api_equals_the_query():
    w = world()
    open_case(w, subject_member=w.a)
    decide(w, w.a)
    decide(w, w.b, form="expulsion", signed="2024-05-01", announced="2024-05-03")
    viewer = User.objects.create_user("xem", password="x", scope=w.g, role=Role.VIEWER)
    url = "/api/v1/organizations/G/inspection-summary/?from=2024-01-01&to=31/12/2024"
    answer = client(viewer).get(url)
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert KEYS <= set(data) and data["from"] == "2024-01-01" and data["to"] == "2024-12-31"
    assert data == queries.summary(w.g, d("2024-01-01"), d("2024-12-31")).as_json()
    assert data["expelled"] == 1 and data["disciplined_members"]["warning"] == 1
    assert data["inspections"] == 1


def test_a_bad_window_is_a_problem_and_outside_the_scope_is_absent():
    w = world()
    viewer = User.objects.create_user("xem", password="x", scope=w.c1, role=Role.VIEWER)
    c = client(viewer)
    reversed_ = c.get("/api/v1/organizations/C1/inspection-summary/?from=2024-12-31&to=2024-01-01")
    assert reversed_.status_code == 422
    assert reversed_["Content-Type"].startswith("application/problem+json")
    assert "trước ngày kết thúc" in reversed_.content.decode()
    missing = c.get("/api/v1/organizations/C1/inspection-summary/?from=2024-01-01")
    assert missing.status_code == 422 and "to" in missing.json().get("errors", missing.json())
    assert c.get("/api/v1/organizations/G/inspection-summary/?from=2024-01-01&to=2024-12-31"
                 ).status_code == 404  # fmt: skip
