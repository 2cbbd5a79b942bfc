"""The member development section of the review report: the numbers of development-summary
(one fact, one count), the pipeline at both dates, per child, and every export format."""

import json
import subprocess

import pytest
from django.core.management import call_command

from grassroots.development import queries
from grassroots.development.models import Candidate
from grassroots.figures.queries import figures
from grassroots.reports.review import build_review

from .development_world import admit_through, propose, world
from .factories import d as _d
from .factories import event

pytestmark = pytest.mark.django_db
SINCE, AT = "2023-12-31", "2024-12-31"


@pytest.fixture
def w():
    w = world()
    admit_through(w, propose(w.c1, religion="Phật giáo", occupation="Nông dân"))
    propose(w.c2, full_name="Lý Văn Chờ", on="2024-03-01")
    return w


def test_section_holds_the_summary_numbers(w):
    review = build_review(w.p, _d(SINCE), _d(AT))
    section = review.as_json()["sections"]["development"]
    lines = section["lines"]
    summary = queries.summary(w.p, _d(AT), _d(SINCE))
    assert lines["admitted"]["change"] == summary.admitted == 1
    assert figures(w.p, _d(AT), _d(SINCE)).since.admitted == 1
    for key in ("women", "ethnic_minority", "religious", "youth_union", "age_18_30"):
        assert lines[key]["change"] == summary.admitted_by[key] == 1
    assert lines["occupation_farmer"]["change"] == summary.admitted_by["occupation:farmer"] == 1
    assert lines["average_age"]["after"] == summary.average_age_at_admission
    # pipeline: nothing open at the start, the waiting case at the end (the admitted one is
    # a probationer, still in the pipeline until recognition)
    assert lines["pipeline"]["before"] == 0
    assert lines["pipeline"]["after"] == sum(summary.stages.values()) == 2
    assert lines["stage_proposed"]["after"] == summary.stages["proposed"] == 1
    # the per-child table sums to the unit's own numbers
    table = section["tables"][0]
    assert [r["code"] for r in table["rows"]] == ["G", "X"]
    assert table["totals"]["admitted"] == 1 and table["totals"]["pipeline_after"] == 2


def test_section_absent_without_cases_or_admissions(w):
    assert build_review(w.x, _d(SINCE), _d(AT)).section("development") is None
    assert build_review(w.p, _d("2011-01-01"), _d("2012-01-01")).section("development") is None


def test_every_format_carries_the_section(w, tmp_path):
    for ext in ("json", "docx", "xlsx", "pdf"):
        out = tmp_path / f"r.{ext}"
        call_command("report", "review", "--unit=P", f"--since={SINCE}", f"--at={AT}",
                     f"--out={out}")  # fmt: skip
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["sections"]["development"]["lines"]["admitted"]["change"] == 1
    from docx import Document
    from openpyxl import load_workbook

    doc = Document(tmp_path / "r.docx")
    assert any("PHÁT TRIỂN ĐẢNG VIÊN" in p.text.upper() for p in doc.paragraphs)
    assert len(doc.inline_shapes) >= 1
    wb = load_workbook(tmp_path / "r.xlsx")
    sheet = wb["Phát triển đảng viên"]
    rows = {str(r[0]).strip("\u00a0 "): r for r in sheet.iter_rows(values_only=True) if r[0]}
    assert rows["Kết nạp đảng viên"][3] == 1
    assert rows["Tuổi bình quân khi kết nạp"][2] == 23.0
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "PHÁT TRIỂN ĐẢNG VIÊN" in text and "Tuổi bình quân khi kết nạp" in text


def test_english_catalogue_has_the_development_strings():
    from django.utils import translation

    from grassroots.development.models import Stage

    with translation.override("en"):
        assert str(Stage.DECIDED.label) == "Decided, awaiting the ceremony"
        assert translation.gettext("Bảng theo dõi phát triển đảng viên") == (
            "Member development board"
        )
        assert translation.gettext("Tuổi bình quân khi kết nạp") == "Average age at admission"


def test_per_child_numbers_read_once_equal_each_child_read_alone(w):
    """The per-child table reads the admissions and open cases once for all children
    (admissions_by_unit, pipeline_by_child); each child's numbers are those of the row-by-row
    count (`_admissions_by_row`) and pipeline_counts() for that child alone — also for nested
    units (G and its cell C1), where one admission counts for both."""
    windows = [
        ("2023-12-31", "2024-12-31"),
        ("2010-01-01", "2024-12-31"),
        ("2024-06-01", "2024-06-30"),
    ]
    for children in ([w.g, w.x], [w.c1, w.c2, w.x], [w.g, w.c1], [w.p]):
        for since, at in windows:
            alone = {c.pk: queries._admissions_by_row(c, _d(since), _d(at)) for c in children}
            assert queries.admissions_by_unit(children, _d(since), _d(at)) == alone
            for day in (since, at):
                alone = {c.pk: queries.pipeline_counts(c, _d(day)) for c in children}
                assert queries.pipeline_by_child(children, _d(day)) == alone
    # the numbers are not all zero: the test compares something
    both = queries.admissions_by_unit([w.g, w.c1], _d(SINCE), _d(AT))
    assert both[w.g.pk].admitted == both[w.c1.pk].admitted == 1
    assert sum(queries.pipeline_by_child([w.g, w.x], _d(AT))[w.g.pk].values()) == 2
    # a probationer who transfers is followed to the new cell (pipeline_counts' placement)
    probationer = Candidate.objects.get(member__isnull=False).member
    event(probationer, "transfer", "2024-11-01", unit=w.x)
    for day in ("2024-10-31", "2024-11-01", "2024-12-31"):
        for children in ([w.g, w.x], [w.c1, w.c2, w.x], [w.g, w.c1]):
            alone = {c.pk: queries.pipeline_counts(c, _d(day)) for c in children}
            assert queries.pipeline_by_child(children, _d(day)) == alone, day
    moved = queries.pipeline_by_child([w.g, w.x], _d(AT))
    assert moved[w.x.pk]["probation"] == 1 and moved[w.g.pk]["probation"] == 0
