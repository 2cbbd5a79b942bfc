"""Villages and population (web/territory_views.py); village V1 of G1, own cell C1."""

from __future__ import annotations

from grassroots.territory.services import village_create

from ..factories import SYSTEM, d
from .probes import ABSENT_FOR_P, READ_IN_SCOPE, Probe, expect, with_village

RULES = {
    "units/<str:code>/villages/": [
        Probe(lambda w: with_village(w, "/units/G1/villages/"), READ_IN_SCOPE),
        Probe(
            lambda w: with_village(w, "/units/G1/villages/?at=2026-06-01"),
            READ_IN_SCOPE,
            note="clerk: after the dissolution",
        ),
        Probe(lambda w: "/units/P/villages/", expect(clerk=404, viewer=404)),
        Probe(lambda w: "/units/GQ/villages/", ABSENT_FOR_P),
    ],
    "units/<str:code>/villages/new/": [
        Probe(lambda w: "/units/G1/villages/new/", expect(clerk=403, viewer=403)),
        Probe(lambda w: "/units/GQ/villages/new/", ABSENT_FOR_P),
        Probe(lambda w: "/units/G1/villages/new/", expect(200, 403, 403, 404, 302), "post", {}),
    ],
    "units/<str:code>/villages/<str:village>/arrangement/": [
        Probe(
            lambda w: with_village(w, "/units/G1/villages/V1/arrangement/"),
            expect(200, 403, 403, 404, 302),
        ),
        Probe(
            lambda w: with_village(w, "/units/GQ/villages/V1/arrangement/"),
            expect(404, 404, 404, 404, 302),
            note="a village is reached only through its own commune",
        ),
        Probe(
            lambda w: with_village(w, "/units/G1/villages/V1/arrangement/"),
            expect(200, 403, 403, 404, 302),
            "post",
            {},
        ),
    ],
    "units/<str:code>/population/": [
        Probe(lambda w: "/units/G1/population/", READ_IN_SCOPE),
        Probe(lambda w: "/units/P/population/", expect(clerk=404, viewer=404)),
        Probe(lambda w: "/units/GQ/population/", ABSENT_FOR_P),
        Probe(lambda w: "/units/G1/population/", expect(200, 403, 403, 404, 302), "post", {}),
    ],
}


def prepare(w: dict, tmp_path) -> None:
    """A village in the other province, whose name no P persona may receive."""
    village_create(
        actor=SYSTEM,
        code="TQ",
        name="Thôn Canary Ngoài Tỉnh",
        kind="thon",
        unit=w["GQ"],
        arrangement="none",
        date=d("2001-01-01"),
    )
