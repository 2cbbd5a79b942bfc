"""Every URL pattern × every persona (issue 4 §2, "Done means").

`MATRIX` lists every URL pattern of the project with one or more probes; each probe says which
status each persona gets. `test_every_url_pattern_is_in_the_matrix` fails as soon as someone adds
a pattern without putting it here. Every response is also searched for names that live outside
the persona's scope (other province, other district, or after the persona's scope ended): none
may appear, whatever the status.

Personas (world in tests/test_access.py): province administrator of P, clerk of district D1
(dissolved 2025-07-01), viewer of commune G1, administrator of another province Q, anonymous.
The Django admin is one group: only superusers get in.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from grassroots.assessments.services import round_open
from grassroots.audit.models import ProfileView
from grassroots.audit.services import Actor
from grassroots.development.services import candidate_propose, document_upload
from grassroots.excel.models import ImportJob, JobStatus
from grassroots.territory.services import village_create

from .factories import d
from .test_access import AFTER_MARK, CANARY_MEMBER, CANARY_UNIT, PASSWORD, build_world

pytestmark = pytest.mark.django_db

PERSONAS = ("admin_p", "clerk_d1", "viewer_g1", "outsider", "anonymous")
P_SIDE = [
    "Trần Thị Trong",
    "Lê Văn Sau",
    "Phạm Văn Bên",
    "Đảng bộ tỉnh Pê",
    "Đảng bộ xã Một",
    "Chi bộ thôn Một",
]
# What each persona must never receive, in any response.
FORBIDDEN = {
    "admin_p": [CANARY_MEMBER, CANARY_UNIT, "Đảng bộ tỉnh Quy", "Thôn Canary"],
    "clerk_d1": [
        CANARY_MEMBER,
        CANARY_UNIT,
        "Lê Văn Sau",
        "Quần Chúng Sau",
        "Phạm Văn Bên",
        "Đảng bộ huyện Hai",
        AFTER_MARK,
    ],
    "viewer_g1": [CANARY_MEMBER, CANARY_UNIT, "Phạm Văn Bên", "Đảng bộ huyện Hai", "Chi bộ xã Hai"],
    "outsider": [*P_SIDE, "Quần Chúng Sau", "clerk_d1", "viewer_g1", "admin_p"],
    "anonymous": [CANARY_MEMBER, CANARY_UNIT, *P_SIDE, "Quần Chúng Sau"],
}


def expect(admin=200, clerk=200, viewer=200, outsider=404, anonymous=302) -> dict[str, int]:
    return {
        "admin_p": admin,
        "clerk_d1": clerk,
        "viewer_g1": viewer,
        "outsider": outsider,
        "anonymous": anonymous,
    }


READ_IN_SCOPE = expect()  # every P persona reads; the other province gets "absent"
ABSENT_FOR_P = expect(admin=404, clerk=404, viewer=404, outsider=200)
ADMIN_ONLY = expect(clerk=403, viewer=403, outsider=200)


@dataclass
class Probe:
    url: Callable[[dict], str]
    expect: dict[str, int]
    method: str = "get"
    data: dict = field(default_factory=dict)
    note: str = ""


def member(key: str, suffix: str = "") -> Callable[[dict], str]:
    return lambda w: f"/members/{w[key].pk}/{suffix}"


def case(key: str, suffix: str = "") -> Callable[[dict], str]:
    return lambda w: f"/development/candidates/{w[key].pk}/{suffix}"


def event_url(key: str, suffix: str) -> Callable[[dict], str]:
    return lambda w: f"/events/{w[key].events.order_by('date', 'id').first().pk}/{suffix}"


MATRIX: dict[str, list[Probe]] = {
    # --- login / logout (web/auth_urls.py) ---
    "login/": [Probe(lambda w: "/login/", expect(302, 302, 302, 302, 200))],
    "logout/": [Probe(lambda w: "/logout/", expect(405, 405, 405, 405, 405))],
    # --- language choice (Django's set_language; reveals nothing, open to all) ---
    "i18n/setlang/": [
        Probe(
            lambda w: "/i18n/setlang/",
            expect(302, 302, 302, 302, 302),
            method="post",
            data={"language": "en", "next": "/"},
        ),
    ],
    # --- accounts (accounts/urls.py) ---
    "accounts/": [Probe(lambda w: "/accounts/", ADMIN_ONLY)],
    "accounts/new/": [
        Probe(lambda w: "/accounts/new/", ADMIN_ONLY),
        Probe(
            lambda w: "/accounts/new/", expect(200, 403, 403, 200, 302), "post", {"username": ""}
        ),
    ],
    "accounts/<int:pk>/": [
        Probe(lambda w: f"/accounts/{w['clerk_d1'].pk}/", expect(200, 403, 403, 404, 302)),
        Probe(lambda w: f"/accounts/{w['outsider'].pk}/", expect(404, 403, 403, 200, 302)),
        Probe(
            lambda w: f"/accounts/{w['root'].pk}/",
            expect(404, 403, 403, 404, 302),
            note="above everyone",
        ),
        Probe(
            lambda w: f"/accounts/{w['clerk_d1'].pk}/",
            expect(200, 403, 403, 404, 302),
            "post",
            {"role": "admin"},
        ),
    ],
    "accounts/profile-views/": [Probe(lambda w: "/accounts/profile-views/", ADMIN_ONLY)],
    "accounts/2fa/": [
        Probe(lambda w: "/accounts/2fa/", ADMIN_ONLY, note="offered to administrators")
    ],
    "accounts/2fa/verify/": [
        Probe(
            lambda w: "/accounts/2fa/verify/",
            expect(302, 302, 302, 302, 302),
            note="nothing parked: back to login",
        ),
        Probe(
            lambda w: "/accounts/2fa/verify/",
            expect(302, 302, 302, 302, 302),
            "post",
            {"code": "123456"},
        ),
    ],
    # --- registry pages (web/urls.py) ---
    "": [Probe(lambda w: "/", expect(outsider=200))],
    # --- the picker (web/picker.py): only what the scope holds (FORBIDDEN checks the JSON) ---
    "pick/": [
        Probe(lambda w: "/pick/?q=mot", expect(outsider=200)),
        Probe(lambda w: "/pick/?q=hai", expect(outsider=200)),
        Probe(lambda w: "/pick/?q=quy&kinds=cell", expect(outsider=200)),
        Probe(lambda w: "/pick/?q=canary", expect(outsider=200)),
        Probe(lambda w: "/pick/?type=member&q=ben", expect(outsider=200)),
        Probe(lambda w: "/pick/?type=member&q=le van sau", expect(outsider=200)),
        Probe(lambda w: "/pick/?type=member&q=canary", expect(outsider=200)),
    ],
    "tree/": [
        Probe(lambda w: "/tree/", expect(outsider=200)),
        Probe(lambda w: "/tree/?at=2026-06-01", expect(outsider=200)),
    ],
    "tree/<str:code>/": [
        Probe(lambda w: "/tree/G1/", READ_IN_SCOPE),
        Probe(lambda w: "/tree/G1/?at=2026-06-01", READ_IN_SCOPE),
        Probe(lambda w: "/tree/P/", expect(clerk=404, viewer=404)),
        Probe(lambda w: "/tree/GQ/", ABSENT_FOR_P),
    ],
    "units/<str:code>/": [
        Probe(lambda w: "/units/C1/", READ_IN_SCOPE),
        Probe(
            lambda w: "/units/C1/?at=2026-06-01", READ_IN_SCOPE, note="clerk: after the dissolution"
        ),
        Probe(lambda w: "/units/G1/?at=2020-01-01&since=2005-01-01", READ_IN_SCOPE),
        Probe(lambda w: "/units/P/", expect(clerk=404, viewer=404)),
        Probe(lambda w: "/units/D2/", expect(clerk=404, viewer=404)),
        Probe(lambda w: "/units/GQ/", ABSENT_FOR_P),
        Probe(lambda w: "/units/NOPE/", expect(404, 404, 404, 404, 302)),
    ],
    "units/<str:code>/admit/": [
        Probe(lambda w: "/units/C1/admit/", expect(clerk=403, viewer=403)),
        Probe(lambda w: "/units/GQ/admit/", ABSENT_FOR_P),
        Probe(lambda w: "/units/C1/admit/", expect(200, 403, 403, 404, 302), "post", {}),
    ],
    "units/<str:code>/<str:action>/": [
        Probe(lambda w: "/units/G1/rename/", expect(clerk=403, viewer=403)),
        Probe(lambda w: "/units/GQ/rename/", ABSENT_FOR_P),
        Probe(lambda w: "/units/G1/dissolve/", expect(200, 403, 403, 404, 302), "post", {}),
    ],
    "members/": [
        Probe(lambda w: "/members/?q=canary", expect(outsider=200)),
        Probe(lambda w: "/members/?q=ngoai tinh", expect(outsider=200)),
        Probe(lambda w: "/members/?q=le van sau", expect(outsider=200)),
        Probe(lambda w: "/members/?q=tran", expect(outsider=200)),
    ],
    "members/<int:pk>/": [
        Probe(member("inside"), READ_IN_SCOPE),
        Probe(member("later"), expect(clerk=404)),
        Probe(member("neighbour"), expect(clerk=404, viewer=404)),
        Probe(member("canary"), ABSENT_FOR_P),
    ],
    "members/<int:pk>/edit/": [
        Probe(
            member("inside", "edit/"), expect(clerk=403, viewer=403), note="clerk: read-only past"
        ),
        Probe(member("canary", "edit/"), ABSENT_FOR_P),
        Probe(member("inside", "edit/"), expect(200, 403, 403, 404, 302), "post", {}),
    ],
    "members/<int:pk>/events/<str:kind>/": [
        Probe(member("inside", "events/transfer/"), expect(clerk=403, viewer=403)),
        Probe(member("canary", "events/death/"), ABSENT_FOR_P),
        Probe(member("inside", "events/death/"), expect(200, 403, 403, 404, 302), "post", {}),
    ],
    "events/<int:pk>/void/": [
        Probe(event_url("inside", "void/"), expect(clerk=403, viewer=403)),
        Probe(event_url("canary", "void/"), ABSENT_FOR_P),
        Probe(event_url("inside", "void/"), expect(200, 403, 403, 404, 302), "post", {}),
    ],
    "events/<int:pk>/correct/": [
        Probe(event_url("inside", "correct/"), expect(clerk=403, viewer=403)),
        Probe(event_url("canary", "correct/"), ABSENT_FOR_P),
    ],
    # --- Excel (excel/urls.py); exports are read as CSV or unzipped XLSX for the canary check ---
    "excel/": [Probe(lambda w: "/excel/", expect(outsider=200))],
    "excel/templates/<str:kind>.xlsx": [
        Probe(lambda w: "/excel/templates/members.xlsx", expect(outsider=200)),
        Probe(lambda w: "/excel/templates/nope.xlsx", expect(404, 404, 404, 404, 302)),
    ],
    "excel/import/": [
        Probe(lambda w: "/excel/import/", expect(405, 405, 405, 405, 302)),
        Probe(
            lambda w: "/excel/import/",
            expect(400, 403, 403, 400, 302),
            "post",
            {},
            "clerk: read-only past",
        ),
    ],
    "excel/import/<int:pk>/": [
        Probe(
            lambda w: f"/excel/import/{w['job_p'].pk}/",
            expect(200, 404, 404, 404, 302),
            note="own jobs only",
        ),
        Probe(lambda w: f"/excel/import/{w['job_q'].pk}/", ABSENT_FOR_P),
    ],
    "excel/import/<int:pk>/status.json": [
        Probe(lambda w: f"/excel/import/{w['job_q'].pk}/status.json", ABSENT_FOR_P),
    ],
    "excel/import/<int:pk>/confirm/": [
        Probe(
            lambda w: f"/excel/import/{w['job_q'].pk}/confirm/",
            expect(404, 403, 403, 302, 302),
            "post",
            {},
            "clerk: read-only past",
        ),
    ],
    "excel/export/<str:what>/": [
        Probe(lambda w: "/excel/export/members/?unit=P&format=csv", expect(clerk=404, viewer=404)),
        Probe(lambda w: "/excel/export/members/?unit=G1&format=csv&at=2026-06-01", READ_IN_SCOPE),
        Probe(lambda w: "/excel/export/organizations/?unit=G1&format=csv", READ_IN_SCOPE),
        Probe(lambda w: "/excel/export/figures/?unit=G1&format=csv", READ_IN_SCOPE),
        Probe(lambda w: "/excel/export/workbook/?unit=G1", READ_IN_SCOPE),
        Probe(lambda w: "/excel/export/workbook/?unit=P", expect(clerk=404, viewer=404)),
        Probe(lambda w: "/excel/export/members/?unit=GQ&format=csv", ABSENT_FOR_P),
    ],
    # --- assessments (assessments/urls.py): a 2024 round of P and one of Q ---
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
    # --- villages and population (web/territory_views.py); village V1 of G1, own cell C1 ---
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
    # --- member development (development/urls.py): a 2026 candidate of C1, one of GQ ---
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

# The Django admin, as one group: only superusers get in (a staff flag is not enough).
ADMIN_PREFIX = "admin/"
ADMIN_PROBES = [
    "/admin/",
    "/admin/audit/auditrecord/",
    "/admin/audit/profileview/",
    "/admin/accounts/user/",
]


def all_routes(patterns=None, prefix: str = "") -> list[str]:
    out = []
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            out += all_routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            out.append(prefix + str(p.pattern))
    return out


def test_every_url_pattern_is_in_the_matrix():
    routes = [r for r in all_routes() if not r.startswith(ADMIN_PREFIX)]
    missing = sorted(set(routes) - set(MATRIX))
    assert not missing, (
        f"URL patterns not in the access matrix (tests/test_access_matrix.py): {missing}"
    )
    stale = sorted(set(MATRIX) - set(routes))
    assert not stale, f"matrix entries for patterns that no longer exist: {stale}"


@pytest.fixture
def world(tmp_path, settings):
    settings.VAR_DIR = tmp_path  # the candidates' scans
    w = build_world()
    ProfileView.objects.create(viewer=w["outsider"], member=w["canary"], address="10.0.0.9")
    ProfileView.objects.create(viewer=w["admin_p"], member=w["inside"], address="10.0.0.1")
    # One finished import job each (own jobs only), and a 2024 assessment round in each province.
    for key, user in (("job_p", "admin_p"), ("job_q", "outsider")):
        w[key] = ImportJob.objects.create(
            user=w[user],
            file_name=f"{user}.xlsx",
            stored_path=str(tmp_path / "x"),
            status=JobStatus.DONE,
        )
    system = Actor.system()
    for code, name, cell in (("TQ", "Thôn Canary Ngoài Tỉnh", w["GQ"]),):
        village_create(
            actor=system,
            code=code,
            name=name,
            kind="thon",
            unit=cell,
            arrangement="none",
            date=d("2001-01-01"),
        )
    w["round_p"] = round_open(actor=system, unit=w["P"], year=2024)
    for key, cell, name in (
        ("cand_p", w["C1"], "Quần Chúng Sau"),
        ("cand_q", w["GQ"], CANARY_MEMBER),
    ):
        w[key] = candidate_propose(
            actor=system, cell=cell, proposed_on=d("2026-01-15"), source="cell", full_name=name,
            gender="F", birth_date=d("2000-01-01"),
        )  # fmt: skip
        w["doc_" + key[-1]] = document_upload(
            actor=system, candidate=w[key], title=f"Đơn {name}", content=b"%PDF-1.4 scan"
        )
    w["round_q"] = round_open(actor=system, unit=w["Q"], year=2024)
    return w


def body_text(response) -> str:
    """The text a persona receives; XLSX downloads are unzipped (their strings are compressed)."""
    content = (
        response.content
        if not getattr(response, "streaming", False)
        else b"".join(response.streaming_content)
    )
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", "replace")
                for name in archive.namelist()
                if name.endswith(".xml")
            )
    return content.decode("utf-8", "replace")


def client_for(w, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(w[persona])
    return client


def test_personas_get_what_they_should_and_nothing_from_outside(world):
    clients = {persona: client_for(world, persona) for persona in PERSONAS}
    failures = []
    for route, probes in MATRIX.items():
        for probe in probes:
            url = probe.url(world)
            for persona in PERSONAS:
                client = clients[persona]
                response = getattr(client, probe.method)(url, probe.data)
                wanted = probe.expect[persona]
                if response.status_code != wanted:
                    failures.append(
                        f"{probe.method.upper()} {url} [{route}] as {persona}: {response.status_code}, expected {wanted}"
                    )
                body = body_text(response)
                for text in FORBIDDEN[persona]:
                    if text in body:
                        failures.append(
                            f"{probe.method.upper()} {url} as {persona}: response contains {text!r}"
                        )
    assert not failures, "\n".join(failures)


def test_admin_is_for_superusers_only(world):
    from grassroots.accounts.models import User

    staff = User.objects.create_user(
        "staff_p", password=PASSWORD, scope=world["P"], role="admin", is_staff=True
    )
    world["staff_p"] = staff
    for persona in (*PERSONAS, "staff_p"):
        client = client_for(world, persona)
        for url in ADMIN_PROBES:
            response = client.get(url)
            assert response.status_code == 302 and "/admin/login/" in response["Location"], (
                persona,
                url,
            )
    root = client_for(world, "root")
    for url in ADMIN_PROBES:
        assert root.get(url).status_code == 200, url
    # The trail is read-only even for superusers.
    assert root.get("/admin/audit/auditrecord/add/").status_code == 403
    record = world["admin_p"]  # any row will do: take the newest audit record
    from grassroots.audit.models import AuditRecord

    record = AuditRecord.objects.first()
    page = root.get(f"/admin/audit/auditrecord/{record.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert root.get(f"/admin/audit/auditrecord/{record.pk}/delete/").status_code == 403
    assert root.post(
        "/admin/audit/auditrecord/", {"action": "delete_selected", "_selected_action": [record.pk]}
    ).status_code in (200, 302)
    assert AuditRecord.objects.filter(pk=record.pk).exists()


def with_village(w, url: str) -> str:
    """Village V1 of commune G1 (own cell C1), created once through the service."""
    from grassroots.territory.models import Village
    from grassroots.territory.services import village_create

    from .factories import SYSTEM, d

    if not Village.objects.filter(code="V1").exists():
        village_create(
            actor=SYSTEM,
            code="V1",
            name="Thôn Một",
            kind="thon",
            unit=w["G1"],
            arrangement="own",
            cell=w["C1"],
            date=d("2005-01-01"),
        )
    return url
