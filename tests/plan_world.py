"""A small generated province for the plan tests: 3 districts of 4 commune cells, members and
villages in each, and its 2025-like reorganization (districts abolished, communes merged three or
two into one, one commune growing into a đảng bộ with a new cell for its members)."""

from __future__ import annotations

import datetime as dt

from grassroots.members.models import EventKind
from grassroots.organizations.models import Kind
from grassroots.territory import services as territory
from grassroots.territory.models import CellArrangement, VillageKind

from .factories import SYSTEM, admit, event, unit

DAY = dt.date(2025, 7, 1)
DISTRICTS = 3
COMMUNES = 4


def build() -> dict:
    province = unit("P", Kind.PROVINCE, name="Đảng bộ tỉnh P")
    world = {"province": province, "districts": {}, "communes": {}, "members": {}}
    n = 0
    for i in range(1, DISTRICTS + 1):
        district = unit(f"P-D{i}", Kind.DISTRICT, province)
        world["districts"][district.code] = district
        for j in range(1, COMMUNES + 1):
            cell = unit(f"P-D{i}-C{j}", Kind.GRASSROOTS_CELL, district)
            world["communes"][cell.code] = cell
            for k in range(2):
                n += 1
                member = admit(cell, f"20{10 + k}-03-0{j}", profile_number=f"{n:06d}PP")
                world["members"].setdefault(cell.code, []).append(member)
                if k == 0:
                    event(member, EventKind.OFFICIAL)
            territory.village_create(
                actor=SYSTEM,
                code=f"V-{i}-{j}",
                name=f"Thôn {i}-{j}",
                kind=VillageKind.THON,
                unit=cell,
                arrangement=CellArrangement.NONE,
                date=dt.date(2000, 1, 1),
            )
    return world


def reorganization() -> list[dict]:
    """The plan as rows: (action, code, extra). Each district's communes 1–3 merge into a new
    commune, commune 4 moves under the province; commune 4 of district 1 grows into a đảng bộ
    (its members go to a new chi bộ trực thuộc); districts are dissolved."""
    rows = []
    for i in range(1, DISTRICTS + 1):
        new = f"P-X{i}"
        rows.append(
            {
                "action": "establish",
                "code": new,
                "name": f"Chi bộ xã mới {i}",
                "kind": Kind.GRASSROOTS_CELL,
                "grassroots_type": "commune",
                "parent": "P",
            }
        )
        for j in (1, 2, 3):
            rows.append({"action": "merge", "code": f"P-D{i}-C{j}", "target": new})
        rows.append({"action": "move", "code": f"P-D{i}-C4", "parent": "P"})
        rows.append({"action": "dissolve", "code": f"P-D{i}"})
    rows.append({"action": "rename", "code": "P-D2-C4", "name": "Chi bộ phường Đông"})
    rows.append(
        {
            "action": "change_kind",
            "code": "P-D1-C4",
            "kind": Kind.GRASSROOTS_COMMITTEE,
            "new_cell_code": "P-D1-C4-1",
            "new_cell_name": "Chi bộ thôn 1",
        }
    )
    return rows


def figures_of_all(days) -> dict:
    from grassroots.figures.queries import figures
    from grassroots.organizations.models import Unit

    out = {}
    for u in Unit.objects.order_by("code"):
        for day in days:
            data = figures(u, day).as_json()
            out[(u.code, day)] = data
    return out
