"""The full demo province reproduces the figures Lạng Sơn published (issue 2, point 6).

The whole province is built once for this module (about 90,000 members); the figures come out of
`figures.queries.figures` like for any other data.
"""

import datetime as dt
import time

import pytest
from django.core.management import call_command

from grassroots.demo.build import build_demo
from grassroots.figures.queries import figures
from grassroots.members.models import MemberEvent
from grassroots.organizations.models import Unit

pytestmark = pytest.mark.django_db

D1, D2 = dt.date(2008, 2, 2), dt.date(2019, 2, 23)


@pytest.fixture(scope="module")
def full_demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        started = time.monotonic()
        cpu = time.process_time()
        result = build_demo()
        result["seconds"] = time.monotonic() - started
        result["cpu_seconds"] = time.process_time() - cpu
        print(
            f"\nfull demo build: {result['seconds']:.1f} s wall, {result['cpu_seconds']:.1f} s CPU in this "
            f"process, phases {result['timings']}, rows {result['counts']}"
        )
        yield result
        call_command("flush", interactive=False, verbosity=0)


def test_province_figures_on_the_resolution_date(full_demo):
    f = figures(Unit.objects.get(code="LS"), D1)
    assert (f.grassroots_organizations, f.subordinate_organizations, f.members) == (
        731,
        3098,
        41201,
    )


def test_province_figures_in_2019_and_the_change_since(full_demo):
    f = figures(Unit.objects.get(code="LS"), D2, since=D1)
    assert (f.grassroots_organizations, f.subordinate_organizations, f.members) == (
        800,
        3664,
        61491,
    )
    assert f.since.members == 41201 and f.since.net_change == 20290
    flows = f.since
    assert flows.admitted > 15000 and flows.died > 1000 and flows.readmitted > 0


def test_dinh_lap_share_of_population_and_villages(full_demo):
    dinh_lap = Unit.objects.get(code="LS-H189")
    f = figures(dinh_lap, D2)
    assert round(100 * f.members / f.population, 1) == 8.9
    assert (f.villages, f.villages_own_cell, f.villages_joint_cell) == (214, 118, 6)
    then = figures(dinh_lap, D1)
    assert (then.villages, then.villages_own_cell, then.villages_joint_cell) == (214, 76, 49)


def test_the_2025_reorganization(full_demo):
    reorg = dt.date(2025, 7, 1)
    assert not Unit.objects.filter(code__regex=r"^LS-H\d{3}$", ended__isnull=True).exists()
    assert Unit.objects.filter(code__regex=r"^LS-XM\d{5}$", established=reorg).count() == 65
    f = figures(Unit.objects.get(code="LS"), dt.date(2026, 11, 27), since=dt.date(2025, 6, 30))
    assert f.since.members > 60000 and f.members > 60000
    # members of an old chi bộ cơ sở commune were moved to a cell of the new commune
    assert MemberEvent.objects.filter(kind="restructure", date=reorg).exists()


def test_the_written_tree_obeys_the_organization_rules(full_demo):
    """Every version sits, for all of its validity, under a parent that exists and may hold it."""
    from collections import defaultdict

    from grassroots.organizations.models import ALLOWED_PARENTS, UnitVersion

    far = dt.date(9999, 12, 31)
    versions = defaultdict(list)
    rows = UnitVersion.objects.order_by("unit_id", "valid_from").values_list(
        "unit_id", "valid_from", "valid_to", "kind", "parent_id"
    )
    for unit_id, start, end, kind, parent in rows:
        versions[unit_id].append((start, end or far, kind, parent))
    problems = []
    for unit_id, own in versions.items():
        for start, end, kind, parent in own:
            if parent is None:
                continue
            covered = start
            for p_start, p_end, p_kind, _ in versions[parent]:
                if p_start <= covered < p_end:
                    if p_kind not in ALLOWED_PARENTS[kind]:
                        break
                    covered = p_end
            if covered < end:
                problems.append((unit_id, start, parent))
    assert problems == []


def test_build_time_is_reported(full_demo):
    # Not a hard limit (the machine is shared), but a gross regression fails here.
    assert full_demo["cpu_seconds"] < 240


@pytest.fixture(scope="module")
def rated_demo(full_demo, django_db_blocker):
    """The demo with the ratings of 2008 and 2017 (seeded once for the tests that read them)."""
    from grassroots.assessments.demo import seed_demo_ratings
    from grassroots.assessments.schemes import ensure_schemes

    with django_db_blocker.unblock():
        ensure_schemes()  # an earlier test may have flushed the migration's rows
        return seed_demo_ratings("LS", seed=2008, years=[2008, 2017])


def test_published_rating_shares_of_2008_and_2017(rated_demo):
    """Issue 6: 45,55% of grassroots organizations "trong sạch, vững mạnh" in 2008, 56,05% in
    2017. The demo's organization counts at those year ends admit these shares exactly."""
    from grassroots.assessments.queries import summary

    province = Unit.objects.get(code="LS")
    assert [r.year for r in rated_demo] == [2008, 2017]
    shares = {year: summary(province, year).as_json() for year in (2008, 2017)}
    assert shares[2008]["organizations_top_pct"] == 45.55
    assert shares[2017]["organizations_top_pct"] == 56.05
    assert shares[2008]["not_rated_organizations"] == shares[2017]["not_rated_organizations"] == 0


def _report_texts(tmp_path, code: str) -> dict[str, str]:
    """The review report of `code` between D1 and D2 written by the CLI in its four formats,
    each read back as text (JSON as is, DOCX paragraphs and cells, XLSX cell values as they
    are stored, PDF through pdftotext)."""
    import subprocess

    from docx import Document
    from openpyxl import load_workbook

    outs = {ext: tmp_path / f"{code}.{ext}" for ext in ("json", "docx", "xlsx", "pdf")}
    # One CLI call: the report is counted once and written in the four formats.
    args = ["report", "review", "--unit", code, "--since", str(D1), "--at", str(D2)]
    call_command(*args, *[part for out in outs.values() for part in ("--out", str(out))])
    texts = {}
    for ext, out in outs.items():
        if ext == "json":
            texts[ext] = out.read_text(encoding="utf-8")
        elif ext == "docx":
            doc = Document(str(out))
            cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
            texts[ext] = "\n".join([p.text for p in doc.paragraphs] + cells)
        elif ext == "xlsx":
            wb = load_workbook(out)
            texts[ext] = [[c.value for c in row] for ws in wb.worksheets for row in ws.iter_rows()]
        else:
            pdf = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True)
            texts[ext] = " ".join(pdf.stdout.decode().split())
    return texts


def test_review_report_of_the_province(rated_demo, tmp_path):
    """Issue 18: the LS review report 2008-02-02 → 2019-02-23 in DOCX, XLSX, PDF and JSON."""
    import json

    texts = _report_texts(tmp_path, "LS")
    data = json.loads(texts["json"])["sections"]
    orgs, members = data["organizations"]["lines"], data["members"]["lines"]
    assert orgs["grassroots_organizations"] == {"before": 731, "after": 800, "change": 69}
    assert orgs["subordinate_organizations"] == {"before": 3098, "after": 3664, "change": 566}
    assert members["members"] == {"before": 41201, "after": 61491, "change": 20290}
    ratings = data["ratings"]["lines"]
    assert ratings["top_pct_2008"]["after"] == 45.55 and ratings["top_pct_2017"]["after"] == 56.05
    for fmt in ("docx", "pdf"):
        text = texts[fmt]
        for shown in (
            "731",
            "800",
            "3.098",
            "3.664",
            "+566",
            "61.491",
            "+20.290",
            "45,55%",
            "56,05%",
        ):
            assert shown in text, (fmt, shown)
        assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
        assert "từ 3.098 tổ chức đảng trực thuộc đảng ủy cơ sở nay có 3.664 (tăng 566)" in text
        assert "từ 45,55% năm 2008 lên 56,05% năm 2017" in text
    rows = texts["xlsx"]
    assert ["Tổ chức cơ sở đảng", 731, 800] == rows_by_label(rows, "Tổ chức cơ sở đảng")[:3]
    assert [3098, 3664] == rows_by_label(rows, "Tổ chức đảng trực thuộc đảng ủy cơ sở")[1:3]
    assert [41201, 61491] == rows_by_label(rows, "Đảng viên")[1:3]
    assert rows_by_label(rows, "Tăng (giảm) đảng viên")[3] == 20290
    shares = [r[2] for r in rows if r and str(r[0]).startswith("Tỷ lệ TCCS")]
    assert shares == [45.55, 56.05]


def rows_by_label(rows, label):
    return next(r for r in rows if r and r[0] == label)


def test_review_report_of_dinh_lap_villages(full_demo, tmp_path):
    import json

    texts = _report_texts(tmp_path, "LS-H189")
    data = json.loads(texts["json"])["sections"]
    villages = data["villages"]["lines"]
    assert villages["villages"]["after"] == 214
    assert (villages["villages_own_cell"]["before"], villages["villages_own_cell"]["after"]) == (
        76,
        118,
    )
    assert (
        villages["villages_joint_cell"]["before"],
        villages["villages_joint_cell"]["after"],
    ) == (49, 6)
    for fmt in ("docx", "pdf"):
        text = texts[fmt]
        assert "Trên tổng số 214 thôn, bản, tổ dân phố, số có chi bộ độc lập từ 76 lên 118" in text
        assert "số sinh hoạt ghép từ 49 còn 6" in text
        assert "chiếm 8,9% dân số" in text
    assert [76, 118] == rows_by_label(texts["xlsx"], "\u00a0" * 4 + "Có chi bộ độc lập")[1:3]


def test_member_structure_of_the_province_sums_to_the_total(full_demo):
    """Issue 18: every statistics breakdown of the demo province sums to its 61.491 members,
    and the demo's free-text profile values all map to a coded category."""
    from grassroots.members.structure import DIMENSIONS, member_structure

    province = Unit.objects.get(code="LS")
    for dimension in DIMENSIONS:
        s = member_structure(province, D2, [dimension], children=dimension == "age")
        assert s.total == sum(s.cells.values()) == 61491, dimension
        assert not any(s.unmapped.values()), (dimension, s.unmapped)
        if s.children:
            assert sum(total for *_, total, _cells in s.children) == 61491
    crossed = member_structure(province, D2, ["ethnic_group", "seniority"])
    assert sum(crossed.cells.values()) == 61491
