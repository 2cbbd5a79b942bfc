"""GET /api/v1/organizations/{code}/meetings/: the same figures as the command, limited to the
token's scope (404 outside, as for a wrong code), bad windows as 422 problems."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from grassroots.accounts.models import Role, User
from grassroots.api.services import token_create
from grassroots.audit.models import Source
from grassroots.audit.services import Actor
from grassroots.meetings import queries
from grassroots.meetings.models import MeetingKind
from grassroots.meetings.services import meeting_record
from grassroots.organizations.models import Kind

from .factories import SYSTEM, d, unit
from .meetings_world import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(settings, tmp_path):
    settings.CACHES = {
        **settings.CACHES,
        "shared": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "shared-cache"),
        },
    }
    world = build()
    world["Q"] = unit("Q", Kind.PROVINCE, name="Đảng bộ tỉnh Quy")
    for month in (3, 4):
        meeting_record(
            actor=SYSTEM, unit=world["C1"], kind=MeetingKind.REGULAR,
            date=dt.date(2019, month, 5), start=dt.time(8), end=dt.time(10),
            marks={world["probationary"].pk: "unexcused"},
        )  # fmt: skip
    for name, scope in (("g1", world["G1"]), ("q", world["Q"])):
        user = User.objects.create_user(f"api_{name}", scope=scope, role=Role.VIEWER)
        world[f"key_{name}"] = token_create(actor=Actor(user, Source.UI), name="t")[1]
    return world


def get(key, path):
    return Client().get(path, HTTP_AUTHORIZATION=f"Bearer {key}")


def test_the_summary_of_a_window(w):
    url = "/api/v1/organizations/G1/meetings/?from=2019-01-01&to=2019-12-31"
    answer = get(w["key_g1"], url)
    assert answer.status_code == 200
    body = answer.json()
    assert body == queries.summary(w["G1"], d("2019-01-01"), d("2019-12-31"))
    assert (body["unit"], body["meetings_held"], body["cells"]) == ("G1", 2, 2)
    dd_mm = get(w["key_g1"], "/api/v1/organizations/G1/meetings/?from=01/01/2019&to=31/12/2019")
    assert dd_mm.json() == body


def test_outside_the_scope_reads_as_absent(w):
    answer = get(w["key_q"], "/api/v1/organizations/G1/meetings/?from=2019-01-01&to=2019-12-31")
    assert answer.status_code == 404
    assert answer["Content-Type"].startswith("application/problem+json")
    assert get(None, "/api/v1/organizations/G1/meetings/").status_code == 401


@pytest.mark.parametrize(
    "query, field",
    [
        ("from=2019-12-31&to=2019-01-01", "to"),
        ("from=2019-13-01&to=2019-12-31", "from"),
        ("from=2001-01-01&to=2019-12-31", "to"),
    ],
)
def test_a_bad_window_is_a_problem(w, query, field):
    answer = get(w["key_g1"], f"/api/v1/organizations/G1/meetings/?{query}")
    assert answer.status_code == 422
    body = answer.json()
    assert answer["Content-Type"].startswith("application/problem+json")
    assert field in body["errors"], body
