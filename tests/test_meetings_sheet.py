"""The meeting workbook ("Sinh hoạt chi bộ", "Điểm danh"): imported all or nothing through
`meeting_record`, every bad row reported in Vietnamese with its sheet, row and column; exported
in the same format."""

from __future__ import annotations

import io
import tempfile

import pytest
from openpyxl import Workbook, load_workbook

from grassroots.accounts.models import Role, User
from grassroots.audit.models import AuditRecord, Source
from grassroots.audit.services import Actor
from grassroots.excel.importer import import_file
from grassroots.meetings import quality, sheet, sheets
from grassroots.meetings.models import Attendance, Meeting, QualityScore

from .factories import d
from .meetings_world import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = build()
    world["clerk"] = User.objects.create_user(
        "canbo_g1", password="x-Passw0rd!-2026", scope=world["G1"], role=Role.CLERK
    )
    return world


def book(meetings, marks) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheets.MEETINGS.name
    ws.append([c.header for c in sheets.MEETINGS.columns])
    for row in meetings:
        ws.append(row)
    st = wb.create_sheet(sheets.MARKS_SHEET.name)
    st.append([c.header for c in sheets.MARKS_SHEET.columns])
    for row in marks:
        st.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def run(w, content):
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        handle.write(content)
        handle.flush()
        user = w["clerk"]
        return import_file(handle.name, actor=Actor(user, Source.IMPORT), name="sh.xlsx", user=user)


def meeting_row(key="SH-1", unit="C1", day="05/03/2019", start="08:00", end="10:00"):
    return [key, unit, "Sinh hoạt thường kỳ", "Không", day, start, end, "", "Nhà văn hóa"]


def test_import_meetings_with_their_absences(w):
    marks = [
        ["SH-1", w["probationary"].profile_number, "Vắng có lý do", "Ốm"],
        ["SH-1", w["exempt"].profile_number, "Có mặt (ngoài danh sách)", ""],
        ["SH-2", w["guest"].profile_number, "unexcused", ""],
    ]
    result = run(w, book([meeting_row(), meeting_row("SH-2", day="05/04/2019")], marks))
    assert result.ok, result.messages()
    first = Meeting.objects.get(date=d("2019-03-05"))
    assert (first.present, first.expected, first.absent_excused, first.present_extra) == (
        2,
        3,
        1,
        1,
    )
    assert Attendance.objects.count() == 3
    exported = load_workbook(
        io.BytesIO(sheet.export_meetings(w["G1"], d("2019-01-01"), d("2019-12-31")))
    )
    rows = list(exported[sheets.MARKS_SHEET.name].values)
    assert len(rows) == 4 and rows[1][0] == f"SH-{first.pk}"
    again = run(w, sheet.export_meetings(w["G1"], d("2019-01-01"), d("2019-12-31")))
    assert not again.ok and "đã có buổi sinh hoạt ngày 05/03/2019" in "\n".join(again.messages())
    assert Meeting.objects.count() == 2


def test_a_bad_file_writes_nothing_and_lists_every_row(w):
    audit = AuditRecord.objects.count()
    meetings = [
        meeting_row(),
        meeting_row("SH-2", start="10:00", end="09:00"),
        meeting_row("SH-3", unit="NOPE"),
        meeting_row("SH-4", start="mười giờ"),
    ]
    marks = [
        ["SH-1", w["other"].profile_number, "Vắng không lý do", ""],
        ["SH-9", w["official"].profile_number, "Vắng không lý do", ""],
    ]
    result = run(w, book(meetings, marks))
    assert not result.ok and not Meeting.objects.exists() and not Attendance.objects.exists()
    assert AuditRecord.objects.count() == audit
    text = "\n".join(result.messages())
    name = sheets.MEETINGS.name
    assert f"Sheet {name}, dòng 4, cột Mã chi bộ / tổ chức: không có tổ chức mã NOPE" in text
    assert f"Sheet {name}, dòng 5, cột Giờ bắt đầu: giờ không hợp lệ" in text
    assert f"Sheet {sheets.MARKS_SHEET.name}, dòng 3, cột Mã buổi: không có buổi SH-9" in text
    # A file whose cells are fine: the service's refusals, on their rows (played, rolled back).
    result = run(w, book(meetings[:2], marks[:1]))
    assert not result.ok and not Meeting.objects.exists()
    text = "\n".join(result.messages())
    assert f"Sheet {name}, dòng 2" in text and "không có trong danh sách sinh hoạt" in text
    assert f"Sheet {name}, dòng 3, cột Giờ kết thúc: Giờ kết thúc phải sau giờ bắt đầu" in text


def quality_book(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheets.QUALITY_SHEET.name
    ws.append([c.header for c in sheets.QUALITY_SHEET.columns])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def full_sheet(unit="C1", month="03/2019", take=0, note=""):
    """Every criterion of the sheet in force, each at its points minus `take`."""
    criteria = quality.sheet_on(d("2019-03-01")).criteria
    return [[unit, month, c.key, c.points - take, c.label, note] for c in criteria]


def test_import_and_export_the_monthly_quality_sheets(w):
    rows = full_sheet(note="Họp đủ") + full_sheet(month="04/2019", take=1)
    result = run(w, quality_book(rows))
    assert result.ok, result.messages()
    march, april = QualityScore.objects.order_by("month")
    points = quality.sheet_on(d("2019-03-01")).total_points
    assert (march.month, march.total, march.note) == (d("2019-03-01"), points, "Họp đủ")
    assert april.total == points - len(april.scores)
    exported = sheet.export_meetings(w["G1"], d("2019-01-01"), d("2019-12-31"))
    table = list(load_workbook(io.BytesIO(exported))[sheets.QUALITY_SHEET.name].values)
    assert len(table) == 1 + len(rows) and table[1][:4] == ("C1", "03/2019", rows[0][2], rows[0][3])
    audits = AuditRecord.objects.filter(object_type="meeting_quality")
    before = audits.count()
    again = run(w, exported)  # the meetings sheets are empty: only the sheets, unchanged
    assert again.ok, again.messages()
    assert audits.count() == before == 2 and QualityScore.objects.count() == 2


def test_a_bad_quality_sheet_writes_nothing(w):
    over = full_sheet()
    over[0][3] = 99  # above the criterion's points
    rows = [
        *over,
        *full_sheet(month="13/2019"),
        *full_sheet(month="05/2019")[1:],  # a criterion missing
        ["C1", "06/2019", "khong-co", 5, "", ""],
        ["NOPE", "06/2019", "preparation", 5, "", ""],
    ]
    result = run(w, quality_book(rows))
    assert not result.ok and not QualityScore.objects.exists()
    text = "\n".join(result.messages())
    name = sheets.QUALITY_SHEET.name
    n = len(over)
    assert f"Sheet {name}, dòng {2 + n}, cột Tháng: tháng không hợp lệ" in text
    assert f"Sheet {name}, dòng {2 + 3 * n}, cột Mã chi bộ: không có tổ chức mã NOPE" in text
    # Cells fine, the service refuses: each cell-month on its first row.
    result = run(w, quality_book([*over, *full_sheet(month="05/2019")[1:]]))
    assert not result.ok and not QualityScore.objects.exists()
    text = "\n".join(result.messages())
    assert f"Sheet {name}, dòng 2, cột Điểm: Điểm tiêu chí" in text and "từ 0 đến" in text
    assert f"Sheet {name}, dòng {2 + n}, cột Điểm: Cần chấm điểm tiêu chí" in text


def test_the_export_reads_a_fixed_number_of_statements_whatever_the_meetings(w):
    """Issue 11: the commune's workbook read each meeting's organization on its own (711
    statements for 700 meetings, 1,3 s); the same rows, in statements that do not grow."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    days = ["05/03/2019", "05/04/2019", "06/05/2019", "05/06/2019"]
    assert run(w, book([meeting_row(f"SH-{i}", day=day) for i, day in enumerate(days)], [])).ok

    def export(until):
        with CaptureQueriesContext(connection) as ctx:
            data = sheet.export_meetings(w["G1"], d("2019-01-01"), d(until))
        rows = list(load_workbook(io.BytesIO(data))[sheets.MEETINGS.name].values)[1:]
        return rows, len(ctx.captured_queries)

    one, few = export("2019-03-31"), export("2019-12-31")
    assert len(one[0]) == 1 and len(few[0]) == 4
    assert {row[1] for row in few[0]} == {"C1"}  # the cell's code, as before
    assert few[1] == one[1]
