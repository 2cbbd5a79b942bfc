"""The directive cascade section of the review report (directives/summaries.py): present when a
document binds organizations of the unit, with the tracker's numbers (the same as
`grassroots cascade`), in JSON and DOCX; absent where there is nothing."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from docx import Document as Docx

from grassroots.directives import services as dirs
from grassroots.directives.queries import cascade
from grassroots.reports.export import render
from grassroots.reports.review import build_review

from .directives_world import cascade as register_cascade
from .directives_world import world
from .factories import SYSTEM, d

pytestmark = pytest.mark.django_db
SINCE, AT = d("2008-02-02"), d("2009-02-23")


@pytest.fixture
def w():
    w = world()
    w.docs = register_cascade(w)
    dirs.document_register(
        actor=SYSTEM, kind="chuong_trinh", symbol="5-CTr/HU", date=d("2008-05-20"), issuer=w.d1,
        parent=w.docs.kh, title="Chương trình hành động của Huyện Một",
    )  # fmt: skip
    dirs.document_register(
        actor=SYSTEM, kind="chuong_trinh", symbol="9-CTr/HU", date=d("2008-08-01"), issuer=w.d2,
        parent=w.docs.kh, title="Chương trình hành động của Huyện Hai",
    )  # fmt: skip
    dirs.study_record(
        actor=SYSTEM, document=w.docs.kh, unit=w.g3, date=d("2008-06-01"), audience="committee",
        expected=10, attended=8,
    )  # fmt: skip
    return w


def test_the_section_has_the_trackers_numbers(w):
    out = io.StringIO()
    call_command("cascade", "--document", "22-NQ/TW", "--unit", "P", "--at", str(AT), "--json",
                 stdout=out)  # fmt: skip
    cli = json.loads(out.getvalue())
    assert cli == cascade(w.docs.nq, w.p, AT).as_json()
    review = build_review(w.p, SINCE, AT)
    data = review.as_json()["sections"]["directives"]
    lines = data["lines"]
    assert lines["documents_issued"]["change"] == 3  # the province's plan, two programmes
    for key in ("organizations", "plans_issued", "plans_late", "study_sessions",
                "study_coverage_pct", "reports_filed"):  # fmt: skip
        assert lines[key]["after"] == cli[key], key
    assert (cli["plans_issued"], cli["plans_late"]) == (2, 3)  # D2 late; D3, D5 never
    documents, children = data["tables"]
    assert [r["code"] for r in documents["rows"]] == ["22-NQ/TW"]
    # D1 issued its programme; its grassroots organization G1 has not studied it
    assert {r["code"]: (r["plan"], r["late"]) for r in children["rows"]}["D1"] == (1, 1)
    assert data["facts"]["document"] == "22-NQ/TW"

    doc = Docx(io.BytesIO(render(review, "docx")))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "THỰC HIỆN VĂN BẢN CHỈ ĐẠO" in text
    assert "Tổ chức phải thực hiện 22-NQ/TW" in cells and "5-CTr/HU" not in cells
    assert "Huyện Một" in cells and "80,00%" in cells  # G3's committee: 8 of 10


def test_no_section_where_no_document_binds(w):
    assert build_review(w.q, SINCE, AT).section("directives") is None
    # before the resolution, nothing was issued and nothing bound
    assert build_review(w.p, d("2007-01-01"), d("2008-01-31")).section("directives") is None
