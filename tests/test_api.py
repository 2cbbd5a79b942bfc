"""REST API v1 through real HTTP (live_server): tokens, scope and role, rate limit, problem
details, conditional GET, pagination, and the OpenAPI schema validating."""

from __future__ import annotations

import datetime as dt
import io
import json
import urllib.error
import urllib.request

import pytest
from django.core.management import call_command
from django.utils import timezone

from grassroots.api.models import ApiToken
from grassroots.api.services import token_create, token_revoke
from grassroots.audit.models import AuditRecord, ProfileView, Source
from grassroots.audit.services import Actor
from grassroots.members.models import MemberEvent

from .test_access import build_world

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def w(settings, tmp_path):
    settings.CACHES = {
        **settings.CACHES,
        "shared": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "shared-cache"),
        },
    }
    world = build_world()
    world["keys"] = {
        name: token_create(actor=Actor(world[name], Source.UI), name="test")[1]
        for name in ("admin_p", "clerk_d1", "viewer_g1", "outsider")
    }
    return world


def call(live_server, path, key=None, *, method="GET", body=None, headers=None):
    request = urllib.request.Request(f"{live_server.url}{path}", method=method)
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, data, timeout=30) as response:
            raw = response.read()
            return response.status, dict(response.headers), json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, dict(error.headers), json.loads(raw) if raw else None


def assert_problem(answer, status: int):
    code, headers, body = answer
    assert code == status
    assert headers["Content-Type"].startswith("application/problem+json")
    assert body["status"] == status and body["title"] and body["detail"] and body["instance"]
    return body


def test_token_authenticates_and_every_use_is_audited(live_server, w):
    key = w["keys"]["admin_p"]
    token = ApiToken.objects.get(user=w["admin_p"])
    assert key.split("_")[2] not in {token.key_hash, token.prefix}  # only the hash is kept
    code, _, body = call(live_server, "/api/v1/organizations/G1/", key)
    assert code == 200 and body["code"] == "G1" and body["versions"]
    use = AuditRecord.objects.filter(action="api_token.use", object_id=str(token.pk)).get()
    assert use.source == Source.API and use.reason == "GET /api/v1/organizations/G1/"
    assert use.actor_id == w["admin_p"].pk
    body = assert_problem(call(live_server, "/api/v1/organizations/G1/"), 401)
    assert body["detail"].startswith("Cần khóa API")
    assert_problem(call(live_server, "/api/v1/organizations/G1/", key + "x"), 401)
    assert_problem(call(live_server, "/api/v1/organizations/G1/", "grt_zz_zz"), 401)


def test_revoked_and_expired_tokens_are_refused(live_server, w):
    key = w["keys"]["viewer_g1"]
    token = ApiToken.objects.get(user=w["viewer_g1"])
    assert call(live_server, "/api/v1/organizations/G1/", key)[0] == 200
    token_revoke(actor=Actor(w["viewer_g1"], Source.UI), token=token)
    body = assert_problem(call(live_server, "/api/v1/organizations/G1/", key), 401)
    assert "thu hồi" in body["detail"]
    token2, key2 = token_create(
        actor=Actor(w["viewer_g1"], Source.UI),
        name="ngắn hạn",
        expires_on=dt.date.today() + dt.timedelta(days=2),
    )
    assert call(live_server, "/api/v1/organizations/G1/", key2)[0] == 200
    ApiToken.objects.filter(pk=token2.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert_problem(call(live_server, "/api/v1/organizations/G1/", key2), 401)


def test_token_page_shows_the_key_once_and_revokes(client, w):
    client.force_login(w["clerk_d1"])
    page = client.post("/api/tokens/", {"name": "Báo cáo tỉnh", "expires_on": ""}).content.decode()
    token = ApiToken.objects.get(user=w["clerk_d1"], name="Báo cáo tỉnh")
    shown = page.split('id="new-key">')[1].split("<")[0]
    assert shown.startswith(f"grt_{token.prefix}_")
    assert shown not in client.get("/api/tokens/").content.decode()  # never shown again
    client.post(f"/api/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditRecord.objects.filter(action="api_token.revoke", object_id=str(token.pk)).exists()
    # Another account's token is not found, let alone revoked.
    other = ApiToken.objects.get(user=w["admin_p"])
    assert client.post(f"/api/tokens/{other.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=other.pk).revoked_at is None


def test_token_acts_with_its_accounts_scope_and_role(live_server, w):
    inside, canary = w["inside"].pk, w["canary"].pk
    clerk, viewer = w["keys"]["clerk_d1"], w["keys"]["viewer_g1"]
    assert call(live_server, f"/api/v1/members/{inside}/", viewer)[0] == 200
    assert_problem(call(live_server, f"/api/v1/members/{canary}/", viewer), 404)
    assert_problem(call(live_server, f"/api/v1/members/{inside}/", w["keys"]["outsider"]), 404)
    # Search: only what the account may see.
    code, _, found = call(live_server, "/api/v1/members/?q=canary", w["keys"]["admin_p"])
    assert code == 200 and found["count"] == 0
    code, _, found = call(live_server, "/api/v1/members/?q=canary", w["keys"]["outsider"])
    assert [m["id"] for m in found["results"]] == [canary]
    # Role: a viewer may not record an event; the clerk's district is gone, so neither may it.
    death = {"kind": "death", "date": "2024-05-01"}
    assert_problem(
        call(live_server, f"/api/v1/members/{inside}/events/", viewer, method="POST", body=death),
        403,
    )
    assert_problem(
        call(live_server, f"/api/v1/members/{inside}/events/", clerk, method="POST", body=death),
        403,
    )
    assert not MemberEvent.objects.filter(member_id=inside, kind="death").exists()


def test_recording_an_event_goes_through_the_service(live_server, w):
    inside, key = w["inside"].pk, w["keys"]["admin_p"]
    bad = call(
        live_server, f"/api/v1/members/{inside}/events/", key, method="POST", body={"kind": "death"}
    )
    body = assert_problem(bad, 422)
    assert "date" in body["errors"]
    stale = {"kind": "death", "date": "2024-05-01", "expected_version": 1}
    body = assert_problem(
        call(live_server, f"/api/v1/members/{inside}/events/", key, method="POST", body=stale), 422
    )
    assert body["errors"]  # the service's optimistic lock: the record changed since version 1
    death = {"kind": "death", "date": "24/05/2026"}
    code, _, event = call(
        live_server, f"/api/v1/members/{inside}/events/", key, method="POST", body=death
    )
    assert code == 201 and event["kind"] == "death" and event["date"] == "2026-05-24"
    record = AuditRecord.objects.filter(object_type="memberevent", object_id=str(event["id"])).get()
    assert record.source == Source.API and record.actor_id == w["admin_p"].pk
    code, _, events = call(live_server, f"/api/v1/members/{inside}/events/?kind=death", key)
    assert [e["id"] for e in events["results"]] == [event["id"]]


def test_member_detail_writes_a_profile_view(live_server, w):
    before = ProfileView.objects.filter(viewer=w["viewer_g1"], member=w["inside"]).count()
    call(live_server, f"/api/v1/members/{w['inside'].pk}/", w["keys"]["viewer_g1"])
    assert (
        ProfileView.objects.filter(viewer=w["viewer_g1"], member=w["inside"]).count() == before + 1
    )


def test_figures_have_the_cli_keys(live_server, w):
    out = io.StringIO()
    call_command(
        "figures",
        "--unit",
        "P",
        "--at",
        "2020-01-01",
        "--since",
        "2010-01-01",
        "--json",
        stdout=out,
    )
    cli = json.loads(out.getvalue())
    code, _, api = call(
        live_server,
        "/api/v1/organizations/P/figures/?at=2020-01-01&since=01/01/2010",
        w["keys"]["admin_p"],
    )
    assert code == 200 and api == cli
    body = assert_problem(
        call(
            live_server,
            "/api/v1/organizations/P/figures/?at=2010-01-01&since=2020-01-01",
            w["keys"]["admin_p"],
        ),
        422,
    )
    assert "since" in body["errors"]


def test_rate_limit_per_token(live_server, w, settings):
    settings.API_RATE_LIMIT = "3/min"
    key, other = w["keys"]["admin_p"], w["keys"]["viewer_g1"]
    for _ in range(3):
        assert call(live_server, "/api/v1/organizations/G1/population/", key)[0] == 200
    code, headers, body = call(live_server, "/api/v1/organizations/G1/population/", key)
    assert_problem((code, headers, body), 429)
    assert int(headers["Retry-After"]) > 0 and "quá nhiều" in body["detail"]
    assert call(live_server, "/api/v1/organizations/G1/population/", other)[0] == 200  # per token


def test_conditional_get_and_pagination(live_server, w):
    key = w["keys"]["admin_p"]
    code, headers, tree = call(live_server, "/api/v1/tree/?at=2020-01-01&page_size=2", key)
    assert code == 200 and tree["count"] == 6 and len(tree["results"]) == 2 and tree["next"]
    assert tree["results"][0] == {
        "code": "P",
        "name": "Đảng bộ tỉnh Pê",
        "kind": "province",
        "type": None,
        "parent": None,
        "depth": 0,
    }
    etag = headers["ETag"]
    code, _, _ = call(
        live_server, "/api/v1/tree/?at=2020-01-01&page_size=2", key, headers={"If-None-Match": etag}
    )
    assert code == 304


def test_schema_validates_and_docs_are_served_locally(live_server, w):
    from drf_spectacular.validation import validate_schema

    request = urllib.request.Request(
        f"{live_server.url}/api/schema/?format=json",
        headers={"Accept": "application/vnd.oai.openapi+json"},
    )
    with urllib.request.urlopen(request) as response:
        schema = json.loads(response.read())
    validate_schema(schema)
    assert "/api/v1/members/{id}/events/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    with urllib.request.urlopen(f"{live_server.url}/api/docs/") as response:
        page = response.read().decode()
    assert "swagger-ui" in page and "https://" not in page.split("<body")[1]
