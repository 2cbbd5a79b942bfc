"""API v1 `organizations/CODE/development/` and `organizations/CODE/candidates/`: the CLI's
query functions (same answers), the account's scope (another organization's unit is 404), RFC 9457
problems for bad input."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from grassroots.accounts.models import Role, User
from grassroots.api.services import token_create
from grassroots.audit.models import Source
from grassroots.audit.services import Actor
from grassroots.development import queries

from .development_world import admit_through, file_ready, propose, world

pytestmark = pytest.mark.django_db
AT = dt.date(2024, 6, 30)


@pytest.fixture
def w():
    w = world()
    admitted = propose(w.c1, full_name="Nông Văn Kết")
    admit_through(w, admitted)
    waiting = propose(w.c2, full_name="Lý Thị Chờ")
    file_ready(w, waiting)
    w.inside = User.objects.create_user("viewer_g", password="x-Passw0rd!", scope=w.g)
    w.elsewhere = User.objects.create_user(
        "clerk_x", password="x-Passw0rd!", scope=w.x, role=Role.CLERK
    )
    return w


def api(user) -> APIClient:
    client = APIClient()
    _, key = token_create(actor=Actor(user, Source.UI), name="test")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_summary_is_the_cli_summary(w):
    r = api(w.inside).get("/api/v1/organizations/G/development/?at=2024-06-30&since=2023-12-31")
    assert r.status_code == 200, r.content
    expected = queries.summary(w.g, AT, dt.date(2023, 12, 31)).as_json()
    assert r.json() == expected
    assert r.json()["admitted"] == 1 and r.json()["stages"]["verified"] == 1
    assert set(r.json()) == {
        "unit", "at", "stages", "overdue", "admitted", "admitted_by", "average_age_at_admission",
        "median_days_application_to_decision", "median_days_decision_to_ceremony",
    }  # fmt: skip


def test_candidates_are_the_cli_cases(w):
    client = api(w.inside)
    r = client.get("/api/v1/organizations/G/candidates/?at=2024-06-30")
    assert r.status_code == 200
    assert r.json() == [row.as_json() for row in queries.cases(w.g, AT)]
    assert {c["full_name"] for c in r.json()} == {"Nông Văn Kết", "Lý Thị Chờ"}
    r = client.get("/api/v1/organizations/G/candidates/?at=2024-06-30&stage=verified")
    assert [c["full_name"] for c in r.json()] == ["Lý Thị Chờ"]


def test_another_organizations_unit_is_refused(w):
    client = api(w.elsewhere)
    for path in ("development", "candidates"):
        r = client.get(f"/api/v1/organizations/G/{path}/?at=2024-06-30")
        assert r.status_code == 404
        assert r["Content-Type"].startswith("application/problem+json")
        assert "Kết" not in r.content.decode()
    # its own unit answers
    assert client.get("/api/v1/organizations/X/candidates/").status_code == 200
    # without a token: 401
    assert APIClient().get("/api/v1/organizations/G/candidates/").status_code == 401


@pytest.mark.parametrize(
    "query",
    ["candidates/?stage=nope", "development/?at=2024-06-30&since=2024-07-01", "development/?at=x"],
)
def test_bad_input_is_a_problem(w, query):
    r = api(w.inside).get(f"/api/v1/organizations/G/{query}")
    assert r.status_code == 422
    assert r["Content-Type"].startswith("application/problem+json")
