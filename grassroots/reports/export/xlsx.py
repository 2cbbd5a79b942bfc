"""The review report as a workbook: one sheet per section, real numbers, formulas for totals."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from grassroots.excel.injection import escaped

from ..review import INT, Review
from .common import header, line_headers

_NUMBER = {INT: "#,##0", "pct1": "0.0", "pct2": "0.00", "dec1": "0.0"}


def _sheet_name(title: str, used: set[str]) -> str:
    name = "".join(ch for ch in str(title) if ch not in "[]:*?/\\")[:31]
    base, i = name, 2
    while name in used:
        name = f"{base[:28]}({i})"
        i += 1
    used.add(name)
    return name


def _text(value, ws):
    """Text from the register (names, the edited summary) stays text, never a live formula
    (issue 20 §10); the report's own totals and changes are written as formulas on purpose."""
    return escaped(value, ws)


def render_xlsx(review: Review) -> bytes:
    h = header(review)
    wb = Workbook()
    summary = wb.active
    summary.title = _("Tóm tắt")[:31]
    used = {summary.title}
    summary["A1"] = h.committee
    summary["A2"] = h.subtitle
    summary["A1"].font = summary["A2"].font = Font(bold=True)
    summary.append([])
    for paragraph in review.summary.split("\n\n"):
        summary.append([_text(paragraph, summary)])
        summary.cell(row=summary.max_row, column=1).alignment = Alignment(wrap_text=True)
    summary.column_dimensions["A"].width = 120
    for s in review.sections:
        ws = wb.create_sheet(_sheet_name(s.title, used))
        ws.append([str(s.title).upper()])
        ws["A1"].font = Font(bold=True)
        ws.append(line_headers(review))
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for line in s.lines:
            label = "\u00a0" * 4 * line.level + str(line.label)
            ws.append([_text(label, ws), line.before, line.after, None])
            row = ws.max_row
            if line.before is not None and line.after is not None:
                # a stock's change is the difference of the two cells, kept live for edits
                ws.cell(row=row, column=4, value=f"=C{row}-B{row}")
            else:
                ws.cell(row=row, column=4, value=line.change)
            for col in (2, 3, 4):
                ws.cell(row=row, column=col).number_format = _NUMBER[line.fmt]
        for table in s.tables:
            ws.append([])
            ws.append([str(table.title)])
            ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
            ws.append(
                [str(table.head[0]), str(table.head[1]), *(str(c.label) for c in table.columns)]
            )
            for cell in ws[ws.max_row]:
                cell.font = Font(bold=True)
            first = ws.max_row + 1
            for r in table.rows:
                ws.append(
                    [
                        _text(r["code"], ws),
                        _text(r["name"], ws),
                        *(r.get(c.key) for c in table.columns),
                    ]
                )
                for i, c in enumerate(table.columns, start=3):
                    ws.cell(row=ws.max_row, column=i).number_format = _NUMBER[c.fmt]
            last = ws.max_row
            if any(c.total for c in table.columns) and len(table.rows) > 1:
                ws.append(["", _("Tổng cộng")])
                total_row = ws.max_row
                ws.cell(row=total_row, column=2).font = Font(bold=True)
                for i, c in enumerate(table.columns, start=3):
                    if c.total:
                        letter = get_column_letter(i)
                        cell = ws.cell(
                            row=total_row, column=i, value=f"=SUM({letter}{first}:{letter}{last})"
                        )
                        cell.font, cell.number_format = Font(bold=True), _NUMBER[INT]
        ws.column_dimensions["A"].width = 60
        for col in range(2, 12):
            ws.column_dimensions[get_column_letter(col)].width = 16
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
