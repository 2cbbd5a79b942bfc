"""Cadres (cadres/urls.py): a course of G1 (2024) and one of GQ."""

from __future__ import annotations

from collections.abc import Callable

from grassroots.cadres.services import course_create, holding_start, term_open

from ..factories import SYSTEM, d
from .probes import ABSENT_FOR_P, READ_IN_SCOPE, Probe, expect

WRITE = expect(302, 403, 403, 404, 302)
POST_ONLY = expect(405, 405, 405, 405, 302)
# Terms and posts: the organization's approvers (services.term_open, holding_start).
APPROVE = expect(302, 403, 403, 404, 302)
APPROVE_Q = expect(404, 404, 404, 302, 302)
# Void pages (a form: shown, or shown again with "reason required" on an empty POST).
VOID = expect(200, 403, 403, 404, 302)
VOID_Q = expect(404, 404, 404, 200, 302)


def course(key: str, suffix: str = "") -> Callable[[dict], str]:
    return lambda w: f"/cadres/courses/{w[key].pk}/{suffix}"


def _unit_pages(suffix: str) -> list[Probe]:
    return [
        Probe(lambda w: f"/cadres/units/G1/{suffix}", READ_IN_SCOPE, note="clerk: as of 2025"),
        Probe(lambda w: f"/cadres/units/GQ/{suffix}", ABSENT_FOR_P),
    ]


RULES = {
    "cadres/units/<str:code>/": _unit_pages(""),
    "cadres/units/<str:code>/courses/": _unit_pages("courses/"),
    "cadres/units/<str:code>/standards/": _unit_pages("standards/"),
    "cadres/units/<str:code>/standards.xlsx": [
        Probe(lambda w: "/cadres/units/G1/standards.xlsx", READ_IN_SCOPE),
        Probe(lambda w: "/cadres/units/GQ/standards.xlsx", ABSENT_FOR_P),
    ],
    "cadres/units/<str:code>/courses/new/": [
        Probe(lambda w: "/cadres/units/C1/courses/new/", POST_ONLY),
        Probe(lambda w: "/cadres/units/C1/courses/new/", WRITE, "post", {}),
        Probe(
            lambda w: "/cadres/units/GQ/courses/new/", expect(404, 404, 404, 302, 302), "post", {}
        ),  # fmt: skip
    ],
    "cadres/units/<str:code>/terms/new/": [
        Probe(lambda w: "/cadres/units/G1/terms/new/", POST_ONLY),
        Probe(lambda w: "/cadres/units/G1/terms/new/", APPROVE, "post", {"name": "x"}),
        Probe(lambda w: "/cadres/units/GQ/terms/new/", APPROVE_Q, "post", {"name": "x"}),
    ],
    "cadres/units/<str:code>/posts/new/": [
        Probe(lambda w: "/cadres/units/G1/posts/new/", POST_ONLY),
        Probe(lambda w: "/cadres/units/G1/posts/new/", APPROVE, "post", {"member": "000000X"}),
        Probe(lambda w: "/cadres/units/GQ/posts/new/", APPROVE_Q, "post", {"member": "X"}),
    ],
    "cadres/posts/<int:pk>/end/": [
        Probe(lambda w: f"/cadres/posts/{w['post_p'].pk}/end/", POST_ONLY),
        Probe(lambda w: f"/cadres/posts/{w['post_p'].pk}/end/", APPROVE, "post", {"end": "x"}),
        Probe(lambda w: f"/cadres/posts/{w['post_q'].pk}/end/", APPROVE_Q, "post", {"end": "x"}),
    ],
    "cadres/posts/<int:pk>/void/": [
        Probe(lambda w: f"/cadres/posts/{w['post_p'].pk}/void/", VOID),
        Probe(lambda w: f"/cadres/posts/{w['post_p'].pk}/void/", VOID, "post", {}),
        Probe(lambda w: f"/cadres/posts/{w['post_q'].pk}/void/", VOID_Q, "post", {}),
    ],
    "cadres/terms/<int:pk>/void/": [
        Probe(lambda w: f"/cadres/terms/{w['term_p'].pk}/void/", VOID),
        Probe(lambda w: f"/cadres/terms/{w['term_p'].pk}/void/", VOID, "post", {}),
        Probe(lambda w: f"/cadres/terms/{w['term_q'].pk}/void/", VOID_Q),
    ],
    "cadres/courses/<int:pk>/": [
        Probe(course("course_p"), READ_IN_SCOPE),
        Probe(course("course_q"), ABSENT_FOR_P),
    ],
    "cadres/courses/<int:pk>/enrol/": [
        Probe(course("course_p", "enrol/"), POST_ONLY),
        Probe(course("course_p", "enrol/"), WRITE, "post", {"member": "000000X"}),
        Probe(course("course_q", "enrol/"), expect(404, 404, 404, 302, 302), "post", {}),
    ],
    "cadres/courses/<int:pk>/result/": [
        Probe(course("course_p", "result/"), POST_ONLY),
        Probe(course("course_p", "result/"), WRITE, "post", {"result": "completed"}),
        Probe(course("course_q", "result/"), expect(404, 404, 404, 302, 302), "post", {}),
    ],
}


def prepare(w: dict, tmp_path) -> None:
    for key, unit in (("course_p", w["G1"]), ("course_q", w["GQ"])):
        w[key] = course_create(
            actor=SYSTEM, code=f"K-{unit.code}", name="Bồi dưỡng cấp ủy viên", kind="fostering",
            subject="update", unit=unit, start=d("2024-03-01"), end=d("2024-03-05"),
        )  # fmt: skip
    for key, unit, member in (("post_p", w["G1"], w["inside"]), ("post_q", w["GQ"], w["canary"])):
        term = term_open(actor=SYSTEM, unit=unit, name="2010–2015", start=d("2010-06-01"))
        w["term_" + key[-1]] = term
        w[key] = holding_start(
            actor=SYSTEM, term=term, member=member, post="secretary", start=d("2010-06-01")
        )
