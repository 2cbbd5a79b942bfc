"""The PDF keeps a heading with the block under it: no page of the review report ends with a
section or table heading (a heading alone at a page foot, seen by eye in session 3)."""

import re
import subprocess

import pytest

from grassroots.organizations.models import Kind
from grassroots.reports.export.pdf import render_pdf
from grassroots.reports.review import Column, Review, Section, Table, flow_line

from .factories import d, unit

pytestmark = pytest.mark.django_db
HEADING = re.compile(r"^(?:[IVX]+\. [A-ZĐ ]+\d*|Bảng \d+)$")


def _review(p, sizes) -> Review:
    sections = []
    for i, (lines, rows) in enumerate(sizes, start=1):
        table = Table(
            f"Bảng {i}",
            [Column("a", "Cột A")],
            [{"code": f"C{j}", "name": f"Đơn vị {j}", "a": j} for j in range(rows)],
        )
        sections.append(
            Section(
                f"s{i}",
                f"Mục {i}",
                [flow_line(f"l{j}", f"Dòng {j}", j) for j in range(lines)],
                [table] if rows else [],
            )
        )
    return Review(p, "Đảng bộ tỉnh Thử", d("2009-01-01"), d("2013-01-01"), sections, "Tóm tắt.")


def _page_ends(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")[:-1]
    return [next(x.strip() for x in reversed(page.splitlines()) if x.strip()) for page in pages]


def test_no_page_ends_with_a_heading(tmp_path):
    p = unit("P", Kind.PROVINCE, name="Đảng bộ tỉnh Thử")
    pages = 0
    # sections of every size, so that headings fall at every height of a page
    for shift in range(6):
        sizes = [((k * 7 + shift * 3) % 23 + 1, (k * 5 + shift) % 17) for k in range(11)]
        ends = _page_ends(render_pdf(_review(p, sizes)), tmp_path)
        pages += len(ends)
        assert not [e for e in ends if HEADING.match(e)], ends
    assert pages >= 12  # the layouts do break pages
