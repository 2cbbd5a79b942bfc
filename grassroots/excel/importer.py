"""All-or-nothing import of the workbook format described in `schema.py` (NetBox's shape:
every row checked by the rules the forms use, every problem reported at once, then one commit).

Two phases:

* `check()` reads the file and validates every row in memory, against the database as it is
  and against the other rows of the file: profiles with `members.services._validate_profile`,
  member histories with `lifecycle.derive_stints` and `UnitChecker.check_stints`, the tree with
  `ALLOWED_PARENTS` and `organizations.tree.compute_ancestry` (cycles). Nothing is written.
* `run()` writes: new organizations and members through `bulkload.loader.BulkLoader` (fast, one
  ledger rebuild), changes to records that already exist through the ordinary services
  (`unit_rename`, `member_update_profile`, `member_record_event`...), all in one transaction.
  Any refusal rolls everything back.

A row is matched to what exists by its natural key (organization code, member profile number,
village code + start date, organization + year); a row equal to what exists is "unchanged", so
importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from grassroots.accounts.access import (
    READ_ONLY_PAST,
    members_visible,
    require_writable_member,
    require_writable_unit,
    sees_everything,
    units_ever_visible,
)
from grassroots.audit.models import AuditRecord, Source
from grassroots.audit.services import Actor, record
from grassroots.bulkload.loader import (
    BulkLoader,
    EventSpec,
    MemberSpec,
    StintSpec,
    UnitSpec,
    VersionSpec,
)
from grassroots.core.dates import vn
from grassroots.core.text import fold
from grassroots.derived.closure import rebuild_closure
from grassroots.members import lifecycle
from grassroots.members.models import EventKind, Member, MemberEvent
from grassroots.members.services import (
    PROFILE_FIELDS,
    UnitChecker,
    _validate_profile,
    member_record_event,
    member_update_profile,
)
from grassroots.organizations import services as orgs
from grassroots.organizations.models import (
    ALLOWED_PARENTS,
    GRASSROOTS_KINDS,
    ChangeAction,
    Kind,
    Unit,
    UnitChange,
    UnitVersion,
)
from grassroots.organizations.tree import VersionRow, compute_ancestry
from grassroots.restructure import services as restructure
from grassroots.territory.models import Population, Village, VillageVersion

from . import schema
from .cells import CellError, clean_cached, parse_cell
from .reader import FileRefused, Opened, Problem, RawSheet, open_file

Progress = Callable[[str, int, int], None]
IN_CHUNK = 900  # SQLite's limit on query parameters is 999 on old builds
END_ACTIONS = (ChangeAction.MERGE, ChangeAction.SPLIT, ChangeAction.DISSOLVE)


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


@dataclass
class Row:
    number: int
    values: dict


@dataclass
class V:
    """A unit version being composed from the file (or loaded from the database)."""

    valid_from: dt.date
    valid_to: dt.date | None
    name: str
    kind: str
    grassroots_type: str
    parent: str | None
    source: tuple[str, int, str] | None = None  # (sheet, row, column) that set the parent


@dataclass
class U:
    code: str
    established: dt.date
    ended: dt.date | None
    versions: list[V]
    pk: int | None = None
    row: int | None = None
    decision: tuple = ("", None, "")


class DbEvent(NamedTuple):
    kind: str
    date: dt.date
    unit_code: str | None
    decision_date: dt.date | None
    discipline_form: str


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    written: bool = False
    format: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, sheet: schema.Sheet, what: str, n: int = 1) -> None:
        bucket = self.counts.setdefault(sheet.name, {"created": 0, "updated": 0, "unchanged": 0})
        bucket[what] += n

    def messages(self) -> list[str]:
        return [str(p) for p in self.problems]

    def as_json(self) -> dict:
        return {
            "ok": self.ok,
            "written": self.written,
            "counts": self.counts,
            "errors": self.messages(),
        }


def unknown_member(number: str) -> str:
    return f"không có đảng viên số lý lịch {number} trong sheet Đảng viên hay trong hệ thống."


def _vals_equal(a, b) -> bool:
    return (a or "") == (b or "")


class Importer:
    def __init__(
        self, path: str | Path, name: str = "", *, user=None, progress: Progress | None = None
    ) -> None:
        self.path, self.name, self.user = Path(path), name or Path(path).name, user
        self.progress = progress or (lambda phase, done, total: None)
        self.report = Report()
        self.rows: dict[str, list[Row]] = {}
        self.units: dict[str, U] = {}  # every unit known: database and file, by upper-case code
        self.db_units: dict[str, U] = {}
        self.new_units: list[str] = []
        self.unit_updates: list[tuple[Row, dict]] = []
        # new members: their row, their event rows, and the stints the check derived
        self.new_members: list[tuple[Row, list[Row], list]] = []
        self.profile_updates: list[tuple[Row, int, dict]] = []
        self.event_updates: list[tuple[Row, int]] = []
        self.village_writes: list[tuple[str, Row, dict]] = []
        self.population_writes: list[tuple[str, Row, int | None]] = []
        self.new_changes: list[tuple[str, Row]] = []
        self._writable_units: dict[int, bool] = {}

    # ---- helpers --------------------------------------------------------------------
    def problem(
        self, sheet: schema.Sheet, row: int | None, column: str | None, message: str
    ) -> None:
        self.report.problems.append(Problem(sheet.name, row, column, message))

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

    def _visible_codes(self) -> set[int] | None:
        if self.user is None:
            return None
        if sees_everything(self.user):
            return None
        return set(units_ever_visible(self.user).values_list("pk", flat=True))

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
    def check(self) -> Report:
        opened = self._read()
        if opened is None:
            return self.report
        if self.report.problems:
            # A file whose structure is wrong (no header, merged or formula cells) is not read row by row.
            return self.report
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
            return self.report
        self.visible = self._visible_codes()
        self._load_units()
        self._check_organizations()
        self._check_changes()
        self._check_tree()
        self._check_members()
        self._check_villages()
        self._check_population()
        self.report.problems.sort(
            key=lambda p: (
                [s.name for s in schema.SHEETS].index(p.sheet)
                if p.sheet in [s.name for s in schema.SHEETS]
                else -1,
                p.row or 0,
            )
        )
        return self.report

    def _load_units(self) -> None:
        codes = {}
        self.hidden_codes: set[str] = set()
        for pk, code, established, ended in Unit.objects.values_list(
            "pk", "code", "established", "ended"
        ):
            if self.visible is not None and pk not in self.visible:
                self.hidden_codes.add(code.upper())
                continue
            codes[pk] = code
            self.db_units[code.upper()] = U(code, established, ended, [], pk=pk)
        rows = UnitVersion.objects.order_by("unit_id", "valid_from").values_list(
            "unit_id", "valid_from", "valid_to", "name", "kind", "grassroots_type", "parent_id"
        )
        for unit_id, start, end, name, kind, gtype, parent_id in rows.iterator(chunk_size=20000):
            if unit_id not in codes:
                continue
            parent = (
                Unit.objects.get(pk=parent_id).code
                if parent_id and parent_id not in codes
                else codes.get(parent_id)
            )
            self.db_units[codes[unit_id].upper()].versions.append(
                V(start, end, name, kind, gtype, parent)
            )
        self.units = dict(self.db_units)

    def code(self, text: str | None) -> str | None:
        """The canonical code of a known unit (case-insensitive), or None."""
        if not text:
            return None
        unit = self.units.get(text.upper())
        return unit.code if unit else None

    # organizations ---------------------------------------------------------------------
    def _check_organizations(self) -> None:
        sheet = schema.ORGANIZATIONS
        seen: dict[str, int] = {}
        for row in self.rows.get(sheet.kind, []):
            v = row.values
            if "code" not in v:
                continue
            key = v["code"].upper()
            if key in seen:
                self.problem(
                    sheet,
                    row.number,
                    sheet.header("code"),
                    f"mã tổ chức {v['code']} trùng với dòng {seen[key]}.",
                )
                continue
            seen[key] = row.number
            if not {"name", "kind", "established"} <= set(v):
                continue
            if v["kind"] in GRASSROOTS_KINDS and not v.get("grassroots_type"):
                self.problem(
                    sheet,
                    row.number,
                    sheet.header("grassroots_type"),
                    "Cần chọn loại hình tổ chức cơ sở đảng.",
                )
            existing = self.db_units.get(key)
            decision = (
                v.get("decision_number", ""),
                v.get("decision_date"),
                v.get("issuing_body", ""),
            )
            if existing is not None:
                first = existing.versions[0] if existing.versions else None
                wanted = {
                    "name": v["name"],
                    "kind": v["kind"],
                    "parent": (v.get("parent") or "").upper() or None,
                    "established": v["established"],
                }
                have = {
                    "name": first.name if first else None,
                    "kind": first.kind if first else None,
                    "parent": (first.parent or "").upper() or None if first else None,
                    "established": existing.established,
                }
                if v.get("grassroots_type"):
                    wanted["grassroots_type"] = v["grassroots_type"]
                    have["grassroots_type"] = first.grassroots_type if first else None
                differs = [name for name in wanted if wanted[name] != have[name]]
                for name in differs:
                    shown = have[name]
                    shown = (
                        vn(shown)
                        if isinstance(shown, dt.date)
                        else schema.KINDS.label(shown)
                        if name == "kind"
                        else shown
                    )
                    self.problem(
                        sheet,
                        row.number,
                        sheet.header(name),
                        f"tổ chức {existing.code} đã có trong hệ thống với giá trị “{shown or ''}”. "
                        "Thay đổi về sau hãy ghi ở sheet Thay đổi tổ chức.",
                    )
                if not differs:
                    self.report.count(sheet, "unchanged")
                continue
            if key in self.hidden_codes:
                self.problem(
                    sheet,
                    row.number,
                    sheet.header("code"),
                    f"mã tổ chức {v['code']} đã được dùng cho một tổ chức ngoài phạm vi của tài khoản.",
                )
                continue
            code = v["code"].upper()
            self.units[key] = U(
                code,
                v["established"],
                None,
                [
                    V(
                        v["established"],
                        None,
                        v["name"],
                        v["kind"],
                        v.get("grassroots_type", ""),
                        v.get("parent"),
                        (sheet.name, row.number, sheet.header("parent")),
                    )
                ],
                row=row.number,
                decision=decision,
            )
            self.new_units.append(key)
            self.report.count(sheet, "created")

    def _check_changes(self) -> None:
        sheet = schema.CHANGES
        by_unit: dict[str, list[Row]] = defaultdict(list)
        seen: dict[tuple, int] = {}
        for row in self.rows.get(sheet.kind, []):
            v = row.values
            if not {"code", "action", "date"} <= set(v):
                continue
            key = (v["code"].upper(), v["action"], v["date"])
            if key in seen:
                self.problem(
                    sheet,
                    row.number,
                    sheet.header("action"),
                    f"thay đổi này trùng với dòng {seen[key]}.",
                )
                continue
            seen[key] = row.number
            if v["code"].upper() not in self.units:
                self.problem(
                    sheet, row.number, sheet.header("code"), f"không có tổ chức mã {v['code']}."
                )
                continue
            by_unit[v["code"].upper()].append(row)
        new = set(self.new_units)
        for key, rows in by_unit.items():
            rows.sort(key=lambda r: (r.values["date"], r.number))
            if key in new:
                for row in rows:
                    self._apply_change(self.units[key], row)
            else:
                self._match_change(self.units[key], rows)

    def _need(self, row: Row, name: str, message: str) -> bool:
        if row.values.get(name):
            return True
        self.problem(schema.CHANGES, row.number, schema.CHANGES.header(name), message)
        return False

    def _apply_change(self, unit: U, row: Row) -> None:
        """Compose a new unit's history from its change rows (no cascade: members and
        sub-organizations move by their own rows)."""
        sheet, v = schema.CHANGES, row.values
        day, action = v["date"], v["action"]
        where = sheet.header("date")
        if day < unit.established:
            self.problem(
                sheet,
                row.number,
                where,
                f"Tổ chức {unit.code} chưa thành lập vào ngày {vn(day)} (thành lập {vn(unit.established)}).",
            )
            return
        if unit.ended is not None and day >= unit.ended:
            self.problem(
                sheet,
                row.number,
                where,
                f"Tổ chức {unit.code} đã kết thúc hoạt động ngày {vn(unit.ended)}.",
            )
            return
        current = unit.versions[-1]
        if action == ChangeAction.RENAME and not self._need(row, "name", "Cần nhập tên mới."):
            return
        if action == ChangeAction.MOVE and not self._need(
            row, "parent", "Cần nhập mã cấp trên mới."
        ):
            return
        if (
            action == ChangeAction.CHANGE_KIND
            and not v.get("grassroots_type")
            and not self._need(row, "kind", "Cấp tổ chức mới không hợp lệ hoặc không thay đổi.")
        ):
            return
        if action == ChangeAction.MERGE and not self._need(
            row, "target", "Cần nhập mã tổ chức nhận sáp nhập."
        ):
            return
        if action == ChangeAction.RENAME and v["name"] == current.name:
            self.problem(sheet, row.number, sheet.header("name"), "Tên mới trùng với tên hiện tại.")
            return
        if action == ChangeAction.MOVE and v["parent"].upper() == (current.parent or "").upper():
            self.problem(
                sheet,
                row.number,
                sheet.header("parent"),
                f"{unit.code} đã trực thuộc {current.parent}.",
            )
            return
        if (
            action == ChangeAction.CHANGE_KIND
            and v.get("kind", current.kind) == current.kind
            and (v.get("grassroots_type", current.grassroots_type) == current.grassroots_type)
        ):
            self.problem(
                sheet,
                row.number,
                sheet.header("kind"),
                "Cấp tổ chức mới không hợp lệ hoặc không thay đổi.",
            )
            return
        if action in END_ACTIONS:
            if action == ChangeAction.MERGE:
                target = self.units.get(v["target"].upper())
                if target is None:
                    self.problem(
                        sheet,
                        row.number,
                        sheet.header("target"),
                        f"không có tổ chức mã {v['target']}.",
                    )
                elif not self._alive(target, day):
                    self.problem(
                        sheet,
                        row.number,
                        sheet.header("target"),
                        f"Tổ chức nhận sáp nhập {target.code} không tồn tại vào ngày {vn(day)}.",
                    )
            current.valid_to = day
            unit.ended = day
        elif any(v.get(n) for n in ("name", "kind", "grassroots_type", "parent")):
            if current.valid_from == day:
                target = current
            else:
                current.valid_to = day
                target = V(
                    day,
                    None,
                    current.name,
                    current.kind,
                    current.grassroots_type,
                    current.parent,
                    current.source,
                )
                unit.versions.append(target)
            for name in ("name", "kind", "grassroots_type"):
                if v.get(name):
                    setattr(target, name, v[name])
            if v.get("parent"):
                target.parent = v["parent"]
                target.source = (sheet.name, row.number, sheet.header("parent"))
        self.new_changes.append((unit.code, row))
        self.report.count(sheet, "created")

    def _match_change(self, unit: U, rows: list[Row]) -> None:
        """Change rows for a unit already in the database: unchanged if the history already has
        them; applied through the services if they come after everything recorded."""
        sheet = schema.CHANGES
        last_start = unit.versions[-1].valid_from if unit.versions else unit.established
        for row in rows:
            v = row.values
            day, action = v["date"], v["action"]
            if action in END_ACTIONS:
                if unit.ended == day:
                    self.report.count(sheet, "unchanged")
                    continue
            else:
                version = next((x for x in unit.versions if x.valid_from == day), None)
                wanted = {n: v[n] for n in ("name", "kind", "grassroots_type") if v.get(n)}
                if v.get("parent"):
                    wanted["parent"] = v["parent"].upper()
                if version is not None and all(
                    (getattr(version, n) or "").upper() == str(x).upper() for n, x in wanted.items()
                ):
                    self.report.count(sheet, "unchanged")
                    continue
            if unit.ended is not None:
                self.problem(
                    sheet,
                    row.number,
                    sheet.header("date"),
                    f"Tổ chức {unit.code} đã kết thúc hoạt động ngày {vn(unit.ended)}.",
                )
            elif day <= last_start:
                self.problem(
                    sheet,
                    row.number,
                    sheet.header("date"),
                    f"{unit.code} đã có thay đổi ghi ngày {vn(last_start)}; thay đổi mới phải sau ngày đó "
                    "(sửa lịch sử đã có hãy làm trên giao diện).",
                )
            elif action == ChangeAction.SPLIT:
                self.problem(
                    sheet,
                    row.number,
                    sheet.header("action"),
                    "Chia tách một tổ chức đã có hãy thực hiện trên giao diện (cần phân chia đảng viên).",
                )
            else:
                self.unit_updates.append((row, {"unit": unit.code}))
                self.report.count(sheet, "updated")
                last_start = day

    def _alive(self, unit: U, day: dt.date) -> bool:
        return unit.established <= day and (unit.ended is None or day < unit.ended)

    def _version_on(self, unit: U, day: dt.date) -> V | None:
        for v in unit.versions:
            if v.valid_from <= day and (v.valid_to is None or day < v.valid_to):
                return v
        return None

    def _check_tree(self) -> None:
        """Each new version's parent: known, alive for the whole version, of an allowed kind
        (ALLOWED_PARENTS), and no cycles (compute_ancestry)."""
        for key in self.new_units:
            unit = self.units[key]
            for version in unit.versions:
                sheet_name, row_number, column = version.source
                sheet = schema.sheet_by_name(sheet_name)
                allowed = ALLOWED_PARENTS[Kind(version.kind)]
                label = Kind(version.kind).label
                if not version.parent:
                    if None not in allowed:
                        self.problem(
                            sheet,
                            row_number,
                            column,
                            f"{label} phải trực thuộc một tổ chức cấp trên.",
                        )
                    continue
                parent = self.units.get(version.parent.upper())
                if parent is None:
                    self.problem(
                        sheet, row_number, column, f"không có tổ chức mã {version.parent}."
                    )
                    continue
                version.parent = parent.code
                start, end = version.valid_from, version.valid_to
                if not self._alive(parent, start):
                    self.problem(
                        sheet,
                        row_number,
                        column,
                        f"Tổ chức cấp trên {parent.code} không tồn tại vào ngày {vn(start)}.",
                    )
                    continue
                if parent.ended is not None and (end is None or end > parent.ended):
                    self.problem(
                        sheet,
                        row_number,
                        column,
                        f"tổ chức cấp trên {parent.code} kết thúc ngày {vn(parent.ended)} trong khi {unit.code} "
                        "vẫn trực thuộc: cần ghi “Chuyển trực thuộc” hoặc kết thúc {unit.code} trước ngày đó.",
                    )
                for pv in parent.versions:
                    if pv.valid_from < (end or dt.date.max) and (
                        pv.valid_to is None or pv.valid_to > start
                    ):
                        if pv.kind not in allowed:
                            self.problem(
                                sheet,
                                row_number,
                                column,
                                f"{label} không thể trực thuộc {Kind(pv.kind).label.lower()} ({parent.code}).",
                            )
                            break
                if not version.grassroots_type:
                    pv = self._version_on(parent, start)
                    version.grassroots_type = (
                        pv.grassroots_type if pv else ""
                    )  # cells inherit the type
        if self.report.problems:
            return
        rows = [
            VersionRow(u.code, v.parent, v.valid_from, v.valid_to)
            for u in self.units.values()
            for v in u.versions
        ]
        try:
            compute_ancestry(rows)
        except ValueError:
            self.problem(
                schema.ORGANIZATIONS,
                None,
                schema.ORGANIZATIONS.header("parent"),
                "các tổ chức trực thuộc lẫn nhau: không thể tạo vòng lặp trong cây tổ chức.",
            )

    # members ---------------------------------------------------------------------------
    def _checker(self) -> UnitChecker:
        checker = UnitChecker.__new__(UnitChecker)
        checker.units = {
            u.code: Unit(code=u.code, established=u.established, ended=u.ended)
            for u in self.units.values()
        }
        checker.versions = {
            u.code: [
                UnitVersion(valid_from=v.valid_from, valid_to=v.valid_to, kind=v.kind)
                for v in u.versions
            ]
            for u in self.units.values()
        }
        return checker

    def _existing_members(self, numbers: list[str]) -> dict[str, dict]:
        found: dict[str, dict] = {}
        fields = ["pk", "version", *PROFILE_FIELDS]
        for i in range(0, len(numbers), IN_CHUNK):
            chunk = numbers[i : i + IN_CHUNK]
            for values in Member.objects.filter(profile_number__in=chunk).values(*fields):
                found[values["profile_number"].upper()] = values
        if self.user is not None and found:
            if not sees_everything(self.user):
                visible = set(
                    members_visible(self.user)
                    .filter(pk__in=[m["pk"] for m in found.values()])
                    .values_list("pk", flat=True)
                )
                for values in found.values():
                    values["hidden"] = values["pk"] not in visible
        return found

    def _check_members(self) -> None:
        sheet, events_sheet = schema.MEMBERS, schema.EVENTS
        member_rows = self.rows.get(sheet.kind, [])
        event_rows = self.rows.get(events_sheet.kind, [])
        if not member_rows and not event_rows:
            return
        columns = {c.field: c.header for c in sheet.columns}
        by_number: dict[str, Row] = {}
        total = len(member_rows) + len(event_rows)
        for i, row in enumerate(member_rows):
            if i % 5000 == 0:
                self.progress("Kiểm tra đảng viên", i, total)
            v = row.values
            number = v.get("profile_number", "").upper()
            if not number:
                continue
            if number in by_number:
                self.problem(
                    sheet,
                    row.number,
                    columns["profile_number"],
                    f"số lý lịch {number} trùng với dòng {by_number[number].number}.",
                )
                continue
            v["profile_number"] = number
            by_number[number] = row
            profile = {k: v[k] for k in PROFILE_FIELDS if k in v and k != "profile_number"}
            try:
                v.update(_validate_profile(profile))
            except ValidationError as exc:
                self.field_errors(sheet, row.number, exc, columns)
            if v.get("unit") and not self.code(v["unit"]):
                self.problem(
                    sheet, row.number, columns["unit"], f"không có tổ chức mã {v['unit']}."
                )
        existing = self._existing_members(sorted(by_number))
        events_by: dict[str, list[Row]] = defaultdict(list)
        ecols = {c.field: c.header for c in events_sheet.columns}
        seen: dict[tuple, int] = {}
        unknown_numbers = []
        for row in event_rows:
            v = row.values
            number = v.get("profile_number", "").upper()
            if not number or "kind" not in v or "date" not in v:
                continue
            v["profile_number"] = number
            if v.get("unit") and not self.code(v["unit"]):
                self.problem(
                    events_sheet, row.number, ecols["unit"], f"không có tổ chức mã {v['unit']}."
                )
                continue
            key = (number, v["kind"], v["date"], (v.get("unit") or "").upper())
            if key in seen:
                self.problem(
                    events_sheet,
                    row.number,
                    ecols["kind"],
                    f"sự kiện này trùng với dòng {seen[key]}.",
                )
                continue
            seen[key] = row.number
            events_by[number].append(row)
            if number not in by_number:
                unknown_numbers.append(number)
        existing.update(self._existing_members(sorted(set(unknown_numbers) - set(existing))))
        for number, rows in events_by.items():
            if number not in by_number and number not in existing:
                for row in rows:
                    self.problem(
                        events_sheet, row.number, ecols["profile_number"], unknown_member(number)
                    )
        checker = self._checker()
        db_events = self._db_events([m["pk"] for m in existing.values()])
        done = len(member_rows)
        for number, row in by_number.items():
            done += len(events_by.get(number, ()))
            if done % 5000 < 10:
                self.progress("Kiểm tra lịch sử đảng viên", min(done, total), total)
            if number in existing:
                self._check_existing_member(
                    row, existing[number], events_by.get(number, []), db_events, checker
                )
            else:
                self._check_new_member(row, events_by.get(number, []), checker)
        for number, rows in events_by.items():
            if number not in by_number and number in existing:
                self._check_existing_member(None, existing[number], rows, db_events, checker)

    def _db_events(self, member_ids: list[int]) -> dict[int, list[DbEvent]]:
        """Live events of members that exist, as small tuples (a re-import of 100,000 members
        would otherwise hold 250,000 model instances)."""
        out: dict[int, list[DbEvent]] = defaultdict(list)
        codes = {u.pk: u.code for u in self.db_units.values()}
        for i in range(0, len(member_ids), IN_CHUNK):
            rows = (
                MemberEvent.objects.filter(
                    member_id__in=member_ids[i : i + IN_CHUNK], voided_at__isnull=True
                )
                .order_by("date", "id")
                .values_list(
                    "member_id", "kind", "date", "unit_id", "decision_date", "discipline_form"
                )
            )
            for member_id, kind, day, unit_id, decision_date, form in rows:
                out[member_id].append(
                    DbEvent(kind, day, codes.get(unit_id) if unit_id else None, decision_date, form)
                )
        return out

    def _ev(
        self, v: dict, key: int, kind: str | None = None, day_field: str = "date"
    ) -> lifecycle.Ev:
        return lifecycle.Ev(
            kind=kind or v["kind"],
            date=v[day_field],
            unit_id=self.code(v.get("unit")),
            decision_date=v.get("decision_date"),
            discipline_form=v.get("discipline_form", ""),
            key=key,
        )

    def _validate_history(self, evs, sources, member_row, checker) -> list | None:
        """derive_stints + check_stints: the stints (units as codes), or None after naming the
        row of the event that broke the history."""
        try:
            stints = lifecycle.derive_stints(
                evs, unit_exists=checker.exists, is_cell=checker.is_cell
            )
            checker.check_stints(stints)
            return stints
        except ValidationError as exc:
            failing = self._first_failing(evs, checker)
            self._blame(exc, sources.get(failing.key) if failing else None, member_row, sources)
            return None

    def _first_failing(self, evs, checker) -> lifecycle.Ev | None:
        ordered = lifecycle.sort_events(evs)
        for n in range(1, len(ordered) + 1):
            try:
                lifecycle.derive_stints(
                    ordered[:n], unit_exists=checker.exists, is_cell=checker.is_cell
                )
            except ValidationError:
                # an event already in the database cannot be the culprit: blame the last file row
                for ev in reversed(ordered[:n]):
                    if ev.key >= 0:
                        return ev
                return None
        return ordered[-1] if ordered else None

    _EVENT_COLUMNS = {
        "date": "date",
        "unit": "unit",
        "decision_date": "decision_date",
        "discipline_form": "discipline_form",
    }
    _ADMISSION_COLUMNS = {
        "date": "admission_date",
        "unit": "unit",
        "decision_date": "decision_date",
    }

    def _blame(self, exc: ValidationError, source, member_row: Row | None, sources) -> None:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
        for name, messages in fields.items():
            for message in messages:
                if source is None or source[0] == "members":
                    row = source[1] if source else member_row
                    sheet = schema.MEMBERS
                    column = self._ADMISSION_COLUMNS.get(name, "admission_date")
                else:
                    row, sheet = source[1], schema.EVENTS
                    column = self._EVENT_COLUMNS.get(name, "date")
                self.problem(sheet, row.number if row else None, sheet.header(column), message)

    def _check_new_member(self, row: Row, events: list[Row], checker) -> None:
        v = row.values
        if "admission_date" not in v:
            return
        evs = [self._ev(v, 0, EventKind.ADMISSION, "admission_date")]
        sources = {0: ("members", row)}
        if v.get("birth_date"):
            try:
                lifecycle.check_admission_age(v["birth_date"], evs[0].decision_date or evs[0].date)
            except ValidationError as exc:
                self.field_errors(
                    schema.MEMBERS,
                    row.number,
                    exc,
                    {c.field: c.header for c in schema.MEMBERS.columns},
                )
                return
        for e in events:
            evs.append(self._ev(e.values, e.number))
            sources[e.number] = ("events", e)
        stints = self._validate_history(evs, sources, row, checker)
        if stints is not None:
            # Kept (as compact tuples) for the writer, which then need not derive them again.
            self.new_members.append((row, events, [StintSpec.of(st) for st in stints]))
            self.report.count(schema.MEMBERS, "created")
            if events:
                self.report.count(schema.EVENTS, "created", len(events))

    def _writable_unit(self, unit) -> bool:
        """The unit (a `U` or a model) lies in the user's scope today, as in the forms."""
        if self.user is None:
            return True
        from django.core.exceptions import PermissionDenied

        pk = unit.pk
        if pk not in self._writable_units:
            model = unit if isinstance(unit, Unit) else Unit.objects.get(pk=pk)
            try:
                require_writable_unit(self.user, model)
                self._writable_units[pk] = True
            except PermissionDenied:
                self._writable_units[pk] = False
        return self._writable_units[pk]

    def _writable(self, member: dict, row: Row, sheet) -> bool:
        """Changes need the member to be in the user's scope today, as in the forms (access.py)."""
        if self.user is None:
            return True
        from django.core.exceptions import PermissionDenied

        try:
            require_writable_member(self.user, Member.objects.get(pk=member["pk"]))
        except PermissionDenied as exc:
            self.problem(sheet, row.number, sheet.header("profile_number"), str(exc))
            return False
        return True

    def _check_existing_member(
        self, row: Row | None, member: dict, events: list[Row], db_events, checker
    ) -> None:
        sheet = schema.MEMBERS
        if member.get("hidden"):
            if row is None:
                # Only referred to: the same message as a number that does not exist, so that
                # an import cannot tell which numbers exist outside the scope (issue 20 §8).
                for e in events:
                    self.problem(
                        schema.EVENTS,
                        e.number,
                        sheet.header("profile_number"),
                        unknown_member(member["profile_number"]),
                    )
                return
            # A new member cannot take a number that is in use: the key is unique.
            self.problem(
                sheet,
                row.number,
                sheet.header("profile_number"),
                f"số lý lịch {member['profile_number']} đã được dùng cho một đảng viên ngoài phạm vi của tài khoản.",
            )
            return
        have = db_events.get(member["pk"], [])
        if row is not None:
            v = row.values
            changes = {}
            for name in PROFILE_FIELDS:
                if (
                    name in v
                    and name != "profile_number"
                    and not _vals_equal(v[name], member[name])
                ):
                    changes[name] = v[name]
            admission = next((e for e in have if e.kind == EventKind.ADMISSION), None)
            if admission is not None and "admission_date" in v:
                for name, mine, theirs in (
                    ("admission_date", v["admission_date"], admission.date),
                    ("unit", self.code(v.get("unit")), admission.unit_code),
                    ("decision_date", v.get("decision_date"), admission.decision_date),
                ):
                    if name == "decision_date" and mine is None:
                        continue
                    if (mine or None) != (theirs or None):
                        shown = vn(theirs) if isinstance(theirs, dt.date) else theirs or ""
                        self.problem(
                            sheet,
                            row.number,
                            sheet.header(name),
                            f"khác với quyết định kết nạp đã có (“{shown}”). Sửa kết nạp hãy làm trên hồ sơ đảng viên.",
                        )
            if changes and not self._writable(member, row, sheet):
                return
            if changes:
                self.profile_updates.append((row, member["pk"], changes))
                self.report.count(sheet, "updated")
            else:
                self.report.count(sheet, "unchanged")
        present = {(e.kind, e.date, (e.unit_code or "").upper()) for e in have}
        fresh = [
            e
            for e in events
            if (e.values["kind"], e.values["date"], (self.code(e.values.get("unit")) or "").upper())
            not in present
        ]
        self.report.count(schema.EVENTS, "unchanged", len(events) - len(fresh))
        if not fresh:
            return
        if not self._writable(member, fresh[0], schema.EVENTS):
            return
        evs = [
            lifecycle.Ev(e.kind, e.date, e.unit_code, e.decision_date, e.discipline_form, -1 - i)
            for i, e in enumerate(have)
        ]
        sources = {}
        for e in fresh:
            evs.append(self._ev(e.values, e.number))
            sources[e.number] = ("events", e)
        if self._validate_history(evs, sources, row, checker) is not None:
            for e in fresh:
                self.event_updates.append((e, member["pk"]))
            self.report.count(schema.EVENTS, "updated", len(fresh))

    # villages and population -----------------------------------------------------------
    def _check_villages(self) -> None:
        sheet = schema.VILLAGES
        rows = self.rows.get(sheet.kind, [])
        if not rows:
            return
        by_code: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            v = row.values
            if not {"code", "name", "kind", "unit", "arrangement", "valid_from"} <= set(v):
                continue
            for name in ("unit", "cell"):
                if v.get(name):
                    unit = self.units.get(v[name].upper())
                    if unit is None:
                        self.problem(
                            sheet, row.number, sheet.header(name), f"không có tổ chức mã {v[name]}."
                        )
                        break
                    v[name] = unit.code
                    if unit.pk is not None and not self._writable_unit(unit):
                        self.problem(sheet, row.number, sheet.header(name), READ_ONLY_PAST)
                        break
                    if name == "unit" and not self._alive(unit, v["valid_from"]):
                        self.problem(
                            sheet,
                            row.number,
                            sheet.header("valid_from"),
                            f"Tổ chức {unit.code} không tồn tại vào ngày {vn(v['valid_from'])}.",
                        )
            else:
                if v.get("valid_to") and v["valid_to"] <= v["valid_from"]:
                    self.problem(
                        sheet,
                        row.number,
                        sheet.header("valid_to"),
                        "“Đến ngày” phải sau “Từ ngày”.",
                    )
                    continue
                v["code"] = v["code"].upper()
                by_code[v["code"]].append(row)
        existing = {}
        for village in Village.objects.filter(code__in=list(by_code)):
            versions = list(village.versions.select_related("unit", "cell"))
            existing[village.code.upper()] = (village, {vv.valid_from: vv for vv in versions})
            # Villages are looked up inside the user's scope (issue 20 §3): one that never was in
            # it is a taken code, like an organization's; one that was is changed only if all of
            # its history lies in the scope and it is there today.
            if self.visible is None:
                continue
            seen = [vv for vv in versions if vv.unit_id in self.visible]
            refusal = None
            if not seen:
                refusal = (
                    f"mã thôn {village.code} đã được dùng cho một thôn ngoài phạm vi của tài khoản."
                )
            elif len(seen) < len(versions) or not self._writable_unit(versions[-1].unit):
                refusal = f"thôn {village.code}: {READ_ONLY_PAST}"
            if refusal:
                for row in by_code.pop(village.code.upper()):
                    self.problem(sheet, row.number, sheet.header("code"), refusal)
        for code, group in by_code.items():
            group.sort(key=lambda r: r.values["valid_from"])
            bad = False
            for a, b in zip(group, group[1:], strict=False):
                if a.values["valid_from"] == b.values["valid_from"]:
                    self.problem(
                        sheet,
                        b.number,
                        sheet.header("valid_from"),
                        f"thôn {code} trùng “Từ ngày” với dòng {a.number}.",
                    )
                    bad = True
                elif (
                    a.values.get("valid_to") is None
                    or a.values["valid_to"] > b.values["valid_from"]
                ):
                    self.problem(
                        sheet,
                        b.number,
                        sheet.header("valid_from"),
                        f"giai đoạn này chồng lên giai đoạn ở dòng {a.number} của thôn {code}.",
                    )
                    bad = True
            if bad:
                continue
            village, versions = existing.get(code, (None, {}))
            for row in group:
                v = row.values
                old = versions.get(v["valid_from"])
                if old is None:
                    self.village_writes.append(("create", row, {}))
                    self.report.count(sheet, "created")
                    continue
                same = (
                    old.unit.code == v["unit"]
                    and old.arrangement == v["arrangement"]
                    and (old.cell.code if old.cell else None) == v.get("cell")
                    and old.valid_to == v.get("valid_to")
                    and village.name == v["name"]
                    and village.kind == v["kind"]
                )
                if same:
                    self.report.count(sheet, "unchanged")
                else:
                    self.village_writes.append(("update", row, {"version": old}))
                    self.report.count(sheet, "updated")

    def _check_population(self) -> None:
        sheet = schema.POPULATION
        seen: dict[tuple, int] = {}
        rows = [
            r
            for r in self.rows.get(sheet.kind, [])
            if {"unit", "year", "population"} <= set(r.values)
        ]
        existing = {
            (u.upper(), y): p
            for u, y, p in Population.objects.values_list("unit__code", "year", "population")
        }
        for row in rows:
            v = row.values
            unit = self.code(v["unit"])
            if unit is None:
                self.problem(
                    sheet, row.number, sheet.header("unit"), f"không có tổ chức mã {v['unit']}."
                )
                continue
            if not 1900 <= v["year"] <= 2100:
                self.problem(
                    sheet, row.number, sheet.header("year"), f"năm {v['year']} không hợp lệ."
                )
                continue
            key = (unit.upper(), v["year"])
            if key in seen:
                self.problem(
                    sheet,
                    row.number,
                    sheet.header("year"),
                    f"dân số năm {v['year']} của {unit} trùng với dòng {seen[key]}.",
                )
                continue
            seen[key] = row.number
            v["unit"] = unit
            old = existing.get(key)
            if old is None:
                self.population_writes.append(("create", row, None))
                self.report.count(sheet, "created")
            elif old == v["population"]:
                self.report.count(sheet, "unchanged")
            else:
                self.population_writes.append(("update", row, old))
                self.report.count(sheet, "updated")

    # ---- phase 2: write --------------------------------------------------------------
    @property
    def has_writes(self) -> bool:
        return bool(
            self.new_units
            or self.new_changes
            or self.unit_updates
            or self.new_members
            or self.profile_updates
            or self.event_updates
            or self.village_writes
            or self.population_writes
        )

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
        if dry_run and not (self.unit_updates or self.profile_updates or self.event_updates):
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

    def _service(self, sheet: schema.Sheet, row: Row, call, columns: dict[str, str]) -> None:
        try:
            with transaction.atomic():
                call()
        except ValidationError as exc:
            self.field_errors(sheet, row.number, exc, columns)

    def _write(self, actor: Actor) -> None:
        bulk = bool(self.new_units or self.new_members)
        loader = (
            BulkLoader(batch_size=5000, expected_members=len(self.new_members)) if bulk else None
        )
        audits: list[tuple] = []
        if self.new_units:
            self.progress("Ghi tổ chức", 0, len(self.new_units))
            specs = []
            for key in self.new_units:
                u = self.units[key]
                specs.append(
                    UnitSpec(
                        u.code,
                        u.established,
                        u.ended,
                        [
                            VersionSpec(
                                v.valid_from,
                                v.valid_to,
                                v.name,
                                v.kind,
                                v.grassroots_type,
                                v.parent,
                            )
                            for v in u.versions
                        ],
                    )
                )
            loader.add_units(specs)
            self._write_unit_changes(loader.unit_ids)
            for key in self.new_units:
                u = self.units[key]
                first = u.versions[0]
                audits.append(
                    self._audit(
                        actor,
                        "unit",
                        loader.unit_ids[u.code],
                        f"{first.name} ({u.code})",
                        "create",
                        {
                            "code": [None, u.code],
                            "name": [None, first.name],
                            "kind": [None, first.kind],
                            "parent": [None, first.parent],
                            "established": [None, u.established.isoformat()],
                            "versions": [None, len(u.versions)],
                        },
                    )
                )
            if self.unit_updates or self.profile_updates or self.event_updates:
                rebuild_closure(None)  # the services below read the closure
        if self.unit_updates:
            self._apply_unit_updates(actor)
        if self.new_members:
            total = len(self.new_members)
            for i, (row, events, stints) in enumerate(self.new_members):
                if i % 2000 == 0:
                    self.progress("Ghi đảng viên", i, total)
                v = row.values
                profile = {k: v[k] for k in PROFILE_FIELDS if k in v}
                admission = EventSpec(
                    EventKind.ADMISSION,
                    v["admission_date"],
                    self.code(v.get("unit")),
                    decision_date=v.get("decision_date"),
                    decision_number=v.get("decision_number", ""),
                    issuing_body=v.get("issuing_body", ""),
                )
                specs = [admission] + [
                    EventSpec(
                        e.values["kind"],
                        e.values["date"],
                        self.code(e.values.get("unit")),
                        decision_date=e.values.get("decision_date"),
                        decision_number=e.values.get("decision_number", ""),
                        issuing_body=e.values.get("issuing_body", ""),
                        discipline_form=e.values.get("discipline_form", ""),
                        place=e.values.get("place", ""),
                        note=e.values.get("note", ""),
                    )
                    for e in events
                ]
                loader.add_member(MemberSpec(profile, specs, stints))
            loader.flush()
            loader.restore_indexes()  # the services below look members' events up by index
            self.progress("Ghi đảng viên", total, total)
            # The loader hands out the ids, in the order the members were added.
            for pk, (row, events, _) in zip(loader.member_ids, self.new_members, strict=True):
                number, name = row.values["profile_number"], row.values["full_name"]
                audits.append(
                    self._audit(
                        actor,
                        "member",
                        pk,
                        f"{name} ({number})",
                        "create",
                        {"profile_number": [None, number], "events": [None, len(events) + 1]},
                    )
                )
        members_sheet = schema.MEMBERS
        mcols = {c.field: c.header for c in members_sheet.columns}
        if self.profile_updates or self.event_updates:
            for row, pk, changes in self.profile_updates:
                member = Member.objects.get(pk=pk)
                self._service(
                    members_sheet,
                    row,
                    lambda m=member, c=changes: member_update_profile(
                        actor=actor, member=m, reason="Nhập từ Excel", **c
                    ),
                    mcols,
                )
            ecols = {c.field: c.header for c in schema.EVENTS.columns}
            ecols["unit"] = ecols["unit"]
            for row, pk in self.event_updates:
                v = row.values
                unit = (
                    Unit.objects.filter(code=self.code(v.get("unit"))).first()
                    if v.get("unit")
                    else None
                )
                self._service(
                    schema.EVENTS,
                    row,
                    lambda pk=pk, v=v, unit=unit: member_record_event(
                        actor=actor,
                        member=Member.objects.get(pk=pk),
                        kind=v["kind"],
                        date=v["date"],
                        unit=unit,
                        decision_number=v.get("decision_number", ""),
                        decision_date=v.get("decision_date"),
                        issuing_body=v.get("issuing_body", ""),
                        discipline_form=v.get("discipline_form", ""),
                        place=v.get("place", ""),
                        note=v.get("note", ""),
                    ),
                    ecols,
                )
        audits += self._write_villages(actor)
        audits += self._write_population(actor)
        if audits:
            self.progress("Ghi nhật ký", 0, len(audits))
            _insert_audits(audits)
        if loader is not None:
            loader.flush()
            # The parsed rows are no longer needed: free them before the ledger rebuild, the
            # other big user of memory.
            self.rows, self.new_members, audits = {}, [], []
            gc.collect()
            self.progress("Tính lại số liệu", 0, 1)
            loader.finish(
                actor=actor,
                label=f"Nhập Excel: {self.name}",
                progress=lambda done, total: self.progress("Tính lại số liệu", done, total),
            )
        elif self.has_writes:
            record(
                actor,
                obj=Unit.objects.order_by("pk").first() or Member.objects.first(),
                action="import",
                changes={"counts": [None, self.report.counts]},
                reason=f"Nhập Excel: {self.name}",
                object_type="dataset",
            )

    def _audit(
        self, actor: Actor, object_type: str, pk, label: str, action: str, changes: dict
    ) -> tuple:
        """One audit row as a tuple (see _insert_audits): 100,000 model instances would cost
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

    def _write_unit_changes(self, unit_ids: dict[str, int]) -> None:
        rows = []
        for key in self.new_units:
            u = self.units[key]
            number, date, body = u.decision
            rows.append(
                UnitChange(
                    unit_id=unit_ids[u.code],
                    action=ChangeAction.ESTABLISH,
                    date=u.established,
                    decision_number=number,
                    decision_date=date,
                    issuing_body=body,
                    note="Nhập từ Excel",
                )
            )
        for code, row in self.new_changes:
            v = row.values
            details = {"merged_into": self.code(v["target"])} if v.get("target") else {}
            rows.append(
                UnitChange(
                    unit_id=unit_ids[code],
                    action=v["action"],
                    date=v["date"],
                    decision_number=v.get("decision_number", ""),
                    decision_date=v.get("decision_date"),
                    issuing_body=v.get("issuing_body", ""),
                    note=v.get("note", ""),
                    details=details,
                )
            )
        UnitChange.objects.bulk_create(rows, batch_size=5000)

    def _apply_unit_updates(self, actor: Actor) -> None:
        sheet = schema.CHANGES
        columns = {
            "name": sheet.header("name"),
            "parent": sheet.header("parent"),
            "kind": sheet.header("kind"),
            "date": sheet.header("date"),
            "target": sheet.header("target"),
            "sources": sheet.header("code"),
            "new_cell_code": sheet.header("kind"),
            "decision_date": sheet.header("decision_date"),
        }
        for row, info in self.unit_updates:
            self._service(
                sheet,
                row,
                lambda row=row, code=info["unit"]: self._unit_update(actor, row, code),
                columns,
            )

    def _unit_update(self, actor: Actor, row: Row, code: str) -> None:
        """One change row on an organization that exists: through its service."""
        v = row.values
        unit = Unit.objects.get(code=code)
        decision = orgs.Decision(
            v.get("decision_number", ""), v.get("decision_date"), v.get("issuing_body", "")
        )
        common = {
            "actor": actor,
            "date": v["date"],
            "decision": decision,
            "note": v.get("note", ""),
        }

        def other(field_name: str) -> Unit:
            found = self.code(v.get(field_name))
            if found is None:
                raise ValidationError(
                    {field_name: [f"không có tổ chức mã {v.get(field_name, '')}."]}
                )
            return Unit.objects.get(code=found)

        action = v["action"]
        if action == ChangeAction.RENAME:
            orgs.unit_rename(unit=unit, name=v.get("name", ""), **common)
        elif action == ChangeAction.MOVE:
            orgs.unit_move(unit=unit, new_parent=other("parent"), **common)
        elif action == ChangeAction.CHANGE_KIND:
            restructure.unit_change_kind(unit=unit, kind=v.get("kind", ""), **common)
        elif action == ChangeAction.MERGE:
            restructure.unit_merge(sources=[unit], target=other("target"), **common)
        else:
            restructure.unit_dissolve(unit=unit, **common)

    def _write_villages(self, actor: Actor) -> list[tuple]:
        out = []
        if not self.village_writes:
            return out
        unit_ids = dict(Unit.objects.values_list("code", "pk"))
        villages = {
            v.code.upper(): v
            for v in Village.objects.filter(
                code__in=[row.values["code"] for _, row, _ in self.village_writes]
            )
        }
        for what, row, extra in self.village_writes:
            v = row.values
            village = villages.get(v["code"])
            if village is None:
                village = villages[v["code"]] = Village.objects.create(
                    code=v["code"], name=v["name"], kind=v["kind"]
                )
                out.append(
                    self._audit(
                        actor,
                        "village",
                        village.pk,
                        f"{village.name} ({village.code})",
                        "create",
                        {"name": [None, village.name], "kind": [None, village.kind]},
                    )
                )
            elif (village.name, village.kind) != (v["name"], v["kind"]):
                out.append(
                    self._audit(
                        actor,
                        "village",
                        village.pk,
                        v["name"],
                        "update",
                        {"name": [village.name, v["name"]], "kind": [village.kind, v["kind"]]},
                    )
                )
                village.name, village.kind = v["name"], v["kind"]
                village.save(update_fields=["name", "kind"])
            fields = {
                "valid_to": v.get("valid_to"),
                "unit_id": unit_ids[v["unit"]],
                "arrangement": v["arrangement"],
                "cell_id": unit_ids[v["cell"]] if v.get("cell") else None,
            }
            if what == "create":
                version = VillageVersion.objects.create(
                    village=village, valid_from=v["valid_from"], **fields
                )
                out.append(
                    self._audit(
                        actor,
                        "villageversion",
                        version.pk,
                        village.name,
                        "create",
                        {k: [None, str(x) if x is not None else None] for k, x in fields.items()},
                    )
                )
            else:
                version = extra["version"]
                changes = {
                    k: [str(getattr(version, k)), str(x)]
                    for k, x in fields.items()
                    if getattr(version, k) != x
                }
                for k, x in fields.items():
                    setattr(version, k, x)
                version.save()
                if changes:
                    out.append(
                        self._audit(
                            actor, "villageversion", version.pk, village.name, "update", changes
                        )
                    )
        return out

    def _write_population(self, actor: Actor) -> list[tuple]:
        out = []
        unit_ids = dict(Unit.objects.values_list("code", "pk"))
        for what, row, old in self.population_writes:
            v = row.values
            if what == "create":
                obj = Population.objects.create(
                    unit_id=unit_ids[v["unit"]], year=v["year"], population=v["population"]
                )
            else:
                obj = Population.objects.get(unit_id=unit_ids[v["unit"]], year=v["year"])
                obj.population = v["population"]
                obj.save(update_fields=["population"])
            out.append(
                self._audit(
                    actor,
                    "population",
                    obj.pk,
                    f"{v['unit']} {v['year']}",
                    what,
                    {"population": [old, v["population"]]},
                )
            )
        return out


_AUDIT_COLUMNS = (
    "at",
    "actor_id",
    "actor_name",
    "source",
    "address",
    "object_type",
    "object_id",
    "object_label",
    "action",
    "changes",
    "reason",
)


def _insert_audits(rows: list[tuple]) -> None:
    """Append audit records in bulk (the same columns `audit.services.record` fills)."""
    table = AuditRecord._meta.db_table
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    if connection.vendor == "postgresql":
        # COPY: one statement instead of one INSERT per record (the JSON text goes into jsonb).
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({', '.join(_AUDIT_COLUMNS)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row((now, *row))
        return
    marks = ", ".join(["%s"] * len(_AUDIT_COLUMNS))
    sql = f"INSERT INTO {table} ({', '.join(_AUDIT_COLUMNS)}) VALUES ({marks})"
    with connection.cursor() as cursor:
        for i in range(0, len(rows), 5000):
            cursor.executemany(sql, [(now, *row) for row in rows[i : i + 5000]])


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
