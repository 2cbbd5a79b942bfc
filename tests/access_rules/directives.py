"""Directives (directives/urls.py): the Centre's resolution, a programme of each district of P
(D1: the clerk's own, D2: a sibling), one of province Q, each with a file."""

from __future__ import annotations

from grassroots.directives.services import document_register, file_attach

from ..factories import SYSTEM, d
from .probes import ABSENT_FOR_P, READ_IN_SCOPE, Probe, expect

API_READ = expect(anonymous=401)
API_ABSENT_FOR_P = expect(admin=404, clerk=404, viewer=404, outsider=200, anonymous=401)

PDF = b"%PDF-1.4 ban quet"
ALL = expect(outsider=200)


def doc(key: str, suffix: str = ""):
    return lambda w: f"/directives/documents/{w[key].pk}/{suffix}"


def doc_api(key: str, suffix: str):
    return lambda w: f"/api/v1/documents/{w[key].pk}/{suffix}"


def file(key: str):
    return lambda w: f"/directives/files/{w[key].pk}/"


RULES = {
    "api/v1/documents/": [
        Probe(lambda w: "/api/v1/documents/?q=chuong+trinh", expect(outsider=200, anonymous=401)),
        Probe(lambda w: "/api/v1/documents/?unit=GQ", API_ABSENT_FOR_P),
    ],
    "api/v1/documents/<int:pk>/cascade/<str:code>/": [
        Probe(
            doc_api("dir_tw", "cascade/P/?at=2008-12-31"),
            expect(clerk=404, viewer=404, anonymous=401),
        ),
        Probe(doc_api("dir_tw", "cascade/D1/?at=2008-12-31"), expect(viewer=404, anonymous=401)),
        Probe(
            doc_api("dir_d2", "cascade/D1/?at=2008-12-31"),
            expect(clerk=404, viewer=404, anonymous=401),
            note="a sibling district's",
        ),
        Probe(doc_api("dir_q", "cascade/GQ/?at=2008-12-31"), API_ABSENT_FOR_P),
    ],
    "api/v1/documents/files/<int:pk>/": [
        Probe(
            lambda w: f"/api/v1/documents/files/{w['file_d2'].pk}/",
            expect(clerk=404, viewer=404, anonymous=401),
            note="guessing another district's",
        ),
        Probe(lambda w: f"/api/v1/documents/files/{w['file_d1'].pk}/", API_READ),
        Probe(lambda w: f"/api/v1/documents/files/{w['file_q'].pk}/", API_ABSENT_FOR_P),
    ],
    "directives/": [Probe(lambda w: "/directives/?q=nghi+quyet", ALL)],
    "directives/units/<str:code>/": [
        Probe(lambda w: "/directives/units/G1/", READ_IN_SCOPE),
        Probe(lambda w: "/directives/units/GQ/", ABSENT_FOR_P),
    ],
    "directives/units/<str:code>/new/": [
        Probe(lambda w: "/directives/units/G1/new/", expect(clerk=403, viewer=403)),
        Probe(lambda w: "/directives/units/GQ/new/", ABSENT_FOR_P),
        Probe(lambda w: "/directives/units/G1/new/", expect(200, 403, 403, 404, 302), "post", {}),
    ],
    "directives/units/<str:code>/export.xlsx": [
        Probe(lambda w: "/directives/units/G1/export.xlsx", READ_IN_SCOPE),
        Probe(lambda w: "/directives/units/GQ/export.xlsx", ABSENT_FOR_P),
    ],
    "directives/documents/<int:pk>/": [
        Probe(doc("dir_tw"), ALL),
        Probe(doc("dir_d2"), expect(clerk=404, viewer=404), note="a sibling district's"),
        Probe(doc("dir_d1"), READ_IN_SCOPE),
        Probe(doc("dir_q"), ABSENT_FOR_P),
    ],
    "directives/documents/<int:pk>/files/": [
        Probe(doc("dir_d2", "files/"), expect(302, 404, 404, 404, 302), "post", {}),
        Probe(doc("dir_tw", "files/"), expect(302, 403, 403, 302, 302), "post", {}),
        Probe(doc("dir_q", "files/"), expect(404, 404, 404, 302, 302), "post", {}),
    ],
    "directives/documents/<int:pk>/studies/": [
        Probe(doc("dir_d1", "studies/"), expect(302, 403, 403, 404, 302), "post", {}),
        Probe(doc("dir_q", "studies/"), expect(404, 404, 404, 302, 302), "post", {}),
    ],
    "directives/documents/<int:pk>/cascade/<str:code>/": [
        Probe(doc("dir_tw", "cascade/P/"), expect(clerk=404, viewer=404)),
        Probe(doc("dir_tw", "cascade/G1/"), expect(clerk=404), note="clerk: D1 ended in 2025"),
        Probe(doc("dir_tw", "cascade/GQ/"), ABSENT_FOR_P),
        Probe(doc("dir_q", "cascade/P/"), expect(clerk=404, viewer=404, admin=404)),
    ],
    "directives/files/<int:pk>/": [
        Probe(file("file_d2"), expect(clerk=404, viewer=404), note="guessing another district's"),
        Probe(file("file_d1"), READ_IN_SCOPE),
        Probe(file("file_q"), ABSENT_FOR_P),
    ],
}


def prepare(w: dict, tmp_path) -> None:
    w["dir_tw"] = document_register(
        actor=SYSTEM, kind="nghi_quyet", symbol="22-NQ/TW", date=d("2008-02-02"),
        title="Nghị quyết về tổ chức cơ sở đảng",
        requirements=[{"level": "district", "action": "issue", "deadline": d("2008-06-30")}],
    )  # fmt: skip
    for key, issuer, symbol, parent in (
        ("d1", w["D1"], "15-CTr/HU", w["dir_tw"]),
        ("d2", w["D2"], "20-CTr/HU", w["dir_tw"]),
        ("q", w["Q"], "3-CTr/TU", None),
    ):
        w["dir_" + key] = document_register(
            actor=SYSTEM, kind="chuong_trinh", symbol=symbol, date=d("2008-05-01"),
            issuer=issuer, title="Chương trình hành động", parent=parent,
        )  # fmt: skip
        w["file_" + key] = file_attach(
            actor=SYSTEM, document=w["dir_" + key], name=f"{key}.pdf", content=PDF
        )
