"""The pipeline's pages: propose, every step through its form, scans (access-checked and logged),
the printable resolution, the board and the organization page's due list."""

import io

import pytest
from django.test import Client

from grassroots.accounts.models import Role, User
from grassroots.audit.models import AuditRecord
from grassroots.development.models import Candidate, Document
from grassroots.members.models import Member

from .development_world import world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    w = world()
    w.clerk = User.objects.create_user(
        "clerk_g", password="x-Passw0rd!", scope=w.g, role=Role.CLERK
    )
    w.other = User.objects.create_user(
        "clerk_x", password="x-Passw0rd!", scope=w.x, role=Role.CLERK
    )
    return w


def post(client, url, data, follow=False):
    return client.post(url, data, follow=follow)


def test_walk_a_candidate_through_the_pages(w):
    c = Client()
    c.force_login(w.clerk)
    r = post(c, "/development/units/C1/new/", {
        "full_name": "Nông Thị Mai", "gender": "F", "birth_date": "15/05/2000", "ethnicity": "Nùng",
        "proposed_on": "10/01/2024", "source": "youth_union", "youth_union": "on",
        "helper_number": w.a.profile_number,
    })  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:2000]
    case = Candidate.objects.get(full_name="Nông Thị Mai")
    assert case.helper_id == w.a.pk
    base = f"/development/candidates/{case.pk}/"
    steps = [
        ("certificate", {"date": "01/02/2024", "course": "Lớp NTVĐ", "issuing_body": "TTCT"}),
        ("application", {"date": "06/02/2024"}),
        ("background", {"date": "07/02/2024"}),
        (
            "introduction",
            {
                "date": "08/02/2024",
                "introduced_by": "members",
                "introducer_1": w.a.profile_number,
                "introducer_2": w.probationer.profile_number,
            },
        ),  # fmt: skip
    ]
    for kind, data in steps[:-1]:
        assert post(c, f"{base}steps/{kind}/", data).status_code == 302, kind
    # The refused introduction is shown with its reason, and nothing is written.
    page = post(c, f"{base}steps/introduction/", steps[-1][1]).content.decode()
    assert "không phải đảng viên chính thức" in page
    more = [
        ("introduction", {"date": "08/02/2024", "introduced_by": "members",
                          "introducer_1": w.a.profile_number, "introducer_2": w.b.profile_number}),
        ("verification", {"date": "21/02/2024", "passed": "1"}),
        ("cell_vote", {"date": "26/02/2024", "votes_for": "2"}),
        ("grassroots", {"date": "02/03/2024", "document_number": "5-NQ/ĐU"}),
        ("decision", {"date": "12/03/2024", "document_number": "12-QĐ/ĐU", "issuing_body": "ĐU"}),
        ("ceremony", {"date": "22/03/2024", "profile_number": "888888UT"}),
    ]  # fmt: skip
    for kind, data in more:
        r = post(c, f"{base}steps/{kind}/", data)
        assert r.status_code == 302, (kind, r.content.decode()[-3000:])
    member = Member.objects.get(profile_number="888888UT")
    assert member.full_name == "Nông Thị Mai"
    r = post(c, f"{base}steps/recognition/", {"date": "25/03/2025", "document_number": "9"})
    assert r.status_code == 302
    assert member.stints.order_by("-start").first().status == "official"
    page = c.get(base).content.decode()
    assert "Công nhận đảng viên chính thức" in page and f"/members/{member.pk}/" in page
    assert AuditRecord.objects.filter(object_type="candidate", action="view").count() == 1


def test_scans_are_access_checked_and_logged(w, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    c = Client()
    c.force_login(w.clerk)
    post(c, "/development/units/C1/new/", {
        "full_name": "Hà Văn Quét", "ethnicity": "Kinh", "gender": "M", "birth_date": "01/01/2001",
        "proposed_on": "10/01/2024", "source": "cell",
    })  # fmt: skip
    case = Candidate.objects.get(full_name="Hà Văn Quét")
    bad = io.BytesIO(b"MZ not a scan")
    bad.name = "x.exe"
    r = c.post(
        f"/development/candidates/{case.pk}/documents/", {"title": "Đơn", "file": bad}, follow=True
    )
    assert "Chỉ nhận bản quét" in r.content.decode() and not Document.objects.exists()
    scan = io.BytesIO(b"%PDF-1.4 the application")
    scan.name = "don.pdf"
    c.post(f"/development/candidates/{case.pk}/documents/", {"title": "Đơn 1-KNĐ", "file": scan})
    doc = Document.objects.get()
    r = c.get(f"/development/documents/{doc.pk}/")
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    assert AuditRecord.objects.filter(object_type="document", action="view").count() == 1
    other = Client()
    other.force_login(w.other)
    assert other.get(f"/development/documents/{doc.pk}/").status_code == 404
    assert other.get(f"/development/candidates/{case.pk}/").status_code == 404
    r = c.get(f"/development/candidates/{case.pk}/resolution.docx")
    from docx import Document as Docx

    text = "\n".join(p.text for p in Docx(io.BytesIO(r.content)).paragraphs)
    assert "Hà Văn Quét" in text and "NGHỊ QUYẾT" in text


def test_board_and_organization_page_show_overdue_first(w):
    from grassroots.development import services as dev

    from .development_world import propose
    from .factories import SYSTEM, d

    late = propose(w.c1, full_name="Đinh Quá Hạn", birth_date=d("1963-01-01"))
    dev.step_application(actor=SYSTEM, candidate=late, date=d("2024-01-20"))
    dev.step_introduction(actor=SYSTEM, candidate=late, date=d("2024-01-21"), introducer_1=w.a,
                          introducer_2=w.b)  # fmt: skip
    propose(w.c2, full_name="Bùi Mới")
    c = Client()
    c.force_login(w.clerk)
    board = c.get("/development/units/G/").content.decode()
    assert board.index("Đinh Quá Hạn") < board.index("Bùi Mới")
    # the rules passed in words, never their codes
    from grassroots.development.queries import RULE_LABELS

    assert RULE_LABELS["age"] in board and ">age<" not in board and "stale_file" not in board
    unit_page = c.get("/units/G/").content.decode()
    assert "việc sắp đến hạn / quá hạn" in unit_page and "Đinh Quá Hạn" in unit_page


def test_board_queries_do_not_grow_with_the_cases(w):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .development_world import propose

    c = Client()
    c.force_login(w.clerk)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/development/units/G/").status_code == 200
        return len(ctx.captured_queries)

    propose(w.c1, full_name="Một")
    few = count()
    for i in range(8):
        propose(w.c2, full_name=f"Người {i}")
    assert count() == few


def test_void_a_step_from_the_file_with_a_reason(w):
    from grassroots.development.models import CaseStep, StepKind

    from .development_world import propose
    from .factories import SYSTEM, d

    cand = propose(w.c1)
    from grassroots.development import services as dev

    step = dev.step_certificate(actor=SYSTEM, candidate=cand, date=d("2024-02-01"), course="K1")
    c = Client()
    c.force_login(w.clerk)
    page = c.get(f"/development/candidates/{cand.pk}/").content.decode()
    assert f"/steps/{step.pk}/void/" in page  # the form is offered for a voidable step
    url = f"/development/candidates/{cand.pk}/steps/{step.pk}/void/"
    r = c.post(url, {"reason": ""}, follow=True)
    assert "Cần ghi lý do hủy." in r.content.decode()
    step.refresh_from_db()
    assert step.voided_at is None  # refused: nothing written
    r = c.post(url, {"reason": "Nhập nhầm ngày"}, follow=True)
    step.refresh_from_db()
    assert step.voided_at is not None and step.void_reason == "Nhập nhầm ngày"
    assert CaseStep.objects.filter(pk=step.pk).exists()  # kept, never deleted
    assert AuditRecord.objects.filter(action="void", object_type="casestep").count() == 1
    assert "Nhập nhầm ngày" in r.content.decode()
    proposed = cand.steps.get(kind=StepKind.PROPOSED)
    r = c.post(f"/development/candidates/{cand.pk}/steps/{proposed.pk}/void/", {"reason": "x"},
               follow=True)  # fmt: skip
    assert "Không thể hủy bước này." in r.content.decode()
    # another scope's clerk cannot see the case at all
    other = Client()
    other.force_login(w.other)
    assert other.post(url, {"reason": "x"}).status_code == 404


def test_each_list_of_the_board_is_paged_on_its_own(w, monkeypatch):
    """A province's board held 2,300 case rows in one page (issue 11 §9): each stage's list is
    paged through its own address parameter, and the other lists keep their page."""
    from grassroots.development import views
    from grassroots.development.models import Stage

    from .development_world import propose

    monkeypatch.setattr(views, "BOARD_PAGE_SIZE", 2)
    for name in ("An Một", "Bình Hai", "Cúc Ba"):
        propose(w.c1, full_name=name)
    c = Client()
    c.force_login(w.clerk)
    key = f"page_{Stage.PROPOSED}"
    first = c.get("/development/units/G/").content.decode()
    assert "An Một" in first and "Bình Hai" in first and "Cúc Ba" not in first
    assert "Trang 1 / 2" in first and f"?{key}=2" in first
    second = c.get(f"/development/units/G/?page_due=1&{key}=2").content.decode()
    assert "Cúc Ba" in second and "An Một" not in second and "Trang 2 / 2" in second
    assert "page_due=1" in second  # the link back keeps the other list's page
