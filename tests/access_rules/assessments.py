"""Assessments (assessments/urls.py): a 2024 round of P and one of Q."""

from __future__ import annotations

from grassroots.assessments.services import round_open

from ..factories import SYSTEM
from .probes import ABSENT_FOR_P, READ_IN_SCOPE, Probe, expect

RULES = {
    "assessments/": [Probe(lambda w: "/assessments/", expect(outsider=200))],
    "assessments/open/": [
        Probe(lambda w: "/assessments/open/", expect(405, 405, 405, 405, 302)),
        Probe(
            lambda w: "/assessments/open/",
            expect(302, 403, 403, 404, 302),
            "post",
            {"unit": "G1", "year": "x"},
        ),
    ],
    "assessments/schemes/": [Probe(lambda w: "/assessments/schemes/", expect(outsider=200))],
    "assessments/rounds/<int:pk>/<str:code>/": [
        Probe(lambda w: f"/assessments/rounds/{w['round_p'].pk}/G1/", READ_IN_SCOPE),
        Probe(lambda w: f"/assessments/rounds/{w['round_p'].pk}/P/", expect(clerk=404, viewer=404)),
        Probe(lambda w: f"/assessments/rounds/{w['round_q'].pk}/GQ/", ABSENT_FOR_P),
        Probe(
            lambda w: f"/assessments/rounds/{w['round_p'].pk}/GQ/", expect(404, 404, 404, 404, 302)
        ),
    ],
    "assessments/rounds/<int:pk>/<str:code>/save/": [
        Probe(
            lambda w: f"/assessments/rounds/{w['round_p'].pk}/G1/save/",
            expect(302, 403, 403, 404, 302),
            "post",
            {},
        ),
        Probe(
            lambda w: f"/assessments/rounds/{w['round_q'].pk}/GQ/save/",
            expect(404, 404, 404, 302, 302),
            "post",
            {},
        ),
    ],
    "assessments/rounds/<int:pk>/<str:code>/approve/": [
        Probe(
            lambda w: f"/assessments/rounds/{w['round_p'].pk}/G1/approve/",
            expect(302, 403, 403, 404, 302),
            "post",
            {},
        ),
    ],
    "assessments/rounds/<int:pk>/<str:code>/send-back/": [
        Probe(
            lambda w: f"/assessments/rounds/{w['round_p'].pk}/G1/send-back/",
            expect(302, 403, 403, 404, 302),
            "post",
            {},
        ),
    ],
    "assessments/rounds/<int:pk>/<str:code>/export.xlsx": [
        Probe(
            lambda w: f"/assessments/rounds/{w['round_p'].pk}/G1/export.xlsx",
            expect(200, 403, 403, 404, 302),
        ),
        Probe(lambda w: f"/assessments/rounds/{w['round_q'].pk}/GQ/export.xlsx", ABSENT_FOR_P),
    ],
    "assessments/rounds/<int:pk>/<str:code>/import/": [
        Probe(
            lambda w: f"/assessments/rounds/{w['round_p'].pk}/G1/import/",
            expect(302, 403, 403, 404, 302),
            "post",
            {},
        ),
    ],
    "assessments/results/<str:code>/": [
        Probe(lambda w: "/assessments/results/G1/?year=2024", READ_IN_SCOPE),
        Probe(lambda w: "/assessments/results/P/?year=2024", expect(clerk=404, viewer=404)),
        Probe(lambda w: "/assessments/results/GQ/", ABSENT_FOR_P),
    ],
    "assessments/results/<str:code>/<int:year>/plan/": [
        Probe(
            lambda w: "/assessments/results/G1/2024/plan/",
            expect(302, 403, 403, 404, 302),
            "post",
            {},
        ),
    ],
}


def prepare(w: dict, tmp_path) -> None:
    """A 2024 assessment round in each province."""
    w["round_p"] = round_open(actor=SYSTEM, unit=w["P"], year=2024)
    w["round_q"] = round_open(actor=SYSTEM, unit=w["Q"], year=2024)
