"""The register's workbook ("Văn bản chỉ đạo", "Yêu cầu cấp dưới"): imported all or nothing
through `document_register` / `requirement_add`, every bad row reported in Vietnamese with its
sheet, row and column; exported in the same format, which imports again elsewhere."""

from __future__ import annotations

import io
import tempfile

import pytest
from openpyxl import Workbook, load_workbook

from grassroots.accounts.models import Role, User
from grassroots.audit.models import AuditRecord, Source
from grassroots.audit.services import Actor
from grassroots.directives import sheets
from grassroots.directives.models import Document, Requirement
from grassroots.excel.importer import import_file

from .directives_world import world

pytestmark = pytest.mark.django_db

TW = ["TW", "Nghị quyết", "22-NQ/TW", "02/02/2008", "Nghị quyết về tổ chức cơ sở đảng"]
PLAN = ["P", "Kế hoạch", "30-KH/TU", "15/03/2008", "Kế hoạch thực hiện Nghị quyết 22", "",
        "22-NQ/TW", "TW"]  # fmt: skip
PROGRAMME = ["D1", "Chương trình hành động", "5-CTr/HU", "20/05/2008",
             "Chương trình hành động của Huyện Một", "", "30-KH/TU", "P"]  # fmt: skip
REQS = [
    ["TW", "22-NQ/TW", "Đảng bộ tỉnh, thành phố", "Ban hành văn bản thực hiện", "", "Kế hoạch",
     "30/04/2008"],
    ["P", "30-KH/TU", "Cấp huyện và tương đương", "Ban hành văn bản thực hiện", "",
     "Chương trình hành động", "30/06/2008", "trong quý II"],
    ["P", "30-KH/TU", "Tổ chức cơ sở đảng", "Học tập, quán triệt", "Toàn thể đảng viên", "",
     "31/12/2008"],
]  # fmt: skip


def book(documents, requirements) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheets.DOCUMENTS.name
    ws.append([c.header for c in sheets.DOCUMENTS.columns])
    for row in documents:
        ws.append(row)
    rs = wb.create_sheet(sheets.REQUIREMENTS.name)
    rs.append([c.header for c in sheets.REQUIREMENTS.columns])
    for row in requirements:
        rs.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def run(user, content: bytes):
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        handle.write(content)
        handle.flush()
        return import_file(handle.name, actor=Actor(user, Source.IMPORT), name="vb.xlsx", user=user)


@pytest.fixture
def w():
    w = world()
    w.approver = User.objects.create_user(
        "pheduyet_p", password="x-Passw0rd!-2026", scope=w.p, role=Role.APPROVER
    )
    w.clerk = User.objects.create_user(
        "vanthu_d1", password="x-Passw0rd!-2026", scope=w.d1, role=Role.CLERK
    )
    return w


def test_import_the_cascade_and_export_it_again(w):
    # the programme first in the file: parents are written before what implements them
    result = run(w.approver, book([PROGRAMME, TW, PLAN], REQS))
    assert result.ok, result.messages()
    nq, kh, ctr = (Document.objects.get(symbol=s) for s in ("22-NQ/TW", "30-KH/TU", "5-CTr/HU"))
    assert (kh.parent, ctr.parent, ctr.root, ctr.issuer) == (nq, kh, nq, w.d1)
    assert nq.central_body == "TW" and kh.issuer == w.p
    assert sorted(Requirement.objects.values_list("document__symbol", "level", "action")) == [
        ("22-NQ/TW", "province", "issue"),
        ("30-KH/TU", "district", "issue"),
        ("30-KH/TU", "grassroots", "study"),
    ]
    assert Requirement.objects.get(level="grassroots").audience == "members"
    assert AuditRecord.objects.filter(object_type="directive", action="create").count() == 3

    content = sheets.export_register(w.approver, w.p, Actor(w.approver, Source.UI))
    wb = load_workbook(io.BytesIO(content))
    docs = [[c.value for c in r] for r in wb[sheets.DOCUMENTS.name].iter_rows(min_row=2)]
    assert [(r[0], r[2], r[6]) for r in docs] == [
        ("TW", "22-NQ/TW", ""),
        ("P", "30-KH/TU", "22-NQ/TW"),
        ("D1", "5-CTr/HU", "30-KH/TU"),
    ] or [(r[0], r[2], r[6]) for r in docs] == [
        ("TW", "22-NQ/TW", None),
        ("P", "30-KH/TU", "22-NQ/TW"),
        ("D1", "5-CTr/HU", "30-KH/TU"),
    ]
    reqs = [[c.value for c in r] for r in wb[sheets.REQUIREMENTS.name].iter_rows(min_row=2)]
    assert len(reqs) == 3 and reqs[1][2:4] == ["Cấp huyện và tương đương",
                                                "Ban hành văn bản thực hiện"]  # fmt: skip
    assert AuditRecord.objects.filter(action="export", object_id=str(w.p.pk)).exists()

    # the export imports into an empty register (another installation) and gives the same;
    # emptied here by the test itself (the application never deletes)
    Requirement.objects.all().delete()
    Document.objects.update(parent=None, root=None)
    Document.objects.all().delete()
    admin = w.approver
    again = run(admin, content)
    assert again.ok, again.messages()
    assert sorted(Document.objects.values_list("symbol", "parent__symbol")) == [
        ("22-NQ/TW", None), ("30-KH/TU", "22-NQ/TW"), ("5-CTr/HU", "30-KH/TU"),
    ]  # fmt: skip
    assert Requirement.objects.count() == 3


def test_a_bad_row_refuses_the_whole_file_in_vietnamese(w):
    audits = AuditRecord.objects.count()
    documents = [
        TW,
        PLAN,
        ["D9", "Kế hoạch", "7-KH/HU", "20/05/2008", "Không có tổ chức này"],
        ["D1", "Chương trình hành động", "6-CTr/HU", "01/03/2008", "Trước văn bản cấp trên",
         "", "30-KH/TU", "P"],
        ["D1", "Kế hoạch", "8/HU", "20/05/2008", "Sai ký hiệu"],
        ["D2", "Kế hoạch", "9-KH/HU", "20/05/2008", "Thực hiện văn bản không có", "",
         "99-NQ/TW"],
    ]  # fmt: skip
    requirements = [
        *REQS,
        ["P", "30-KH/TU", "Cấp huyện và tương đương", "Ban hành văn bản thực hiện", "", "",
         "01/01/2008"],
        ["P", "30-KH/TU", "Tổ chức cơ sở đảng", "Học tập, quán triệt", "", "", "31/12/2008"],
        ["P", "77-KH/TU", "Tổ chức cơ sở đảng", "Học tập, quán triệt", "Cấp ủy viên", "",
         "31/12/2008"],
    ]  # fmt: skip
    result = run(w.approver, book(documents, requirements))
    assert not result.ok
    text = "\n".join(result.messages())
    doc_sheet, req_sheet = sheets.DOCUMENTS.name, sheets.REQUIREMENTS.name
    for expected in (
        f"{doc_sheet}, dòng 4, cột Cơ quan ban hành: không có tổ chức mã D9",
        f"{doc_sheet}, dòng 5, cột Ngày ban hành: văn bản thực hiện ngày 01/03/2008 không thể "
        "ban hành trước văn bản 30-KH/TU (ngày 15/03/2008)",
        f"{doc_sheet}, dòng 6, cột Số và ký hiệu: Số và ký hiệu “8/HU” không đúng dạng",
        f"{doc_sheet}, dòng 7, cột Thực hiện văn bản (số và ký hiệu): không tìm thấy văn bản "
        "99-NQ/TW",
        f"{req_sheet}, dòng 5, cột Thời hạn: Thời hạn 01/01/2008 trước ngày ban hành 15/03/2008",
        f"{req_sheet}, dòng 6, cột Đối tượng học tập: Yêu cầu học tập phải ghi đối tượng",
        f"{req_sheet}, dòng 7, cột Số và ký hiệu: không có văn bản 77-KH/TU",
    ):
        assert expected in text, (expected, text)
    assert not Document.objects.exists() and not Requirement.objects.exists()
    assert AuditRecord.objects.count() == audits


def test_a_district_clerk_imports_only_its_own_documents(w):
    from grassroots.directives.services import document_register

    from .factories import SYSTEM, d

    document_register(
        actor=SYSTEM, kind="ke_hoach", symbol="30-KH/TU", date=d("2008-03-15"), issuer=w.p,
        title="Kế hoạch thực hiện Nghị quyết 22",
    )  # fmt: skip
    own = ["D1", "Chương trình hành động", "5-CTr/HU", "20/05/2008", "Chương trình", "",
           "30-KH/TU", "P"]  # fmt: skip
    other = ["D2", "Chương trình hành động", "6-CTr/HU", "20/05/2008", "Chương trình"]
    result = run(w.clerk, book([own, other], []))
    assert not result.ok
    assert any("dòng 3, cột Cơ quan ban hành: không có tổ chức mã D2" in m
               for m in result.messages())  # fmt: skip
    assert Document.objects.count() == 1
    assert run(w.clerk, book([own], [])).ok
    assert Document.objects.get(symbol="5-CTr/HU").parent.symbol == "30-KH/TU"


def test_a_service_refusal_is_a_problem_on_its_row(w):
    """A rule only the service knows (the symbol already registered for the issuer that year)
    refuses its row, and nothing of the file is written."""
    assert run(w.approver, book([TW], [])).ok
    again = ["TW", "Nghị quyết", "22-NQ/TW", "10/10/2008", "Trùng số"]
    own = ["D1", "Kế hoạch", "7-KH/HU", "20/05/2008", "Kế hoạch của Huyện Một"]
    result = run(w.approver, book([own, again], []))
    assert not result.ok
    assert result.messages() == [
        f"Sheet {sheets.DOCUMENTS.name}, dòng 3, cột Số và ký hiệu: Số và ký hiệu 22-NQ/TW đã "
        "đăng ký cho cơ quan ban hành này trong năm 2008."
    ]
    assert list(Document.objects.values_list("symbol", flat=True)) == ["22-NQ/TW"]
    assert not Requirement.objects.exists()
