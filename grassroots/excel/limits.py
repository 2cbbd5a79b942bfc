"""Limits on an uploaded file, checked BEFORE the file is read (issue 20 §1).

A 1.6 KB .xlsx with one cell at XFD1048576 made the reader reserve memory for the whole
rectangle (549 GB) and killed the web process; a 199 KB zip inflating to a 200 MB cell took
2 GB. So the zip directory (inflated sizes, compression ratios) and each sheet's cell positions
(the declared `<dimension>`, every `<row r=…>` and `<c r=…>`) are checked from the package
itself, streaming, before python-calamine builds anything; a CSV is measured while it is split.

The limits are settings (environment overrides in settings.py, `docs/security.md` "Limits on
uploaded files"); the defaults hold the largest workbook the project imports (the 100,000-member
benchmark: 135,000 event rows, 19 columns, ~100 MB inflated) with room to spare.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass

from django.conf import settings


class FileRefused(Exception):
    """The file as a whole cannot be read; the message says why and what to do."""


@dataclass(frozen=True)
class Limits:
    rows: int  # per sheet (a CSV is one sheet)
    columns: int
    cells: int  # rows × columns of the rectangle a sheet spans
    inflated_bytes: int  # the whole package, uncompressed
    ratio: int  # uncompressed / compressed, for any part larger than RATIO_FROM_BYTES
    cell_bytes: int  # the text of one cell (Excel holds 32,767 characters)

    @classmethod
    def current(cls) -> Limits:
        return cls(
            rows=settings.IMPORT_MAX_ROWS,
            columns=settings.IMPORT_MAX_COLUMNS,
            cells=settings.IMPORT_MAX_CELLS,
            inflated_bytes=settings.IMPORT_MAX_INFLATED_BYTES,
            ratio=settings.IMPORT_MAX_COMPRESSION_RATIO,
            cell_bytes=settings.IMPORT_MAX_CELL_BYTES,
        )


RATIO_FROM_BYTES = 1 << 20  # small parts (styles, a tiny sheet) may compress very well
HEAD_BYTES = 4096  # `<dimension>` comes right after `<sheetPr>` at the top of a sheet part
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Za-z]*)(\d*)(?::([A-Za-z]*)(\d*))?"')
# Positions: `<row r="17"` and `<c r="AB17"` (the loosest match: fast, and never misses one).
_ROW = re.compile(rb' r="[A-Z]*([0-9]+)"')
_COLUMN = re.compile(rb' r="([A-Z]+)[0-9]')
_TAIL = 256  # bytes kept between chunks so that a position split by a chunk boundary is seen


def number(value: int) -> str:
    """61.491: Vietnamese grouping (the framework imports no app, so not core.cli's)."""
    return f"{value:,}".replace(",", ".")


def _megabytes(size: int) -> str:
    return f"{number(size // 1_000_000)} MB"


def column_index(letters: str) -> int:
    """1-based: A → 1, XFD → 16384."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index


def check_package(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Inflated size and compression ratio, from the zip directory alone (nothing inflated)."""
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.file_size > RATIO_FROM_BYTES and info.file_size > limits.ratio * max(
            info.compress_size, 1
        ):
            raise FileRefused(
                f"Tệp bị từ chối: phần “{info.filename}” nén {number(info.file_size // max(info.compress_size, 1))} "
                f"lần (giới hạn {number(limits.ratio)} lần) — dấu hiệu của tệp nén bất thường. "
                "Hãy mở bằng Excel, lưu lại rồi nhập lại."
            )
    if total > limits.inflated_bytes:
        raise FileRefused(
            f"Tệp bị từ chối: khi giải nén dung lượng là {_megabytes(total)}, vượt giới hạn "
            f"{_megabytes(limits.inflated_bytes)}. Hãy chia dữ liệu thành nhiều tệp nhỏ hơn."
        )


def _refuse_size(title: str, rows: int, columns: int, limits: Limits) -> None:
    """Refuse a sheet whose rectangle is too big (Vietnamese, with the figures)."""
    where = f"Sheet {title}: " if title else ""
    if rows > limits.rows:
        raise FileRefused(
            f"{where}bảng tính kéo tới dòng {number(rows)}, vượt giới hạn {number(limits.rows)} dòng. "
            "Hãy xóa các dòng thừa ở cuối (kể cả ô trống đã định dạng) hoặc chia thành nhiều tệp."
        )
    if columns > limits.columns:
        raise FileRefused(
            f"{where}bảng tính kéo tới cột thứ {number(columns)}, vượt giới hạn {number(limits.columns)} cột. "
            "Hãy xóa các cột thừa ở bên phải."
        )
    if rows * columns > limits.cells:
        raise FileRefused(
            f"{where}bảng tính có {number(rows)} dòng × {number(columns)} cột, vượt giới hạn "
            f"{number(limits.cells)} ô. Hãy xóa các dòng, cột thừa hoặc chia thành nhiều tệp."
        )


def _long_text(title: str, limits: Limits) -> FileRefused:
    where = f"Sheet {title}: " if title else ""
    return FileRefused(
        f"{where}có ô chứa văn bản dài hơn {number(limits.cell_bytes // 1024)} KB "
        "(Excel cho phép tối đa 32.767 ký tự một ô). Hãy kiểm tra lại tệp."
    )


def check_part(
    archive: zipfile.ZipFile, part: str, title: str, limits: Limits, *, positions: bool = True
) -> None:
    """One part of the package, streamed: no text run longer than a cell may hold and, for a
    sheet (`positions`), the declared dimension and every explicit row/cell position.

    Cells written without a position follow the previous one; their number is bounded by the
    inflated size and the compression ratio checked before.
    """
    try:
        stream = archive.open(part)
    except KeyError:
        return
    max_row = max_column = 0
    run = 0  # bytes since the last "<": the text of one cell (or shared string) in progress
    long_run = re.compile(rb"[^<]{%d}" % (limits.cell_bytes + 1))
    with stream:
        chunk = stream.read(HEAD_BYTES)
        found = _DIMENSION.search(chunk) if positions else None
        if found:
            first_col, first_row, last_col, last_row = (
                g.decode() if g else "" for g in found.groups()
            )
            max_row = int(last_row or first_row or 0)
            letters = last_col or first_col
            max_column = column_index(letters) if letters else 0
            _refuse_size(title, max_row, max_column, limits)
        data = chunk
        while chunk:
            first = chunk.find(b"<")
            if (run + (len(chunk) if first < 0 else first)) > limits.cell_bytes or long_run.search(
                chunk
            ):
                raise _long_text(title, limits)
            run = run + len(chunk) if first < 0 else len(chunk) - chunk.rfind(b"<") - 1
            if positions:
                rows = _ROW.findall(data)
                if rows:
                    max_row = max(max_row, *map(int, rows))
                    letters = max(
                        set(_COLUMN.findall(data)), key=lambda c: (len(c), c), default=b""
                    )
                    max_column = max(max_column, column_index(letters.decode()))
                if max_row > limits.rows or max_column > limits.columns:
                    break
            chunk = stream.read(1 << 22)
            data = data[-_TAIL:] + chunk
    _refuse_size(title, max_row, max_column, limits)


def check_csv(rows: int, columns: int, limits: Limits) -> None:
    _refuse_size("", rows, columns, limits)
