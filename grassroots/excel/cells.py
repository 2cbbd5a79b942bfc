"""Turning one spreadsheet cell into a typed value, or a Vietnamese message saying why not."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from grassroots.core import limits
from grassroots.core.text import clean, fold

from .schema import CODE, DATE, INT, Column

EXCEL_EPOCH = dt.date(1899, 12, 30)
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_LOOKUPS: dict[str, dict[str, str]] = {}
# Workbooks repeat the same texts (codes, places, ethnicities) thousands of times. Invisible
# characters (zero-width spaces...) are dropped as in every writer (core/limits.py).
clean_cached = _clean = lru_cache(maxsize=1 << 16)(limits.clean_text)
_fold = lru_cache(maxsize=1 << 12)(fold)


class CellError(ValueError):
    pass


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number typed into a text column (profile number, card number)
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return _clean(value if isinstance(value, str) else str(value))


def parse_date(value) -> dt.date:
    """A date inside the allowed range (core/limits.py: 1900 to today + the horizon)."""
    day = _parse_date(value)
    problem = limits.date_problem(day)
    if problem:
        raise CellError(problem)
    return day


def _parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A date typed into a cell formatted as a number: Excel's day count since 30/12/1899.
        if 1 <= value < 2958466:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise CellError(f"“{value}” không phải là ngày (nhập dạng dd/mm/yyyy).")
    text = clean(str(value))
    match = _DMY.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = _YMD.match(text)
        if not match:
            raise CellError(f"“{text}” không phải là ngày (nhập dạng dd/mm/yyyy).")
        year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(f"ngày {text} không hợp lệ.") from None


def parse_int(value) -> int:
    if isinstance(value, bool):
        raise CellError(f"“{value}” không phải là số nguyên.")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CellError(f"“{value}” không phải là số nguyên.")
    text = clean(str(value)).replace(".", "").replace(",", "").replace(" ", "")
    if not text.isdigit():
        raise CellError(f"“{clean(str(value))}” không phải là số nguyên.")
    return int(text)


def parse_code(column: Column, value) -> str:
    codes = column.codes
    table = _LOOKUPS.get(codes.name)
    if table is None:
        table = _LOOKUPS[codes.name] = codes.lookup()
    text = _text(value)
    found = table.get(_fold(text))
    if found is None:
        raise CellError(
            f"“{text}” không phải là giá trị hợp lệ. Chọn một trong: {'; '.join(codes.labels())}."
        )
    return found


def parse_cell(column: Column, value):
    """The typed value of a cell; None for an empty cell. Raises CellError."""
    if value is None or value == "" or (isinstance(value, str) and not value.strip()):
        if column.required:
            raise CellError("cần nhập giá trị.")
        return None
    if column.type == DATE:
        return parse_date(value)
    if column.type == INT:
        return parse_int(value)
    if column.type == CODE:
        return parse_code(column, value)
    return _text(value)
