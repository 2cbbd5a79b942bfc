"""API v1 for the register (directives/api.py): search, the tracker with the CLI's numbers, a
file download scope-checked and audited; a bad date is an RFC 9457 problem (422)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from grassroots.accounts.models import Role, User
from grassroots.api.services import token_create
from grassroots.audit.models import AuditRecord, Source
from grassroots.audit.services import Actor
from grassroots.directives import services as dirs

from .directives_world import cascade, world
from .factories import SYSTEM, d

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    w = world()
    w.docs = cascade(w)
    w.ctr = dirs.document_register(
        actor=SYSTEM, kind="chuong_trinh", symbol="5-CTr/HU", date=d("2008-05-20"), issuer=w.d1,
        parent=w.docs.kh, title="Chương trình hành động của Huyện Một",
    )  # fmt: skip
    w.file = dirs.file_attach(actor=SYSTEM, document=w.ctr, name="ctr.pdf", content=b"%PDF-1.4 x")
    return w


def client(unit, role=Role.CLERK, name="api_user") -> Client:
    user = User.objects.create_user(name, password="x-Passw0rd!-2026", scope=unit, role=role)
    key = token_create(actor=Actor(user, Source.UI), name="test")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_search_and_the_tracker_as_the_cli(w):
    api = client(w.p)
    found = api.get("/api/v1/documents/", {"q": "chuong trinh huyen mot"}).json()["documents"]
    assert [(r["symbol"], r["issuer"], r["parent"]) for r in found] == [
        ("5-CTr/HU", "D1", "30-KH/TU")
    ]
    answer = api.get(f"/api/v1/documents/{w.docs.nq.pk}/cascade/P/", {"at": "31/12/2008"})
    out = io.StringIO()
    call_command("cascade", "--document", "22-NQ/TW", "--unit", "P", "--at", "2008-12-31",
                 "--json", stdout=out)  # fmt: skip
    assert answer.status_code == 200 and answer.json() == json.loads(out.getvalue())
    assert answer.json()["plans_issued"] == 1


def test_bad_input_and_scope(w):
    api = client(w.p)
    bad = api.get(f"/api/v1/documents/{w.docs.nq.pk}/cascade/P/", {"at": "31/02/2008"})
    assert bad.status_code == 422 and bad["Content-Type"].startswith("application/problem+json")
    assert "Ngày không hợp lệ" in json.dumps(bad.json(), ensure_ascii=False)
    assert api.get("/api/v1/documents/", {"kind": "thu_tu"}).status_code == 422
    sibling = client(w.g2, name="clerk_g2")  # another district's grassroots organization
    assert sibling.get(f"/api/v1/documents/files/{w.file.pk}/").status_code == 404
    assert sibling.get(f"/api/v1/documents/{w.ctr.pk}/cascade/G2/").status_code == 404
    own = client(w.g1, name="clerk_g1")  # under D1: reads what its superiors sent down
    before = AuditRecord.objects.filter(object_type="directivefile", action="view").count()
    response = own.get(f"/api/v1/documents/files/{w.file.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    audits = AuditRecord.objects.filter(object_type="directivefile", action="view")
    assert audits.count() == before + 1 and audits.latest("pk").source == Source.API
