"""Every URL pattern × every persona (issue 4 §2, "Done means").

`MATRIX` lists every URL pattern of the project with one or more probes; each probe says which
status each persona gets. The rows live next to each app's concerns in tests/access_rules/ (one
module per app, collected by `access_rules.matrix()`). `test_every_url_pattern_is_in_the_matrix` fails as soon as someone adds
a pattern without putting it here. Every response is also searched for names that live outside
the persona's scope (other province, other district, or after the persona's scope ended): none
may appear, whatever the status.

Personas (world in tests/test_access.py): province administrator of P, clerk of district D1
(dissolved 2025-07-01), viewer of commune G1, administrator of another province Q, anonymous,
and a member's own account (role "đảng viên", made by access_rules/meetings.py).
The Django admin is one group: only superusers get in.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from grassroots.audit.models import ProfileView
from grassroots.members.queries import revision

from . import access_rules
from .test_access import AFTER_MARK, CANARY_MEMBER, CANARY_UNIT, PASSWORD, build_world

pytestmark = pytest.mark.django_db

PERSONAS = ("admin_p", "clerk_d1", "viewer_g1", "outsider", "anonymous", "member")
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
    # A member's own account (Lê Văn Sau of C1, tests/access_rules/meetings.py): nobody else.
    "member": [
        CANARY_MEMBER,
        CANARY_UNIT,
        "Trần Thị Trong",
        "Phạm Văn Bên",
        "Quần Chúng Sau",
        "Đảng bộ huyện Hai",
        "Chi bộ xã Hai",
        "Đảng bộ tỉnh Pê",
        "admin_p",
    ],
}


MATRIX = access_rules.matrix()

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
        f"URL patterns not in the access matrix (a module of tests/access_rules/): {missing}"
    )
    stale = sorted(set(MATRIX) - set(routes))
    assert not stale, f"matrix entries for patterns that no longer exist: {stale}"


@pytest.fixture
def world(tmp_path, settings):
    settings.VAR_DIR = tmp_path  # files the apps' prepare hooks write (development: the scans)
    w = build_world()
    ProfileView.objects.create(viewer=w["outsider"], member=w["canary"], address="10.0.0.9")
    ProfileView.objects.create(viewer=w["admin_p"], member=w["inside"], address="10.0.0.1")
    access_rules.prepare(w, tmp_path)
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
    token = w.get("tokens", {}).get(persona)  # the API's own credential (access_rules/api.py)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}") if token else Client()
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
                if probe.json:
                    response = getattr(client, probe.method)(
                        url, json.dumps(probe.data), content_type="application/json"
                    )
                else:
                    response = getattr(client, probe.method)(url, probe.data)
                wanted = probe.expect[persona]
                if response.status_code != wanted:
                    failures.append(
                        f"{probe.method.upper()} {url} [{route}] as {persona}: {response.status_code}, expected {wanted}"
                    )
                # issue 20 §20: no page, export or answer may be kept by a browser or proxy.
                if "no-store" not in response.get("Cache-Control", ""):
                    failures.append(f"{probe.method.upper()} {url} as {persona}: no no-store")
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


# --- Through time (issue 20): objects seen only before a scope began or after it ended, and
# writes dated before the writer's view began. Cell CX lay in district D2 (commune G3) from 2000 and joins
# commune G1 on 01/07/2025 with its member Đinh Văn Trước (admitted 2010); a clerk of G1 joins
# the personas for the writes.

# The province comes last: its backdated death is written, and the member then never reaches G1.
TIME_PERSONAS = ("clerk_d1", "clerk_g1", "viewer_g1", "outsider", "admin_p")


def _through_time(w) -> dict:
    from grassroots.accounts.models import User
    from grassroots.assessments.services import round_open
    from grassroots.organizations import services as orgs
    from grassroots.organizations.models import Kind

    from .factories import SYSTEM, admit, d, unit

    g3 = unit("G3", Kind.GRASSROOTS_COMMITTEE, w["D2"], name="Đảng bộ xã Ba")
    cx = unit("CX", Kind.SUBORDINATE_CELL, g3, name="Chi bộ Trước")
    truoc = admit(cx, "2010-03-01", full_name="Đinh Văn Trước")
    orgs.unit_move(actor=SYSTEM, unit=cx, new_parent=w["G1"], date=d("2025-07-01"))
    w["clerk_g1"] = User.objects.create_user(
        "clerk_g1", password=PASSWORD, scope=w["G1"], role="clerk"
    )
    w["truoc"] = truoc
    w["round_2019"] = round_open(actor=SYSTEM, unit=w["P"], year=2019)
    return w


# persona → (status of the member page, of CX's 2019 round sheet, of the backdated death)
TIME_EXPECT = {
    # the province saw CX's whole life: reads everything, may write into 2015
    "admin_p": (200, 200, 302),
    # D1 never held CX; its view ended before CX came to G1
    "clerk_d1": (404, 404, 404),
    # G1's view of CX begins on 01/07/2025: the member is readable from then, the 2019 round
    # is not, and a death dated 2015 is refused with the Vietnamese message (200, the form again)
    "clerk_g1": (200, 404, 200),
    "viewer_g1": (200, 404, 403),
    "outsider": (404, 404, 404),
}


def test_personas_through_time(world):
    from grassroots.members.models import EventKind

    w = _through_time(world)
    failures = []
    for persona in TIME_PERSONAS:
        client = client_for(w, persona)
        member_page = client.get(f"/members/{w['truoc'].pk}/")
        sheet = client.get(f"/assessments/rounds/{w['round_2019'].pk}/CX/")
        w["truoc"].refresh_from_db()
        write = client.post(
            f"/members/{w['truoc'].pk}/events/death/",
            {"date": "01/01/2015", "expected_version": revision(w["truoc"])},
        )
        got = (member_page.status_code, sheet.status_code, write.status_code)
        if got != TIME_EXPECT[persona]:
            failures.append(f"{persona}: {got}, expected {TIME_EXPECT[persona]}")
        if persona == "clerk_g1" and "nằm ngoài thời gian" not in write.content.decode():
            failures.append("clerk_g1: the backdated death is not refused with its message")
        written = w["truoc"].events.filter(kind=EventKind.DEATH).exists()
        if written != (persona == "admin_p"):
            failures.append(f"{persona}: backdated death written: {written}")
        # Nothing of the district D2 years (CX's 2019 round, its rating) leaks to G1 personas.
        if (
            persona in ("clerk_g1", "viewer_g1")
            and "Đảng bộ huyện Hai" in member_page.content.decode()
        ):
            failures.append(f"{persona}: the member page names district D2")
    assert not failures, "\n".join(failures)
