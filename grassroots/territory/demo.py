"""The demo province's villages (own cell / joint / none, fitted to Đình Lập's published 214) and
yearly population. A Plan mixin, run by grassroots/demo/plan.py."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from grassroots.demo import adminunits, names
from grassroots.demo.model import (
    D1,
    D2,
    DINH_LAP,
    DINH_LAP_PCT,
    DINH_LAP_VILLAGES,
    DISTRICT,
    GCELL,
    ONE_DAY,
    POP_GROWTH,
    POPULATION_2019,
    REORG,
    START,
    SUB,
    D,
    PUnit,
    PVillage,
    rand_date,
)


class TerritoryPlan:
    """Villages with their arrangements over time, and population per unit and year."""

    def _make_villages(self, commune: str, n: int, town: bool) -> list[PVillage]:
        rng = self.rng
        result, used = [], set()
        for i in range(n):
            if town:
                name, kind = (
                    (f"Khối {i + 1}" if rng.random() < 0.5 else f"Tổ dân phố {i + 1}"),
                    "to_dan_pho",
                )
            else:
                while True:
                    name = f"{rng.choice(names.VILLAGE_HEADS)} {rng.choice(names.VILLAGE_TAILS)}"
                    if name not in used:
                        used.add(name)
                        break
                kind = "ban" if rng.random() < 0.6 else "thon"
                name = ("Bản " if kind == "ban" else "Thôn ") + name
            result.append(
                PVillage(
                    f"LS-X{commune}-V{i + 1:02d}",
                    name,
                    kind,
                    commune,
                    [],
                    size=rng.uniform(0.6, 1.6),
                )
            )
        return result

    def _village_path(self, first_cell: dt.date | None) -> list[tuple[dt.date, str]]:
        """Own / joint / none through time for a village outside Đình Lập."""
        rng = self.rng
        r = rng.random()
        if first_cell is None:  # commune is a chi bộ cơ sở all along: members meet in it
            return [(START, "joint" if r < 0.7 else "none")]
        if r < 0.62:
            return [(START, "own")]
        if r < 0.88:
            when = rand_date(rng, max(START, first_cell), D(2022, 1, 1))
            return [(START, "joint"), (when, "own")] if rng.random() < 0.85 else [(START, "joint")]
        if rng.random() < 0.5:
            when = rand_date(rng, START, D(2020, 1, 1))
            return [(START, "none"), (when, "joint")]
        return [(START, "none")]

    def _commune_cells(self, unit: PUnit, w, grown: dt.date | None, never: bool) -> None:
        """Non-village cells of a commune committee: its agencies, police, militia, schools."""
        if never:
            return
        rng = self.rng
        base = grown or unit.established
        label = "phường" if w.kind == "phường" else ("thị trấn" if w.kind == "thị trấn" else "xã")
        items = [
            (f"Chi bộ Cơ quan {label} {w.short_name}", 1.0, 1.0, "agency"),
            (f"Chi bộ Quân sự {label} {w.short_name}", 0.9, 0.5, "military"),
            (f"Chi bộ Công an {label} {w.short_name}", 0.8, 0.5, "police"),
            (f"Chi bộ Trường Tiểu học {w.short_name}", 0.7, 0.5, "school"),
            (f"Chi bộ Trường THCS {w.short_name}", 0.6, 0.5, "school"),
            (f"Chi bộ Trường Mầm non {w.short_name}", 0.35, 0.3, "school"),
            (f"Chi bộ Trạm Y tế {label} {w.short_name}", 0.25, 0.3, "health"),
            (f"Chi bộ Khối Mặt trận - Đoàn thể {label} {w.short_name}", 0.5, 0.6, "mass"),
        ]
        made = {}
        for name, p, weight, role in items:
            if role != "agency" and rng.random() > p:
                continue
            if grown or role == "agency" or rng.random() < 0.6:
                est = base if grown else rand_date(rng, max(base, D(1960, 1, 1)), D(2000, 1, 1))
            else:
                est = rand_date(rng, START, D(2022, 1, 1))
            code = self.next_code(unit.code, "C")
            made[name] = self.add_unit(
                code,
                est,
                name,
                SUB,
                unit.code,
                f"c_{role}",
                district=unit.district,
                commune=unit.commune,
                weight=weight,
            )
        primary = made.get(f"Chi bộ Trường Tiểu học {w.short_name}")
        secondary = made.get(f"Chi bộ Trường THCS {w.short_name}")
        if primary and secondary and rng.random() < 0.15:  # schools merged into a TH & THCS school
            day = rand_date(
                rng,
                max(primary.established, secondary.established, D(2010, 1, 1)) + ONE_DAY * 30,
                D(2024, 1, 1),
            )
            self.dissolve(secondary.code, day, [primary.code], action="merge")
            primary.split(day, name=f"Chi bộ Trường Tiểu học và THCS {w.short_name}")
            self.change(primary.code, "rename", day)

    def _village_cells(self) -> None:
        """A cell for each village from the day it has its own; joint villages meet in a neighbour's."""
        for village in self.villages:
            own_from = next((s for s, a in village.states if a == "own"), None)
            if own_from is None:
                continue
            unit = self.units[f"LS-X{village.commune}"]
            if own_from == START:
                est = rand_date(self.rng, max(unit.established, D(1960, 1, 1)), START)
            else:
                est = own_from
            word = {"ban": "bản", "thon": "thôn", "to_dan_pho": ""}[village.kind]
            name = (
                f"Chi bộ {word} {village.name.split(' ', 1)[1]}"
                if word
                else f"Chi bộ {village.name}"
            )
            code = self.next_code(unit.code, "C")
            self.add_unit(
                code,
                est,
                name,
                SUB,
                unit.code,
                "c_village",
                district=unit.district,
                commune=village.commune,
                weight=2.2 * village.size,
                fixed=unit.district == DINH_LAP,
            )
            village.cell = code
        for unit in self.units.values():
            if unit.role == "commune" and unit.versions[0].kind == GCELL and len(unit.versions) > 1:
                grown = unit.versions[1].start
                unit.successors = [
                    c.code for c in self.children(unit.code, grown) if c.established == grown
                ]

    def _dinh_lap_villages(self) -> None:
        """Đình Lập: 214 villages; own/joint/none = 76/49/89 on 02/02/2008 and 118/6/90 on 23/02/2019."""
        rng = self.rng
        communes = [w for w in self.wards.get(DINH_LAP, [])]
        if not communes:
            return
        total = 214 if self.scale >= 1.0 else 12 * len(communes)
        weights = [0.5 if w.kind != "xã" else rng.uniform(0.8, 1.3) for w in communes]
        counts = [max(6, round(total * x / sum(weights))) for x in weights]
        counts[-1] += total - sum(counts)
        villages = []
        for w, n in zip(communes, counts, strict=True):
            villages += self._make_villages(w.code, n, w.kind != "xã")
        # Paths: (state 2000, state D1, state D2) with the published counts.
        own1, joint1, none1 = DINH_LAP_VILLAGES[D1]
        own2, joint2, none2 = DINH_LAP_VILLAGES[D2]
        if self.scale < 1.0:  # keep the proportions
            f = total / 214
            own1, joint1 = round(own1 * f), round(joint1 * f)
            none1 = total - own1 - joint1
            own2, joint2 = round(own2 * f), round(joint2 * f)
        joint_to_own = own2 - own1 - 2 if own2 - own1 > 2 else own2 - own1
        none_to_own = own2 - own1 - joint_to_own
        joint_to_none = joint1 - joint_to_own - joint2
        paths = (
            ["own"] * own1
            + ["joint_own"] * joint_to_own
            + ["joint_none"] * joint_to_none
            + ["joint"] * joint2
            + ["none_own"] * none_to_own
            + ["none"] * (none1 - none_to_own)
        )
        assert len(paths) == total and joint_to_none >= 0, (len(paths), total)
        # Each commune gets at least one village with its own cell from the start.
        by_commune = defaultdict(list)
        for v in villages:
            by_commune[v.commune].append(v)
        order = [vs[0] for vs in by_commune.values()] + [
            v for vs in by_commune.values() for v in vs[1:]
        ]
        rest = paths[len(by_commune) :]
        rng.shuffle(rest)
        paths = paths[: len(by_commune)] + rest
        firsts = {id(vs[0]) for vs in by_commune.values()}
        for village, path in zip(order, paths, strict=True):
            mid = lambda: rand_date(rng, D1 + ONE_DAY, D2)  # noqa: E731
            if path == "own":
                village.states = (
                    [(START, "own")]
                    if id(village) in firsts or rng.random() < 0.8
                    else [(START, "joint"), (rand_date(rng, START, D1), "own")]
                )
            elif path == "joint_own":
                village.states = [(START, "joint"), (mid(), "own")]
            elif path == "joint_none":  # its last members moved away
                village.states = [(START, "joint"), (mid(), "none")]
            elif path == "joint":
                village.states = [(START, "joint")] + (
                    [(rand_date(rng, D2 + ONE_DAY, D(2025, 1, 1)), "own")]
                    if rng.random() < 0.5
                    else []
                )
            elif path == "none_own":
                village.states = [(START, "none"), (mid(), "own")]
            else:
                village.states = [(START, "none")]
        self.villages += villages

    # Villages ------------------------------------------------------------------
    def build_villages(self) -> None:
        self._dinh_lap_villages()
        self._village_cells()

    def village_versions(
        self,
    ) -> list[tuple[PVillage, dt.date, dt.date | None, str, str, str | None]]:
        """(village, from, to, commune unit code, arrangement, cell code), consecutive equal rows merged."""
        by_commune = defaultdict(list)
        for v in self.villages:
            by_commune[v.commune].append(v)
        hub_of = {f"LS-XM{k}": v for k, v in getattr(self, "hubs", {}).items()}
        rows = []
        for commune, villages in by_commune.items():
            old = f"LS-X{commune}"
            new = (
                f"LS-XM{self.new_commune_of[commune]}"
                if commune in getattr(self, "new_commune_of", {})
                else None
            )
            bounds = sorted(
                {s for v in villages for s, _ in v.states} | ({REORG} if new else set())
            )
            for village in villages:
                for i, start in enumerate(bounds):
                    end = bounds[i + 1] if i + 1 < len(bounds) else None
                    arrangement = [a for s, a in village.states if s <= start][-1]
                    unit = new if new and start >= REORG else old
                    cell = None
                    if arrangement == "own":
                        cell = village.cell
                    elif arrangement == "joint":
                        owners = [
                            v.cell
                            for v in villages
                            if v.cell and [a for s, a in v.states if s <= start][-1] == "own"
                        ]
                        if owners:
                            cell = owners[int(village.code[-2:]) % len(owners)]
                        elif self.units[unit].at(start).kind == GCELL:
                            cell = unit  # members meet in the commune's chi bộ cơ sở
                        else:
                            cell = hub_of.get(unit)
                        if cell is None:
                            arrangement = "none"
                    row = (village, start, end, unit, arrangement, cell)
                    last = rows[-1] if rows else None
                    if last and last[0] is village and last[3:] == row[3:] and last[2] == start:
                        rows[-1] = (village, last[1], end, unit, arrangement, cell)
                    else:
                        rows.append(row)
        return rows

    # Population ----------------------------------------------------------------
    def district_of(self, cell: str, day: dt.date) -> str | None:
        code = cell
        while code:
            v = self.units[code].at(day)
            if v is None:
                return None
            if v.kind == DISTRICT:
                return code
            code = v.parent
        return None

    def build_population(self) -> None:
        rng = self.rng
        dl = f"LS-H{DINH_LAP}"
        dl_members = sum(
            1 for m in self.members if (c := m.cell_at(D2)) and self.district_of(c, D2) == dl
        )
        by_district: dict[str, dict[int, int]] = {}
        for d in self.districts:
            base = POPULATION_2019[d.code] * (
                1
                if self.scale >= 1
                else len(self.wards[d.code]) / max(1, len(adminunits.legacy_wards(d.code)))
            )
            if d.code == DINH_LAP and dl_members:
                base = round(dl_members * 100 / DINH_LAP_PCT)
                while round(100 * dl_members / base, 1) != DINH_LAP_PCT:
                    base += 1
            by_district[d.code] = {
                y: round(base * (1 + POP_GROWTH) ** (y - 2019)) for y in range(2000, 2025)
            }
            by_district[d.code][2019] = round(base)
            for y, value in by_district[d.code].items():
                self.populations[(f"LS-H{d.code}", y)] = value
            wards = self.wards[d.code]
            weights = [rng.uniform(0.6, 1.6) * (2.5 if w.kind != "xã" else 1) for w in wards]
            for y, value in by_district[d.code].items():
                shares = [value * w / sum(weights) for w in weights]
                parts = [int(x) for x in shares]
                for i in sorted(
                    range(len(parts)), key=lambda i: shares[i] - parts[i], reverse=True
                )[: value - sum(parts)]:
                    parts[i] += 1
                for w, part in zip(wards, parts, strict=True):
                    self.populations[(f"LS-X{w.code}", y)] = part
        for y in range(2000, 2025):
            self.populations[("LS", y)] = sum(by_district[d.code][y] for d in self.districts)
        for y in (2025, 2026):
            totals = Counter()
            for old, new in self.new_commune_of.items():
                totals[new] += round(
                    self.populations[(f"LS-X{old}", 2024)] * (1 + POP_GROWTH) ** (y - 2024)
                )
            for new, value in totals.items():
                self.populations[(f"LS-XM{new}", y)] = value
            self.populations[("LS", y)] = sum(totals.values())
        self.dinh_lap_members_d2 = dl_members
