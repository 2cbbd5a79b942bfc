"""Opening what a user uploads: an .xlsx workbook (read with python-calamine) or a CSV file.

Anything else, an old .xls, a renamed PDF, an empty file, gets one clear Vietnamese message
(`FileRefused`) instead of a traceback. Header cells are matched to the import format here;
values are typed and validated by the importer.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import python_calamine

from grassroots.core.text import clean, fold

from .limits import FileRefused, Limits, check_csv, check_package, check_part
from .schema import Sheet, sheet_by_name, sheets

HEADER_SEARCH_ROWS = 10  # title rows above the header are allowed (our own exports have them)
MAX_FORMULAS_REPORTED = 20


__all__ = ["FileRefused", "Opened", "Problem", "RawSheet", "open_file"]


@dataclass
class Problem:
    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if not self.sheet:
            return f"Tệp: {self.message}"
        where = f"Sheet {self.sheet}"
        if self.row is not None:
            where += f", dòng {self.row}"
        if self.column:
            where += f", cột {self.column}"
        return f"{where}: {self.message}"


@dataclass
class RawSheet:
    """One sheet of the import format found in the file, with its header matched."""

    sheet: Sheet
    title: str
    header_row: int  # 1-based row number of the header
    positions: dict[str, int]  # field → index in a row
    _rows: object = None
    problems: list[Problem] = field(default_factory=list)
    height: int = 0

    def rows(self) -> Iterator[tuple[int, list]]:
        """(row number as the user sees it, cells) for each non-empty data row."""
        header = self.header_row
        for number, cells in self._rows():
            # (count() compares in C: a row is empty when every cell is "" or None)
            if number > header and cells.count("") + cells.count(None) < len(cells):
                yield number, cells


@dataclass
class Opened:
    sheets: list[RawSheet]
    problems: list[Problem]
    format: str  # "xlsx" or "csv"


def _match_header(
    sheet: Sheet, cells: list, title: str, row: int
) -> tuple[dict[str, int], list[Problem]]:
    by_header = {fold(c.header): c for c in sheet.columns}
    positions: dict[str, int] = {}
    problems: list[Problem] = []
    for index, cell in enumerate(cells):
        text = fold(clean(str(cell))) if cell not in (None, "") else ""
        column = by_header.get(text)
        if column is None:
            continue
        if column.field in positions:
            problems.append(
                Problem(title, row, column.header, "cột này xuất hiện hai lần trong dòng tiêu đề.")
            )
        positions[column.field] = index
    for column in sheet.columns:
        if column.required and column.field not in positions:
            problems.append(
                Problem(
                    title,
                    None,
                    None,
                    f"thiếu cột “{column.header}” (dòng tiêu đề phải có cột này).",
                )
            )
    return positions, problems


def _find_header(sheet: Sheet, first_rows: list[tuple[int, list]]) -> tuple[int, list] | None:
    key = fold(sheet.columns[0].header)
    for number, cells in first_rows:
        if any(fold(clean(str(c))) == key for c in cells if c not in (None, "")):
            return number, cells
    return None


def _sheet_from_rows(sheet: Sheet, title: str, row_source, height: int) -> RawSheet:
    first = []
    for number, cells in row_source():
        first.append((number, cells))
        if len(first) >= HEADER_SEARCH_ROWS:
            break
    if not any(any(c not in ("", None) for c in cells) for _, cells in first):
        raw = RawSheet(sheet, title, 0, {}, row_source, height=height)
        raw.problems.append(
            Problem(title, None, None, "sheet trống: không có dòng tiêu đề và không có dữ liệu.")
        )
        return raw
    found = _find_header(sheet, first)
    if found is None:
        raw = RawSheet(sheet, title, 0, {}, row_source, height=height)
        raw.problems.append(
            Problem(
                title,
                None,
                None,
                f"không tìm thấy dòng tiêu đề (trong {HEADER_SEARCH_ROWS} dòng đầu phải có một dòng bắt đầu bằng cột "
                f"“{sheet.columns[0].header}”). Hãy dùng tệp mẫu tải từ hệ thống.",
            )
        )
        return raw
    header_row, cells = found
    positions, problems = _match_header(sheet, cells, title, header_row)
    return RawSheet(sheet, title, header_row, positions, row_source, problems, height)


# ---- xlsx -------------------------------------------------------------------

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
_FORMULA = re.compile(rb'<c r="([A-Z]+)([0-9]+)"[^>]*?>\s*<f[ >/]')


def _sheet_xml_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title → path of its XML part inside the package."""
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    out = {}
    for sheet in book.iter(f"{{{_NS['m']}}}sheet"):
        target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        target = target.lstrip("/")
        out[sheet.get("name")] = target if target.startswith("xl/") else f"xl/{target}"
    return out


def _formula_cells(archive: zipfile.ZipFile, part: str) -> list[tuple[str, int]]:
    """Cells holding a formula: their cached value may be missing or stale, so they are refused."""
    found: list[tuple[str, int]] = []
    try:
        stream = archive.open(part)
    except KeyError:
        return found
    tail = b""
    with stream:
        while chunk := stream.read(1 << 22):
            data = tail + chunk
            tail = data[-200:]
            if b"<f>" not in data and b"<f " not in data and b"<f/" not in data:
                continue  # the common case: one fast scan, no regex
            for match in _FORMULA.finditer(data):
                found.append((match.group(1).decode(), int(match.group(2))))
                if len(found) >= MAX_FORMULAS_REPORTED:
                    return found
    return sorted(set(found), key=lambda x: (x[1], x[0]))


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# What reading a damaged package raises (a truncated upload, a flipped byte, an encrypted or
# unknown compression): found by the fuzz test (tests/test_excel_fuzz.py).
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError)
DAMAGED_MESSAGE = "Tệp bị hỏng hoặc không phải là workbook Excel (.xlsx)."


def _open_xlsx(path: Path) -> Opened:
    try:
        archive = zipfile.ZipFile(path)
    except _DAMAGED as exc:
        raise FileRefused(DAMAGED_MESSAGE) from exc
    try:
        with archive:
            return _read_xlsx(path, archive)
    except _DAMAGED as exc:
        raise FileRefused(f"{DAMAGED_MESSAGE} Hãy mở bằng Excel, lưu lại rồi tải lên lại.") from exc


def _read_xlsx(path: Path, archive: zipfile.ZipFile) -> Opened:
    if "xl/workbook.xml" not in archive.namelist():
        raise FileRefused(
            "Tệp là một tệp nén (zip) nhưng không phải workbook Excel (.xlsx): thiếu xl/workbook.xml."
        )
    # Before anything is inflated: calamine reserves memory for a sheet's whole rectangle.
    limits = Limits.current()
    check_package(archive, limits)
    parts = _sheet_xml_paths(archive)
    if "xl/sharedStrings.xml" in archive.namelist():
        check_part(archive, "xl/sharedStrings.xml", "", limits, positions=False)
    for title, part in parts.items():
        if sheet_by_name(title) is not None:
            check_part(archive, part, title, limits)
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several types for broken packages
        raise FileRefused(
            f"Không đọc được workbook: {exc}. Hãy mở bằng Excel và lưu lại dạng .xlsx."
        ) from exc
    sheets: list[RawSheet] = []
    problems: list[Problem] = []
    for title in book.sheet_names:
        sheet = sheet_by_name(title)
        if sheet is None:
            continue  # "Hướng dẫn", "Danh mục" and the user's own notes are not imported
        if any(s.sheet is sheet for s in sheets):
            problems.append(Problem(title, None, None, f"workbook có hai sheet “{sheet.name}”."))
            continue
        data = book.get_sheet_by_name(title)
        start_row, start_col = data.start or (0, 0)

        def rows(data=data, start_row=start_row):
            if data.start is None or not data.height:
                return  # calamine cannot iterate an empty sheet
            for offset, cells in enumerate(data.iter_rows()):
                yield start_row + offset + 1, cells

        raw = _sheet_from_rows(sheet, title, rows, data.height)
        for (r0, c0), (r1, c1) in data.merged_cell_ranges or []:
            ref = f"{_column_letter(c0)}{r0 + 1}:{_column_letter(c1)}{r1 + 1}"
            if r0 + 1 <= raw.header_row <= r1 + 1:
                message = (
                    f"dòng tiêu đề có ô gộp (merge) {ref}: mỗi cột cần một ô tiêu đề riêng. "
                    "Hãy bỏ gộp ô (Unmerge) rồi nhập lại."
                )
            else:
                message = f"có ô gộp (merge) {ref}: hãy bỏ gộp ô để mỗi dòng có đủ giá trị."
            raw.problems.append(
                Problem(title, r0 + 1 if r0 + 1 != raw.header_row else None, None, message)
            )
        if title in parts:
            headers = {index + start_col: sheet.header(f) for f, index in raw.positions.items()}
            for letters, row in _formula_cells(archive, parts[title]):
                column_index = (
                    sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(letters))) - 1
                )
                raw.problems.append(
                    Problem(
                        title,
                        row,
                        headers.get(column_index, letters),
                        f"ô {letters}{row} chứa công thức. Hãy chép và dán giá trị (Paste Special → Values) "
                        "thay cho công thức.",
                    )
                )
        sheets.append(raw)
    return Opened(sheets, problems, "xlsx")


# ---- csv --------------------------------------------------------------------


def _csv_lines(text: str, delimiter: str, limits: Limits) -> list[list[str]]:
    """Split a CSV, refusing it as soon as it exceeds the limits (rows, columns, cell size)."""
    lines: list[list[str]] = []
    width = 0
    previous = csv.field_size_limit(limits.cell_bytes)
    try:
        for line in csv.reader(io.StringIO(text), delimiter=delimiter):
            lines.append(line)
            if len(line) > width:
                width = len(line)
            if len(lines) > limits.rows or width > limits.columns:
                break
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise FileRefused(
                f"Tệp CSV có ô dài hơn {limits.cell_bytes // 1024} KB ở dòng {len(lines) + 1} "
                "(thường do thiếu dấu ngoặc kép đóng). Hãy kiểm tra lại tệp."
            ) from None
        raise FileRefused(
            f"Tệp CSV không đọc được ở dòng {len(lines) + 1}: hãy lưu lại dạng CSV UTF-8 rồi nhập lại."
        ) from None
    finally:
        csv.field_size_limit(previous)
    check_csv(len(lines), width, limits)
    return lines


def _open_csv(path: Path, name_hint: str) -> Opened:
    raw_bytes = path.read_bytes()
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRefused(
            "Tệp CSV phải được lưu với bảng mã UTF-8 (trong Excel: Save As → CSV UTF-8)."
        ) from exc
    if not text.strip():
        raise FileRefused("Tệp CSV trống.")
    first_line = text.splitlines()[0]
    delimiter = max(",;\t", key=first_line.count)
    lines = _csv_lines(text, delimiter, Limits.current())
    # Which sheet? The file name, else the headers that match best.
    sheet = sheet_by_name(Path(name_hint).stem) if name_hint else None
    if sheet is None:

        def score(s: Sheet) -> int:
            headers = {fold(c.header) for c in s.columns}
            return max(
                (sum(fold(x) in headers for x in line) for line in lines[:HEADER_SEARCH_ROWS]),
                default=0,
            )

        sheet = max(sheets(), key=score)
        if score(sheet) == 0:
            raise FileRefused(
                "Không nhận ra nội dung tệp CSV: dòng tiêu đề không khớp với mẫu nào "
                "(Tổ chức đảng, Thay đổi tổ chức, Đảng viên, Sự kiện đảng viên, Thôn, tổ dân phố, Dân số)."
            )

    def rows():
        yield from enumerate(lines, start=1)

    return Opened([_sheet_from_rows(sheet, sheet.name, rows, len(lines))], [], "csv")


def open_file(path: str | Path, name: str = "") -> Opened:
    """Open an uploaded file. `name` is the user's file name (uploads are stored under another)."""
    path = Path(path)
    name = name or path.name
    with path.open("rb") as handle:
        head = handle.read(8)
    if not head:
        raise FileRefused("Tệp trống (0 byte).")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(
            "Tệp ở định dạng Excel 97–2003 (.xls) không được hỗ trợ. Hãy mở bằng Excel và chọn "
            "File → Save As → Excel Workbook (.xlsx), rồi nhập lại."
        )
    if head.startswith(b"PK\x03\x04"):
        return _open_xlsx(path)
    if name.lower().endswith((".csv", ".txt")):
        return _open_csv(path, name)
    if head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8", b"GIF8", b"<")):
        raise FileRefused("Tệp không phải là workbook Excel (.xlsx) hay tệp CSV.")
    try:
        head_text = path.read_bytes()[:4096].decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused("Tệp không phải là workbook Excel (.xlsx) hay tệp CSV.") from None
    if any(d in head_text for d in ",;\t"):
        return _open_csv(path, name)
    raise FileRefused("Tệp không phải là workbook Excel (.xlsx) hay tệp CSV.")
