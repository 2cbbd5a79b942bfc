"""Inspection pages: who reads case content, who writes, every opening logged, documents."""

from __future__ import annotations

import io
import os
import pathlib

import pytest
from django.test import Client

from grassroots.accounts.models import Role, User
from grassroots.audit.models import AuditRecord
from grassroots.inspection.models import Case, Decision

from .inspection_world import decide, open_case, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    w = world()
    w.case = open_case(w, subject_member=w.a)
    w.decision = decide(w, w.a, case=w.case)

    def client(name, role, scope, inspect):
        user = User.objects.create_user(name, password="x", scope=scope, role=role,
                                        can_inspect=inspect)  # fmt: skip
        c = Client()
        c.force_login(user)
        return c

    w.inspector = client("kiemtra", Role.CLERK, w.d, True)
    w.reader = client("kiemtra_xem", Role.VIEWER, w.d, True)
    w.clerk = client("canbo", Role.CLERK, w.d, False)
    w.viewer = client("xem", Role.VIEWER, w.g, False)
    return w


def test_only_inspectors_read_case_content(w):
    url = f"/inspection/cases/{w.case.pk}/"
    page = w.inspector.get(url)
    assert page.status_code == 200 and "Nội dung tố cáo mật" in page.content.decode()
    assert w.reader.get(url).status_code == 200
    for other in (w.clerk, w.viewer):
        answer = other.get(url)
        assert answer.status_code == 404 and "tố cáo mật" not in answer.content.decode()
        assert other.get(f"/inspection/decisions/{w.decision.pk}/").status_code == 404
        assert other.get("/inspection/units/G/").status_code == 403


def test_every_opening_is_logged(w):
    before = AuditRecord.objects.filter(action="view", object_type="inspection_case").count()
    w.inspector.get(f"/inspection/cases/{w.case.pk}/")
    w.reader.get(f"/inspection/cases/{w.case.pk}/")
    after = AuditRecord.objects.filter(action="view", object_type="inspection_case").count()
    assert after == before + 2


def test_an_inspector_with_the_viewer_role_reads_but_does_not_write(w):
    page = w.reader.get(f"/inspection/cases/{w.case.pk}/").content.decode()
    assert "Ghi kết luận" not in page
    assert w.reader.get(f"/inspection/cases/{w.case.pk}/conclude/").status_code == 403
    assert "Ghi kết luận" in w.inspector.get(f"/inspection/cases/{w.case.pk}/").content.decode()


def test_opening_concluding_deciding_through_the_pages(w):
    answer = w.inspector.post("/inspection/units/C2/cases/new/", {
        "kind": "violation_signs", "title": "Vi phạm quy định", "subject_member_number":
        w.b.profile_number, "body_code": "D", "organ": "inspection_commission",
        "opened_on": "10/01/2024", "period_start": "01/01/2023", "period_end": "31/12/2023",
    })  # fmt: skip
    case = Case.objects.get(title="Vi phạm quy định")
    assert answer.status_code == 302 and case.unit == w.c2
    w.inspector.post(f"/inspection/cases/{case.pk}/conclude/", {
        "concluded_on": "01/02/2024", "conclusion": "violation", "severity": "minor",
        "findings": "Có vi phạm",
    })  # fmt: skip
    # A refused decision shows the service's message next to the field, nothing written.
    refused = w.inspector.post(f"/inspection/cases/{case.pk}/decisions/new/", {
        "form": "warning", "body_code": "D", "organ": "inspection_commission",
        "signed_on": "10/02/2024", "announced_on": "09/02/2024",
    })  # fmt: skip
    assert refused.status_code == 200 and "trước ngày ký" in refused.content.decode()
    assert not Decision.objects.filter(case=case).exists()
    w.inspector.post(f"/inspection/cases/{case.pk}/decisions/new/", {
        "form": "warning", "body_code": "D", "organ": "inspection_commission",
        "signed_on": "10/02/2024", "announced_on": "12/02/2024",
    })  # fmt: skip
    decision = Decision.objects.get(case=case)
    assert decision.member_event.discipline_form == "warning"


def pdf_text(content: bytes) -> str:
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(content)
        f.flush()
        return subprocess.run(
            ["pdftotext", f.name, "-"], capture_output=True, text=True, check=True
        ).stdout


def test_documents_render(w):
    from docx import Document

    docx = w.inspector.get(f"/inspection/decisions/{w.decision.pk}/decision.docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "CẢNH CÁO" in text and "Trần Văn An" in text and "05/03/2024" in text
    # HD 36: the number and symbol under the issuing body, in Word and in the PDF.
    header = Document(io.BytesIO(docx.content)).tables[0].rows[0].cells[0].text
    assert "Số 12-QĐ/UBKT" in header
    pdf = w.inspector.get(f"/inspection/decisions/{w.decision.pk}/decision.pdf")
    assert "Số 12-QĐ/UBKT" in pdf_text(pdf.content)
    pdf = w.inspector.get(f"/inspection/cases/{w.case.pk}/conclusion.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    if os.environ.get("INSPECTION_PDF"):  # to look at it by eye
        pathlib.Path(os.environ["INSPECTION_PDF"]).write_bytes(pdf.content)


def test_the_member_page_shows_cases_and_decisions_to_inspectors_only(w):
    import datetime as dt

    from django.urls import reverse
    from django.utils import timezone

    recent = timezone.localdate() - dt.timedelta(days=10)
    decide(w, w.a, form="reprimand", signed=str(recent), announced=str(recent))
    url = reverse("web:member", args=[w.a.pk])
    for inspector in (w.inspector, w.reader):
        page = inspector.get(url).content.decode()
        assert 'id="member-cases"' in page and "Dấu hiệu vi phạm" in page
        assert 'id="member-decisions"' in page and "Đang chịu kỷ luật" in page
        assert "Hết hiệu lực" in page  # the 2024 warning lapsed a year after
        assert "Nội dung tố cáo mật" not in page  # content only on the case page (logged)
    for other in (w.clerk, w.viewer):
        answer = other.get(url)
        page = answer.content.decode()
        assert answer.status_code == 200 and w.a.full_name in page
        assert 'id="member-cases"' not in page and "Dấu hiệu vi phạm" not in page
        assert 'id="member-decisions"' not in page and "tố cáo mật" not in page


def test_suspension_through_the_pages_and_on_the_member_page(w):
    from django.urls import reverse

    from grassroots.inspection.models import Suspension

    url = f"/inspection/cases/{w.case.pk}/suspensions/new/"
    data = {"ground": "violation", "body_code": "G", "organ": "committee",
            "signed_on": "01/03/2024", "start": "01/03/2024", "last_day": "30/05/2024"}  # fmt: skip
    refused = w.inspector.post(url, data)  # 91 days
    assert refused.status_code == 200 and "quá 90 ngày" in refused.content.decode()
    assert not Suspension.objects.exists()
    assert w.clerk.post(url, {**data, "last_day": ""}).status_code == 404
    assert w.inspector.post(url, {**data, "last_day": ""}).status_code == 302
    suspension = Suspension.objects.get()
    assert suspension.last_day.isoformat() == "2024-05-29" and suspension.case == w.case
    page = w.inspector.get(f"/inspection/suspensions/{suspension.pk}/")
    assert page.status_code == 200 and "Có dấu hiệu vi phạm nghiêm trọng" in page.content.decode()
    assert w.viewer.get(f"/inspection/suspensions/{suspension.pk}/").status_code == 404
    w.inspector.post(f"/inspection/suspensions/{suspension.pk}/lift/", {"lifted_on": "15/04/2024"})
    suspension.refresh_from_db()
    assert suspension.lifted_on.isoformat() == "2024-04-15"
    # Shown on the member page to whoever reads the member; the link only for inspectors.
    member_url = reverse("web:member", args=[w.a.pk])
    for client, link in ((w.inspector, True), (w.clerk, False), (w.viewer, False)):
        page = client.get(member_url).content.decode()
        assert 'id="member-suspensions"' in page and "01/03/2024 – 29/05/2024" in page
        assert ("/inspection/suspensions/" in page) is link
