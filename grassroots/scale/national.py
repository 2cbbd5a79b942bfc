"""A synthetic country on the real administrative units of Vietnam, for scale tests and benchmarks.

The tree: one central node `N`; the 63 legacy provinces (`N-P20`) and their ~700 districts
(`N-D189`) until 30/06/2025; from 01/07/2025 the 34 new provinces (`N-NP20`) with the ~3,300 new
communes (`N-NX06199`). Every legacy commune has a grassroots committee (`N-X06613`) that ends on
30/06/2025, its cells moving under the new commune its territory went into; other grassroots
organizations (enterprises, agencies, schools, armed forces: `N-G123`) move from their district
to the new province. Cells are `N-C1234`. Some organizations and cells are dissolved over the years
and their members restructured into a sibling. At national scale: ~52,000 grassroots
organizations, ~300,000 cells, 5.6M members; `--members N` scales everything down in proportion
(a sample of new communes with all the legacy communes that went into them, so the 2025 mergers
stay in the sample).

Member histories (admission since 1950, official status after 12 months, transfers, exemptions,
discipline, deaths, removals, leaving, re-admission, transfers out of the system) are drawn with a
seeded RNG and written through `bulkload.loader.BulkLoader`, which validates each history with the
same lifecycle rules as the services. Dates are day ordinals internally for speed.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from grassroots.bulkload.loader import UnitSpec, VersionSpec
from grassroots.demo import adminunits
from grassroots.organizations.models import GrassrootsType, Kind

NATIONAL_MEMBERS = 5_600_000
NATIONAL_ORGS = 52_000
NATIONAL_CELLS = 300_000
SCALES = {"national": NATIONAL_MEMBERS, "province": 170_000, "small": 5_000}
# The dataset ends here, so the same seed gives the same data on any day it is generated.
TODAY = dt.date(2026, 10, 1)
ORIGIN = dt.date(1950, 1, 1)
REFORM = dt.date(2025, 7, 1)
O_TODAY, O_ORIGIN, O_REFORM = TODAY.toordinal(), ORIGIN.toordinal(), REFORM.toordinal()
YEAR = 365


@dataclass
class Cell:
    code: str
    start: int  # ordinal, first day
    end: int | None  # ordinal, exclusive; None = still exists
    successor: str | None = None  # where members go when it ends before TODAY


@dataclass
class Plan:
    units: list[UnitSpec] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    province_of_cell: list[int] = field(default_factory=list)  # legacy province index per cell
    provinces: list[str] = field(default_factory=list)  # legacy province codes (index → code)
    counts: dict = field(default_factory=dict)


def from_ordinal(ordinal: int) -> dt.date:
    return dt.date.fromordinal(ordinal)


def _mapping() -> tuple[dict[str, list[str]], dict[str, str], dict[str, str]]:
    """(legacy commune → new communes, new commune → new province, legacy province → new province)."""
    ward_to = {}
    for p in adminunits.legacy_provinces():
        ward_to.update(adminunits.ward_mapping_2025_all(p.code))
    new_prov = {
        w.code: p.code for p in adminunits.new_provinces() for w in adminunits.new_wards(p.code)
    }
    votes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for p in adminunits.legacy_provinces():
        for d in adminunits.legacy_districts(p.code):
            for w in adminunits.legacy_wards(d.code):
                if w.code in ward_to:
                    votes[p.code][new_prov[ward_to[w.code][0]]] += 1
    prov_to = {pc: max(v, key=v.get) for pc, v in votes.items()}
    return ward_to, new_prov, prov_to


_OTHER_TYPES = (
    (GrassrootsType.AGENCY, "Cơ quan", 0.30),
    (GrassrootsType.PUBLIC_SERVICE, "Trường", 0.30),
    (GrassrootsType.ENTERPRISE_STATE, "Công ty", 0.12),
    (GrassrootsType.ENTERPRISE_NONSTATE, "Công ty TNHH", 0.13),
    (GrassrootsType.ARMED_FORCES, "Đơn vị", 0.10),
    (GrassrootsType.OTHER, "Tổ chức", 0.05),
)


def plan_tree(members: int, seed: int, *, province: str | None = None) -> Plan:
    """Choose the units for a dataset of `members` members (all in one new province if given)."""
    rng = random.Random(seed)
    ward_to, new_prov, prov_to = _mapping()
    new_wards = [w for p in adminunits.new_provinces() for w in adminunits.new_wards(p.code)]
    share = 1.0
    if province is not None:
        new_wards = [w for w in new_wards if w.province_code == province]
        share = len(new_wards) / 3321
    f = min(1.0, members / (NATIONAL_MEMBERS * share))
    k = max(1, min(len(new_wards), round(len(new_wards) * f)))
    chosen = {w.code: w for w in rng.sample(new_wards, k)}
    plan = Plan()
    U = plan.units
    o = ORIGIN
    U.append(UnitSpec("N", o, None, [VersionSpec(o, None, "Đảng Cộng sản Việt Nam", Kind.CENTRAL)]))
    new_province_names = {p.code: p.name for p in adminunits.new_provinces()}
    for pc in sorted({w.province_code for w in chosen.values()}):
        U.append(
            UnitSpec(
                f"N-NP{pc}",
                REFORM,
                None,
                [
                    VersionSpec(
                        REFORM, None, f"Đảng bộ {new_province_names[pc]}", Kind.PROVINCE, parent="N"
                    )
                ],
            )
        )
    for code, w in sorted(chosen.items()):
        U.append(
            UnitSpec(
                f"N-NX{code}",
                REFORM,
                None,
                [
                    VersionSpec(
                        REFORM,
                        None,
                        f"Đảng bộ {w.name}",
                        Kind.GRASSROOTS_COMMITTEE,
                        GrassrootsType.COMMUNE,
                        f"N-NP{w.province_code}",
                    )
                ],
            )
        )
    target_orgs = max(1, round(NATIONAL_ORGS * members / NATIONAL_MEMBERS))
    n_communes = 0
    legacy: list[tuple] = []  # (province, district, [wards in the sample])
    for p in adminunits.legacy_provinces():
        for d in adminunits.legacy_districts(p.code):
            wards = [
                w
                for w in adminunits.legacy_wards(d.code)
                if ward_to.get(w.code, [None])[0] in chosen
            ]
            if wards:
                legacy.append((p, d, wards))
                n_communes += len(wards)
    target_other = max(0, target_orgs - n_communes)
    weights = [len(ws) for _p, _d, ws in legacy]
    other_by_district = defaultdict(int)
    for i in rng.choices(range(len(legacy)), weights=weights, k=target_other):
        other_by_district[i] += 1
    cell_no = org_no = 0
    seen_p = set()
    end_reform = REFORM

    def add_cell(
        parent: str,
        parent_after: str | None,
        start: dt.date,
        end: dt.date | None,
        pidx: int,
        name: str,
    ) -> Cell:
        nonlocal cell_no
        cell_no += 1
        code = f"N-C{cell_no}"
        if parent_after is None or end is not None:
            versions = [VersionSpec(start, end, name, Kind.SUBORDINATE_CELL, parent=parent)]
        else:
            versions = [
                VersionSpec(start, REFORM, name, Kind.SUBORDINATE_CELL, parent=parent),
                VersionSpec(REFORM, None, name, Kind.SUBORDINATE_CELL, parent=parent_after),
            ]
        U.append(UnitSpec(code, start, end, versions))
        cell = Cell(code, start.toordinal(), end.toordinal() if end else None)
        plan.cells.append(cell)
        plan.province_of_cell.append(pidx)
        return cell

    def cells_for(
        org: str,
        afters: list[str] | None,
        org_start: dt.date,
        org_end: dt.date | None,
        n: int,
        pidx: int,
        successor: Cell | None = None,
    ) -> list[Cell]:
        """n cells under `org`; with `afters`, cell j moves under afters[j % len] on 01/07/2025.

        The first cell lives as long as the organization; a few others are merged into it on a
        random day (members restructured). When the organization ends, its cells end with it and
        their members go to `successor`.
        """
        made: list[Cell] = []
        o_start = org_start.toordinal()
        for j in range(n):
            latest = (
                o_start + 15 * YEAR
                if org_end is None
                else min(o_start + 15 * YEAR, org_end.toordinal() - YEAR)
            )
            start = (
                org_start if j == 0 else from_ordinal(rng.randint(o_start, max(o_start, latest)))
            )
            end = org_end
            if (
                org_end is None
                and j > 0
                and rng.random() < 0.04
                and start.toordinal() + 3 * YEAR < O_REFORM - 30
            ):
                end = from_ordinal(rng.randint(start.toordinal() + 3 * YEAR, O_REFORM - 30))
            after = afters[j % len(afters)] if afters else None
            cell = add_cell(org, after, start, end, pidx, f"Chi bộ {j + 1}")
            if cell.end is not None:
                cell.successor = (made[0] if org_end is None else successor).code
            made.append(cell)
        return made

    def pick_successor(pool: list[Cell], start: int) -> Cell | None:
        """A cell of the district that outlives the organization, to take its members."""
        live = [c for c in pool if c.end is None and c.start < start + 5 * YEAR]
        return rng.choice(live) if live else None

    for li, (p, d, wards) in enumerate(legacy):
        if p.code not in seen_p:
            seen_p.add(p.code)
            plan.provinces.append(p.code)
            U.append(
                UnitSpec(
                    f"N-P{p.code}",
                    o,
                    end_reform,
                    [VersionSpec(o, end_reform, f"Đảng bộ {p.name}", Kind.PROVINCE, parent="N")],
                )
            )
        pidx = len(plan.provinces) - 1
        U.append(
            UnitSpec(
                f"N-D{d.code}",
                o,
                end_reform,
                [
                    VersionSpec(
                        o, end_reform, f"Đảng bộ {d.name}", Kind.DISTRICT, parent=f"N-P{p.code}"
                    )
                ],
            )
        )
        district_cells: list[Cell] = []
        for w in wards:
            targets = [t for t in ward_to[w.code] if t in chosen]
            code = f"N-X{w.code}"
            start = from_ordinal(rng.randint(O_ORIGIN, O_ORIGIN + 10 * YEAR))
            U.append(
                UnitSpec(
                    code,
                    start,
                    end_reform,
                    [
                        VersionSpec(
                            start,
                            end_reform,
                            f"Đảng bộ {w.name}",
                            Kind.GRASSROOTS_COMMITTEE,
                            GrassrootsType.COMMUNE,
                            f"N-D{d.code}",
                        )
                    ],
                )
            )
            # the 2025 move: each cell goes to one of the new communes its territory went into
            afters = [f"N-NX{t}" for t in targets]
            district_cells += cells_for(code, afters, start, None, rng.randint(8, 22), pidx)
        after_province = f"N-NP{prov_to[p.code]}"
        for _ in range(other_by_district[li]):
            org_no += 1
            gtype, label, _w = rng.choices(_OTHER_TYPES, weights=[t[2] for t in _OTHER_TYPES])[0]
            code = f"N-G{org_no}"
            start = from_ordinal(rng.randint(O_ORIGIN + 5 * YEAR, O_REFORM - 5 * YEAR))
            end, successor = None, None
            if rng.random() < 0.05 and start.toordinal() + 5 * YEAR < O_REFORM - 60:
                successor = pick_successor(district_cells, start.toordinal())
                if successor is not None:
                    end = (
                        from_ordinal(
                            rng.randint(
                                max(start.toordinal(), successor.start) + 5 * YEAR, O_REFORM - 60
                            )
                        )
                        if max(start.toordinal(), successor.start) + 5 * YEAR < O_REFORM - 60
                        else None
                    )
            name = f"{label} {org_no}"
            grassroots_cell = rng.random() < 0.5  # a chi bộ cơ sở is itself a cell
            kind = Kind.GRASSROOTS_CELL if grassroots_cell else Kind.GRASSROOTS_COMMITTEE
            title = f"Chi bộ {name}" if grassroots_cell else f"Đảng bộ {name}"
            versions = [VersionSpec(start, end or REFORM, title, kind, gtype, f"N-D{d.code}")]
            if end is None:
                versions.append(VersionSpec(REFORM, None, title, kind, gtype, after_province))
            U.append(UnitSpec(code, start, end, versions))
            if grassroots_cell:
                cell = Cell(code, start.toordinal(), end.toordinal() if end else None)
                cell.successor = successor.code if end else None
                plan.cells.append(cell)
                plan.province_of_cell.append(pidx)
                district_cells.append(cell)
                continue
            n = rng.randint(3, 10)
            if (
                n >= 6 and rng.random() < 0.25
            ):  # some committees have a partial committee (đảng bộ bộ phận)
                part = f"{code}-BP"
                U.append(
                    UnitSpec(
                        part,
                        start,
                        end,
                        [
                            VersionSpec(
                                start,
                                end,
                                f"Đảng bộ bộ phận {name}",
                                Kind.PARTIAL_COMMITTEE,
                                parent=code,
                            )
                        ],
                    )
                )
                district_cells += cells_for(part, None, start, end, 3, pidx, successor)
                n -= 3
            district_cells += cells_for(code, None, start, end, n, pidx, successor)
    kinds = defaultdict(int)
    for u in U:
        kinds[u.versions[-1].kind] += 1
    plan.counts = {
        "units": len(U),
        "cells": len(plan.cells),
        **{str(k): n for k, n in kinds.items()},
    }
    return plan


# Names ------------------------------------------------------------------------------------------
