"""Limits on uploaded files (issue 20 §1, §20): refused before the file is read, with a
Vietnamese message; nothing written; the upload removed from disk; stored uploads are 0600."""

from __future__ import annotations

import io
import re
import stat
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import Workbook

from grassroots.accounts.models import Role, User
from grassroots.audit.models import AuditRecord
from grassroots.excel import schema
from grassroots.excel.importer import Importer
from grassroots.excel.models import ImportJob, JobStatus
from grassroots.members.models import Member
from grassroots.organizations.models import Kind, Unit

from .excel_helpers import basic, headers, member_row, workbook
from .factories import SYSTEM, unit

pytestmark = pytest.mark.django_db


def refused(path, name="") -> list[str]:
    before = (Unit.objects.count(), Member.objects.count(), AuditRecord.objects.count())
    report = Importer(path, name).run(actor=SYSTEM)
    assert not report.ok and not report.written
    assert (Unit.objects.count(), Member.objects.count(), AuditRecord.objects.count()) == before
    return report.messages()


def far_cell(path: Path, ref: str) -> str:
    """The issue's 1.6 KB file: sheet "Dân số", a header row, one cell far away."""
    wb = Workbook()
    ws = wb.active
    ws.title = schema.POPULATION.name
    ws.append(headers(schema.POPULATION))
    ws[ref] = 1
    wb.save(path)
    return str(path)


def test_a_cell_at_xfd1048576_is_refused_before_reading(tmp_path):
    path = far_cell(tmp_path / "far.xlsx", "XFD1048576")
    assert Path(path).stat().st_size < 10_000
    (message,) = refused(path)
    assert message.startswith("Tệp: Sheet Dân số: bảng tính kéo tới dòng 1.048.576, vượt giới hạn")


def test_a_cell_at_az1000000_is_refused(tmp_path):
    (message,) = refused(far_cell(tmp_path / "far.xlsx", "AZ1000000"))
    assert "dòng 1.000.000" in message


def test_the_rectangle_is_limited_even_without_a_declared_dimension(tmp_path, settings):
    """The dimension element is optional: the positions of the cells themselves count."""
    settings.IMPORT_MAX_ROWS = 1000
    path = far_cell(tmp_path / "far.xlsx", "C5000")
    _rewrite(path, "xl/worksheets/sheet1.xml", lambda xml: re.sub(rb"<dimension[^>]*>", b"", xml))
    with zipfile.ZipFile(path) as archive:
        assert b"dimension" not in archive.read("xl/worksheets/sheet1.xml")
    (message,) = refused(path)
    assert "dòng 5.000, vượt giới hạn 1.000 dòng" in message


def test_columns_and_cells_are_limited(tmp_path, settings):
    settings.IMPORT_MAX_COLUMNS = 30
    (message,) = refused(far_cell(tmp_path / "wide.xlsx", "AZ2"))
    assert "cột thứ 52, vượt giới hạn 30 cột" in message
    settings.IMPORT_MAX_COLUMNS = 200
    settings.IMPORT_MAX_CELLS = 1000
    (message,) = refused(far_cell(tmp_path / "big.xlsx", "J200"))
    assert "200 dòng × 10 cột, vượt giới hạn 1.000 ô" in message


def _rewrite(path, part: str, change) -> None:
    with zipfile.ZipFile(path) as source:
        items = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in items:
            target.writestr(info.filename, change(data) if info.filename == part else data)


def test_a_zip_bomb_is_refused_from_the_zip_directory(tmp_path):
    """A few hundred KB that would inflate to a 50 MB cell: refused by the compression ratio."""
    path = far_cell(tmp_path / "bomb.xlsx", "B2")
    _rewrite(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"<v>1</v>", b"<is><t>" + b"x" * 50_000_000 + b"</t></is>").replace(
            b'r="B2"', b'r="B2" t="inlineStr"'
        ),
    )
    assert Path(path).stat().st_size < 200_000
    (message,) = refused(path)
    assert "nén" in message and "lần (giới hạn 200 lần)" in message


def test_the_inflated_size_is_limited(tmp_path, settings):
    settings.IMPORT_MAX_INFLATED_BYTES = 5_000
    (message,) = refused(basic(tmp_path / "ok.xlsx"))
    assert "khi giải nén dung lượng là" in message and "vượt giới hạn" in message


def test_a_long_cell_is_refused(tmp_path, settings):
    settings.IMPORT_MAX_CELL_BYTES = 1024
    path = workbook(
        tmp_path / "long.xlsx",
        {schema.MEMBERS.name: [headers(schema.MEMBERS), member_row(name="A" * 5000)]},
    )
    (message,) = refused(path)
    assert "ô chứa văn bản dài hơn 1 KB" in message


def test_a_csv_field_over_128_kb_gets_a_vietnamese_message(tmp_path):
    path = tmp_path / "Đảng viên.csv"
    path.write_text(
        ",".join(headers(schema.MEMBERS)) + '\n000001LS,"' + "x" * 200_000 + "\n", "utf-8"
    )
    (message,) = refused(path)
    assert message.startswith("Tệp: Tệp CSV có ô dài hơn 128 KB ở dòng 2")
    assert "field" not in message


def test_a_csv_is_limited_in_rows_and_columns(tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 50
    path = tmp_path / "Đảng viên.csv"
    rows = [",".join(headers(schema.MEMBERS))] + [f"{i:06d}LS,Tên" for i in range(100)]
    path.write_text("\n".join(rows), "utf-8")
    (message,) = refused(path)
    assert "vượt giới hạn 50 dòng" in message
    settings.IMPORT_MAX_ROWS = 500_000
    settings.IMPORT_MAX_COLUMNS = 10
    assert "vượt giới hạn 10 cột" in refused(path)[0]


def test_the_benchmark_shaped_workbook_stays_inside_the_limits(tmp_path):
    """The defaults must hold an ordinary file: every sheet, examples, title rows."""
    report = Importer(basic(tmp_path / "ok.xlsx")).run(actor=SYSTEM, dry_run=True)
    assert report.ok, report.messages()


# ---- through the web: the job, the upload on disk ---------------------------------------


@pytest.fixture
def clerk(settings, tmp_path):
    # The import task runs inside the request (django-tasks' immediate backend), not in a worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.VAR_DIR = tmp_path / "var"
    province = unit("LS", Kind.PROVINCE)
    return User.objects.create_user(
        "canbo", password="Grassroots@2026", scope=province, role=Role.CLERK
    )


def _upload(client, path, name=None):
    with open(path, "rb") as handle:
        data = io.BytesIO(handle.read())
    data.name = name or Path(path).name
    return client.post(reverse("excel:upload"), {"file": data})


def test_a_refused_upload_is_removed_and_writes_nothing(client, clerk, tmp_path, settings):
    client.force_login(clerk)
    before = (Unit.objects.count(), Member.objects.count(), AuditRecord.objects.count())
    response = _upload(client, far_cell(tmp_path / "far.xlsx", "XFD1048576"))
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == JobStatus.INVALID
    assert "vượt giới hạn" in job.errors[0]
    assert not Path(job.stored_path).exists()
    assert (Unit.objects.count(), Member.objects.count(), AuditRecord.objects.count()) == before
    assert client.get(reverse("excel:job", args=[job.pk])).status_code == 200


def test_an_upload_that_fails_is_removed(client, clerk, tmp_path, monkeypatch):
    client.force_login(clerk)

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("grassroots.excel.jobs.Importer.run", crash)
    path = workbook(tmp_path / "x.xlsx", {schema.MEMBERS.name: [headers(schema.MEMBERS)]})
    _upload(
        client, path
    )  # the task fails in the worker (here: the immediate backend), not the page
    job = ImportJob.objects.get()
    assert job.status == JobStatus.FAILED
    assert not Path(job.stored_path).exists()


def test_a_stored_upload_is_readable_by_its_owner_only(client, clerk, tmp_path):
    clerk.role = "approver"  # a new organization is an approver's change (issue 20 §2)
    clerk.save()
    client.force_login(clerk)
    path = workbook(
        tmp_path / "in.xlsx",
        {
            schema.ORGANIZATIONS.name: [
                headers(schema.ORGANIZATIONS),
                ["LS-X", "Chi bộ X", "Chi bộ cơ sở", "Khác", "LS", "01/01/2020"],
            ]
        },
    )
    _upload(client, path)
    job = ImportJob.objects.get()
    assert job.status == JobStatus.READY, job.errors
    mode = stat.S_IMODE(Path(job.stored_path).stat().st_mode)
    assert mode == 0o600
    assert stat.S_IMODE(Path(job.stored_path).parent.stat().st_mode) & 0o077 == 0
