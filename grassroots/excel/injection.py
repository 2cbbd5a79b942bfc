"""Formula injection (issue 20 §10): a name like `=HYPERLINK(...)` must come out of every export
as the text it is, never as a live formula.

The OWASP "CSV injection" rule: a value starting with `=`, `+`, `-`, `@`, a tab or a carriage
return is what spreadsheets evaluate. `escaped` is the one function every writer passes text
through (the exports' xlsx and CSV in `workbooks.py`, the rating sheet of `assessments`):

* CSV: the value gets a leading `'` (the cell then shows the text; Excel hides the quote).
* xlsx: the cell is written as a string with Excel's "quote prefix" style — the text is stored
  unchanged (an exported workbook imports back to the same value) and Excel keeps it as text
  even when the cell is edited. openpyxl alone would store `=…` as a formula.
"""

from __future__ import annotations

from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escaped(value, sheet=None):
    """`value` made inert for a spreadsheet: for CSV (`sheet` None) a string, for xlsx a cell
    of `sheet` (write-only or not). Anything that is not such a text comes back unchanged."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if sheet is None:
        return "'" + value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell
