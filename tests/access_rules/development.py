"""Member development (development/urls.py): a 2026 candidate of C1, one of GQ."""

from __future__ import annotations

from collections.abc import Callable

from grassroots.development.services import candidate_propose, document_upload

from ..factories import SYSTEM, d
from ..test_access import CANARY_MEMBER
from .probes import ABSENT_FOR_P, ADMIN_ONLY, READ_IN_SCOPE, Probe, expect


def case(key: str, suffix: str = "") -> Callable[[dict], str]:
    return lambda w: f"/development/candidates/{w[key].pk}/{suffix}"


RULES = {
    "development/units/<str:code>/": [
        Probe(lambda w: "/development/units/G1/", READ_IN_SCOPE, note="clerk: as of 2025"),
        Probe(lambda w: "/development/units/P/", expect(clerk=404, viewer=404)),
        Probe(lambda w: "/development/units/GQ/", ABSENT_FOR_P),
    ],
    "development/units/<str:code>/new/": [
        Probe(lambda w: "/development/units/C1/new/", expect(clerk=403, viewer=403)),
        Probe(lambda w: "/development/units/GQ/new/", ABSENT_FOR_P),
        Probe(lambda w: "/development/units/C1/new/", expect(200, 403, 403, 404, 302), "post", {}),
    ],
    "development/units/<str:code>/export.xlsx": [
        Probe(lambda w: "/development/units/G1/export.xlsx", READ_IN_SCOPE),
        Probe(lambda w: "/development/units/P/export.xlsx", expect(clerk=404, viewer=404)),
        Probe(lambda w: "/development/units/GQ/export.xlsx", ABSENT_FOR_P),
    ],
    "development/units/<str:code>/import/": [
        Probe(lambda w: "/development/units/C1/import/", expect(405, 405, 405, 405, 302)),
        Probe(
            lambda w: "/development/units/C1/import/", expect(302, 403, 403, 404, 302), "post", {}
        ),
        Probe(
            lambda w: "/development/units/GQ/import/", expect(404, 404, 404, 302, 302), "post", {}
        ),
    ],
    "development/candidates/<int:pk>/": [
        Probe(case("cand_p"), expect(clerk=404), note="proposed after the district ended"),
        Probe(case("cand_q"), ABSENT_FOR_P),
    ],
    "development/candidates/<int:pk>/steps/<str:kind>/": [
        Probe(case("cand_p", "steps/application/"), expect(200, 404, 403, 404, 302)),
        Probe(case("cand_p", "steps/nope/"), expect(404, 404, 403, 404, 302)),
        Probe(case("cand_q", "steps/application/"), ABSENT_FOR_P),
        Probe(case("cand_p", "steps/application/"), expect(200, 404, 403, 404, 302), "post", {}),
    ],
    "development/candidates/<int:pk>/steps/<int:step_pk>/void/": [
        # an empty reason is refused with a message (302 back to the file); nothing is voided
        Probe(
            lambda w: f"/development/candidates/{w['cand_p'].pk}/steps/"
            f"{w['cand_p'].steps.first().pk}/void/",
            expect(302, 404, 403, 404, 302),
            "post",
            {},
        ),
        Probe(
            lambda w: f"/development/candidates/{w['cand_q'].pk}/steps/"
            f"{w['cand_q'].steps.first().pk}/void/",
            expect(404, 404, 404, 302, 302),
            "post",
            {},
        ),
    ],
    "development/candidates/<int:pk>/documents/": [
        Probe(case("cand_p", "documents/"), expect(302, 404, 403, 404, 302), "post", {}),
        Probe(case("cand_q", "documents/"), expect(404, 404, 404, 302, 302), "post", {}),
    ],
    "development/candidates/<int:pk>/resolution.docx": [
        Probe(case("cand_p", "resolution.docx"), expect(clerk=404)),
        Probe(case("cand_q", "resolution.docx"), ABSENT_FOR_P),
    ],
    "development/documents/<int:pk>/": [
        Probe(lambda w: f"/development/documents/{w['doc_p'].pk}/", expect(clerk=404)),
        Probe(lambda w: f"/development/documents/{w['doc_q'].pk}/", ABSENT_FOR_P),
    ],
}


def _holiday(w) -> str:
    from grassroots.development.models import Holiday

    return f"/development/rules/holidays/{Holiday.objects.order_by('date').first().pk}/remove/"


# The rule sets and holidays are national: administrators of a province (P or Q) only. The POSTs
# carry nothing valid, so they are refused with a message and write nothing.
RULES |= {
    "development/rules/": [Probe(lambda w: "/development/rules/", ADMIN_ONLY)],
    "development/rules/new/": [
        Probe(lambda w: "/development/rules/new/", ADMIN_ONLY),
        Probe(lambda w: "/development/rules/new/", ADMIN_ONLY, "post", {}),
    ],
    "development/rules/holidays/": [
        Probe(lambda w: "/development/rules/holidays/", expect(405, 405, 405, 405, 302)),
        Probe(
            lambda w: "/development/rules/holidays/", expect(302, 403, 403, 302, 302), "post", {}
        ),
    ],
    "development/rules/holidays/<int:pk>/remove/": [
        Probe(_holiday, expect(302, 403, 403, 302, 302), "post", {}),
    ],
}


def prepare(w: dict, tmp_path) -> None:
    """A 2026 candidate with one scan in each province (the files go under settings.VAR_DIR)."""
    for key, cell, name in (
        ("cand_p", w["C1"], "Quần Chúng Sau"),
        ("cand_q", w["GQ"], CANARY_MEMBER),
    ):
        w[key] = candidate_propose(
            actor=SYSTEM, cell=cell, proposed_on=d("2026-01-15"), source="cell", full_name=name,
            gender="F", birth_date=d("2000-01-01"),
        )  # fmt: skip
        w["doc_" + key[-1]] = document_upload(
            actor=SYSTEM, candidate=w[key], title=f"Đơn {name}", content=b"%PDF-1.4 scan"
        )
