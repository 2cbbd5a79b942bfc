"""The review report as a Word document (python-docx), laid out as a party document."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from ..review import Review
from .common import (
    ROMAN,
    chart_image,
    header,
    line_cells,
    line_headers,
    summary_title,
    table_cells,
    table_headers,
)

FONT = "Times New Roman"  # the font of party and state documents (ND 30/2020, HD 36)


def _paragraph(
    cell_or_doc, text, *, bold=False, italic=False, size=13, align=None, underline=False
):
    p = cell_or_doc.add_paragraph()
    run = p.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.size = Pt(size)
    if align is not None:
        p.alignment = align
    p.paragraph_format.space_after = Pt(0)
    return p


def _grid(doc, headers: list[str], rows: list[list[str]], widths: list[float]) -> None:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, label in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(label)
        run.bold, run.font.size = True, Pt(10)
    for values in rows:
        cells = table.add_row().cells
        for i, (cell, value) in enumerate(zip(cells, values, strict=True)):
            run = cell.paragraphs[0].add_run(value)
            run.font.size = Pt(10)
            if i >= len(values) - (len(headers) - 2) and i > 0:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = Cm(width)


def render_docx(review: Review) -> bytes:
    h = header(review)
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(13)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)

    top = doc.add_table(rows=1, cols=2)
    left, right = top.rows[0].cells
    left.text = right.text = ""
    left.paragraphs[0].text = h.superior
    left.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(left, h.committee, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(left, "*", align=WD_ALIGN_PARAGRAPH.CENTER)
    run = right.paragraphs[0].add_run(_("ĐẢNG CỘNG SẢN VIỆT NAM"))
    run.bold, run.underline, run.font.size = True, True, Pt(15)
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _paragraph(right, h.dateline, italic=True, size=13, align=WD_ALIGN_PARAGRAPH.RIGHT)

    _paragraph(doc, "", size=6)
    _paragraph(doc, h.title, bold=True, size=15, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc, h.subtitle, bold=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc, "-----", align=WD_ALIGN_PARAGRAPH.CENTER)

    doc.add_heading(f"{ROMAN[0]}. {summary_title()}", level=1)
    for paragraph in review.summary.split("\n\n"):
        p = doc.add_paragraph(paragraph)
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        p.paragraph_format.first_line_indent = Cm(1)
    for number, s in enumerate(review.sections, start=1):
        doc.add_heading(f"{ROMAN[number]}. {str(s.title).upper()}", level=1)
        _grid(doc, line_headers(review), [line_cells(x) for x in s.lines], [8, 2.6, 2.6, 2.6])
        for table in s.tables:
            doc.add_heading(str(table.title), level=2)
            n = len(table.columns)
            _grid(doc, table_headers(table), table_cells(table), [1.8, 4.5] + [9.7 / n] * n)
        for chart in s.charts:
            doc.add_picture(io.BytesIO(chart_image(chart, "png")), width=Cm(15.5))
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    out = io.BytesIO()
    doc.core_properties.title = f"{h.title} — {review.name}"
    doc.save(out)
    return out.getvalue()
