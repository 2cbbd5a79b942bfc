"""The review report on a small hand-made province: the same numbers as `figures()`, in every
format, the written summary, access and refusals. The demo's published figures are checked in
tests/test_demo_full.py (it reuses that module's full build)."""

import io
import json
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from grassroots.audit.models import AuditRecord
from grassroots.figures.queries import figures
from grassroots.organizations.models import Kind
from grassroots.organizations.queries import lifecycle_between
from grassroots.reports.review import build_review
from grassroots.restructure.services import unit_dissolve
from grassroots.territory.models import CellArrangement, VillageKind
from grassroots.territory.services import population_set, village_create

from .factories import SYSTEM, admit, d, event, unit
from .web_world import make_world

pytestmark = pytest.mark.django_db
SINCE, AT = d("2009-01-01"), d("2013-01-01")


@pytest.fixture
def world():
    w = make_world()
    village_create(
        actor=SYSTEM,
        code="V1",
        name="Thôn Bản Chắt",
        kind=VillageKind.THON,
        unit=w["G1"],
        arrangement=CellArrangement.JOINT,
        cell=w["C1"],
        date=d("2000-01-01"),
    )
    population_set(actor=SYSTEM, unit=w["G1"], year=2009, population=1000)
    extra = unit("C4", Kind.SUBORDINATE_CELL, w["G2"], date="2011-05-01", name="Chi bộ Bốn")
    admit(extra, "2011-06-01", full_name="Phạm Văn Dũng")
    gone = unit("C5", Kind.SUBORDINATE_CELL, w["G2"], date="2001-01-01", name="Chi bộ Năm")
    unit_dissolve(actor=SYSTEM, unit=gone, date=d("2012-03-01"))
    event(w["cuong"], "death", "2012-09-09")
    return w


def test_every_number_comes_from_figures(world):
    review = build_review(world["P"], SINCE, AT)
    data = review.as_json()["sections"]
    f = figures(world["P"], AT, SINCE)
    members = data["members"]["lines"]
    assert members["members"] == {
        "before": f.since.members,
        "after": f.members,
        "change": f.since.net_change,
    }
    assert members["died"]["change"] == f.since.died == 1
    assert members["admitted"]["change"] == f.since.admitted == 2
    orgs = data["organizations"]["lines"]
    assert orgs["subordinate_organizations"]["after"] == f.subordinate_organizations
    assert orgs["organizations_established"]["change"] == 2  # C2 (2010) and C4
    assert orgs["organizations_dissolve"]["change"] == 1  # C5
    # the per-child tables add up to the unit's own figures
    table = data["members"]["tables"][0]
    assert [r["code"] for r in table["rows"]] == ["D1", "D2"]
    assert table["totals"]["members_after"] == f.members
    assert table["totals"]["net_change"] == f.since.net_change
    # grassroots organizations by type sum to the ledger's count
    by_type = [v["after"] for k, v in orgs.items() if k.startswith("type_")]
    assert sum(by_type) == f.grassroots_organizations


def test_villages_section_only_when_there_are_villages(world):
    assert build_review(world["D1"], SINCE, AT).section("villages") is not None
    assert build_review(world["D2"], SINCE, AT).section("villages") is None


def test_lifecycle_counts_only_the_subtree_and_the_window():
    P = unit("P", Kind.PROVINCE)
    D1 = unit("D1", Kind.DISTRICT, P)
    D2 = unit("D2", Kind.DISTRICT, P)
    G = unit("G", Kind.GRASSROOTS_COMMITTEE, D1, date="2010-01-01")
    unit("H", Kind.GRASSROOTS_COMMITTEE, D2, date="2010-01-01")
    unit_dissolve(actor=SYSTEM, unit=G, date=d("2011-01-01"))
    assert lifecycle_between(D1, SINCE, AT) == {
        "established": 1,
        "merge": 0,
        "split": 0,
        "dissolve": 1,
        "ended": 0,
    }
    assert lifecycle_between(D1, d("2011-01-01"), AT)["dissolve"] == 0  # (since, at]: not counted
    assert lifecycle_between(D2, SINCE, AT)["dissolve"] == 0


def test_written_summary_in_vietnamese_and_english(world):
    review = build_review(world["P"], SINCE, AT)
    assert "từ 2 tổ chức cơ sở đảng nay có 2 tổ chức cơ sở đảng" in review.summary
    assert "Tổng số đảng viên từ 2 nay là 3 đồng chí (tăng 1)" in review.summary
    with translation.override("en"):
        english = build_review(world["P"], SINCE, AT).summary
    assert "Party members" in english and "đồng chí" not in english


def test_a_commission_changes_the_wording_without_code(world, tmp_path, settings):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "review_summary.txt").write_text(
        "Đảng viên: {{ members_before }} → {{ members_after }}.", encoding="utf-8"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]},
    ]
    assert build_review(world["P"], SINCE, AT).summary == "Đảng viên: 2 → 3."


def _run(*args):
    call_command("report", "review", *args)


def test_cli_writes_every_format(world, tmp_path):
    f = figures(world["P"], AT, SINCE)
    base = ["--unit", "P", "--since", "2009-01-01", "--at", "2013-01-01"]
    _run(
        *base,
        *[a for ext in ("json", "docx", "xlsx", "pdf") for a in ("--out", tmp_path / f"r.{ext}")],
    )
    assert AuditRecord.objects.filter(action="export").count() == 4  # one export per file
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["sections"]["members"]["lines"]["members"]["after"] == f.members
    from docx import Document

    doc = Document(str(tmp_path / "r.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in "\n".join(cells) and "TỈNH THỬ" in "\n".join(cells)
    assert "Tổng số đảng viên từ 2 nay là 3 đồng chí" in text
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "r.xlsx")
    ws = wb[str(data["sections"]["members"]["title"])[:31]]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    members_row = next(r for r in values if r[0] == "Đảng viên")
    assert members_row[1:4] == [2, 3, "=C3-B3"]  # numbers, and the change as a formula
    assert any(r[1] == "Tổng cộng" and str(r[3]).startswith("=SUM(") for r in values)
    pdf = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in pdf and "Đảng bộ xã Ấn Lạc" not in pdf  # a grandchild
    assert "Tổng số đảng viên từ 2 nay là 3 đồng chí" in " ".join(pdf.split())
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "r.pdf")], capture_output=True, check=True
    ).stdout.decode()
    # every font the text is set in is embedded (reportlab declares a standard Helvetica
    # resource on every document that no text uses)
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert {r[0].split("+")[-1] for r in rows if r[-5] == "yes"} >= {
        "DejaVuSerif",
        "DejaVuSerif-Bold",
    }
    assert [r[0] for r in rows if r[-5] != "yes"] in ([], ["Helvetica"])
    assert AuditRecord.objects.filter(action="export", object_id=str(world["P"].pk)).count() == 4


def test_cli_edited_summary_replaces_the_generated_one(world, tmp_path):
    edited = tmp_path / "summary.txt"
    edited.write_text("Đoạn đã sửa.\n\nĐoạn hai.", encoding="utf-8")
    out = tmp_path / "r.json"
    _run(
        "--unit",
        "P",
        "--since",
        "2009-01-01",
        "--at",
        "2013-01-01",
        "--out",
        str(out),
        "--summary-file",
        str(edited),
    )
    assert json.loads(out.read_text())["summary"] == "Đoạn đã sửa.\n\nĐoạn hai."


def test_cli_refusals(world, tmp_path):
    out = str(tmp_path / "r.json")
    with pytest.raises(CommandError, match="phạm vi"):
        _run(
            "--unit",
            "P",
            "--since",
            "2009-01-01",
            "--at",
            "2013-01-01",
            "--out",
            out,
            "--user",
            "clerk_d1",
        )
    with pytest.raises(CommandError, match="trước"):
        _run("--unit", "P", "--since", "2013-01-01", "--at", "2009-01-01", "--out", out)
    with pytest.raises(CommandError, match="đuôi"):
        _run("--unit", "P", "--since", "2009-01-01", "--at", "2013-01-01", "--out", "r.odt")
    with pytest.raises(CommandError, match="mỗi định dạng một tệp"):
        _run(
            "--unit",
            "P",
            "--since",
            "2009-01-01",
            "--at",
            "2013-01-01",
            "--out",
            "a.pdf",
            "--out",
            "b.pdf",
        )
    # the district clerk gets their own district
    _run(
        "--unit",
        "D1",
        "--since",
        "2009-01-01",
        "--at",
        "2013-01-01",
        "--out",
        out,
        "--user",
        "clerk_d1",
    )
    assert json.loads(open(out).read())["unit"]["code"] == "D1"


def test_edited_text_stays_text_in_the_workbook(world):
    """An edited summary or a name beginning with '=' is no live formula (issue 20 §10)."""
    from openpyxl import load_workbook

    from grassroots.audit.services import Actor
    from grassroots.reports.services import review_export

    _review, data = review_export(
        actor=Actor.system(), unit=world["P"], since=SINCE, at=AT, fmt="xlsx", summary="=1+1"
    )
    cell = next(
        c
        for row in load_workbook(io.BytesIO(data)).worksheets[0].iter_rows()
        for c in row
        if c.value == "=1+1"
    )
    assert cell.data_type == "s" and cell.quotePrefix


def test_statements_do_not_grow_with_the_children(world):
    """The per-child tables read once for all children (figures_by_unit, summary_by_unit,
    trend_by_unit, admissions_by_unit): three more children add no statement."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        build_review(world["G2"], SINCE, AT)
    for i in range(3):
        cell = unit(f"C9{i}", Kind.SUBORDINATE_CELL, world["G2"], date="2005-01-01")
        admit(cell, "2010-06-01", full_name=f"Người Thêm {i}")
    with CaptureQueriesContext(connection) as after:
        review = build_review(world["G2"], SINCE, AT)
    rows = review.section("members").tables[0].rows
    assert {"C90", "C91", "C92"} <= {r["code"] for r in rows}
    assert len(after.captured_queries) == len(before.captured_queries)
