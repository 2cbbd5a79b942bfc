"""Bad files: each gets its own clear message, and nothing is written."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest
from django.core.management import CommandError, call_command

from grassroots.audit.models import AuditRecord
from grassroots.excel import schema
from grassroots.excel.importer import Importer
from grassroots.members.models import Member
from grassroots.organizations.models import Unit

from .excel_helpers import basic, headers, member_row, workbook
from .factories import SYSTEM

pytestmark = pytest.mark.django_db


def check(path, name=""):
    """Run the import; assert it refused and wrote nothing; return the messages."""
    units, members, audits = (
        Unit.objects.count(),
        Member.objects.count(),
        AuditRecord.objects.count(),
    )
    report = Importer(path, name).run(actor=SYSTEM)
    assert not report.ok
    assert not report.written
    assert (Unit.objects.count(), Member.objects.count(), AuditRecord.objects.count()) == (
        units,
        members,
        audits,
    )
    return report.messages()


def event_row(number="000001LS", kind="Công nhận đảng viên chính thức", date="19/05/2006", unit=""):
    return [number, kind, date, unit, "", "", "", "", "", ""]


def test_a_valid_file_imports(tmp_path):
    report = Importer(basic(tmp_path / "ok.xlsx", events=[event_row()])).run(actor=SYSTEM)
    assert report.ok, report.messages()
    assert report.written
    assert Member.objects.get().events.count() == 2


def test_wrong_date_names_sheet_row_and_column(tmp_path):
    path = basic(
        tmp_path / "f.xlsx", members=[member_row(), member_row("000002LS", admitted="31/02/2010")]
    )
    assert check(path) == [
        "Sheet Đảng viên, dòng 3, cột Ngày vào Đảng: ngày 31/02/2010 không hợp lệ."
    ]


def test_all_errors_are_reported_at_once(tmp_path):
    rows = [
        member_row(),
        member_row("000002LS", admitted="31/02/2010"),
        member_row("000003LS", birth="hôm qua"),
    ]
    rows[0][2] = "Không rõ"
    messages = check(basic(tmp_path / "f.xlsx", members=rows))
    assert len(messages) == 3
    assert messages[0].startswith(
        "Sheet Đảng viên, dòng 2, cột Giới tính: “Không rõ” không phải là giá trị hợp lệ"
    )
    assert "dòng 4, cột Ngày sinh: “hôm qua” không phải là ngày" in messages[2]


def test_unknown_codes(tmp_path):
    messages = check(
        basic(
            tmp_path / "f.xlsx",
            members=[member_row(unit="KHONG-CO")],
            events=[event_row(kind="Thăng chức")],
        )
    )
    assert (
        "Sheet Đảng viên, dòng 2, cột Mã chi bộ kết nạp: không có tổ chức mã KHONG-CO." in messages
    )
    assert any(
        m.startswith(
            "Sheet Sự kiện đảng viên, dòng 2, cột Sự kiện: “Thăng chức” không phải là giá trị hợp lệ"
        )
        for m in messages
    )


def test_duplicate_keys(tmp_path):
    messages = check(
        basic(
            tmp_path / "f.xlsx", members=[member_row(), member_row("000001ls", name="Người khác")]
        )
    )
    assert messages == [
        "Sheet Đảng viên, dòng 3, cột Số lý lịch: số lý lịch 000001LS trùng với dòng 2."
    ]


def test_a_member_in_two_units_at_once(tmp_path):
    # Still counted by LS-C1, and "arriving from outside" into LS-C2 the same year.
    messages = check(
        basic(
            tmp_path / "f.xlsx",
            events=[
                event_row(kind="Chuyển đến từ ngoài hệ thống", date="01/01/2008", unit="LS-C2")
            ],
        )
    )
    assert messages == [
        "Sheet Sự kiện đảng viên, dòng 2, cột Ngày hiệu lực: Đảng viên đang sinh hoạt trong hệ thống; "
        "hãy ghi “Chuyển sinh hoạt chính thức”."
    ]


def test_an_event_before_admission(tmp_path):
    messages = check(
        basic(tmp_path / "f.xlsx", events=[event_row(kind="Từ trần", date="01/01/2004")])
    )
    assert messages == [
        "Sheet Sự kiện đảng viên, dòng 2, cột Ngày hiệu lực: Không thể ghi “Từ trần” ngày 01/01/2004: "
        "chưa là đảng viên vào ngày này."
    ]


def test_official_before_probation_ends(tmp_path):
    messages = check(basic(tmp_path / "f.xlsx", events=[event_row(date="01/01/2006")]))
    assert messages == [
        "Sheet Sự kiện đảng viên, dòng 2, cột Ngày hiệu lực: Ngày công nhận chính thức có hiệu lực phải là ngày "
        "hết 12 tháng dự bị (19/05/2006)."
    ]


def test_profile_rules_are_the_forms_rules(tmp_path):
    row = member_row()
    row[13] = "1234"  # card number
    messages = check(basic(tmp_path / "f.xlsx", members=[row]))
    assert messages == [
        "Sheet Đảng viên, dòng 2, cột Số thẻ đảng viên: Số thẻ đảng viên gồm 8 chữ số."
    ]


def test_tree_rules(tmp_path):
    extra_org = ["LS-X", "Chi bộ lạc chỗ", "Chi bộ trực thuộc", "", "LS", dt.date(2000, 1, 1)]
    path = workbook(
        tmp_path / "f.xlsx",
        {
            schema.ORGANIZATIONS.name: [
                headers(schema.ORGANIZATIONS),
                ["LS", "Tỉnh", "Đảng bộ tỉnh", "", "", dt.date(2000, 1, 1)],
                extra_org,
            ],
        },
    )
    assert check(path) == [
        "Sheet Tổ chức đảng, dòng 3, cột Mã tổ chức cấp trên: Chi bộ trực thuộc không thể trực thuộc đảng bộ tỉnh (LS)."
    ]


def test_an_empty_sheet(tmp_path):
    path = workbook(tmp_path / "f.xlsx", {schema.MEMBERS.name: []})
    assert check(path) == [
        "Sheet Đảng viên: sheet trống: không có dòng tiêu đề và không có dữ liệu."
    ]


def test_headers_but_no_rows(tmp_path):
    path = workbook(tmp_path / "f.xlsx", {schema.MEMBERS.name: [headers(schema.MEMBERS)]})
    assert check(path) == ["Sheet Đảng viên: không có dòng dữ liệu nào dưới dòng tiêu đề."]


def test_a_missing_column(tmp_path):
    cols = headers(schema.MEMBERS)
    index = cols.index("Ngày sinh")
    rows = [[c for i, c in enumerate(r) if i != index] for r in [cols, member_row()]]
    path = workbook(tmp_path / "f.xlsx", {schema.MEMBERS.name: rows})
    assert check(path) == ["Sheet Đảng viên: thiếu cột “Ngày sinh” (dòng tiêu đề phải có cột này)."]


def test_a_formula_cell(tmp_path):
    row = member_row()
    row[3] = "=DATE(1980,3,15)"
    messages = check(basic(tmp_path / "f.xlsx", members=[row]))
    assert messages == [
        "Sheet Đảng viên, dòng 2, cột Ngày sinh: ô D2 chứa công thức. Hãy chép và dán giá trị "
        "(Paste Special → Values) thay cho công thức."
    ]


def test_merged_header_cells(tmp_path):
    from openpyxl import load_workbook

    path = basic(tmp_path / "f.xlsx")
    wb = load_workbook(path)
    wb[schema.MEMBERS.name].merge_cells("E1:F1")
    wb.save(path)
    messages = check(path)
    assert messages == [
        "Sheet Đảng viên: dòng tiêu đề có ô gộp (merge) E1:F1: mỗi cột cần một ô tiêu đề riêng. "
        "Hãy bỏ gộp ô (Unmerge) rồi nhập lại."
    ]


def test_not_a_workbook_at_all(tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    assert check(path) == ["Tệp: Tệp không phải là workbook Excel (.xlsx) hay tệp CSV."]


def test_a_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    assert check(path) == [
        "Tệp: Tệp là một tệp nén (zip) nhưng không phải workbook Excel (.xlsx): thiếu xl/workbook.xml."
    ]


def test_an_old_xls_file(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    assert "(.xls) không được hỗ trợ" in check(path)[0]


def test_an_empty_file(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert check(path) == ["Tệp: Tệp trống (0 byte)."]


def test_a_workbook_without_import_sheets(tmp_path):
    path = workbook(tmp_path / "f.xlsx", {"Sheet1": [["a", "b"], [1, 2]]})
    assert check(path)[0].startswith("Tệp: workbook không có sheet nào để nhập.")


def test_csv_not_utf8(tmp_path):
    path = tmp_path / "dang-vien.csv"
    import unicodedata

    text = unicodedata.normalize(
        "NFD", ",".join(headers(schema.MEMBERS))
    )  # Windows-1258 stores marks apart
    path.write_bytes(text.encode("cp1258", errors="replace"))
    assert check(path) == [
        "Tệp: Tệp CSV phải được lưu với bảng mã UTF-8 (trong Excel: Save As → CSV UTF-8)."
    ]


@pytest.mark.parametrize("bom", ["\ufeff", ""])
def test_csv_with_or_without_bom_is_accepted(tmp_path, bom):
    import csv

    Importer(basic(tmp_path / "orgs.xlsx", members=[])).run(actor=SYSTEM)
    path = tmp_path / "members.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(bom)
        writer = csv.writer(f)
        writer.writerow(headers(schema.MEMBERS))
        row = member_row(name="Nguyễn  Văn\u00a0An", unit="ls-c1")
        writer.writerow(row)
    report = Importer(path).run(actor=SYSTEM)
    assert report.ok, report.messages()
    assert Member.objects.get().full_name == "Nguyễn Văn An"


def test_decomposed_vietnamese_is_normalized(tmp_path):
    import unicodedata

    name = unicodedata.normalize("NFD", "Nguyễn Văn Ấn")
    Importer(basic(tmp_path / "f.xlsx", members=[member_row(name=f"  {name} ")])).run(actor=SYSTEM)
    assert Member.objects.get().full_name == unicodedata.normalize("NFC", "Nguyễn Văn Ấn")


def test_the_command_exits_non_zero_and_lists_errors(tmp_path, capsys):
    path = basic(tmp_path / "f.xlsx", members=[member_row(admitted="31/02/2010")])
    with pytest.raises(CommandError, match="Có 1 lỗi: không ghi dữ liệu nào"):
        call_command("import", path, no_progress=True)
    assert (
        "Sheet Đảng viên, dòng 2, cột Ngày vào Đảng: ngày 31/02/2010 không hợp lệ"
        in capsys.readouterr().err
    )
    assert Unit.objects.count() == 0


def test_dry_run_writes_nothing(tmp_path, capsys):
    call_command("import", basic(tmp_path / "f.xlsx"), dry_run=True, no_progress=True)
    assert Unit.objects.count() == 0
    assert "danh mục" not in capsys.readouterr().out  # every category value maps


def test_the_dry_run_lists_category_values_that_match_no_category(tmp_path, capsys):
    """Unmapped values are reported, not dropped (issue 18): the command's preview names the
    value, its column and its rows; the import itself goes on."""
    row = member_row()
    row[[c.field for c in schema.MEMBERS.columns].index("occupation")] = "Nghề XYZ lạ"
    path = basic(tmp_path / "f.xlsx", members=[row])
    call_command("import", path, dry_run=True, no_progress=True)
    assert (
        "Sheet Đảng viên, cột Nghề nghiệp, dòng 2: “Nghề XYZ lạ” không thuộc nhóm nào của danh mục"
        in capsys.readouterr().out
    )
    report = Importer(path).run(actor=SYSTEM, dry_run=True)
    assert report.as_json()["unmapped"] == [
        {"sheet": "Đảng viên", "column": "Nghề nghiệp", "value": "Nghề XYZ lạ", "rows": [2]}
    ]


def _raw_xlsx(path, title: str, rows) -> None:
    """A minimal, uncompressed .xlsx written straight as XML (fast, and as big as we like)."""
    from xml.sax.saxutils import escape

    from openpyxl.utils import get_column_letter

    def cell(ref, value):
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'

    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr(
            "[Content_Types].xml",
            (
                '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                "</Types>"
            ),
        )
        z.writestr(
            "_rels/.rels",
            (
                '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
                "</Relationships>"
            ),
        )
        z.writestr(
            "xl/workbook.xml",
            (
                '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                f'<sheets><sheet name="{title}" sheetId="1" r:id="rId1"/></sheets></workbook>'
            ),
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            (
                '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                "</Relationships>"
            ),
        )
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
                b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            for r, row in enumerate(rows, start=1):
                cells = "".join(
                    cell(f"{get_column_letter(c)}{r}", v)
                    for c, v in enumerate(row, start=1)
                    if v != ""
                )
                f.write(f'<row r="{r}">{cells}</row>'.encode())
            f.write(b"</sheetData></worksheet>")


def test_a_50_mb_file_is_read_checked_and_refused_as_a_whole(tmp_path):
    """A 50 MB workbook of members whose last row repeats a profile number: read, every row
    checked, refused with that one message, nothing written, in reasonable time."""
    import time

    Importer(basic(tmp_path / "orgs.xlsx", members=[])).run(actor=SYSTEM)
    path = tmp_path / "big.xlsx"
    filler = "Thôn Bản Chuông, xã Bắc Xa, huyện Đình Lập, tỉnh Lạng Sơn " * 2

    def rows():
        yield headers(schema.MEMBERS)
        for i in range(95_000):
            row = member_row(f"{i:06d}LS")
            row[6] = row[7] = filler
            yield row
        yield member_row("000001LS")

    _raw_xlsx(path, schema.MEMBERS.name, rows())
    assert path.stat().st_size > 50_000_000
    # CPU time, not the wall clock: a guard against a quadratic check, not a benchmark (the wall
    # clock tripled on a loaded CI machine while the work stayed the same).
    started = time.process_time()
    messages = check(path)
    assert time.process_time() - started < 90
    assert messages == [
        "Sheet Đảng viên, dòng 95002, cột Số lý lịch: số lý lịch 000001LS trùng với dòng 3."
    ]


def test_member_under_18_at_the_decision_is_refused_like_in_the_form(tmp_path):
    # QĐ 24 §1.1 — the same lifecycle.check_admission_age the admission form uses.
    path = basic(tmp_path / "f.xlsx", members=[member_row(birth="11/05/1987")])
    assert check(path) == [
        "Sheet Đảng viên, dòng 2, cột Ngày sinh: Người vào Đảng phải đủ 18 tuổi tại ngày quyết định kết nạp."
    ]
