"""The inspection workbook ("Kiểm tra, giám sát", "Quyết định kỷ luật"): imported all or nothing
through the services the pages call, every bad row and column reported in Vietnamese; exported
in the same format; an export imported again is refused row by row as duplicates."""

from __future__ import annotations

import io
import tempfile

import pytest
from openpyxl import Workbook, load_workbook

from grassroots.accounts.models import Role, User
from grassroots.audit.models import AuditRecord, Source
from grassroots.audit.services import Actor
from grassroots.excel.importer import import_file
from grassroots.inspection import sheet, sheets
from grassroots.inspection.models import Case, Decision
from grassroots.members.models import MemberEvent

from .factories import d
from .inspection_world import open_case, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    w = world()
    w.inspector = User.objects.create_user(
        "kiemtra", password="x", scope=w.d, role=Role.CLERK, can_inspect=True
    )
    w.clerk = User.objects.create_user("canbo", password="x", scope=w.d, role=Role.CLERK)
    return w


def book(cases, decisions, suspensions=()) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    parts = [(sheets.CASES, cases), (sheets.DECISIONS, decisions)]
    if suspensions:
        parts.append((sheets.SUSPENSIONS, suspensions))
    for s, rows in parts:
        ws = wb.create_sheet(s.name)
        ws.append([c.header for c in s.columns])
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def run(user, content):
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        handle.write(content)
        handle.flush()
        return import_file(handle.name, actor=Actor(user, Source.IMPORT), name="kt.xlsx", user=user)


def case_row(key="KT-A", member="", unit="", opened="10/01/2024", conclusion="Có vi phạm",
             start="01/01/2023", end="31/12/2023"):  # fmt: skip
    return [key, "Kiểm tra khi có dấu hiệu vi phạm", "Đảng phí", unit, member, "D",
            "Ủy ban kiểm tra", "05-QĐ/UBKT", opened, start, end, "Tổ 1",
            "Đơn tố cáo", "01/02/2024" if conclusion else "", conclusion,
            "Ít nghiêm trọng" if conclusion else "", "Chậm nộp"]  # fmt: skip


def decision_row(case="KT-A", member="", form="Khiển trách", signed="10/02/2024",
                 announced="12/02/2024", body="D"):  # fmt: skip
    return [case, "", member, form, body, "Ủy ban kiểm tra", "07-QĐ/UBKT", signed, announced,
            5, 5, "Vi phạm"]  # fmt: skip


def test_import_cases_and_decisions_through_the_services_and_export_them(w):
    existing = open_case(w, subject_member=w.a)
    cases = [case_row(member=w.b.profile_number), case_row("KT-B", unit="C1", conclusion="")]
    decisions = [decision_row(), decision_row(f"KT-{existing.pk}", form="Cảnh cáo")]
    result = run(w.inspector, book(cases, decisions))
    assert result.ok, result.messages()
    case = Case.objects.get(subject_member=w.b)
    assert case.conclusion == "violation" and case.severity == "minor" and case.unit == w.c2
    assert Case.objects.get(subject_unit=w.c1).conclusion == ""
    of_case = Decision.objects.get(case=case)
    assert of_case.member_event.discipline_form == "reprimand"  # the registry's one path
    assert Decision.objects.get(case=existing).member_event.member == w.a
    exported = sheet.export_inspection(w.inspector, w.d, d("2024-01-01"), d("2024-12-31"))
    book_ = load_workbook(io.BytesIO(exported))
    rows = list(book_[sheets.DECISIONS.name].values)
    assert len(rows) == 3 and {r[0] for r in rows[1:]} == {f"KT-{case.pk}", f"KT-{existing.pk}"}
    assert len(list(book_[sheets.CASES.name].values)) == 4
    events = MemberEvent.objects.count()
    again = run(w.inspector, exported)
    text = "\n".join(again.messages())
    assert not again.ok and f"đã có hồ sơ KT-{case.pk}" in text and "đã có quyết định này" in text
    assert Decision.objects.count() == 2 and MemberEvent.objects.count() == events


def test_a_bad_file_lists_every_row_and_writes_nothing(w):
    audit, events = AuditRecord.objects.count(), MemberEvent.objects.count()
    cases = [
        case_row(member=w.b.profile_number),
        case_row("KT-A", member=w.b.profile_number),  # duplicate key
        case_row("KT-C", member="999999XX"),
        case_row(
            "KT-D", unit="L", opened="10/01/2019", start="01/01/2018", end="31/12/2018"
        ),  # L was set up in 2020
    ]
    decisions = [
        decision_row(announced="09/02/2024"),  # announced before signed
        decision_row("KT-Z"),
        decision_row(
            "",
            member=w.pr.profile_number,
            form="Khai trừ",
            body="G",
            signed="10/09/2024",
            announced="12/09/2024",
        ),  # fmt: skip
    ]
    result = run(w.inspector, book(cases, decisions))
    assert not result.ok
    assert not Case.objects.exists() and not Decision.objects.exists()
    assert MemberEvent.objects.count() == events and AuditRecord.objects.count() == audit
    text = "\n".join(result.messages())
    c, dn = sheets.CASES.name, sheets.DECISIONS.name
    assert f"Sheet {c}, dòng 3, cột Mã hồ sơ: mã hồ sơ KT-A bị trùng" in text
    assert f"Sheet {c}, dòng 4, cột Số lý lịch đảng viên là đối tượng: không tìm thấy" in text
    assert f"Sheet {dn}, dòng 3, cột Mã hồ sơ: không có hồ sơ KT-Z" in text
    # Cells fine: the services' refusals, on their rows (played, then rolled back).
    result = run(w.inspector, book([cases[0], cases[3]], [decisions[0], decisions[2]]))
    assert not result.ok and not Case.objects.exists() and not Decision.objects.exists()
    text = "\n".join(result.messages())
    assert f"Sheet {c}, dòng 3, cột Mã tổ chức là đối tượng: Tổ chức L không tồn tại" in text
    assert f"Sheet {dn}, dòng 2, cột Ngày công bố:" in text and "trước ngày ký" in text
    assert f"Sheet {dn}, dòng 3, cột Hình thức kỷ luật:" in text and "dự bị" in text


def test_an_account_outside_the_inspection_role_imports_nothing(w):
    result = run(w.clerk, book([case_row(member=w.b.profile_number)], []))
    assert not result.ok and "không thuộc bộ phận kiểm tra" in "\n".join(result.messages())
    assert not Case.objects.exists()


def suspension_row(case="KT-A", member="", start="01/03/2024", last="", body="D"):
    return [case, member, "Có dấu hiệu vi phạm nghiêm trọng, cản trở việc kiểm tra, xử lý", body,
            "Ủy ban kiểm tra", "06-QĐ/UBKT", start, start, last, "Cản trở kiểm tra"]  # fmt: skip


def test_suspensions_imported_through_the_service_all_or_nothing_and_exported(w):
    from grassroots.inspection.models import Suspension

    cases = [case_row(member=w.b.profile_number)]
    # A row of 91 days is refused by the service: nothing of the file is written.
    bad = run(w.inspector, book(cases, [], [suspension_row(last="30/05/2024")]))
    text = "\n".join(bad.messages())
    assert not bad.ok and "Đình chỉ sinh hoạt đảng, dòng 2, cột Đến hết ngày" in text
    assert "quá 90 ngày" in text and not Case.objects.exists() and not Suspension.objects.exists()
    good = run(
        w.inspector,
        book(cases, [], [suspension_row(), suspension_row("", member=w.a.profile_number)]),
    )
    assert good.ok, good.messages()
    case = Case.objects.get()
    of_case = Suspension.objects.get(case=case)
    assert of_case.subject_member == w.b and of_case.last_day == d("2024-05-29")
    assert Suspension.objects.get(subject_member=w.a).case is None
    exported = sheet.export_inspection(w.inspector, w.d, d("2024-01-01"), d("2024-12-31"))
    rows = list(load_workbook(io.BytesIO(exported))[sheets.SUSPENSIONS.name].values)
    assert len(rows) == 3 and {r[1] for r in rows[1:]} == {w.a.profile_number, w.b.profile_number}
    again = run(w.inspector, exported)
    assert not again.ok and "đã có quyết định đình chỉ này" in "\n".join(again.messages())
    assert Suspension.objects.count() == 2
