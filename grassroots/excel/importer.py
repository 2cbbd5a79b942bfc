"""All-or-nothing import of the workbook format (NetBox's shape: every row checked by the rules
the forms use, every problem reported at once, then one commit).

This is the framework; it knows no sheet. Each app declares its sheets and a `Part` that checks
and writes them (excel/parts.py; the apps are listed in settings.EXCEL_SHEETS):

* `check()` reads the file (excel/reader.py, within the limits of excel/limits.py), types every
  cell by its column (excel/cells.py), then runs each part's check in order, against the
  database as it is and against the other rows of the file. Nothing is written.
* `run()` then, if no row has a problem, runs each part's write inside one transaction, writes
  the audit records in bulk, and lets each part finish (the ledger rebuild). Any refusal rolls
  everything back. A preview (`dry_run`) whose parts write through services plays the whole
  import and rolls it back, so refusals only the services see show up in the preview.

A row is matched to what exists by its natural key (organization code, member profile number,
village code + start date, organization + year); a row equal to what exists is "unchanged", so
importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction

from grassroots.audit.models import Source
from grassroots.audit.services import Actor, append_records
from grassroots.core.text import fold

from . import schema
from .cells import CellError, clean_cached, parse_cell
from .limits import number as vn_number
from .parts import Part, Row
from .reader import FileRefused, Opened, Problem, RawSheet, open_file

Progress = Callable[[str, int, int], None]
IN_CHUNK = 900  # SQLite's limit on query parameters is 999 on old builds
P = TypeVar("P", bound=Part)


class Rollback(Exception):
    pass


_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = True


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while an import runs.

    A big file becomes hundreds of thousands of long-lived rows, dicts and tuples; the collector
    walks them again at every full collection (about 6 s of CPU for 100,000 members) and finds
    next to no cycles (peak memory is the same without it). The switch is process-wide and
    imports run in threads of the web process, so pauses are counted: the last import to finish
    turns the collector back on.
    """
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()


# How many rows a notice names before it says "and N more".
NOTICE_ROWS = 10


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    written: bool = False
    format: str = ""
    # Values of the coded category fields that match no category of the commission's lists
    # (members.categories): imported as typed and counted as "Chưa phân loại", never dropped —
    # the preview lists them (issue 18: "unmapped values are reported, not dropped").
    # (sheet, column, value) → the rows that hold it, in file order.
    unmapped: dict[tuple[str, str, str], list[int]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, sheet: schema.Sheet, what: str, n: int = 1) -> None:
        bucket = self.counts.setdefault(sheet.name, {"created": 0, "updated": 0, "unchanged": 0})
        bucket[what] += n

    def messages(self) -> list[str]:
        return [str(p) for p in self.problems]

    def notices(self) -> list[str]:
        """One line per unmapped value: where it is (sheet, column, rows) and what happens."""
        out = []
        for (sheet, column, value), rows in self.unmapped.items():
            where = ", ".join(str(r) for r in rows[:NOTICE_ROWS])
            if len(rows) > NOTICE_ROWS:
                where += f" và {vn_number(len(rows) - NOTICE_ROWS)} dòng khác"
            out.append(
                f"Sheet {sheet}, cột {column}, dòng {where}: “{value}” không thuộc nhóm nào của "
                "danh mục — vẫn nhập nguyên văn, thống kê vào “Chưa phân loại”."
            )
        return out

    def as_json(self) -> dict:
        return {
            "ok": self.ok,
            "written": self.written,
            "counts": self.counts,
            "errors": self.messages(),
            "unmapped": [
                {"sheet": sheet, "column": column, "value": value, "rows": rows}
                for (sheet, column, value), rows in self.unmapped.items()
            ],
        }


class Importer:
    def __init__(
        self, path: str | Path, name: str = "", *, user=None, progress: Progress | None = None
    ) -> None:
        self.path, self.name, self.user = Path(path), name or Path(path).name, user
        self.progress = progress or (lambda phase, done, total: None)
        self.report = Report()
        self.rows: dict[str, list[Row]] = {}
        self.parts: list[Part] = [cls(self) for cls in schema.parts()]

    def part(self, cls: type[P]) -> P:
        return next(p for p in self.parts if isinstance(p, cls))

    # ---- helpers --------------------------------------------------------------------
    def problem(
        self, sheet: schema.Sheet, row: int | None, column: str | None, message: str
    ) -> None:
        self.report.problems.append(Problem(sheet.name, row, column, message))

    def unmapped_value(self, sheet: schema.Sheet, row: int, column: str, value: str) -> None:
        self.report.unmapped.setdefault((sheet.name, column, value), []).append(row)

    def field_errors(
        self, sheet: schema.Sheet, row: int, error: ValidationError, columns: dict[str, str]
    ) -> None:
        if hasattr(error, "error_dict"):
            for name, errors in error.message_dict.items():
                column = columns.get(name) if name != "__all__" else None
                for message in errors:
                    self.problem(sheet, row, column, message)
        else:
            for message in error.messages:
                self.problem(sheet, row, None, message)

    # ---- phase 1: read ---------------------------------------------------------------
    def _read(self) -> Opened | None:
        try:
            opened = open_file(self.path, self.name)
        except FileRefused as exc:
            self.report.problems.append(Problem("", None, None, str(exc)))
            return None
        self.report.format = opened.format
        self.report.problems += opened.problems
        for raw in opened.sheets:
            self.report.problems += raw.problems
        if not opened.sheets and not opened.problems:
            names = ", ".join(s.name for s in schema.SHEETS)
            self.report.problems.append(
                Problem(
                    "",
                    None,
                    None,
                    f"workbook không có sheet nào để nhập. Tên sheet phải là một trong: {names}. "
                    "Hãy dùng tệp mẫu tải từ hệ thống.",
                )
            )
        return opened

    def _typed_rows(self, raw: RawSheet) -> list[Row]:
        sheet = raw.sheet
        out: list[Row] = []
        # (field, index, type, required, column, cache of parsed codes)
        columns = [
            (c.field, raw.positions[c.field], c.type, c.required, c, {})
            for c in sheet.columns
            if c.field in raw.positions
        ]
        problems = self.report.problems
        date_type, str_type = dt.date, str
        DATE, TEXT, CODE = schema.DATE, schema.TEXT, schema.CODE
        for number, cells in raw.rows():
            values = {}
            width = len(cells)
            for name, index, kind, required, column, codes in columns:
                value = cells[index] if index < width else None
                # Fast paths for what calamine hands back most: a real date, an empty cell, a
                # text, a code seen before (parse_code is a pure function of the text).
                value_type = type(value)
                if value_type is str_type:
                    if not value:
                        if not required:
                            continue
                    elif kind == TEXT:
                        text = clean_cached(value)
                        if text:
                            values[name] = text
                            continue
                    elif kind == CODE:
                        code = codes.get(value)
                        if code is not None:
                            values[name] = code
                            continue
                elif value is None:
                    if not required:
                        continue
                elif value_type is date_type and kind == DATE:
                    values[name] = value
                    continue
                try:
                    parsed = parse_cell(column, value)
                except CellError as exc:
                    problems.append(Problem(sheet.name, number, column.header, str(exc)))
                    continue
                if parsed is not None:
                    values[name] = parsed
                    if kind == CODE and value_type is str_type:
                        codes[value] = parsed
            out.append(Row(number, values))
        return out

    # ---- phase 1: check --------------------------------------------------------------
    # ---- phase 1: check --------------------------------------------------------------
    def read_rows(self) -> bool:
        """Read and type every row (`self.rows`, by sheet kind) without checking them against
        the database; False when the file itself is refused (the problems are in the report).
        Other readers of the workbook format (a restructure plan) start here."""
        opened = self._read()
        if opened is None:
            return False
        if self.report.problems:
            # A file whose structure is wrong (no header, merged or formula cells) is not read row by row.
            return False
        for raw in opened.sheets:
            self.progress(f"Đọc sheet {raw.sheet.name}", 0, 1)
            self.rows[raw.sheet.kind] = self._typed_rows(raw)
            raw._rows = None  # let the reader free the sheet's cells
        if opened.sheets and not any(self.rows.values()):
            self.report.problems.append(
                Problem(
                    opened.sheets[0].title if len(opened.sheets) == 1 else "",
                    None,
                    None,
                    "không có dòng dữ liệu nào dưới dòng tiêu đề.",
                )
            )
            return False
        return True

    def check(self) -> Report:
        if not self.read_rows():
            return self.report
        for part in self.parts:
            part.check()
        order = [s.name for s in schema.sheets()]
        self.report.problems.sort(
            key=lambda p: (order.index(p.sheet) if p.sheet in order else -1, p.row or 0)
        )
        return self.report

    # ---- phase 2: write --------------------------------------------------------------
    @property
    def has_writes(self) -> bool:
        return any(part.has_writes for part in self.parts)

    def run(self, *, actor: Actor, dry_run: bool = False) -> Report:
        """Check, then (unless dry_run or any problem) write everything in one transaction.

        A dry run also plays the service-based updates in a transaction that is rolled back, so
        refusals that only the services can see still show up in the preview."""
        with _gc_paused():
            return self._run(actor, dry_run)

    def _run(self, actor: Actor, dry_run: bool) -> Report:
        self.check()
        if not self.report.ok or not self.has_writes:
            return self.report
        if dry_run and not any(part.service_updates for part in self.parts):
            return self.report
        try:
            with transaction.atomic():
                # A preview with updates plays the whole import (updates may refer to organizations
                # the same file creates), then rolls it back.
                self._write(actor)
                if self.report.problems or dry_run:
                    raise Rollback
        except Rollback:
            return self.report
        self.report.written = True
        return self.report

    def _write(self, actor: Actor) -> None:
        audits: list[tuple] = []
        for part in self.parts:
            part.write(actor, audits)
        if audits:
            self.progress("Ghi nhật ký", 0, len(audits))
            append_records(audits)
        # The parsed rows are no longer needed: free them before the ledger rebuild, the other
        # big user of memory.
        self.rows, audits = {}, []
        for part in self.parts:
            part.release()
        for part in self.parts:
            part.finish(actor)

    def audit(
        self, actor: Actor, object_type: str, pk, label: str, action: str, changes: dict
    ) -> tuple:
        """One audit row as a tuple (see audit.services.append_records): 100,000 model instances would cost
        seconds and hundreds of MB for nothing."""
        return (
            getattr(actor.user, "pk", None),
            actor.name,
            actor.source or Source.IMPORT,
            actor.address,
            object_type,
            str(pk),
            label[:255],
            action,
            json.dumps(changes, ensure_ascii=False, default=str),
            f"Nhập Excel: {self.name}",
        )


def import_file(
    path,
    *,
    actor: Actor,
    name: str = "",
    dry_run: bool = False,
    user=None,
    progress: Progress | None = None,
) -> Report:
    """Check and (unless dry_run or anything is wrong) import a workbook or CSV file."""
    return Importer(path, name, user=user, progress=progress).run(actor=actor, dry_run=dry_run)


def fold_key(text: str) -> str:
    return fold(text)
