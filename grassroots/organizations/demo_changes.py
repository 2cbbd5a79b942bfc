"""The demo tree's changes over the years: establishments, dissolutions and mergers up to 2025,
fitted at scale 1.0 to the organization counts Lạng Sơn published (issue 2, point 6), and the
reorganization of 1 July 2025 (HD 31-HD/BTCTW). A Plan mixin, run by grassroots/demo/plan.py."""

from __future__ import annotations

import datetime as dt

from grassroots.assessments.demo import TARGETS as SHARES
from grassroots.assessments.demo import top_count
from grassroots.demo import names
from grassroots.demo.model import (
    BLOCS_2025,
    D1,
    D2,
    DEPARTMENTS_2025,
    DISTRICT,
    GC,
    GCELL,
    GRASSROOTS,
    ONE_DAY,
    PARTIAL,
    REORG,
    SUB,
    SUBORDINATE,
    TARGETS,
    D,
    PChange,
    PUnit,
    rand_date,
)


class ChangesPlan:
    """History, the fit to the published counts and the 2025 reorganization."""

    # Changes over the years ----------------------------------------------------
    def history(self) -> None:
        rng = self.rng
        # Vertical agencies' district cells became subordinate cells of the province's (QĐ of each sector).
        for base, province_name, day in (
            ("Bảo hiểm xã hội", "Bảo hiểm xã hội tỉnh", D(2017, 10, 1)),
            ("Kho bạc Nhà nước", "Kho bạc Nhà nước tỉnh", D(2016, 7, 1)),
            ("Chi cục Thuế", "Cục Thuế tỉnh", D(2021, 1, 1)),
        ):
            target = next(
                (
                    u
                    for u in self.units.values()
                    if u.name.endswith(province_name) and u.role.startswith("p_")
                ),
                None,
            )
            if target is None or target.at(day).kind != GC:
                continue
            for unit in list(self.units.values()):
                if unit.role == "d_vertical" and base in unit.name and unit.at(day):
                    self.split(unit, day, kind=SUB, parent=target.code)
                    self.change(unit.code, "move", day, related=[target.code])
        # A few district-level enterprises moved into the enterprise bloc.
        movers = [
            u
            for u in self.units.values()
            if u.role == "d_service" and u.versions[0].gtype == "enterprise_state"
        ]
        for unit in rng.sample(movers, min(3, len(movers))):
            day = rand_date(rng, D(2004, 1, 1), D(2023, 1, 1))
            if unit.at(day) and unit.at(day).kind == GCELL:
                self.split(unit, day, parent="LS-KDN")
                unit.role = "p_enterprise"
                self.change(unit.code, "move", day, related=["LS-KDN"])

    # Targets -----------------------------------------------------------------
    def fit_units(self) -> None:
        """Add or take out organizations established or dissolved between the two dates until the
        grassroots and subordinate counts on both dates are the published ones."""
        t1g, t1s, _ = TARGETS[D1]
        t2g, t2s, _ = TARGETS[D2]
        rng = self.rng
        hosts = [
            u
            for u in self.units.values()
            if u.role.startswith("p_")
            and u.at(D1)
            and u.at(D2)
            and u.at(D1).kind == GC
            and u.at(D2).kind == GC
        ]
        districts = [d.code for d in self.districts]

        def removable(kind_group, cond):
            referenced = {s for u in self.units.values() for s in u.successors}
            parents = {v.parent for u in self.units.values() for v in u.versions}
            out = []
            for u in self.units.values():
                if (
                    u.fixed
                    or u.code in referenced
                    or u.code in parents
                    or u.role in ("commune", "c_village")
                ):
                    continue
                if len(u.versions) != 1 or u.versions[0].kind not in kind_group:
                    continue
                if cond(u):
                    out.append(u)
            return out

        def drop(unit: PUnit) -> None:
            del self.units[unit.code]
            self.changes = [c for c in self.changes if c.unit != unit.code]

        def present(u, day):
            return u.at(day) is not None

        # D1 first with organizations that exist on D1 but not on D2, then D2 with the converse.
        for step in ("D1", "D2"):
            for group, kinds in (("g", GRASSROOTS), ("s", SUBORDINATE)):
                g1, s1 = self.count(D1)
                g2, s2 = self.count(D2)
                if step == "D1":
                    delta = (t1g - g1) if group == "g" else (t1s - s1)
                    cond = lambda u: present(u, D1) and not present(u, D2)  # noqa: E731
                else:
                    delta = (t2g - g2) if group == "g" else (t2s - s2)
                    cond = lambda u: present(u, D2) and not present(u, D1)  # noqa: E731
                if delta < 0:
                    pool = removable(kinds, cond)
                    rng.shuffle(pool)
                    if len(pool) < -delta:
                        raise RuntimeError(
                            f"cannot fit organization counts ({step}, {group}, {delta})"
                        )
                    for unit in pool[:-delta]:
                        drop(unit)
                for _ in range(max(delta, 0)):
                    if step == "D1":
                        est, end = (
                            rand_date(rng, D(2000, 1, 1), D1 - ONE_DAY * 30),
                            rand_date(rng, D1 + ONE_DAY, D2),
                        )
                    else:
                        est, end = rand_date(rng, D1 + ONE_DAY, D2), None
                    if group == "g":
                        district = rng.choice(districts)
                        self._enterprise(
                            f"LS-H{district}", district, est, ended=end or D(9999, 1, 1)
                        )
                    else:
                        host = rng.choice(hosts)
                        est = max(
                            est, next(v.start for v in host.versions if v.kind == GC) + ONE_DAY
                        )
                        cname = rng.choice(names.AGENCY_CELLS + names.ENTERPRISE_CELLS)
                        cell = self.add_unit(
                            self.next_code(host.code, "C"),
                            est,
                            f"Chi bộ {cname}",
                            SUB,
                            host.code,
                            "p_cell",
                            weight=1.0,
                        )
                        if end:
                            siblings = [
                                c.code
                                for c in self.children(host.code, end)
                                if c.at(end).kind == SUB and c.code != cell.code
                            ]
                            if siblings:
                                self.dissolve(
                                    cell.code, end, [rng.choice(siblings)], action="merge"
                                )
                            else:
                                self.dissolve(cell.code, end, ["@district:"], move_kind="transfer")
        g1, s1 = self.count(D1)
        g2, s2 = self.count(D2)
        assert (g1, s1, g2, s2) == (t1g, t1s, t2g, t2s), (g1, s1, g2, s2)

    def fit_year_ends(self) -> None:
        """The published rating shares (45,55% of grassroots organizations in 2008, 56,05% in
        2017; `assessments.demo`) are exact only for some organization counts at the year's end.
        Add grassroots organizations that exist on that 31/12 but on neither D1 nor D2 (nor the
        other year's end) until the count is the nearest workable one above."""
        rng = self.rng
        districts = [d.code for d in self.districts]
        windows = {  # year → (established from, to), (ended from, to): half-open, via rand_date
            2008: ((D1 + ONE_DAY, D(2008, 7, 1)), (D(2009, 1, 1), D(2016, 1, 1))),
            2017: ((D(2015, 1, 1), D(2017, 7, 1)), (D(2018, 1, 1), D2)),
        }
        before = (self.count(D1), self.count(D2))
        for year, ((e_lo, e_hi), (x_lo, x_hi)) in windows.items():
            day = D(year, 12, 31)
            for _ in range(40):
                if top_count(self.count(day)[0], SHARES[year]) is not None:
                    break
                district = rng.choice(districts)
                self._enterprise(
                    f"LS-H{district}",
                    district,
                    rand_date(rng, e_lo, e_hi),
                    ended=rand_date(rng, x_lo, x_hi),
                )
            else:
                raise RuntimeError(f"cannot fit the {year} year-end organization count")
        assert (self.count(D1), self.count(D2)) == before

    # 2025 ----------------------------------------------------------------------
    def reorganize_2025(self) -> None:
        # February: the province's two blocs give way to the party-agencies and government committees.
        cqd = self.add_unit(
            "LS-CQD", BLOCS_2025, "Đảng bộ các cơ quan Đảng tỉnh Lạng Sơn", DISTRICT, "LS", "bloc"
        )
        ubnd = self.add_unit(
            "LS-UB", BLOCS_2025, "Đảng bộ Ủy ban nhân dân tỉnh Lạng Sơn", DISTRICT, "LS", "bloc"
        )
        for bloc in ("LS-KCQ", "LS-KDN"):
            for child in self.children(bloc, BLOCS_2025):
                target = cqd.code if child.role == "p_party" else ubnd.code
                self.split(child, BLOCS_2025, parent=target)
                self.change(child.code, "move", BLOCS_2025, related=[target])
            self.dissolve(bloc, BLOCS_2025, [])
        # March: departments merged; the absorbed committee's cells move under the absorbing one.
        by_name = {
            u.name.split(" ", 2)[-1]: u
            for u in self.units.values()
            if u.role == "p_state" and u.at(DEPARTMENTS_2025)
        }
        for keep, absorbed, new_name in names.DEPARTMENT_MERGERS_2025:
            target = by_name.get(keep)
            if target is None:
                continue
            tv = target.at(DEPARTMENTS_2025)
            for other_name in absorbed:
                other = by_name.get(other_name)
                if other is None:
                    continue
                self._merge_into(other, target, DEPARTMENTS_2025)
            if tv.kind == GC:
                target.split(DEPARTMENTS_2025, name=f"Đảng bộ {new_name}")
                if new_name != keep:
                    self.change(target.code, "rename", DEPARTMENTS_2025)
        # July: district committees and old communes end; 65 new commune committees under the province.
        new_units: dict[str, PUnit] = {}
        hubs: dict[str, str] = {}
        for new_code in sorted(set(self.mapping.values())):
            w = self.new_wards[new_code]
            label = "phường" if w.kind == "phường" else "xã"
            unit = self.add_unit(
                f"LS-XM{new_code}",
                REORG,
                f"Đảng bộ {label} {w.short_name}",
                GC,
                "LS",
                "commune_2025",
                "commune",
                weight=0,
            )
            new_units[new_code] = unit
            hub = self.add_unit(
                f"LS-XM{new_code}-C01",
                REORG,
                f"Chi bộ Cơ quan {label} {w.short_name}",
                SUB,
                unit.code,
                "c_agency",
                weight=1.0,
                same_day=True,  # the old communes' cells merge into it on 01/07/2025
            )
            hubs[new_code] = hub.code
        self.new_commune_of = {}
        for d in self.districts:
            seat = self.wards[d.code][0].code if self.wards[d.code] else None
            for w in self.wards[d.code]:
                old = self.units[f"LS-X{w.code}"]
                new_code = self.mapping[w.code]
                self.new_commune_of[w.code] = new_code
                new = new_units[new_code]
                for child in self.children(old.code, REORG):
                    if (
                        child.role == "c_agency"
                    ):  # the old commune's offices merged into the new one's
                        self.dissolve(child.code, REORG, [hubs[new_code]], action="merge")
                    else:
                        self.split(child, REORG, parent=new.code)
                if old.at(REORG - ONE_DAY).kind == GCELL:
                    old.successors = [hubs[new_code]]
                self.dissolve(old.code, REORG, old.successors, action="merge")
            district = f"LS-H{d.code}"
            seat_new = new_units[self.mapping[seat]] if seat else None
            for org in self.children(district, REORG):
                v = org.at(REORG)
                where = (
                    new_units[self.mapping[org.commune]]
                    if org.commune in self.mapping
                    else seat_new
                )
                if org.role in ("d_party", "d_gov"):
                    for cell in self.children(org.code, REORG):
                        self.dissolve(cell.code, REORG, [hubs[where.code[5:]]], action="merge")
                    self.dissolve(org.code, REORG, [hubs[where.code[5:]]], action="merge")
                elif org.role in ("d_military", "d_police"):
                    target = "LS-QS" if org.role == "d_military" else "LS-CA"
                    self.split(org, REORG, parent=target)
                    self.change(org.code, "move", REORG, related=[target])
                elif org.role == "d_judicial":
                    self.split(org, REORG, parent=ubnd.code if "Thi hành" in v.name else cqd.code)
                    self.change(org.code, "move", REORG, related=[org.at(REORG).parent])
                else:
                    kind = PARTIAL if v.kind == GC else SUB
                    self.split(org, REORG, parent=where.code, kind=kind)
                    self.change(org.code, "move", REORG, related=[where.code])
            self.dissolve(district, REORG, [])
        self.hubs = hubs
        self.new_units = new_units

    def _merge_into(self, other: PUnit, target: PUnit, day: dt.date) -> None:
        for child in self.children(other.code, day):
            self.split(child, day, parent=target.code)
        ov = other.at(day)
        successors = [c.code for c in self.children(target.code, day) if c.at(day).kind == SUB]
        if ov.kind == GCELL:
            other.successors = successors or [target.code]
        self.dissolve(other.code, day, other.successors, action="merge")
        self.changes[-1] = PChange(
            other.code, "merge", day, self.changes[-1].issuing_body, (target.code,)
        )
