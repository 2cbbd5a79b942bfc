"""Writing workbooks with openpyxl: import templates, and sheets of rows for exports.

Dates are written as real dates (dd/mm/yyyy format), numbers as numbers, headers frozen and
filterable (autofilter) in every export — `write_xlsx`, or `filter_and_freeze` for a module's
own worksheet.
Big exports use openpyxl's write-only mode so memory stays flat.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from . import schema
from .injection import escaped

DATE_FORMAT = "DD/MM/YYYY"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
REQUIRED_FILL = PatternFill("solid", fgColor="F6D5A8")
EXAMPLE_FONT = Font(italic=True, color="7F7F7F")
TITLE_FONT = Font(bold=True, size=13)
TEXT_COLUMNS = {
    "profile_number",
    "citizen_id",
    "card_number",
    "code",
    "unit",
    "parent",
    "target",
    "cell",
}
VALIDATION_ROWS = 20000
LISTS_SHEET = "Danh mục"
GUIDE_SHEET = "Hướng dẫn"


def _type_label(column: schema.Column) -> str:
    return {
        schema.DATE: "Ngày (dd/mm/yyyy)",
        schema.INT: "Số nguyên",
        schema.CODE: "Chọn trong danh sách",
        schema.TEXT: "Văn bản",
    }[column.type]


def _guide(ws, sheets: tuple[schema.Sheet, ...]) -> None:
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 12
    ws.column_dimensions["C"].width = 22
    ws.column_dimensions["D"].width = 90
    lines = [
        ("Mẫu nhập dữ liệu Grassroots", TITLE_FONT),
        (
            "Cách dùng: nhập mỗi bản ghi trên một dòng, dưới dòng tiêu đề. Không đổi tên sheet hay tên cột, không gộp ô, "
            "không dùng công thức. Ngày nhập dạng dd/mm/yyyy (hoặc ô kiểu ngày của Excel). Các cột có danh sách chọn "
            "nhận cả mã lẫn tên, không phân biệt chữ hoa/thường. Các dòng chữ nghiêng màu xám là ví dụ: hãy xóa "
            "trước khi nhập.",
            None,
        ),
        (
            "Nhập là “tất cả hoặc không”: nếu có bất kỳ dòng nào sai, không dòng nào được ghi, và hệ thống liệt kê "
            "mọi lỗi kèm sheet, dòng, cột. Nhập lại cùng một tệp không làm thay đổi gì: bản ghi được nhận ra theo mã "
            "(mã tổ chức, số lý lịch...). Ô để trống không xóa dữ liệu đã có.",
            None,
        ),
        ("Cột tô màu cam là bắt buộc.", None),
    ]
    for text, font in lines:
        ws.append([text])
        if font:
            ws.cell(ws.max_row, 1).font = font
        ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=False)
    for sheet in sheets:
        ws.append([])
        ws.append([f"Sheet “{sheet.name}”"])
        ws.cell(ws.max_row, 1).font = Font(bold=True, size=12)
        ws.append([sheet.help])
        ws.append([f"Bản ghi được nhận ra theo: {sheet.key}."])
        ws.append(["Cột", "Bắt buộc", "Kiểu", "Ghi chú"])
        for cell in ws[ws.max_row]:
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
        for column in sheet.columns:
            note = column.help
            if column.codes:
                note = (
                    (note + " " if note else "")
                    + "Giá trị: "
                    + "; ".join(column.codes.labels())
                    + "."
                )
            ws.append([column.header, "Có" if column.required else "", _type_label(column), note])
            ws.cell(ws.max_row, 4).alignment = Alignment(wrap_text=True, vertical="top")


def _lists(wb) -> dict[str, str]:
    """A hidden sheet holding each code list; returns list name → range formula."""
    ws = wb.create_sheet(LISTS_SHEET)
    ranges = {}
    for index, codes in enumerate(schema.ALL_CODES, start=1):
        letter = get_column_letter(index)
        ws.cell(1, index, codes.name).font = HEADER_FONT
        for row, label in enumerate(codes.labels(), start=2):
            ws.cell(row, index, label)
        ws.column_dimensions[letter].width = max(len(x) for x in codes.labels()) + 2
        ranges[codes.name] = (
            f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(codes.labels()) + 1}"
        )
    ws.sheet_state = "hidden"
    return ranges


def template_workbook(kind: str = "all", examples: bool = True) -> Workbook:
    sheets = schema.sheets_for(kind)
    wb = Workbook()
    _guide(wb.active, sheets)
    wb.active.title = GUIDE_SHEET
    data_sheets = []
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        data_sheets.append((ws, sheet))
        ws.append([c.header for c in sheet.columns])
        for index, column in enumerate(sheet.columns, start=1):
            cell = ws.cell(1, index)
            cell.font = HEADER_FONT
            cell.fill = REQUIRED_FILL if column.required else HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            letter = get_column_letter(index)
            ws.column_dimensions[letter].width = max(column.width, len(column.header) * 0.9)
            if column.field in TEXT_COLUMNS:
                ws.column_dimensions[letter].number_format = "@"
            elif column.type == schema.DATE:
                ws.column_dimensions[letter].number_format = DATE_FORMAT
        ws.freeze_panes = "A2"
        if examples:
            for example in sheet.examples:
                values = []
                for column, value in zip(sheet.columns, example, strict=False):
                    if column.type == schema.DATE and isinstance(value, str) and value:
                        value = dt.datetime.strptime(value, "%d/%m/%Y").date()
                    values.append(value if value != "" else None)
                ws.append(values)
                for index, column in enumerate(sheet.columns, start=1):
                    cell = ws.cell(ws.max_row, index)
                    cell.font = EXAMPLE_FONT
                    if column.type == schema.DATE:
                        cell.number_format = DATE_FORMAT
                    elif column.field in TEXT_COLUMNS:
                        cell.number_format = "@"
    ranges = _lists(wb)
    for ws, sheet in data_sheets:
        for index, column in enumerate(sheet.columns, start=1):
            letter = get_column_letter(index)
            if column.codes:
                dv = DataValidation(
                    type="list",
                    formula1=ranges[column.codes.name],
                    allow_blank=not column.required,
                    showErrorMessage=True,
                    errorTitle="Giá trị không hợp lệ",
                    error=f"Chọn {column.header.lower()} trong danh sách.",
                )
                dv.add(f"{letter}2:{letter}{VALIDATION_ROWS}")
                ws.add_data_validation(dv)
            elif column.type == schema.DATE:
                dv = DataValidation(
                    type="date",
                    operator="greaterThan",
                    formula1="1",
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle="Ngày không hợp lệ",
                    error="Nhập ngày dạng dd/mm/yyyy.",
                )
                dv.add(f"{letter}2:{letter}{VALIDATION_ROWS}")
                ws.add_data_validation(dv)
    return wb


# ---- rows → xlsx / csv ---------------------------------------------------------------


class SheetData:
    """A sheet to export: title lines, headers, rows (values typed: date, int, float, str)."""

    def __init__(
        self,
        name: str,
        headers: list[str],
        rows: Iterable[list],
        *,
        titles: list[str] | None = None,
        widths: list[int] | None = None,
        percent_columns: set[int] | None = None,
    ) -> None:
        self.name, self.headers, self.rows = name, headers, rows
        self.titles = titles or []
        self.widths = widths or []
        self.percent_columns = percent_columns or set()


def write_xlsx(sheets: list[SheetData], target) -> None:
    """Write-only workbook: flat memory even for a whole province."""
    wb = Workbook(write_only=True)
    for data in sheets:
        ws = wb.create_sheet(data.name[:31])
        for index in range(len(data.headers)):
            width = (
                data.widths[index]
                if index < len(data.widths)
                else max(12, len(data.headers[index]) + 2)
            )
            ws.column_dimensions[get_column_letter(index + 1)].width = width
        header_row = len(data.titles) + (2 if data.titles else 1)
        ws.freeze_panes = f"A{header_row + 1}"
        for i, title in enumerate(data.titles):
            cell = escaped(title, ws)
            if isinstance(cell, str):
                cell = WriteOnlyCell(ws, value=title)
            cell.font = TITLE_FONT if i == 0 else Font(italic=True)
            ws.append([cell])
        if data.titles:
            ws.append([])
        header = []
        for text in data.headers:
            cell = WriteOnlyCell(ws, value=text)
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            header.append(cell)
        ws.append(header)
        last_row = header_row
        for row in data.rows:
            last_row += 1
            out = []
            for index, value in enumerate(row):
                if isinstance(value, dt.date):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = DATE_FORMAT
                    out.append(cell)
                elif index in data.percent_columns and isinstance(value, int | float):
                    cell = WriteOnlyCell(ws, value=value / 100)
                    cell.number_format = "0.0%"
                    out.append(cell)
                elif isinstance(value, int) and not isinstance(value, bool) and value >= 1000:
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = "#,##0"
                    out.append(cell)
                else:
                    out.append(escaped(value, ws))  # text: never a live formula
            ws.append(out)
        if data.headers:
            # Every export opens as a table a clerk can filter (issue 11 §8); written in the
            # sheet's tail, so the write-only mode needs only the last row, known by now.
            ws.auto_filter.ref = table_range(header_row, len(data.headers), last_row)
    wb.save(target)


def table_range(header_row: int, columns: int, last_row: int) -> str:
    return f"A{header_row}:{get_column_letter(columns)}{max(last_row, header_row)}"


def filter_and_freeze(ws, header_row: int = 1) -> None:
    """The finish of every exported table on an ordinary (not write-only) worksheet, like
    `write_xlsx`'s: the header row frozen and an autofilter over the header and the rows."""
    ws.freeze_panes = f"A{header_row + 1}"
    if ws.max_column:
        ws.auto_filter.ref = table_range(header_row, ws.max_column, ws.max_row)


def finish_tables(wb) -> None:
    """`filter_and_freeze` on every sheet of a module's export whose header is its first row."""
    for ws in wb.worksheets:
        filter_and_freeze(ws)


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str):
        return escaped(value)  # never a live formula (OWASP CSV injection)
    return str(value)


def write_csv(data: SheetData, target: io.TextIOBase, *, with_titles: bool = True) -> None:
    """UTF-8 with BOM so that Excel opens Vietnamese text correctly."""
    target.write("\ufeff")
    writer = csv.writer(target)
    if with_titles:
        for title in data.titles:
            writer.writerow([_csv_value(title)])
        if data.titles:
            writer.writerow([])
    writer.writerow(data.headers)
    for row in data.rows:
        writer.writerow([_csv_value(v) for v in row])
