"""Excel in the browser: template download, upload → preview → confirm, exports within scope."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from grassroots.accounts.models import Role, User
from grassroots.audit.models import AuditRecord
from grassroots.excel.models import ImportJob, JobStatus
from grassroots.members.models import EventKind, Member
from grassroots.organizations.models import Kind, Unit

from .excel_helpers import basic, member_row
from .factories import admit, event, unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _inline_jobs(settings, tmp_path):
    # The task runs inside the request (django-tasks' immediate backend) instead of a worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.VAR_DIR = tmp_path


def persona(username, scope, role=Role.ADMIN):
    user = User.objects.create_user(username, password="Grassroots@2026", scope=scope, role=role)
    return user


@pytest.fixture
def tree():
    p = unit("LS", Kind.PROVINCE, name="Đảng bộ tỉnh Lạng Sơn")
    dl = unit("DL", Kind.DISTRICT, p, name="Đảng bộ huyện Đình Lập")
    c1 = unit("DL-C1", Kind.GRASSROOTS_CELL, dl, name="Chi bộ xã Bắc Xa")
    other = unit("CB", Kind.PROVINCE, name="Đảng bộ tỉnh Cao Bằng")
    c2 = unit(
        "CB-C1", Kind.GRASSROOTS_CELL, unit("CB-D", Kind.DISTRICT, other), name="Chi bộ xã Khác"
    )
    a = admit(c1, "2005-05-19", full_name="Nguyễn Văn Ấn", birth_date=dt.date(1980, 3, 15))
    event(a, EventKind.OFFICIAL, "2006-05-19")
    admit(c2, "2006-01-01", full_name="Người Ngoài Phạm Vi")
    return {"p": p, "dl": dl, "c1": c1, "other": other}


def test_template_download_has_guide_dropdowns_and_examples(client, tree):
    client.force_login(persona("admin_ls", tree["p"]))
    response = client.get(reverse("excel:template", args=["members"]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Hướng dẫn", "Đảng viên", "Danh mục"]
    ws = wb["Đảng viên"]
    assert ws["A1"].value == "Số lý lịch" and ws.freeze_panes == "A2"
    assert any(
        "Giới tính" in str(dv.formula1) or "$" in str(dv.formula1)
        for dv in ws.data_validations.dataValidation
    )
    assert ws["B2"].value == "Nguyễn Văn An"


def test_upload_preview_confirm(client, tree, tmp_path):
    clerk = persona("canbo_dinhlap", tree["dl"], Role.CLERK)
    client.force_login(clerk)
    path = tmp_path / "in.xlsx"
    from grassroots.excel import schema

    from .excel_helpers import headers, workbook

    workbook(
        path, {schema.MEMBERS.name: [headers(schema.MEMBERS), member_row("000777LS", unit="dl-c1")]}
    )
    with open(path, "rb") as f:
        response = client.post(reverse("excel:upload"), {"file": f})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "excel:job", args=[job.pk]
    )
    assert job.status == JobStatus.READY
    assert not Member.objects.filter(profile_number="000777LS").exists()  # preview writes nothing
    page = client.get(reverse("excel:job", args=[job.pk])).content.decode()
    assert "Xác nhận nhập" in page and "excel/excel.js" in page and "<script>" not in page
    status = client.get(reverse("excel:job_status", args=[job.pk])).json()
    assert status["status"] == "ready" and status["counts"]["Đảng viên"]["created"] == 1
    client.post(reverse("excel:job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    member = Member.objects.get(profile_number="000777LS")
    assert AuditRecord.objects.filter(
        source="import", object_type="member", object_id=str(member.pk)
    ).exists()


def test_upload_outside_scope_is_refused_with_errors(client, tree, tmp_path):
    client.force_login(persona("canbo_dinhlap", tree["dl"], Role.CLERK))
    path = tmp_path / "in.xlsx"
    from grassroots.excel import schema

    from .excel_helpers import headers, workbook

    workbook(
        path, {schema.MEMBERS.name: [headers(schema.MEMBERS), member_row("000778LS", unit="CB-C1")]}
    )
    with open(path, "rb") as f:
        client.post(reverse("excel:upload"), {"file": f})
    job = ImportJob.objects.get()
    assert job.status == JobStatus.INVALID
    assert job.errors == [
        "Sheet Đảng viên, dòng 2, cột Mã chi bộ kết nạp: không có tổ chức mã CB-C1."
    ]
    page = client.get(reverse("excel:job", args=[job.pk])).content.decode()
    assert "không có tổ chức mã CB-C1" in page and "Xác nhận nhập" not in page


def test_someone_elses_job_is_404(client, tree, tmp_path):
    client.force_login(persona("a", tree["p"]))
    with open(basic(tmp_path / "f.xlsx"), "rb") as f:
        client.post(reverse("excel:upload"), {"file": f})
    job = ImportJob.objects.get()
    client.force_login(persona("b", tree["p"]))
    assert client.get(reverse("excel:job_status", args=[job.pk])).status_code == 404


def test_viewer_cannot_upload(client, tree, tmp_path):
    client.force_login(persona("xem", tree["dl"], Role.VIEWER))
    with open(basic(tmp_path / "f.xlsx"), "rb") as f:
        assert client.post(reverse("excel:upload"), {"file": f}).status_code == 403


def test_members_export_xlsx_has_titles_dates_and_frozen_header(client, tree):
    user = persona("admin_ls", tree["p"])
    client.force_login(user)
    response = client.get(
        reverse("excel:export", args=["members"]), {"unit": "LS", "at": "31/12/2010"}
    )
    # the direct address asks for the job (nothing exported in the web thread); its button
    # posts the same unit, day and format
    assert response.status_code == 200 and not AuditRecord.objects.filter(action="export").exists()
    form = response.content.decode()
    assert f'action="{reverse("excel:export_job_create")}"' in form
    assert 'name="unit" value="LS"' in form and 'name="at" value="31/12/2010"' in form
    assert 'name="format" value="xlsx"' in form
    job = client.post(reverse("excel:export_job_create"), {"unit": "LS", "at": "31/12/2010"})
    download = client.get(job["Location"] + "download/")
    ws = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert ws["A1"].value == "Danh sách đảng viên thuộc Đảng bộ tỉnh Lạng Sơn (LS)"
    assert ws["A2"].value == "Tính đến ngày 31/12/2010"
    assert ws["A3"].value.startswith("Xuất bởi admin_ls")
    assert ws.freeze_panes == "A6"
    assert ws["B5"].value == "Số lý lịch"
    assert ws["C6"].value == "Nguyễn Văn Ấn"
    assert ws["E6"].value == dt.datetime(1980, 3, 15) and ws["E6"].number_format == "DD/MM/YYYY"
    assert ws["A6"].value == 1
    assert ws.max_row == 6  # the member of the other province is not there
    assert ws.auto_filter.ref == f"A5:{ws.cell(5, ws.max_column).column_letter}6"
    assert AuditRecord.objects.filter(
        action="export", actor=user, object_id=str(tree["p"].pk)
    ).exists()


def test_figures_export_csv_has_bom_and_numbers(client, tree):
    client.force_login(persona("admin_ls", tree["p"]))
    response = client.get(
        reverse("excel:export", args=["figures"]),
        {"unit": "LS", "at": "31/12/2010", "format": "csv"},
    )
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffSố liệu tổ chức đảng và đảng viên")
    assert "Đảng viên,1" in text


def test_export_outside_scope_is_404(client, tree):
    client.force_login(persona("canbo_dinhlap", tree["dl"], Role.CLERK))
    assert client.get(reverse("excel:export", args=["members"]), {"unit": "CB"}).status_code == 404
    members = reverse("excel:export", args=["members"])
    tomorrow = f"{timezone.localdate() + dt.timedelta(days=1):%d/%m/%Y}"
    assert client.get(members, {"unit": "DL", "at": tomorrow}).status_code == 400
    assert (
        client.get(reverse("excel:export", args=["organizations"]), {"unit": "DL"}).status_code
        == 200
    )


def test_organizations_export_lists_subtree_in_tree_order(client, tree):
    client.force_login(persona("admin_ls", tree["p"]))
    response = client.get(
        reverse("excel:export", args=["organizations"]), {"unit": "LS", "at": "01/01/2010"}
    )
    ws = load_workbook(io.BytesIO(response.content)).active
    codes = [ws.cell(r, 2).value for r in range(6, ws.max_row + 1)]
    assert codes == ["LS", "DL", "DL-C1"]
    # Members of each organization (its subtree) on the day, from the figures ledger: the one
    # member of DL-C1 was admitted in 2005 and official in 2006.
    header = [c.value for c in ws[5]]
    at = [header.index(h) + 1 for h in ("Số đảng viên", "Chính thức", "Dự bị")]
    assert [[ws.cell(r, c).value for c in at] for r in range(6, 9)] == [[1, 1, 0]] * 3
    assert ws.auto_filter.ref == "A5:J8" and ws.freeze_panes == "A6"


def test_organization_counts_are_the_figures_of_each_row(client, tree):
    """The count of every row equals `figures()` of that organization, also on a day when the
    member was still on probation and in a later year after one more admission."""
    from grassroots.figures.queries import figures

    admit(tree["c1"], "2011-01-01", full_name="Trần Thị Bình")
    client.force_login(persona("admin_ls", tree["p"]))
    for day, iso in (("01/01/2006", "2006-01-01"), ("01/06/2011", "2011-06-01")):
        response = client.get(
            reverse("excel:export", args=["organizations"]), {"unit": "LS", "at": day}
        )
        ws = load_workbook(io.BytesIO(response.content)).active
        for r in range(6, ws.max_row + 1):
            f = figures(Unit.objects.get(code=ws.cell(r, 2).value), dt.date.fromisoformat(iso))
            assert [ws.cell(r, c).value for c in (8, 9, 10)] == [
                f.members,
                f.official_members,
                f.probationary_members,
            ]


def test_a_code_used_outside_the_scope_is_not_reused(client, tree, tmp_path):
    from grassroots.excel import schema

    from .excel_helpers import headers, workbook

    client.force_login(persona("canbo_dinhlap", tree["dl"], Role.CLERK))
    path = workbook(
        tmp_path / "in.xlsx",
        {
            schema.ORGANIZATIONS.name: [
                headers(schema.ORGANIZATIONS),
                [
                    "cb-c1",
                    "Chi bộ mới",
                    "Chi bộ cơ sở",
                    "Xã, phường, thị trấn, đặc khu",
                    "DL",
                    dt.date(2010, 1, 1),
                ],
            ]
        },
    )
    with open(path, "rb") as f:
        client.post(reverse("excel:upload"), {"file": f})
    job = ImportJob.objects.get()
    assert job.errors == [
        "Sheet Tổ chức đảng, dòng 2, cột Mã tổ chức: mã tổ chức cb-c1 đã được dùng cho một tổ chức "
        "ngoài phạm vi của tài khoản."
    ]


def test_the_excel_page_offers_templates_upload_and_exports(client, tree):
    client.force_login(persona("canbo_dinhlap", tree["dl"], Role.CLERK))
    page = client.get(reverse("excel:index")).content.decode()
    assert reverse("excel:template", args=["members"]) in page
    assert reverse("excel:upload") in page and 'value="DL"' in page
    assert "<script>" not in page and "style=" not in page
    client.force_login(persona("xem", tree["dl"], Role.VIEWER))
    assert reverse("excel:upload") not in client.get(reverse("excel:index")).content.decode()


def test_the_organization_page_offers_both_exports(client, tree):
    """The organization's lists export from its own page; the member list only where the page
    lists members (grassroots and below: a province's export is the Excel page's work)."""
    client.force_login(persona("admin_ls", tree["p"]))
    cell = client.get("/units/DL-C1/").content.decode()
    assert "/excel/export/organizations/?unit=DL-C1" in cell
    assert 'id="export-members"' in cell and 'name="unit" value="DL-C1"' in cell
    province = client.get("/units/LS/").content.decode()
    assert "/excel/export/organizations/?unit=LS" in province
    assert 'id="export-members"' not in province


def test_member_export_runs_as_a_job_with_progress_and_a_kept_file(client, tree):
    """Issue 11 §8: the member list is made by the worker (here inline), its page shows the
    state and offers the file; the same rows as the direct export; request, making and
    download each audited; another account sees nothing of it."""
    from grassroots.excel.models import ExportJob

    user = persona("admin_ls", tree["p"])
    client.force_login(user)
    response = client.post(reverse("excel:export_job_create"), {"unit": "LS", "at": "31/12/2010"})
    job = ExportJob.objects.get(user=user)
    assert response.status_code == 302 and response["Location"] == f"/excel/exports/{job.pk}/"
    assert job.status == "done" and job.progress == 100 and job.rows == 1
    page = client.get(response["Location"]).content.decode()
    assert "Đã xuất xong" in page and "Đảng bộ tỉnh Lạng Sơn" in page and "31/12/2010" in page
    assert f"/excel/exports/{job.pk}/download/" in page
    assert client.get(f"/excel/exports/{job.pk}/status.json").json()["status"] == "done"
    download = client.get(f"/excel/exports/{job.pk}/download/")
    ws = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert ws["C6"].value == "Nguyễn Văn Ấn" and ws.max_row == 6
    actions = set(AuditRecord.objects.filter(actor=user).values_list("action", flat=True))
    assert {"create", "export", "download"} <= actions
    assert f"/excel/exports/{job.pk}/" in client.get(reverse("excel:index")).content.decode()
    other = persona("admin_ls2", tree["p"])
    client.force_login(other)
    assert client.get(f"/excel/exports/{job.pk}/").status_code == 404
    assert client.get(f"/excel/exports/{job.pk}/download/").status_code == 404


def test_member_export_job_is_refused_outside_scope_and_for_a_future_day(client, tree):
    from grassroots.excel.models import ExportJob

    client.force_login(persona("canbo_dinhlap", tree["dl"], Role.CLERK))
    url = reverse("excel:export_job_create")
    assert client.post(url, {"unit": "CB"}).status_code == 404
    assert client.post(url, {"unit": "DL", "at": "01/01/2999"}).status_code == 400
    assert client.post(url, {"unit": "DL", "format": "pdf"}).status_code == 400
    assert not ExportJob.objects.exists()
    assert client.post(url, {"unit": "DL"}).status_code == 302
    assert ExportJob.objects.get().status == "done"


def test_the_preview_lists_category_values_that_match_no_category(client, tree, tmp_path):
    """Issue 18: unmapped values are reported, not dropped — the preview names each value that
    matches no category of the coded lists with its sheet, column and rows; the import keeps the
    typed text (counted as "Chưa phân loại"). A file whose values all map lists nothing."""
    from grassroots.excel import schema
    from grassroots.members import categories

    from .excel_helpers import headers, workbook

    client.force_login(persona("canbo_dinhlap", tree["dl"], Role.CLERK))
    column = {c.field: i for i, c in enumerate(schema.MEMBERS.columns)}

    def row(number, occupation, education="12/12"):
        values = member_row(number, unit="dl-c1")
        values[column["occupation"]], values[column["education"]] = occupation, education
        return values

    odd = "Nghề XYZ chưa có trong danh mục"
    assert categories.classify("occupation", odd) == categories.UNMAPPED
    assert categories.classify("education", "12/12") != categories.UNMAPPED
    assert categories.classify("occupation", "Nông dân") != categories.UNMAPPED
    for name, rows, expected in (
        ("mapped.xlsx", [row("000801LS", "Nông dân"), row("000802LS", "Nông dân")], 0),
        (
            "odd.xlsx",
            [row("000811LS", odd), row("000812LS", "Nông dân"), row("000813LS", odd, "lớp ba")],
            2,
        ),
    ):
        path = tmp_path / name
        workbook(path, {schema.MEMBERS.name: [headers(schema.MEMBERS), *rows]})
        with open(path, "rb") as f:
            client.post(reverse("excel:upload"), {"file": f})
        job = ImportJob.objects.get(file_name=name)
        assert job.status == JobStatus.READY and job.notice_count == expected, job.notices
    page = client.get(reverse("excel:job", args=[job.pk])).content.decode()
    assert "2 giá trị chưa thuộc danh mục" in page
    assert job.notices == [
        f"Sheet Đảng viên, cột Nghề nghiệp, dòng 2, 4: “{odd}” không thuộc nhóm nào của danh mục"
        " — vẫn nhập nguyên văn, thống kê vào “Chưa phân loại”.",
        "Sheet Đảng viên, cột Trình độ giáo dục phổ thông, dòng 4: “lớp ba” không thuộc nhóm nào"
        " của danh mục — vẫn nhập nguyên văn, thống kê vào “Chưa phân loại”.",
    ]
    client.post(reverse("excel:job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    kept = Member.objects.get(profile_number="000813LS")
    assert (kept.occupation, kept.occupation_code) == (odd, categories.UNMAPPED)
    assert (kept.education, kept.education_code) == ("lớp ba", categories.UNMAPPED)
