"""API v1: training-summary and cadre-standards, the commands' dicts, limited to the scope."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from grassroots.accounts.models import Role, User
from grassroots.api.services import token_create
from grassroots.audit.models import Source
from grassroots.audit.services import Actor
from grassroots.cadres import services as cadres

from .cadres_world import hold, term, world
from .factories import SYSTEM, d

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    w = world()
    t = term(w.g, "2010-06-01")
    hold(t, w.a)
    course = cadres.course_create(
        actor=SYSTEM, code="BD1", name="Bồi dưỡng cấp ủy viên", kind="fostering",
        subject="update", unit=w.p, start=d("2012-03-01"), end=d("2012-03-05"),
    )  # fmt: skip
    for m in (w.a, w.b, w.outsider):
        e = cadres.enrolment_add(actor=SYSTEM, course=course, member=m)
        cadres.enrolment_result(actor=SYSTEM, enrolment=e, result="completed")
    w.g_user = User.objects.create_user("viewer_g", password="x", scope=w.g, role=Role.VIEWER)
    w.x_user = User.objects.create_user("viewer_x", password="x", scope=w.x, role=Role.VIEWER)
    return w


def _api(user) -> Client:
    _token, key = token_create(actor=Actor(user, Source.UI), name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def _cli(name: str, *args) -> dict:
    out = StringIO()
    call_command(name, *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_api_gives_the_commands_figures(w):
    api = _api(w.g_user)
    r = api.get("/api/v1/organizations/G/training/?from=2012-01-01&to=2012-12-31")
    assert r.status_code == 200
    body = r.json()
    assert body == _cli("training-summary", "--unit", "G", "--from", "2012-01-01",
                        "--to", "2012-12-31")  # fmt: skip
    assert (body["fostered_turns"], body["fostered_people"]) == (2, 2)  # X's member not under G
    r = api.get("/api/v1/organizations/G/cadre-standards/?at=01/01/2013&gaps=1")
    body = r.json()
    assert body == _cli("cadre-standards", "--unit", "G", "--at", "2013-01-01", "--gaps")
    assert body["filled"] == 1 and body["gaps"][0]["full_name"] == w.a.full_name


def test_scope_and_bad_input_are_refused(w):
    outsider = _api(w.x_user)
    assert outsider.get("/api/v1/organizations/G/training/?from=2012-01-01").status_code == 404
    assert outsider.get("/api/v1/organizations/G/cadre-standards/").status_code == 404
    assert outsider.get("/api/v1/organizations/X/cadre-standards/").status_code == 200
    # A commune's account does not read the province's figures.
    api = _api(w.g_user)
    assert api.get("/api/v1/organizations/P/training/?from=2012-01-01").status_code == 404
    r = api.get("/api/v1/organizations/G/training/?from=31/02/2012")
    assert r.status_code == 422 and r["Content-Type"].startswith("application/problem+json")
    assert "Ngày không hợp lệ" in json.dumps(r.json(), ensure_ascii=False)
    r = api.get("/api/v1/organizations/G/training/?from=2013-01-01&to=2012-01-01")
    assert r.status_code == 422
    assert api.get("/api/v1/organizations/G/training/").status_code == 422  # from is required
    assert Client().get("/api/v1/organizations/G/cadre-standards/").status_code == 401
