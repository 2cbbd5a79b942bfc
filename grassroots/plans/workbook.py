"""A workbook of organization changes read as one restructure plan (`grassroots plan check|apply`,
the plan upload page). The file has the import format (docs/import.md): the rows of
"Thay đổi tổ chức" are the plan's changes, the rows of "Tổ chức đảng" that are not yet in the
registry are organizations the plan establishes, and the rows "Chuyển theo sắp xếp tổ chức" of
"Sự kiện đảng viên" are its explicit member moves. Row order does not matter: the plan is played
in dependency order (grassroots/restructure/plan.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from grassroots.core.dates import vn
from grassroots.excel import schema
from grassroots.excel.importer import Importer
from grassroots.members.models import EventKind
from grassroots.members.sheets import EVENTS
from grassroots.organizations.models import ChangeAction, Unit, UnitAncestry
from grassroots.organizations.queries import on
from grassroots.organizations.services import Decision
from grassroots.organizations.sheets import CHANGES, ORGANIZATIONS
from grassroots.restructure import plan as engine

PLAN_SHEETS = {ORGANIZATIONS.kind, CHANGES.kind, EVENTS.kind}


@dataclass
class PlanFile:
    changes: list[engine.Change] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def effective_date(self) -> dt.date | None:
        return min((c.date for c in self.changes), default=None)


def _decision(v: dict) -> Decision:
    return Decision(v.get("decision_number", ""), v.get("decision_date"), v.get("issuing_body", ""))


def read_plan(path: str | Path, name: str = "", *, user=None) -> PlanFile:
    importer = Importer(path, name, user=user)
    out = PlanFile()
    if not importer.read_rows():
        out.problems = importer.report.messages()
        return out
    out.problems = importer.report.messages()  # cells that could not be read
    existing = {
        code.upper()
        for code in Unit.objects.filter(
            code__in=[r.values.get("code", "") for r in importer.rows.get(ORGANIZATIONS.kind, [])]
        ).values_list("code", flat=True)
    }
    for kind, rows in importer.rows.items():
        if kind not in PLAN_SHEETS and rows:
            sheet = next(s for s in schema.sheets() if s.kind == kind)
            out.problems.append(
                f"Sheet {sheet.name}: không thuộc kế hoạch sắp xếp tổ chức (chỉ nhận sheet "
                f"{ORGANIZATIONS.name}, {CHANGES.name} và sự kiện “Chuyển theo sắp xếp tổ chức”)."
            )
    # A split's parts are described by their rows of "Tổ chức đảng": the split establishes them.
    split_rows = [
        row
        for row in importer.rows.get(CHANGES.kind, [])
        if row.values.get("action") == ChangeAction.SPLIT
    ]
    part_codes = {code.upper() for row in split_rows for code in _codes(row.values.get("parts"))}
    org_rows = {}
    for row in importer.rows.get(ORGANIZATIONS.kind, []):
        v = row.values
        if not v.get("code") or v["code"].upper() in existing:
            continue  # organizations already in the registry are the plan's context, not changes
        if not {"name", "kind", "established"} <= set(v):
            continue
        if v["code"].upper() in part_codes:
            org_rows[v["code"].upper()] = row
            continue
        out.changes.append(
            engine.Change(
                action=ChangeAction.ESTABLISH,
                code=v["code"],
                date=v["established"],
                name=v["name"],
                kind=v["kind"],
                grassroots_type=v.get("grassroots_type", ""),
                parent=v.get("parent", "") or "",
                decision=_decision(v),
                ref=(ORGANIZATIONS.name, row.number),
                where=f"Sheet {ORGANIZATIONS.name}, dòng {row.number}",
            )
        )
    for row in importer.rows.get(CHANGES.kind, []):
        v = row.values
        if not {"code", "action", "date"} <= set(v):
            continue
        change = engine.change_from_values(
            v,
            v["code"],
            (CHANGES.name, row.number),
            f"Sheet {CHANGES.name}, dòng {row.number}",
        )
        if v["action"] == ChangeAction.SPLIT:
            change.parts, missing = _parts(v, org_rows)
            out.problems += [
                f"Sheet {CHANGES.name}, dòng {row.number}, cột {CHANGES.header('parts')}: tổ chức "
                f"tách ra {code} chưa có dòng ở sheet {ORGANIZATIONS.name} (tên, cấp tổ chức, "
                f"ngày thành lập {vn(v['date'])})."
                for code in missing
            ]
            if len(_codes(v.get("parts"))) < 2:
                out.problems.append(
                    f"Sheet {CHANGES.name}, dòng {row.number}, cột {CHANGES.header('parts')}: "
                    "Chia tách cần ít nhất hai tổ chức mới."
                )
        out.changes.append(change)
    for row in importer.rows.get(EVENTS.kind, []):
        v = row.values
        if not {"profile_number", "kind", "date"} <= set(v):
            continue
        if v["kind"] != EventKind.RESTRUCTURE:
            out.problems.append(
                f"Sheet {EVENTS.name}, dòng {row.number}: kế hoạch sắp xếp chỉ nhận sự kiện "
                "“Chuyển theo sắp xếp tổ chức”; các sự kiện khác hãy nhập bằng lệnh import."
            )
            continue
        out.changes.append(
            engine.move_from_values(
                v, (EVENTS.name, row.number), f"Sheet {EVENTS.name}, dòng {row.number}"
            )
        )
    if not out.changes and not out.problems:
        out.problems.append("Tệp không có thay đổi tổ chức nào.")
    return out


def _codes(text) -> list[str]:
    return [c.strip() for c in str(text or "").replace(",", ";").split(";") if c.strip()]


def _parts(v: dict, org_rows: dict) -> tuple[list[dict], list[str]]:
    """The parts of a split row, each from its row of "Tổ chức đảng" established on the split's
    day, and the codes that have no such row."""
    parts, missing = [], []
    for code in _codes(v.get("parts")):
        row = org_rows.get(code.upper())
        if row is None or row.values.get("established") != v["date"]:
            missing.append(code)
            continue
        o = row.values
        parts.append(
            {
                "code": o["code"],
                "name": o["name"],
                "kind": o["kind"],
                "grassroots_type": o.get("grassroots_type", ""),
            }
        )
    return parts, missing


def deciding_unit(changes: list[engine.Change], day: dt.date) -> Unit | None:
    """The lowest organization above every organization the plan names (its committee decides)."""
    codes = {c.code.upper() for c in changes if c.action != engine.MEMBER_MOVE}
    codes |= {c.target.upper() for c in changes if c.target}
    codes |= {c.parent.upper() for c in changes if c.parent}
    ids = list(Unit.objects.filter(code__in=codes).values_list("pk", flat=True))
    if not ids:
        return None
    common: set[int] | None = None
    depth: dict[int, int] = {}
    for pk in ids:
        rows = UnitAncestry.objects.filter(on(day - dt.timedelta(days=1)), descendant_id=pk)
        above = {}
        for ancestor, d in rows.values_list("ancestor_id", "depth"):
            above[ancestor] = d
        if not above:
            continue
        common = set(above) if common is None else common & set(above)
        for a, d in above.items():
            depth[a] = max(depth.get(a, 0), d)
    if not common:
        return None
    # The common ancestor nearest to the named units is the one with the smallest distance.
    return Unit.objects.get(pk=min(common, key=lambda a: depth[a]))
