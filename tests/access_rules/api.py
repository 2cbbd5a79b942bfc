"""REST API v1 and its token page (api/urls.py). Each persona calls the API with its own token
(the API reads no session); anonymous has none (401)."""

from __future__ import annotations

from grassroots.api.services import token_create
from grassroots.audit.models import Source
from grassroots.audit.services import Actor

from .probes import Probe, expect, with_village

API_READ = expect(anonymous=401)
API_ABSENT_FOR_P = expect(admin=404, clerk=404, viewer=404, outsider=200, anonymous=401)


def prepare(world: dict, tmp_path) -> None:
    world["tokens"] = {
        persona: token_create(actor=Actor(world[persona], Source.UI), name="matrix")[1]
        for persona in ("admin_p", "clerk_d1", "viewer_g1", "outsider")
    }
    world["root_token"], _ = token_create(actor=Actor(world["root"], Source.UI), name="root's")


RULES = {
    "api/v1/tree/": [
        Probe(lambda w: "/api/v1/tree/?at=2020-01-01", expect(outsider=200, anonymous=401)),
        Probe(lambda w: "/api/v1/tree/", expect(200, 404, 200, 200, 401), note="D1 is gone"),
        Probe(lambda w: "/api/v1/tree/?under=GQ&at=2020-01-01", API_ABSENT_FOR_P),
    ],
    "api/v1/organizations/<str:code>/": [
        Probe(lambda w: "/api/v1/organizations/G1/", API_READ),
        Probe(lambda w: "/api/v1/organizations/GQ/", API_ABSENT_FOR_P),
    ],
    "api/v1/organizations/<str:code>/figures/": [
        Probe(lambda w: "/api/v1/organizations/G1/figures/?at=2020-01-01", API_READ),
        Probe(
            lambda w: "/api/v1/organizations/G1/figures/?at=2026-06-01",
            expect(200, 404, 200, 404, 401),
            note="clerk: after the dissolution",
        ),
        Probe(lambda w: "/api/v1/organizations/GQ/figures/?at=2020-01-01", API_ABSENT_FOR_P),
    ],
    "api/v1/organizations/<str:code>/villages/": [
        Probe(
            lambda w: with_village(w, "/api/v1/organizations/G1/villages/?at=2020-01-01"),
            API_READ,
        ),
        Probe(lambda w: "/api/v1/organizations/GQ/villages/", API_ABSENT_FOR_P),
    ],
    "api/v1/organizations/<str:code>/population/": [
        Probe(lambda w: "/api/v1/organizations/G1/population/", API_READ),
        Probe(lambda w: "/api/v1/organizations/GQ/population/", API_ABSENT_FOR_P),
    ],
    "api/v1/organizations/<str:code>/assessments/<int:year>/": [
        Probe(
            lambda w: "/api/v1/organizations/P/assessments/2024/", expect(200, 404, 404, 404, 401)
        ),
        Probe(lambda w: "/api/v1/organizations/Q/assessments/2024/", API_ABSENT_FOR_P),
    ],
    "api/v1/organizations/<str:code>/training/": [
        Probe(
            lambda w: "/api/v1/organizations/G1/training/?from=2020-01-01&to=2020-12-31", API_READ
        ),
        Probe(
            lambda w: "/api/v1/organizations/GQ/training/?from=2020-01-01&to=2020-12-31",
            API_ABSENT_FOR_P,
        ),
    ],
    "api/v1/organizations/<str:code>/cadre-standards/": [
        Probe(lambda w: "/api/v1/organizations/G1/cadre-standards/?at=2020-01-01&gaps=1", API_READ),
        Probe(
            lambda w: "/api/v1/organizations/GQ/cadre-standards/?at=2020-01-01", API_ABSENT_FOR_P
        ),
    ],
    # Member development (development/api.py): as the figures, through the account's scope.
    "api/v1/organizations/<str:code>/development/": [
        Probe(lambda w: "/api/v1/organizations/G1/development/?at=2020-01-01", API_READ),
        Probe(
            lambda w: "/api/v1/organizations/G1/development/?at=2026-06-01",
            expect(200, 404, 200, 404, 401),
            note="clerk: after the dissolution",
        ),
        Probe(lambda w: "/api/v1/organizations/GQ/development/", API_ABSENT_FOR_P),
    ],
    "api/v1/organizations/<str:code>/candidates/": [
        Probe(lambda w: "/api/v1/organizations/G1/candidates/?at=2020-01-01", API_READ),
        Probe(lambda w: "/api/v1/organizations/GQ/candidates/", API_ABSENT_FOR_P),
    ],
    "api/v1/organizations/<str:code>/meetings/": [
        Probe(
            lambda w: "/api/v1/organizations/G1/meetings/?from=2024-01-01&to=2024-12-31", API_READ
        ),
        Probe(
            lambda w: "/api/v1/organizations/GQ/meetings/?from=2024-01-01&to=2024-12-31",
            API_ABSENT_FOR_P,
        ),
    ],
    "api/v1/members/": [
        Probe(lambda w: "/api/v1/members/?q=tran+thi+trong", expect(outsider=200, anonymous=401)),
        Probe(lambda w: "/api/v1/members/?q=canary", expect(outsider=200, anonymous=401)),
    ],
    "api/v1/members/<int:pk>/": [
        Probe(lambda w: f"/api/v1/members/{w['inside'].pk}/", API_READ),
        Probe(lambda w: f"/api/v1/members/{w['canary'].pk}/", API_ABSENT_FOR_P),
    ],
    "api/v1/members/<int:pk>/events/": [
        Probe(lambda w: f"/api/v1/members/{w['inside'].pk}/events/", API_READ),
        Probe(lambda w: f"/api/v1/members/{w['canary'].pk}/events/", API_ABSENT_FOR_P),
        Probe(
            lambda w: f"/api/v1/members/{w['inside'].pk}/events/",
            expect(422, 403, 403, 404, 401),
            "post",
            {"kind": "death"},
            note="admin: the form refuses the missing date",
            json=True,
        ),
    ],
    "api/schema/": [Probe(lambda w: "/api/schema/", expect(200, 200, 200, 200, 200))],
    "api/docs/": [Probe(lambda w: "/api/docs/", expect(200, 200, 200, 200, 200))],
    "api/tokens/": [Probe(lambda w: "/api/tokens/", expect(outsider=200))],
    "api/tokens/<int:pk>/revoke/": [
        Probe(
            lambda w: f"/api/tokens/{w['root_token'].pk}/revoke/",
            expect(404, 404, 404, 404, 302),
            "post",
            note="nobody revokes another account's token",
        ),
    ],
}
