"""The "Quần chúng ưu tú" workbook: exported in the import format, imported all or nothing
through the services, every bad cell reported with its sheet, row and column."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from grassroots.accounts.models import Role, User
from grassroots.audit.models import AuditRecord, Source
from grassroots.audit.services import Actor
from grassroots.development import sheet
from grassroots.development.models import Candidate, CaseStep

from .development_world import file_ready, propose, world
from .factories import d

pytestmark = pytest.mark.django_db


def workbook(cases, steps) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet.CASES
    ws.append([h for _, h, _ in sheet.CASE_COLUMNS])
    for row in cases:
        ws.append(row)
    st = wb.create_sheet(sheet.STEPS)
    st.append([h for _, h, _ in sheet.STEP_COLUMNS])
    for row in steps:
        st.append(row + [""] * (len(sheet.STEP_COLUMNS) - len(row)))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


CASE = ["QC-1", "Lò Thị Hoa", "Nữ", "15/05/2000", "Thái", "", "", "", "12/12", "Giáo viên", "",
        "Có", "C1", "10/01/2024", "Đoàn TNCS Hồ Chí Minh giới thiệu", ""]  # fmt: skip


@pytest.fixture
def w():
    w = world()
    w.clerk = User.objects.create_user(
        "clerk_g", password="x-Passw0rd!", scope=w.g, role=Role.CLERK
    )
    return w


def run(w, content, user=None):
    import tempfile

    from grassroots.excel.importer import import_file

    user = user or w.clerk
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        handle.write(content)
        handle.flush()
        return import_file(handle.name, actor=Actor(user, Source.IMPORT), name="qc.xlsx", user=user)


def test_import_cases_and_steps(w):
    steps = [
        ["QC-1", "Giấy chứng nhận học lớp nhận thức về Đảng", "01/02/2024", "", "TTCT", "Lớp 1"],
        ["QC-1", "Đơn xin vào Đảng (mẫu 1-KNĐ)", "06/02/2024"],
        ["QC-1", "Lý lịch người xin vào Đảng (mẫu 2-KNĐ)", "07/02/2024"],
        ["QC-1", "introduction", "08/02/2024", "", "", "", "", w.a.profile_number,
         w.b.profile_number],
        ["QC-1", "verification", "21/02/2024", "", "", "", "", "", "", "Đạt"],
        ["QC-1", "cell_vote", "26/02/2024", "", "", "", "", "", "", "", 2],
    ]  # fmt: skip
    result = run(w, workbook([CASE], steps))
    assert result.ok, result.messages()
    case = Candidate.objects.get(full_name="Lò Thị Hoa")
    assert CaseStep.objects.filter(candidate=case).count() == 1 + 6
    assert case.youth_union and case.ethnicity == "Thái"
    assert CaseStep.objects.get(candidate=case, kind="cell_vote").passed


def test_a_bad_row_writes_nothing_and_every_problem_is_listed(w):
    audit = AuditRecord.objects.count()
    second = ["QC-2", "Hà Văn B", "Nam", "31/02/2001"] + CASE[4:12] + ["NOPE", "10/01/2024", "cell"]
    steps = [
        ["QC-1", "Đơn xin vào Đảng (mẫu 1-KNĐ)", "06/02/2024"],
        ["QC-1", "introduction", "08/02/2024", "", "", "", "", w.a.profile_number,
         w.probationer.profile_number],
        ["QC-9", "application", "06/02/2024"],
    ]  # fmt: skip
    result = run(w, workbook([CASE, second], steps))
    assert not result.ok and not Candidate.objects.exists()
    assert AuditRecord.objects.count() == audit
    text = "\n".join(result.messages())
    assert f"Sheet {sheet.CASES}, dòng 3, cột Ngày sinh: ngày 31/02/2001 không hợp lệ" in text
    assert f"Sheet {sheet.CASES}, dòng 3, cột Mã chi bộ: không có chi bộ mã NOPE" in text
    assert f"Sheet {sheet.STEPS}, dòng 4, cột Mã hồ sơ: không có hồ sơ QC-9" in text


def test_a_rule_refused_by_a_service_writes_nothing(w):
    steps = [
        ["QC-1", "Đơn xin vào Đảng (mẫu 1-KNĐ)", "06/02/2024"],
        ["QC-1", "introduction", "08/02/2024", "", "", "", "", w.a.profile_number,
         w.probationer.profile_number],
    ]  # fmt: skip
    result = run(w, workbook([CASE], steps))
    assert not result.ok and not Candidate.objects.exists()
    text = "\n".join(result.messages())
    assert f"Sheet {sheet.STEPS}, dòng 3, cột Số lý lịch người giới thiệu 2" in text
    assert "không phải đảng viên chính thức" in text


def test_export_round_trips_and_adds_steps_to_existing_cases(w):
    case = propose(w.c1)
    file_ready(w, case)
    content = sheet.export_pipeline(w.g, d("2024-03-01"))
    wb = load_workbook(io.BytesIO(content))
    rows = list(wb[sheet.CASES].iter_rows(values_only=True))
    assert rows[1][0] == f"HS-{case.pk}" and rows[1][1] == case.full_name
    assert len(list(wb[sheet.STEPS].iter_rows())) == 1 + 5
    steps = wb[sheet.STEPS]  # every export is a filterable table (excel.workbooks)
    assert (
        steps.freeze_panes == "A2"
        and steps.auto_filter.ref == f"A1:{steps.cell(1, steps.max_column).column_letter}6"
    )
    more = workbook([], [[f"HS-{case.pk}", "Chi bộ xét, biểu quyết", "26/02/2024", "", "", "", "",
                          "", "", "", 2]])  # fmt: skip
    result = run(w, more)
    assert result.ok, result.messages()
    assert CaseStep.objects.filter(candidate=case, kind="cell_vote").count() == 1
    outsider = User.objects.create_user("x", password="x-Passw0rd!", scope=w.x, role=Role.CLERK)
    result = run(w, more, user=outsider)
    assert not result.ok and "không có hồ sơ" in result.messages()[0]
