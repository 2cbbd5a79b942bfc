"""Rows of the sheet "Thay đổi tổ chức": a new organization's history composed from its change
rows, and change rows for an organization that exists matched to its history or applied through
organizations.services and restructure.services (a mixin of organizations/sheets.py's OrganizationsPart)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from grassroots.audit.services import Actor
from grassroots.core.dates import vn
from grassroots.excel.parts import Row
from grassroots.restructure import plan

from .models import ChangeAction, Kind, Unit

END_ACTIONS = (ChangeAction.MERGE, ChangeAction.SPLIT, ChangeAction.DISSOLVE)


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


class ChangeRows:
    def _check_changes(self) -> None:
        sheet = self.CHANGES
        by_unit: dict[str, list[Row]] = defaultdict(list)
        seen: dict[tuple, int] = {}
        for row in self.rows_of(sheet):
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
        self.problem(self.CHANGES, row.number, self.CHANGES.header(name), message)
        return False

    def _apply_change(self, unit: U, row: Row) -> None:
        """Compose a new unit's history from its change rows (no cascade: members and
        sub-organizations move by their own rows)."""
        sheet, v = self.CHANGES, row.values
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
                elif not self.alive(target, day):
                    self.problem(
                        sheet,
                        row.number,
                        sheet.header("target"),
                        f"Tổ chức nhận sáp nhập {target.code} không tồn tại vào ngày {vn(day)}.",
                    )
            current.valid_to = day
            unit.ended = day
        else:
            self._compose(unit, row)
        self.new_changes.append((unit.code, row))
        self.report.count(sheet, "created")

    def _compose(self, unit: U, row: Row) -> None:
        """The row's new name, kind, type or parent from its day on, in the unit's history as
        the check sees it."""
        sheet, v, day = self.CHANGES, row.values, row.values["date"]
        if not any(v.get(n) for n in ("name", "kind", "grassroots_type", "parent")):
            return
        current = unit.versions[-1]
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

    def _match_change(self, unit: U, rows: list[Row]) -> None:
        """Change rows for a unit already in the database: unchanged if the history already has
        them; applied through the services if they come after everything recorded."""
        sheet = self.CHANGES
        last_start = unit.versions[-1].valid_from if unit.versions else unit.established
        from_file = False  # last_start set by a row of this file: same-day rows may follow
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
            elif day < last_start or (day == last_start and not from_file):
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
                    "Chia tách một tổ chức đã có hãy lập kế hoạch sắp xếp từ tệp này (trang Kế hoạch "
                    "sắp xếp, hoặc lệnh grassroots plan apply) hoặc thực hiện trên giao diện.",
                )
            else:
                self.unit_updates.append((row, {"unit": unit.code}))
                self.report.count(sheet, "updated")
                last_start, from_file = day, True
                # Later rows of the file see the change (a new sub-cell under a cell that becomes
                # a đảng bộ, issue 12 edge case 4); the services apply it at write time.
                if action not in END_ACTIONS:
                    self._compose(unit, row)
                new_cell = (v.get("new_cell_code") or "").upper()
                if action == ChangeAction.CHANGE_KIND and new_cell and new_cell not in self.units:
                    self.units[new_cell] = U(
                        new_cell,
                        day,
                        None,
                        [
                            V(
                                day,
                                None,
                                v.get("new_cell_name") or new_cell,
                                Kind.SUBORDINATE_CELL,
                                unit.versions[-1].grassroots_type,
                                unit.code,
                            )
                        ],
                    )

    def _apply_unit_updates(self, actor: Actor) -> None:
        """The change rows of organizations that exist, with the member moves of the same days
        that other sheets hold, played as one plan (restructure/plan.py): in dependency order,
        not file order (members leave a cell before it is dissolved, issue 12 edge cases 2, 3,
        5), a merger's own moves recognized once; each refusal goes back to its row."""
        sheet = self.CHANGES
        days = {row.values["date"] for row, _ in self.unit_updates}
        changes = []
        for key in self.deferred_units:
            u = self.units[key]
            first = u.versions[0]
            number, decision_date, body = u.decision
            changes.append(
                plan.Change(
                    action=ChangeAction.ESTABLISH,
                    code=u.code,
                    date=u.established,
                    name=first.name,
                    kind=first.kind,
                    grassroots_type=first.grassroots_type,
                    parent=first.parent or "",
                    decision=plan.orgs.Decision(number, decision_date, body),
                    note="Nhập từ Excel",
                    ref=(self.ORGANIZATIONS, Row(u.row, {})),
                )
            )
        for row, info in self.unit_updates:
            changes.append(plan.change_from_values(row.values, info["unit"], (sheet, row)))
        for part in self.importer.parts:
            claim = getattr(part, "claim_moves", None)
            if claim is not None:
                for events_sheet, row in claim(days):
                    changes.append(plan.move_from_values(row.values, (events_sheet, row)))
        outcome = plan.play(actor, changes)
        if self.loader is not None and self.deferred_units:
            # Members of this file may sit in the organizations just established.
            codes = [self.units[key].code for key in self.deferred_units]
            self.loader.unit_ids.update(
                Unit.objects.filter(code__in=codes).values_list("code", "pk")
            )
        for problem in outcome.problems:
            where, row = problem.change.ref
            columns = {c.field: c.header for c in where.columns}
            columns["code"] = columns.get("code") or columns.get("profile_number")
            columns["target"] = columns.get("target") or columns.get("unit")
            columns["sources"] = columns["code"]
            columns.setdefault("date", columns.get("established"))
            column = columns.get(problem.field) if problem.field else None
            self.problem(where, row.number, column, problem.message)
