"""The register's rules (issue 17 "bad input"): each refused with a Vietnamese message and
nothing written, and the accepted case beside it."""

from __future__ import annotations

import datetime as dt
import io
import shutil

import pytest
from django.core.exceptions import ValidationError

from grassroots.audit.models import AuditRecord
from grassroots.directives import queries, services
from grassroots.directives.kinds import parse_symbol
from grassroots.directives.models import Document, DocumentFile, Requirement

from .directives_world import cascade, world
from .factories import SYSTEM, d

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def _docx(text: str) -> bytes:
    from docx import Document as Docx

    doc = Docx()
    doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _refused(call, field: str, words: str):
    before = (Document.objects.count(), Requirement.objects.count(), AuditRecord.objects.count())
    with pytest.raises(ValidationError) as error:
        call()
    assert words in " ".join(error.value.message_dict[field])
    after = (Document.objects.count(), Requirement.objects.count(), AuditRecord.objects.count())
    assert before == after


def test_symbols_are_read_as_offices_write_them():
    assert str(parse_symbol("Số 22-NQ/TW")) == "22-NQ/TW"
    assert str(parse_symbol("11-nq/đuk")) == "11-NQ/ĐUK"
    assert str(parse_symbol("08 – QĐi / TW")) == "8-QĐi/TW"
    assert str(parse_symbol("01-CTr/TU")) == "1-CTr/TU"
    assert parse_symbol("NQ 22") is None and parse_symbol("0-NQ/TW") is None


def test_a_symbol_is_registered_once_per_issuer_and_year():
    w = world()
    cascade(w)
    again = dict(
        actor=SYSTEM, kind="nghi_quyet", symbol="22-NQ/TW", date=d("2008-09-01"), title="Trùng"
    )
    _refused(lambda: services.document_register(**again), "symbol", "đã đăng ký")
    # Another year, or another issuer, may carry the same number (numbers restart).
    services.document_register(**{**again, "date": d("2009-01-05")})
    services.document_register(**{**again, "symbol": "22-NQ/TU", "issuer": w.p})


def test_the_kind_must_match_the_symbol():
    _refused(
        lambda: services.document_register(
            actor=SYSTEM, kind="chi_thi", symbol="22-NQ/TW", date=d("2008-02-02"), title="X"
        ),
        "symbol",
        "không phải của loại",
    )


def test_an_implementing_document_is_not_dated_before_its_parent():
    w = world()
    c = cascade(w)
    early = dict(
        actor=SYSTEM, kind="chuong_trinh", symbol="15-CTr/HU", date=d("2008-01-10"),
        issuer=w.d1, title="Chương trình hành động", parent=c.nq,
    )  # fmt: skip
    _refused(lambda: services.document_register(**early), "date", "không thể ban hành trước")
    made = services.document_register(**{**early, "date": d("2008-05-01")})
    assert made.root == c.nq and made.path == f"/{c.nq.pk}/{made.pk}/"


def test_a_requirement_names_a_level_that_exists_under_the_issuer():
    w = world()
    for_district = dict(
        actor=SYSTEM, kind="nghi_quyet", symbol="05-NQ/ĐU", date=d("2009-01-05"), issuer=w.g1,
        title="Nghị quyết chuyên đề",
        requirements=[{"level": "district", "action": "issue", "deadline": d("2009-03-01")}],
    )  # fmt: skip
    _refused(lambda: services.document_register(**for_district), "level", "không có tổ chức cấp")
    for_cells = {
        **for_district,
        "requirements": [{**for_district["requirements"][0], "level": "cell"}],
    }
    assert services.document_register(**for_cells).requirements.count() == 1


def test_a_study_requirement_names_its_audience_and_a_deadline_after_the_date():
    w = world()
    base = dict(
        actor=SYSTEM, kind="ke_hoach", symbol="40-KH/TU", date=d("2009-01-05"), issuer=w.p,
        title="Kế hoạch",
    )  # fmt: skip
    no_audience = [{"level": "district", "action": "study", "deadline": d("2009-03-01")}]
    _refused(
        lambda: services.document_register(**base, requirements=no_audience),
        "audience",
        "đối tượng",
    )
    before = [{"level": "district", "action": "issue", "deadline": d("2008-03-01")}]
    _refused(lambda: services.document_register(**base, requirements=before), "deadline", "trước")


def test_files_must_be_pdf_docx_or_images_within_the_limit_and_match_their_extension(settings):
    w = world()
    c = cascade(w)
    attach = lambda name, content: services.file_attach(  # noqa: E731
        actor=SYSTEM, document=c.kh, name=name, content=content
    )
    count = DocumentFile.objects.count
    with pytest.raises(ValidationError, match="Chỉ nhận tệp PDF, DOCX"):
        attach("bang.xlsx", b"PK\x03\x04 spreadsheet")
    with pytest.raises(ValidationError, match="Nội dung tệp không phải PDF"):
        attach("nghi-quyet.pdf", PNG)
    with pytest.raises(ValidationError, match="Nội dung tệp không phải DOCX"):
        attach("van-ban.docx", b"PK\x03\x04 not a word file")
    settings.DIRECTIVES_MAX_FILE_BYTES = 1000
    with pytest.raises(ValidationError, match="lớn hơn giới hạn"):
        attach("ban-quet.png", PNG + b"\x00" * 2000)
    assert count() == 0
    settings.DIRECTIVES_MAX_FILE_BYTES = 20 * 1024 * 1024
    attach("ban-quet.png", PNG)
    attach("ke-hoach.docx", _docx("Tổ chức sinh hoạt chi bộ chuyên đề hằng quý"))
    assert count() == 2


def test_search_reads_titles_summaries_and_file_text_without_diacritics():
    w = world()
    c = cascade(w)
    services.file_attach(
        actor=SYSTEM, document=c.kh, name="ke-hoach.docx",
        content=_docx("Tổ chức sinh hoạt chuyên đề hằng quý ở chi bộ"),
    )  # fmt: skip
    found = lambda text: [doc.symbol for doc in queries.search_documents(None, text)]  # noqa: E731
    assert found("nang cao nang luc lanh dao") == ["22-NQ/TW"]
    assert found("Năng lực") == ["22-NQ/TW"]
    assert found("sinh hoat chuyen de") == ["30-KH/TU"]
    assert found("nghi quyet") == ["30-KH/TU", "22-NQ/TW"]
    assert found("khong co dau") == []
    if shutil.which("pdftotext"):
        from reportlab.pdfgen import canvas

        out = io.BytesIO()
        page = canvas.Canvas(out)
        page.drawString(72, 720, "Huong dan so 09 ve kiem diem tu phe binh")
        page.save()
        services.file_attach(actor=SYSTEM, document=c.nq, name="nq.pdf", content=out.getvalue())
        assert found("kiem diem tu phe binh") == ["22-NQ/TW"]


def test_search_keeps_to_what_the_account_may_see():
    from grassroots.accounts.models import Role, User

    w = world()
    c = cascade(w)
    for issuer, sym in ((w.d1, "15-CTr/HU"), (w.d2, "20-CTr/HU"), (w.gq, "3-CTr/ĐU")):
        services.document_register(
            actor=SYSTEM, kind="chuong_trinh", symbol=sym, date=d("2008-05-01"), issuer=issuer,
            title="Chương trình hành động thực hiện", parent=c.nq if issuer != w.gq else None,
        )  # fmt: skip
    clerk = User.objects.create_user("clerk_d1", password="x" * 12, scope=w.d1, role=Role.CLERK)
    seen = sorted(doc.symbol for doc in queries.search_documents(clerk, ""))
    # The district's own, the province's (above it) and the Centre's; not D2's, not Q's.
    assert seen == ["15-CTr/HU", "22-NQ/TW", "30-KH/TU"]


@pytest.mark.parametrize("walk_from", [1, 10_000])
def test_search_by_date_walk_or_by_hits_gives_the_same_page(walk_from, monkeypatch):
    """A search with many hits walks the register newest first (search.WALK_FROM: SQLite counts
    the hits, PostgreSQL asks the planner's estimate); the page is the same as sorting every
    hit, on both databases."""
    from grassroots.accounts.models import Role, User
    from grassroots.directives import search

    w = world()
    cascade(w)
    for n, issuer in enumerate([w.d1, w.d2, w.g1, w.gq, w.d1, w.d1] * 3, start=1):
        services.document_register(
            actor=SYSTEM, kind="cong_van", symbol=f"{n}-CV/X", date=d("2008-05-01")
            + dt.timedelta(days=(n * 37) % 50), issuer=issuer,
            title=f"Công văn về thực hiện nghị quyết, số {n}",
        )  # fmt: skip
    clerk = User.objects.create_user("clerk_d1", password="x" * 12, scope=w.d1, role=Role.CLERK)
    monkeypatch.setattr(search, "WALK_FROM", walk_from)
    found = lambda user, text: [  # noqa: E731
        doc.symbol for doc in queries.search_documents(user, text, limit=5)
    ]
    # newest first, ties by id descending; D2's and Q's documents never reach D1's clerk
    assert found(None, "thuc hien") == ["4-CV/X", "8-CV/X", "12-CV/X", "16-CV/X", "1-CV/X"]
    assert found(clerk, "thuc hien nghi") == ["12-CV/X", "1-CV/X", "5-CV/X", "9-CV/X", "13-CV/X"]
    assert found(None, "cong van so 16") == ["16-CV/X"]
    assert found(clerk, "cong van so 16") == []  # Q's
