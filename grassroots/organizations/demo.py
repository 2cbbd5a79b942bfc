"""The demo province's organization tree in 2000 (a Plan mixin, run by grassroots/demo/plan.py).

Committees of every district and commune, enterprises, agencies, schools and the armed forces'
organizations with their cells, from the real administrative units (demo/adminunits.py)."""

from __future__ import annotations

import datetime as dt

from grassroots.demo import names
from grassroots.demo.model import (
    D1,
    DINH_LAP,
    DISTRICT,
    GC,
    GCELL,
    GRASSROOTS,
    PARTIAL,
    PROVINCE,
    REORG,
    START,
    SUB,
    SUBORDINATE,
    TODAY,
    D,
    PChange,
    PUnit,
    PVersion,
    committee,
    rand_date,
)
from grassroots.organizations.models import ALLOWED_PARENTS


class TreePlan:
    """Tree helpers and the 2000 tree; the state (`self.units`, `self.rng`, ...) lives on the Plan."""

    # Tree helpers -----------------------------------------------------------
    def next_code(self, prefix: str, letter: str) -> str:
        self._seq[(prefix, letter)] += 1
        return f"{prefix}-{letter}{self._seq[(prefix, letter)]:02d}"

    def add_unit(
        self,
        code: str,
        established: dt.date,
        name: str,
        kind: str,
        parent: str | None,
        role: str,
        gtype: str = "",
        ended: dt.date | None = None,
        same_day: bool = False,
        **extra,
    ) -> PUnit:
        assert code not in self.units, code
        above = self.units.get(parent) if parent else None
        if above is not None and (
            established < above.established or (established == above.established and not same_day)
        ):
            # an organization cannot be founded before the one it is founded under; `same_day`:
            # founded by the same decision (the 2025 commune and its agency cell)
            established = above.established + dt.timedelta(days=30)
        unit = PUnit(
            code,
            established,
            [PVersion(established, ended, name, kind, gtype, parent)],
            role,
            ended=ended,
            **extra,
        )
        self.units[code] = unit
        self.kids[parent].add(code)
        if established >= START:
            self.change(code, "establish", established)
        return unit

    def issuer(self, code: str | None, day: dt.date) -> str:
        """The committee that decides about units under `code` on `day` (Điều lệ Điều 10.3)."""
        unit = self.units.get(code) if code else None
        version = unit.at(day) if unit else None
        if version is None:
            return "Ban Thường vụ Tỉnh ủy Lạng Sơn"
        if version.kind == PROVINCE:
            return "Ban Thường vụ Tỉnh ủy Lạng Sơn"
        if version.kind == DISTRICT:
            return "Ban Thường vụ " + committee(version.name)
        return committee(version.name)

    def change(self, code: str, action: str, day: dt.date, related=(), note: str = "") -> None:
        version = self.units[code].at(day) or self.units[code].versions[-1]
        self.changes.append(
            PChange(code, action, day, self.issuer(version.parent, day), tuple(related), note)
        )

    def split(self, unit: PUnit, day: dt.date, **changes) -> None:
        unit.split(day, **changes)
        if changes.get("parent"):
            self.kids[changes["parent"]].add(unit.code)

    def children(self, code: str, day: dt.date) -> list[PUnit]:
        found = []
        for child in sorted(self.kids.get(code, ())):
            unit = self.units.get(child)
            if unit is not None and (v := unit.at(day)) is not None and v.parent == code:
                found.append(unit)
        return found

    def dissolve(
        self,
        code: str,
        day: dt.date,
        successors: list[str],
        move_kind: str = "restructure",
        action: str = "dissolve",
    ) -> None:
        unit = self.units[code]
        self.change(code, action, day, related=successors[:1] if action == "merge" else ())
        unit.end(day)
        unit.successors, unit.move_kind = successors, move_kind

    def tree_problems(self) -> list[str]:
        """What the organization services would refuse: a version under a parent that does not
        exist for all of it, or whose kind cannot hold it (ALLOWED_PARENTS)."""
        far = D(9999, 12, 31)
        problems = []
        for unit in self.units.values():
            for v in unit.versions:
                if v.parent is None:
                    continue
                parent = self.units.get(v.parent)
                if parent is None:
                    problems.append(f"{unit.code}: parent {v.parent} missing")
                    continue
                covered = v.start
                for pv in parent.versions:
                    if pv.start <= covered < (pv.end or far):
                        if pv.kind not in ALLOWED_PARENTS[v.kind]:
                            problems.append(
                                f"{unit.code} ({v.kind}) under {parent.code} ({pv.kind}) on {covered}"
                            )
                            break
                        covered = pv.end or far
                        if covered >= (v.end or far):
                            break
                if covered < (v.end or far):
                    problems.append(
                        f"{unit.code} [{v.start}, {v.end}) outlives or predates {parent.code} at {covered}"
                    )
        return problems

    def count(self, day: dt.date) -> tuple[int, int]:
        grassroots = subordinate = 0
        for unit in self.units.values():
            v = unit.at(day)
            if v is None:
                continue
            if v.kind in GRASSROOTS:
                grassroots += 1
            elif v.kind in SUBORDINATE:
                subordinate += 1
        return grassroots, subordinate

    # The tree ---------------------------------------------------------------
    def build_tree(self) -> None:
        rng = self.rng
        self.add_unit("LS", D(1945, 1, 1), "Đảng bộ tỉnh Lạng Sơn", PROVINCE, None, "province")
        for d in self.districts:
            code = f"LS-H{d.code}"
            name = f"Đảng bộ {d.kind} {d.short_name}"
            self.add_unit(
                code,
                rand_date(rng, D(1946, 1, 1), D(1960, 1, 1)),
                name,
                DISTRICT,
                "LS",
                "district",
                ended=REORG,
                district=d.code,
            )
            if (
                d.code == "178"
            ):  # Thị xã Lạng Sơn became Thành phố Lạng Sơn (NĐ 82/2002/NĐ-CP, 17/10/2002)
                unit = self.units[code]
                unit.versions[0].name = "Đảng bộ thị xã Lạng Sơn"
                unit.split(D(2002, 10, 17), name=name)
                self.change(code, "rename", D(2002, 10, 17))
        blocs = [
            ("LS-KCQ", "Đảng bộ Khối các cơ quan tỉnh"),
            ("LS-KDN", "Đảng bộ Khối doanh nghiệp tỉnh"),
            ("LS-QS", "Đảng bộ Quân sự tỉnh"),
            ("LS-CA", "Đảng bộ Công an tỉnh"),
            ("LS-BP", "Đảng bộ Bộ đội Biên phòng tỉnh"),
        ]
        for code, name in blocs:
            self.add_unit(
                code, rand_date(rng, D(1950, 1, 1), D(1995, 1, 1)), name, DISTRICT, "LS", "bloc"
            )
        for d in self.districts:
            for w in self.wards[d.code]:
                self._commune(d, w)
            self._district_orgs(d)
        self._province_orgs()

    def _commune(self, d, w) -> None:
        rng = self.rng
        code = f"LS-X{w.code}"
        small = d.code != DINH_LAP and rng.random() < 0.06
        label = {"xã": "xã", "phường": "phường", "thị trấn": "thị trấn"}[w.kind]
        est = (
            rand_date(rng, D(1948, 1, 1), D(1975, 1, 1))
            if w.kind == "xã"
            else rand_date(rng, D(1960, 1, 1), D(1995, 1, 1))
        )
        kind = GCELL if small else GC
        unit = self.add_unit(
            code,
            est,
            f"{'Chi bộ' if small else 'Đảng bộ'} {label} {w.short_name}",
            kind,
            f"LS-H{d.code}",
            "commune",
            "commune",
            ended=REORG,
            district=d.code,
            commune=w.code,
            weight=6.0,
        )
        grown = None
        if small and rng.random() < 0.75:  # a chi bộ cơ sở grows into a đảng bộ cơ sở
            grown = rand_date(rng, D(2003, 1, 1), D(2017, 1, 1))
            unit.split(grown, kind=GC, name=f"Đảng bộ {label} {w.short_name}")
            self.change(code, "change_kind", grown)
        # Villages (thôn, bản; tổ dân phố in towns).
        if d.code == DINH_LAP:
            n_villages = None  # decided by _dinh_lap_villages
        else:
            n_villages = rng.randint(9, 20) if w.kind == "xã" else rng.randint(6, 14)
        town = w.kind != "xã"
        villages = self._make_villages(w.code, n_villages or 0, town)
        first_cell = grown or (None if small else est)
        if d.code != DINH_LAP:
            for village in villages:
                states = self._village_path(first_cell)
                if grown and any(a == "own" and s < grown for s, a in states):
                    # a village has its own cell only once the commune is a đảng bộ cơ sở
                    states = [(START, "joint"), (grown, "own")]
                village.states = states
        self.villages += villages
        self._commune_cells(unit, w, grown if small else None, never=small and grown is None)

    def _district_orgs(self, d) -> None:
        rng = self.rng
        parent = f"LS-H{d.code}"
        seat = self.wards[d.code][0].code if self.wards[d.code] else None
        label = "thành phố" if d.kind == "thành phố" else "huyện"
        for base, cells, gtype, role in names.DISTRICT_ORGS:
            if self.scale < 1.0 and rng.random() > 0.5:
                continue
            name = (
                base.replace("huyện", f"{label} {d.short_name}")
                if "huyện" in base
                else f"{base} {d.short_name}"
            )
            if "thị trấn" in base and self.wards[d.code]:  # schools of the district seat
                seat_ward = self.wards[d.code][0]
                name = base.replace("thị trấn", seat_ward.kind) + " " + seat_ward.short_name
            if role == "d_service" and "Trường THPT" == base:
                name = f"Trường THPT {d.short_name}"
            est = rand_date(rng, D(1960, 1, 1), D(1999, 1, 1))
            if (
                "Phổ thông Dân tộc" in base
                or "Giáo dục nghề nghiệp" in base
                or "Ban Quản lý" in base
                or "Dịch vụ nông nghiệp" in base
                or "quỹ đất" in base
            ):
                est = rand_date(rng, D(1998, 1, 1), D(2016, 1, 1))
            if "đăng ký đất đai" in base:
                est = rand_date(rng, D(2015, 1, 1), D(2018, 1, 1))
            kind = GC if cells else GCELL
            code = self.next_code(parent, "G")
            org = self.add_unit(
                code,
                est,
                f"{'Đảng bộ' if cells else 'Chi bộ'} {name}",
                kind,
                parent,
                role,
                gtype,
                district=d.code,
                commune=seat,
                weight=2.0,
            )
            for i in range(cells):
                if role == "d_police":
                    cname = [
                        "Đội Cảnh sát điều tra",
                        "Đội An ninh",
                        "Đội Cảnh sát trật tự",
                        "Đội Tham mưu - Tổng hợp",
                    ][i]
                elif role == "d_service":
                    cname = ["Khối Điều trị", "Khối Dự phòng", "Phòng khám đa khoa khu vực"][i]
                else:
                    cname = [
                        "Văn phòng HĐND và UBND",
                        "Phòng Tài chính - Kế hoạch",
                        "Phòng Nông nghiệp và PTNT",
                        "Phòng Tài nguyên và Môi trường",
                        "Phòng Nội vụ - Lao động",
                        "Phòng Kinh tế và Hạ tầng",
                    ][i]
                self.add_unit(
                    self.next_code(code, "C"),
                    rand_date(rng, est, D(2000, 1, 1)),
                    f"Chi bộ {cname}",
                    SUB,
                    code,
                    f"{role}_cell",
                    district=d.code,
                    commune=seat,
                    weight=1.2,
                )
        # More upper-secondary schools, named after the commune they are in.
        for w in self.rng.sample(
            self.wards[d.code], min(len(self.wards[d.code]) - 1, rng.randint(1, 3))
        )[:3]:
            if w.code == seat:
                continue
            code = self.next_code(parent, "G")
            est = rand_date(rng, D(1975, 1, 1), D(2015, 1, 1))
            self.add_unit(
                code,
                est,
                f"Chi bộ Trường THPT {w.short_name}",
                GCELL,
                parent,
                "d_service",
                "public_service",
                district=d.code,
                commune=w.code,
                weight=1.5,
            )
        # State forestry enterprises in the forest districts, renamed as companies later.
        if d.code in ("180", "186", "187", "188", "189"):
            code = self.next_code(parent, "G")
            org = self.add_unit(
                code,
                rand_date(rng, D(1960, 1, 1), D(1980, 1, 1)),
                f"Chi bộ Lâm trường {d.short_name}",
                GCELL,
                parent,
                "d_service",
                "enterprise_state",
                district=d.code,
                commune=seat,
                weight=1.5,
            )
            day = rand_date(rng, D(2009, 1, 1), D(2016, 1, 1))
            org.split(day, name=f"Chi bộ Công ty TNHH MTV Lâm nghiệp {d.short_name}")
            self.change(code, "rename", day)
        # Agricultural cooperatives of the old model; half of them wound up since 2000.
        for _ in range(3 if self.scale >= 1.0 else 1):
            w = rng.choice(self.wards[d.code])
            code = self.next_code(parent, "G")
            coop = self.add_unit(
                code,
                rand_date(rng, D(1960, 1, 1), D(1990, 1, 1)),
                f"Chi bộ Hợp tác xã nông nghiệp {w.short_name}",
                GCELL,
                parent,
                "d_service",
                "other",
                district=d.code,
                commune=w.code,
                weight=0.8,
            )
            if rng.random() < 0.5:
                self._dissolve_to_residence(coop, rand_date(rng, START, D(2024, 1, 1)))
        # Non-state enterprises and cooperatives, a few of them dissolved.
        n = rng.randint(8, 14) if self.scale >= 1.0 else 2
        for _ in range(n):
            self._enterprise(parent, d.code, rand_date(rng, D(1998, 1, 1), D(2024, 1, 1)))

    def company_name(self) -> str:
        rng = self.rng
        while True:
            form = rng.choice(names.COMPANY_FORMS)
            name = f"{form} {rng.choice(names.COMPANY_SECTORS)} {rng.choice(names.COMPANY_BRANDS)}"
            if name not in self._seq:
                self._seq[name] += 1
                return name

    def _enterprise(
        self,
        parent: str,
        district: str | None,
        est: dt.date,
        ended: dt.date | None = None,
        role: str = "d_service",
    ) -> PUnit:
        name = self.company_name()
        gtype = "other" if name.startswith("Hợp tác xã") else "enterprise_nonstate"
        wards = self.wards.get(district or "", [])
        commune = self.rng.choice(wards).code if wards else None
        code = self.next_code(parent, "G")
        org = self.add_unit(
            code,
            est,
            f"Chi bộ {name}",
            GCELL,
            parent,
            role,
            gtype,
            district=district,
            commune=commune,
            weight=0.8,
        )
        if ended is None and self.rng.random() < 0.15:
            ended = rand_date(self.rng, est + dt.timedelta(days=400), D(2025, 1, 1))
        if ended and ended < TODAY:
            self._dissolve_to_residence(org, ended)
        return org

    def _dissolve_to_residence(self, org: PUnit, day: dt.date) -> None:
        """A dissolved enterprise's members transfer to the cells where they live."""
        self.dissolve(
            org.code,
            day,
            [f"@district:{org.district}" if org.district else "@any"],
            move_kind="transfer",
        )

    def _province_orgs(self) -> None:
        rng = self.rng
        small = self.scale < 1.0
        for name, cells, gtype, group in names.PROVINCE_AGENCIES:
            if small and rng.random() > 0.15:
                continue
            est = rand_date(rng, D(1955, 1, 1), D(1998, 1, 1))
            if name == "Sở Ngoại vụ" or "Khu kinh tế" in name:
                est = rand_date(rng, D(2004, 1, 1), D(2009, 1, 1))
            self._org_with_cells(
                "LS-KCQ",
                name,
                cells,
                gtype,
                est,
                f"p_{group}",
                names.HOSPITAL_CELLS if name.startswith("Bệnh viện") else names.AGENCY_CELLS,
            )
        for name, cells, gtype in names.PROVINCE_ENTERPRISES:
            if small and rng.random() > 0.15:
                continue
            est = rand_date(rng, D(1960, 1, 1), D(1998, 1, 1))
            org = self._org_with_cells(
                "LS-KDN", name, cells, gtype, est, "p_enterprise", names.ENTERPRISE_CELLS
            )
            if (
                name.startswith("Công ty") and "Điện lực" not in name and rng.random() < 0.5
            ):  # equitized
                day = rand_date(rng, D(2003, 1, 1), D(2018, 1, 1))
                new_name = org.versions[-1].name.replace("Công ty ", "Công ty Cổ phần ", 1)
                org.split(day, name=new_name, gtype="enterprise_nonstate")
                self.change(org.code, "rename", day, note="Cổ phần hóa")
        if not small:
            self._partials(
                "LS-KCQ",
                "Cục Hải quan tỉnh",
                [
                    "Chi cục Hải quan cửa khẩu Hữu Nghị",
                    "Chi cục Hải quan cửa khẩu Tân Thanh",
                    "Chi cục Hải quan cửa khẩu Chi Ma",
                    "Chi cục Hải quan cửa khẩu Cốc Nam",
                    "Chi cục Hải quan Ga đường sắt quốc tế Đồng Đăng",
                ],
            )
            self._partials(
                "LS-KDN",
                "Công ty Điện lực Lạng Sơn",
                [f"Điện lực {d.short_name}" for d in self.districts[:7]],
            )
        for name in names.MILITARY_UNITS[: 3 if small else None]:
            self._org_with_cells(
                "LS-QS",
                name,
                3 if name.startswith("Cơ quan") else 0,
                "armed_forces",
                rand_date(rng, D(1960, 1, 1), D(1995, 1, 1)),
                "p_armed",
                names.AGENCY_CELLS,
            )
        for name in names.POLICE_UNITS[: 3 if small else None]:
            self._org_with_cells(
                "LS-CA",
                name,
                0 if rng.random() < 0.7 else 3,
                "armed_forces",
                rand_date(rng, D(1960, 1, 1), D(1998, 1, 1)),
                "p_armed",
                names.AGENCY_CELLS,
            )
        self._org_with_cells(
            "LS-BP",
            "Cơ quan Bộ Chỉ huy Bộ đội Biên phòng tỉnh",
            4,
            "armed_forces",
            D(1962, 1, 1),
            "p_armed",
            names.AGENCY_CELLS,
        )
        for post in names.BORDER_POSTS[: 2 if small else None]:
            self._org_with_cells(
                "LS-BP",
                f"Đồn Biên phòng {post}",
                0,
                "armed_forces",
                rand_date(rng, D(1962, 1, 1), D(1999, 1, 1)),
                "p_armed",
                [],
            )
        # Non-state enterprises join the enterprise bloc over the years.
        for _ in range(2 if small else 16):
            self._enterprise(
                "LS-KDN", None, rand_date(rng, D(2000, 1, 1), D(2024, 1, 1)), role="p_enterprise"
            )

    def _org_with_cells(
        self,
        parent: str,
        name: str,
        cells: int,
        gtype: str,
        est: dt.date,
        role: str,
        cell_names: list[str],
    ) -> PUnit:
        rng = self.rng
        code = self.next_code(parent, "G")
        grown = None
        if cells and rng.random() < 0.12:  # a chi bộ cơ sở that grew into a đảng bộ cơ sở
            grown = rand_date(rng, D(2002, 1, 1), D(2018, 1, 1))
        kind = GC if cells and not grown else GCELL
        org = self.add_unit(
            code,
            est,
            f"{'Đảng bộ' if kind == GC else 'Chi bộ'} {name}",
            kind,
            parent,
            role,
            gtype,
            weight=1.5 + 0.4 * cells,
        )
        if grown:
            org.split(grown, kind=GC, name=f"Đảng bộ {name}")
            self.change(code, "change_kind", grown)
        picked = rng.sample(cell_names, min(cells, len(cell_names)))
        made = []
        for cname in picked:
            cest = grown or rand_date(rng, max(est, D(1965, 1, 1)), D(2012, 1, 1))
            made.append(
                self.add_unit(
                    self.next_code(code, "C"),
                    cest,
                    f"Chi bộ {cname}",
                    SUB,
                    code,
                    "p_cell",
                    weight=1.3,
                ).code
            )
        if grown:
            org.successors = made
        return org

    def _partials(self, bloc: str, name: str, parts: list[str]) -> None:
        """A đảng bộ cơ sở with đảng bộ bộ phận, each with its cells (domain.md §1.1)."""
        rng = self.rng
        org = next(
            u
            for u in self.units.values()
            if u.role.startswith("p_")
            and u.at(D1)
            and u.at(D1).parent == bloc
            and u.name.endswith(name)
        )
        org.split(org.established, kind=GC, name=f"Đảng bộ {name}")
        for part in parts:
            est = rand_date(rng, max(org.established, D(1990, 1, 1)), D(2015, 1, 1))
            code = self.next_code(org.code, "B")
            self.add_unit(code, est, f"Đảng bộ bộ phận {part}", PARTIAL, org.code, "p_partial")
            for cname in rng.sample(names.ENTERPRISE_CELLS, rng.randint(2, 3)):
                self.add_unit(
                    self.next_code(code, "C"),
                    est,
                    f"Chi bộ {cname}",
                    SUB,
                    code,
                    "p_cell",
                    weight=1.2,
                )
        if not any(
            u.at(D1) and u.at(D1).parent == org.code and u.at(D1).kind == SUB
            for u in self.units.values()
        ):
            self.add_unit(
                self.next_code(org.code, "C"),
                org.established,
                "Chi bộ Văn phòng",
                SUB,
                org.code,
                "p_cell",
            )
