"""The review report as PDF (reportlab), fonts embedded.

The fonts are the DejaVu faces shipped inside matplotlib (a pinned PyPI dependency), so the
PDF renders the same on any machine, needs no system font and no internet, and has every
Vietnamese diacritic. reportlab embeds (subsets of) TrueType fonts in the file.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    CondPageBreak,
    Image,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

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


@cache
def _fonts() -> tuple[str, str, str]:
    import matplotlib

    directory = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    for name, file in (
        ("DejaVuSerif", "DejaVuSerif.ttf"),
        ("DejaVuSerif-Bold", "DejaVuSerif-Bold.ttf"),
        ("DejaVuSerif-Italic", "DejaVuSerif-Italic.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, str(directory / file)))
    pdfmetrics.registerFontFamily(
        "DejaVuSerif", normal="DejaVuSerif", bold="DejaVuSerif-Bold", italic="DejaVuSerif-Italic"
    )
    return "DejaVuSerif", "DejaVuSerif-Bold", "DejaVuSerif-Italic"


# A heading starts a new page unless this much room is left: the heading and the first rows of
# the table under it (Word's "keep with next"). KeepTogether would move a whole long table.
KEEP_WITH_HEADING = 4 * cm


def _styles():
    regular, bold, italic = _fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=11, leading=14)
    return {
        "body": ParagraphStyle(
            "body", base, alignment=TA_JUSTIFY, firstLineIndent=1 * cm, spaceAfter=4
        ),
        "center": ParagraphStyle("center", base, alignment=TA_CENTER),
        "center_bold": ParagraphStyle("cb", base, fontName=bold, alignment=TA_CENTER),
        "motto": ParagraphStyle("motto", base, fontName=bold, fontSize=12, alignment=TA_RIGHT),
        "dateline": ParagraphStyle("dl", base, fontName=italic, alignment=TA_RIGHT),
        "title": ParagraphStyle(
            "title", base, fontName=bold, fontSize=15, leading=19, alignment=TA_CENTER
        ),
        "h1": ParagraphStyle("h1", base, fontName=bold, fontSize=12, spaceBefore=10, spaceAfter=4),
        "h2": ParagraphStyle("h2", base, fontName=bold, fontSize=10.5, spaceBefore=6, spaceAfter=3),
        "cell": ParagraphStyle("cell", base, fontSize=8.5, leading=10.5),
        "cell_head": ParagraphStyle("ch", base, fontName=bold, fontSize=8.5, leading=10.5),
        "num": ParagraphStyle("num", base, fontSize=8.5, leading=10.5, alignment=TA_RIGHT),
    }


def _table(headers, rows, widths, st, text_columns: int) -> Table:
    data = [[Paragraph(escape(h), st["cell_head"]) for h in headers]]
    for row in rows:
        data.append(
            [
                Paragraph(escape(v), st["cell"] if i < text_columns else st["num"])
                for i, v in enumerate(row)
            ]
        )
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def render_pdf(review: Review) -> bytes:
    st = _styles()
    h = header(review)
    width = A4[0] - 4.5 * cm
    story = []
    left = [Paragraph(escape(h.superior), st["center"])] if h.superior else []
    left += [Paragraph(escape(h.committee), st["center_bold"]), Paragraph("*", st["center"])]
    right = [
        Paragraph(f"<u>{escape(_('ĐẢNG CỘNG SẢN VIỆT NAM'))}</u>", st["motto"]),
        Spacer(1, 4),
        Paragraph(escape(h.dateline), st["dateline"]),
    ]
    story.append(Table([[left, right]], colWidths=[width * 0.45, width * 0.55]))
    story += [
        Spacer(1, 14),
        Paragraph(escape(h.title), st["title"]),
        Paragraph(escape(h.subtitle), st["center_bold"]),
        Paragraph("-----", st["center"]),
        Paragraph(f"{ROMAN[0]}. {escape(summary_title())}", st["h1"]),
    ]
    story += [Paragraph(escape(p), st["body"]) for p in review.summary.split("\n\n")]
    for number, s in enumerate(review.sections, start=1):
        story.append(CondPageBreak(KEEP_WITH_HEADING))
        story.append(Paragraph(f"{ROMAN[number]}. {escape(str(s.title).upper())}", st["h1"]))
        col = (width - 8 * cm) / 3
        story.append(
            _table(
                line_headers(review),
                [line_cells(x) for x in s.lines],
                [8 * cm, col, col, col],
                st,
                1,
            )
        )
        for t in s.tables:
            story.append(CondPageBreak(KEEP_WITH_HEADING))
            story.append(Paragraph(escape(str(t.title)), st["h2"]))
            n = len(t.columns)
            rest = (width - 5.5 * cm) / n
            story.append(
                _table(table_headers(t), table_cells(t), [1.8 * cm, 3.7 * cm] + [rest] * n, st, 2)
            )
        for chart in s.charts:
            png = chart_image(chart, "png")
            image = Image(io.BytesIO(png))
            scale = min(width / image.imageWidth, 9 * cm / image.imageHeight)
            image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
            story += [Spacer(1, 6), image]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=3 * cm,
        rightMargin=1.5 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=f"{h.title} — {review.name}",
        invariant=1,
        initialFontName=_fonts()[0],  # no unembedded Helvetica declared on the pages
    )
    doc.build(story)
    return out.getvalue()
