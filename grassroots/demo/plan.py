"""Planning the demo province (Lạng Sơn) in memory: the tree through time, villages, people.

Pure Python with one seeded `random.Random`; nothing here touches the database. The plan is a
simulation: the 2000 tree, its changes up to the real reorganization of 1 July 2025, then every
member's life as dated events. At scale 1.0 the plan is then adjusted so that the raw facts
reproduce the figures Lạng Sơn published for Resolution 22 (issue 2, point 6): organizations
established or dissolved, members admitted or deceased between the two dates are added or
taken out until the counts on both dates are exact. The figures themselves are computed later
by `figures.queries` from the written facts, like for any other data.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from grassroots.assessments.demo import TARGETS as SHARES
from grassroots.assessments.demo import top_count
from grassroots.bulkload.loader import EventSpec as PEvent  # the loader's own event record
from grassroots.core.dates import add_months
from grassroots.organizations.models import ALLOWED_PARENTS

from . import adminunits, names

D = dt.date
ONE_DAY = dt.timedelta(days=1)
START = D(2000, 1, 1)
TODAY = D(2026, 11, 27)
D1 = D(2008, 2, 2)  # Resolution 22-NQ/TW
D2 = D(2019, 2, 23)
BLOCS_2025 = D(2025, 2, 1)  # province blocs replaced by the two new committees (approximate date)
DEPARTMENTS_2025 = D(2025, 3, 1)
REORG = D(2025, 7, 1)  # HD 31-HD/BTCTW: district level gone, new communes (domain.md §1.3)
PROVINCE_CODE = "20"
DINH_LAP = "189"

# Published figures (issue 2, point 6): grassroots orgs, subordinate orgs, members.
TARGETS = {D1: (731, 3098, 41201), D2: (800, 3664, 61491)}
DINH_LAP_PCT = 8.9
# Đình Lập's 214 villages: own cell / joint / none on each date.
DINH_LAP_VILLAGES = {D1: (76, 49, 89), D2: (118, 6, 90)}

PROVINCE, DISTRICT = "province", "district"
GC, GCELL = "grassroots_committee", "grassroots_cell"
PARTIAL, SUB = "partial_committee", "subordinate_cell"
MEMBER_KINDS = (GCELL, SUB)
GRASSROOTS = (GC, GCELL)
SUBORDINATE = (PARTIAL, SUB)

# Approximate 2019 population of the districts (census 2019, rounded); Đình Lập is fitted.
POPULATION_2019 = {
    "178": 103_000,
    "180": 63_000,
    "181": 56_000,
    "182": 52_000,
    "183": 80_000,
    "184": 55_000,
    "185": 71_000,
    "186": 122_000,
    "187": 78_000,
    "188": 82_000,
    "189": 29_000,
}
POP_GROWTH = 0.0065


@dataclass
class PVersion:
    start: dt.date
    end: dt.date | None
    name: str
    kind: str
    gtype: str
    parent: str | None


@dataclass
class PUnit:
    code: str
    established: dt.date
    versions: list[PVersion]
    role: str
    ended: dt.date | None = None
    district: str | None = None  # legacy district code (where it is)
    commune: str | None = None  # legacy commune code (where it is)
    weight: float = 1.0  # how many members it attracts
    successors: list[str] = field(
        default_factory=list
    )  # where members go when it stops holding them
    move_kind: str = "restructure"
    fixed: bool = False  # part of a constrained structure (villages of Đình Lập): never adjusted

    def at(self, day: dt.date) -> PVersion | None:
        for v in self.versions:
            if v.start <= day and (v.end is None or day < v.end):
                return v
        return None

    @property
    def name(self) -> str:
        return self.versions[-1].name

    def member_span(self) -> tuple[dt.date, dt.date] | None:
        """[from, to) in which the unit is a cell (members are counted there); to = far future."""
        start = end = None
        for v in self.versions:
            if v.kind in MEMBER_KINDS:
                if start is None:
                    start = v.start
                end = v.end
            elif start is not None:
                end = v.start
                break
        if start is None:
            return None
        return start, end or D(9999, 12, 31)

    def split(self, day: dt.date, **changes) -> None:
        """From `day` on, the unit's version differs by `changes` (name, kind, gtype, parent)."""
        current = self.at(day)
        assert current is not None, (self.code, day)
        if current.start == day:
            for k, v in changes.items():
                setattr(current, k, v)
            return
        new = PVersion(day, current.end, current.name, current.kind, current.gtype, current.parent)
        for k, v in changes.items():
            setattr(new, k, v)
        current.end = day
        self.versions.insert(self.versions.index(current) + 1, new)

    def end(self, day: dt.date) -> None:
        self.versions = [v for v in self.versions if v.start < day]
        self.versions[-1].end = day
        self.ended = day


@dataclass
class PMember:
    profile: dict
    events: list[PEvent]
    spans: list[tuple[dt.date, dt.date]]  # in-system presence [from, to)
    tag: str = ""  # "A" / "B" for members added by the adjustment

    def present(self, day: dt.date) -> bool:
        return any(s <= day < e for s, e in self.spans)

    def cell_at(self, day: dt.date) -> str | None:
        if not self.present(day):
            return None
        cell = None
        for e in self.events:
            if e.date > day:
                break
            if (
                e.kind in ("admission", "readmission", "transfer", "restructure", "transfer_in")
                and e.unit
            ):
                cell = e.unit
        return cell


@dataclass
class PVillage:
    code: str
    name: str
    kind: str
    commune: str  # legacy commune code
    states: list[tuple[dt.date, str]]  # (from, own/joint/none), first from START
    cell: str | None = None  # its own cell's code once it has one
    size: float = 1.0


@dataclass
class PChange:
    unit: str
    action: str
    date: dt.date
    issuing_body: str
    related: tuple[str, ...] = ()
    note: str = ""


def _table(pairs):
    return [v for v, _ in pairs], list(itertools.accumulate(w for _, w in pairs))


_ETHNICITIES = _table(names.ETHNICITIES)
_CITY_ETHNICITIES = _table([("Kinh", 45), ("Tày", 30), ("Nùng", 25)])
_RELIGIONS = _table(names.RELIGIONS)


def _weighted(rng: random.Random, table) -> str:
    values, cum = table
    return values[bisect.bisect_right(cum, rng.random() * cum[-1])]


_COMMITTEES = (
    ("Đảng bộ huyện ", "Huyện ủy "),
    ("Đảng bộ thành phố ", "Thành ủy "),
    ("Đảng bộ thị xã ", "Thị ủy "),
    ("Đảng bộ tỉnh ", "Tỉnh ủy "),
)


def committee(organization: str) -> str:
    """The committee that leads an organization: "Đảng bộ huyện Đình Lập" → "Huyện ủy Đình Lập"."""
    for prefix, name in _COMMITTEES:
        if organization.startswith(prefix):
            return name + organization[len(prefix) :]
    return organization.replace("Đảng bộ ", "Đảng ủy ", 1)


def decision_suffix(body: str) -> str:
    """The issuing body's abbreviation in a decision number (123-QĐ/HU)."""
    for word, suffix in (
        ("Tỉnh ủy", "TU"),
        ("Huyện ủy", "HU"),
        ("Thành ủy", "ThU"),
        ("Thị ủy", "TX"),
    ):
        if word in body:
            return suffix
    return "ĐU"


def snap(day: dt.date, meeting_day: int) -> dt.date:
    """The cell's next monthly meeting on or after `day` (a cell meets monthly; Chỉ thị 10-CT/TW)."""
    if day.day <= meeting_day:
        return day.replace(day=meeting_day)
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=meeting_day)


def rand_date(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    """Uniform in [lo, hi)."""
    span = (hi - lo).days
    return lo + dt.timedelta(days=rng.randrange(max(span, 1)))


class Plan:
    def __init__(self, seed: int = 2008, scale: float = 1.0) -> None:
        self.rng = random.Random(seed)
        self.scale = scale
        self.units: dict[str, PUnit] = {}
        self.kids: dict[str | None, set[str]] = defaultdict(set)
        self.changes: list[PChange] = []
        self.villages: list[PVillage] = []
        self.members: list[PMember] = []
        self.populations: dict[tuple[str, int], int] = {}
        self.notes: list[str] = []
        self.districts = adminunits.legacy_districts(PROVINCE_CODE)
        self.wards = {d.code: adminunits.legacy_wards(d.code) for d in self.districts}
        if scale < 1.0:  # a smaller province: fewer districts, fewer communes each
            keep = max(2, round(len(self.districts) * scale * 4))
            chosen = [d for d in self.districts if d.code == DINH_LAP]
            chosen += [d for d in self.districts if d.code != DINH_LAP][: keep - 1]
            self.districts = sorted(chosen, key=lambda d: d.code)
            per = max(2, round(12 * scale * 4))
            self.wards = {d.code: self.wards[d.code][:per] for d in self.districts}
        self.ward_names = {w.code: w for ws in self.wards.values() for w in ws}
        self.all_wards = list(self.ward_names.values())
        self.district_by_code = {d.code: d for d in self.districts}
        self.new_wards = {w.code: w for w in adminunits.new_wards(PROVINCE_CODE)}
        self.mapping = {
            k: v
            for k, v in adminunits.ward_mapping_2025(PROVINCE_CODE).items()
            if k in self.ward_names
        }
        self._seq: Counter = Counter()
        # Unique, scattered numbers: n → (a·n + b) mod m is a bijection when gcd(a, m) = 1.
        a, b = 1_132_417, self.rng.randrange(900_000)
        self.profile_numbers = (100_000 + (a * n + b) % 900_000 for n in itertools.count())
        c, e = 1_234_577, self.rng.randrange(90_000_000)
        self.card_numbers = (10_000_000 + (c * n + e) % 90_000_000 for n in itertools.count())
        self.citizen_serials: set[str] = set()

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

    # Members -----------------------------------------------------------------
    def prepare_cells(self) -> None:
        """Index the cells by year and district, so a member's cell can be drawn quickly."""
        self.spans: dict[str, tuple[dt.date, dt.date]] = {}
        for unit in self.units.values():
            span = unit.member_span()
            if span:
                self.spans[unit.code] = span
        by_year: dict[object, list[tuple[str, float]]] = defaultdict(list)
        for code, (s, e) in self.spans.items():
            unit = self.units[code]
            if unit.weight <= 0:
                continue
            weight = unit.weight * (0.8 if unit.district == DINH_LAP else 1.0)
            for year in range(max(s.year, 1945), min(e.year, TODAY.year) + 1):
                by_year[year].append((code, weight))
                if unit.district:
                    by_year[(year, unit.district)].append((code, weight))
        self.candidates = {
            key: ([c for c, _ in items], list(itertools.accumulate(w for _, w in items)))
            for key, items in by_year.items()
        }
        self.village_of_cell = {v.cell: v for v in self.villages if v.cell}
        # Admissions, arrivals and most decisions about members are taken at the cell's monthly meeting.
        self.meeting = {
            code: self.rng.choice((2, 5, 8, 10, 15, 20, 25)) for code in sorted(self.spans)
        }
        self._bodies: dict[tuple[str, int], str] = {}
        self._decision_seq: Counter = Counter()

    def alive(self, code: str, day: dt.date) -> bool:
        s, e = self.spans[code]
        return s <= day < e

    def pick_cell(
        self, day: dt.date, district: str | None = None, exclude: str | None = None
    ) -> str:
        rng = self.rng
        key = (
            (day.year, district)
            if district and (day.year, district) in self.candidates
            else day.year
        )
        codes, cum = self.candidates[key]
        total, spans, random_ = cum[-1], self.spans, rng.random
        for _ in range(40):
            code = codes[bisect.bisect_right(cum, random_() * total)]
            s, e = spans[code]
            if code != exclude and s <= day < e:
                return code
        pool = [c for c in codes if c != exclude and self.alive(c, day)]
        if not pool and key != day.year:
            return self.pick_cell(day, None, exclude)
        if not pool:
            pool = [
                c
                for c in sorted(self.spans)
                if c != exclude and self.alive(c, day) and self.units[c].weight > 0
            ]
        if not pool:
            raise RuntimeError(f"no cell on {day}")
        return rng.choice(pool)

    def successor(self, code: str, day: dt.date) -> str:
        unit = self.units[code]
        real = [
            s
            for s in unit.successors
            if not s.startswith("@") and s in self.spans and self.alive(s, day)
        ]
        if real:
            return self.rng.choice(real)
        district = unit.district
        for s in unit.successors:
            if s.startswith("@district:") and s[10:]:
                district = s[10:]
        return self.pick_cell(day, district, exclude=code)

    def decision(self, cell: str, day: dt.date) -> tuple[str, str]:
        """(number, issuing body) of a decision about a member of `cell` (the committee with the
        power to admit: district level before 2025, then the new commune or the bloc)."""
        key = (cell, day.year)
        body = self._bodies.get(key)
        if body is None:
            code = cell
            while True:
                v = self.units[code].at(day) or self.units[code].versions[-1]
                if v.kind == DISTRICT or v.parent is None or (v.kind == GC and v.parent == "LS"):
                    break
                code = v.parent
            v = self.units[code].at(day) or self.units[code].versions[-1]
            if v.kind == DISTRICT:
                body = "Ban Thường vụ " + committee(v.name)
            elif v.kind == PROVINCE:
                body = "Ban Thường vụ Tỉnh ủy Lạng Sơn"
            else:
                body = committee(v.name)
            self._bodies[key] = body
        self._decision_seq[(body, day.year)] += 1
        return f"{self._decision_seq[(body, day.year)]}-QĐ/{decision_suffix(body)}", body

    def person(self, cell: str, birth: dt.date, female: bool) -> dict:
        rng = self.rng
        unit = self.units[cell]
        if unit.district is None:
            ethnicity = _weighted(rng, _CITY_ETHNICITIES)
        else:
            ethnicity = _weighted(rng, _ETHNICITIES)
        family = rng.choice(names.FAMILY_NAMES[ethnicity])
        middle = rng.choice(names.MIDDLE_FEMALE if female else names.MIDDLE_MALE)
        given = rng.choice(names.GIVEN_FEMALE if female else names.GIVEN_MALE)
        district = unit.district or rng.choice(self.districts).code
        wards = self.wards.get(district) or self.all_wards
        home = rng.choice(wards)
        dname = self.district_by_code[district]
        village = self.village_of_cell.get(cell)
        place = self.ward_names.get(unit.commune or "") or rng.choice(wards)
        residence = f"{place.name}, {dname.kind} {dname.short_name}, tỉnh Lạng Sơn"
        if village:
            residence = f"{village.name}, {residence}"
        role = unit.role
        if role in ("c_village", "commune"):
            occupation = rng.choice(
                [
                    "Nông dân",
                    "Nông dân",
                    "Nông dân",
                    "Cán bộ thôn",
                    "Buôn bán nhỏ",
                    "Lao động tự do",
                ]
            )
            expertise = rng.choice(["", "", "Sơ cấp nông nghiệp", "Trung cấp nông lâm"])
        elif role == "c_school" or "Trường" in unit.name:
            occupation, expertise = "Giáo viên", rng.choice(["Đại học Sư phạm", "Cao đẳng Sư phạm"])
        elif role == "c_health" or "Y tế" in unit.name or "Bệnh viện" in unit.name:
            occupation, expertise = rng.choice(["Bác sĩ", "Y sĩ", "Điều dưỡng"]), "Đại học Y"
        elif (
            role in ("c_military", "d_military")
            or "Quân sự" in unit.name
            or "Biên phòng" in unit.name
        ):
            occupation, expertise = (
                "Quân nhân",
                rng.choice(["Đại học Chính trị", "Trung cấp Quân sự"]),
            )
        elif (
            role in ("c_police", "d_police")
            or "Công an" in unit.name
            or unit.code.startswith("LS-CA")
        ):
            occupation, expertise = (
                "Công an",
                rng.choice(["Đại học An ninh", "Đại học Cảnh sát", "Trung cấp Cảnh sát"]),
            )
        elif "enterprise" in role or "Công ty" in unit.name or "Ngân hàng" in unit.name:
            occupation = rng.choice(["Công nhân", "Nhân viên", "Kỹ sư", "Kế toán"])
            expertise = rng.choice(
                ["Đại học Kinh tế", "Đại học Kỹ thuật", "Trung cấp kỹ thuật", "Cao đẳng nghề"]
            )
        else:
            occupation = rng.choice(["Công chức", "Viên chức"])
            expertise = rng.choice(
                ["Đại học Luật", "Đại học Kinh tế", "Đại học Hành chính", "Đại học Nông lâm"]
            )
        old = birth.year < 1958
        while True:
            serial = f"{rng.randrange(10**6):06d}"
            century = (0 if birth.year < 2000 else 2) + (1 if female else 0)
            citizen = f"020{century}{birth.year % 100:02d}{serial}"
            if citizen not in self.citizen_serials:
                self.citizen_serials.add(citizen)
                break
        return {
            "full_name": f"{family} {middle} {given}",
            "gender": "F" if female else "M",
            "birth_date": birth,
            "ethnicity": ethnicity,
            "religion": _weighted(rng, _RELIGIONS),
            "hometown": f"{home.name}, {dname.kind} {dname.short_name}, tỉnh Lạng Sơn",
            "residence": residence,
            "education": rng.choice(["7/10", "10/10"])
            if old
            else rng.choice(["12/12", "12/12", "12/12", "9/12"]),
            "expertise": expertise,
            "theory_level": rng.choice(["Sơ cấp", "Sơ cấp", "Trung cấp", "Cao cấp"])
            if occupation in ("Công chức", "Viên chức", "Quân nhân", "Công an")
            else rng.choice(["", "Sơ cấp"]),
            "occupation": "Hưu trí"
            if (TODAY - birth).days > 62 * 365 and occupation not in ("Nông dân",)
            else occupation,
            "citizen_id": citizen,
            "profile_number": f"{next(self.profile_numbers):06d}LS",
        }

    def life(
        self,
        *,
        entry: str,
        day: dt.date,
        cell: str,
        birth: dt.date,
        ceremony: dt.date,
        exit_after: dt.date | None = None,
        forced_exit: tuple[str, dt.date] | None = None,
        quiet: bool = False,
    ) -> tuple[list[PEvent], list[tuple[dt.date, dt.date]], bool]:
        """One member's events from `day` (admission in the province, an admission before 2000, or
        arrival from outside) to today. Returns (events, presence spans, became official)."""
        rng = self.rng
        events: list[PEvent] = []

        def years(n: float) -> dt.timedelta:
            return dt.timedelta(days=int(min(n, 150) * 365.25))

        age = lambda d: (d - birth).days / 365.25  # noqa: E731
        official_day = add_months(ceremony, 12)
        number, body = self.decision(cell, ceremony if entry != "transfer_in" else day)
        decided = ceremony - dt.timedelta(days=rng.randint(7, 40))
        if entry == "transfer_in":
            events.append(
                PEvent(
                    "admission",
                    ceremony,
                    None,
                    decided,
                    number,
                    "Cấp ủy có thẩm quyền ngoài tỉnh",
                    place="Ngoài tỉnh",
                )
            )
        else:
            events.append(PEvent("admission", ceremony, cell, decided, number, body))
        if entry == "transfer_in":
            events.append(
                PEvent(
                    "transfer_in",
                    day,
                    cell,
                    day - dt.timedelta(days=rng.randint(10, 60)),
                    place=rng.choice(
                        [
                            "Tỉnh Cao Bằng",
                            "Tỉnh Bắc Giang",
                            "Thành phố Hà Nội",
                            "Tỉnh Thái Nguyên",
                            "Tỉnh Bắc Ninh",
                            "Tỉnh Quảng Ninh",
                        ]
                    ),
                )
            )
        # The end: death, or leaving the province or the Party. History is simulated from 2000 on.
        origin = max(day, START)
        now_age = age(origin)
        death_age = rng.gauss(72, 10)
        tries = 0
        while death_age <= now_age + 0.2 and tries < 20:
            death_age, tries = rng.gauss(72, 10), tries + 1
        if death_age <= now_age + 0.2:
            death_age = now_age + rng.uniform(0.5, 12)
        exits = [(birth + years(death_age), "death")]
        if not quiet:
            exits.append(
                (origin + years(rng.expovariate(0.004 if now_age < 55 else 0.001)), "transfer_out")
            )
            exits.append((origin + years(rng.expovariate(0.0011)), "removal"))
            exits.append((origin + years(rng.expovariate(0.0003)), "leaving"))
            exits.append((origin + years(rng.expovariate(0.00025)), "expulsion"))
        end_day, end_kind = min(exits)
        if forced_exit:
            end_kind, end_day = forced_exit
        if exit_after and end_day <= exit_after:
            end_day, end_kind = exit_after + years(rng.uniform(0.1, 40)), "death"
        if end_day <= origin:
            end_day = origin + ONE_DAY * rng.randint(30, 900)
        meeting = self.meeting[cell]
        if end_kind != "death" and not forced_exit:
            end_day = snap(end_day, meeting)
        if end_kind == "expulsion" and end_day <= official_day:
            end_kind = "removal"
        stop = min(end_day, TODAY + ONE_DAY)  # events strictly before `stop`
        # What happens in between.
        intents: list[tuple[dt.date, str]] = []
        rate = 0.012 if self.units[cell].role in ("c_village", "commune") else 0.035
        t = origin
        while not quiet:
            t = t + years(rng.expovariate(rate))
            if t >= stop:
                break
            intents.append((t, "transfer"))
        t = origin
        while not quiet:
            t = t + years(rng.expovariate(0.008))
            if t >= stop:
                break
            intents.append((t, "temp"))
        if not quiet and rng.random() < 0.4 and death_age > 70:
            t = birth + years(rng.uniform(68, min(death_age, 86)))
            if origin < t < stop:
                intents.append((t, "exempt"))
                if rng.random() < 0.15:
                    back = t + years(rng.uniform(0.5, 3))
                    if back < stop:
                        intents.append((back, "exempt_end"))
        t = origin
        while not quiet:
            t = t + years(rng.expovariate(0.004))
            if t >= stop:
                break
            intents.append((t, "discipline"))
        intents = sorted((snap(t, meeting) if what != "temp" else t, what) for t, what in intents)
        current = cell
        temp_until: dt.date | None = None

        def follow(until: dt.date) -> None:
            nonlocal current
            while self.spans[current][1] <= until and self.spans[current][1] < stop:
                when = self.spans[current][1]
                unit = self.units[current]
                target = self.successor(current, when)
                kind = "transfer" if unit.move_kind == "transfer" else "restructure"
                note = f"Theo sắp xếp tổ chức: {unit.name}" if kind == "restructure" else ""
                events.append(
                    PEvent(kind, when, target, when if kind == "transfer" else None, note=note)
                )
                current = target

        for when, what in intents:
            if when < origin or when >= stop:
                continue
            follow(when)
            if what == "transfer":
                if temp_until and when <= temp_until:
                    continue
                same = rng.random() < 0.75
                target = self.pick_cell(
                    when, self.units[current].district if same else None, exclude=current
                )
                number, body = self.decision(current, when)
                events.append(
                    PEvent(
                        "transfer",
                        when,
                        target,
                        when - dt.timedelta(days=rng.randint(5, 40)),
                        number.replace("QĐ", "GT"),
                        body,
                    )
                )
                current = target
            elif what == "temp":
                if temp_until and when <= temp_until:
                    continue
                host = self.pick_cell(when, None, exclude=current)
                back = when + dt.timedelta(days=rng.randint(100, 330))
                events.append(
                    PEvent(
                        "temp_attach",
                        when,
                        host,
                        place=self.units[host].name,
                        note=rng.choice(
                            ["Đi học tập trung", "Làm việc có thời hạn", "Điều trị bệnh"]
                        ),
                    )
                )
                temp_until = back
                if back < stop:
                    events.append(PEvent("temp_return", back, None))
            elif what == "exempt":
                events.append(
                    PEvent("exemption", when, None, note="Tuổi cao, sức yếu (HD 27-HD/BTCTW)")
                )
            elif what == "exempt_end":
                events.append(PEvent("exemption_end", when, None))
            elif what == "discipline":
                form = "reprimand" if rng.random() < 0.6 else "warning"
                if when >= official_day and rng.random() < 0.12:
                    form = "dismissal"
                events.append(
                    PEvent(
                        "discipline",
                        when,
                        None,
                        when - ONE_DAY * rng.randint(0, 10),
                        discipline_form=form,
                        issuing_body="Ủy ban Kiểm tra",
                    )
                )
        follow(stop - ONE_DAY)
        official = official_day < stop and official_day <= TODAY
        if official:
            events.append(
                PEvent(
                    "official",
                    official_day,
                    None,
                    min(official_day + ONE_DAY * rng.randint(0, 45), TODAY),
                    number,
                    body,
                )
            )
        spans = [(day, end_day if end_day <= TODAY else D(9999, 12, 31))]
        if end_day <= TODAY:
            events.append(
                PEvent(
                    end_kind,
                    end_day,
                    None,
                    end_day if end_kind != "death" else None,
                    place=rng.choice(
                        [
                            "Tỉnh Bắc Giang",
                            "Thành phố Hà Nội",
                            "Tỉnh Thái Nguyên",
                            "Tỉnh Quảng Ninh",
                        ]
                    )
                    if end_kind == "transfer_out"
                    else "",
                )
            )
            # domain.md §2.1: re-admission is possible once; a few who left come back.
            if (
                not quiet
                and end_kind in ("removal", "leaving")
                and rng.random() < 0.15
                and official
                and age(end_day) < 52
            ):
                back = end_day + years(rng.uniform(2, 8))
                if back < TODAY:
                    home = self.pick_cell(back, self.units[current].district)
                    number, body = self.decision(home, back)
                    events.append(
                        PEvent(
                            "readmission",
                            back,
                            home,
                            back - ONE_DAY * rng.randint(7, 40),
                            number,
                            body,
                        )
                    )
                    again = add_months(back, 12)
                    if again <= TODAY and again < self.spans[home][1]:
                        events.append(
                            PEvent(
                                "official",
                                again,
                                None,
                                min(again + ONE_DAY * 20, TODAY),
                                number,
                                body,
                            )
                        )
                    if self.spans[home][1] <= TODAY:
                        when = self.spans[home][1]
                        events.append(
                            PEvent(
                                "restructure",
                                when,
                                self.successor(home, when),
                                note=f"Theo sắp xếp tổ chức: {self.units[home].name}",
                            )
                        )
                    spans.append((back, D(9999, 12, 31)))
        events.sort(key=lambda e: e.date)
        return events, spans, official

    def _new_member(
        self,
        *,
        entry: str,
        day: dt.date,
        cell: str | None = None,
        tag: str = "",
        before: dt.date = TODAY + ONE_DAY,
        **kwargs,
    ) -> PMember:
        rng = self.rng
        cell = cell or self.pick_cell(day)
        if entry != "pre":
            snapped = snap(day, self.meeting[cell])
            if snapped < min(before, self.spans[cell][1]):
                day = snapped
        if entry == "pre":
            female = rng.random() < 0.25
            est = self.spans[cell][0]
            year = min(1999, max(1950, round(rng.triangular(1950, 2000, 1990))))
            ceremony = rand_date(rng, D(year, 1, 1), D(year + 1, 1, 1))
            ceremony = max(ceremony, est + ONE_DAY)
            if ceremony >= START:
                ceremony = rand_date(rng, est, START)
            snapped = snap(ceremony, self.meeting[cell])
            if snapped < START:
                ceremony = snapped
            admit_age = rng.triangular(18.2, 45, 24)
        elif entry == "transfer_in":
            female = rng.random() < 0.4
            admit_age = rng.triangular(18.2, 40, 24)
            ceremony = day - dt.timedelta(days=rng.randint(200, 20 * 365))
        else:
            female = rng.random() < 0.45
            ceremony = day
            admit_age = rng.triangular(18.2, 45, 22)
        birth = ceremony - dt.timedelta(days=round(admit_age * 365.25) + 45)
        profile = self.person(cell, birth, female)
        start = day if entry != "pre" else ceremony
        events, spans, official = self.life(
            entry=entry, day=start, cell=cell, birth=birth, ceremony=ceremony, **kwargs
        )
        if official:
            profile["card_number"] = f"{next(self.card_numbers):08d}"
        return PMember(profile, events, spans, tag)

    def build_members(self, admissions: dict[int, int] | None = None) -> None:
        rng = self.rng
        s = self.scale
        self.prepare_cells()
        for _ in range(round(31_000 * s)):
            self.members.append(
                self._new_member(entry="pre", day=START, cell=self.pick_cell(START))
            )
        for year in range(2000, TODAY.year + 1):
            last = D(year + 1, 1, 1) if year < TODAY.year else TODAY + ONE_DAY
            n = (admissions or {}).get(year) or (
                1450 if year < 2008 else 2240 if year < 2019 else 2100
            )
            for _ in range(round(n * s * (last - D(year, 1, 1)).days / 365)):
                self.members.append(
                    self._new_member(entry="admission", day=rand_date(rng, D(year, 1, 1), last))
                )
            for _ in range(round(260 * s * (last - D(year, 1, 1)).days / 365)):
                self.members.append(
                    self._new_member(entry="transfer_in", day=rand_date(rng, D(year, 1, 1), last))
                )

    def member_counts(self) -> tuple[int, int]:
        return (sum(m.present(D1) for m in self.members), sum(m.present(D2) for m in self.members))

    def fit_members(self) -> None:
        """Exact member counts on both dates: first D1 with people counted on D1 but not on D2
        (older members who die in between), then D2 with people admitted in between."""
        rng = self.rng
        t1, t2 = TARGETS[D1][2], TARGETS[D2][2]
        c1, _ = self.member_counts()
        delta = t1 - c1
        if delta < 0:
            pool = [i for i, m in enumerate(self.members) if m.present(D1) and not m.present(D2)]
            drop = set(rng.sample(pool, -delta))
            self.members = [m for i, m in enumerate(self.members) if i not in drop]
        for _ in range(max(delta, 0)):
            self.members.append(
                self._new_member(
                    entry="pre",
                    day=START,
                    cell=self.pick_cell(START),
                    tag="A",
                    forced_exit=("death", rand_date(rng, D1 + ONE_DAY, D2)),
                    quiet=True,
                )
            )
        _, c2 = self.member_counts()
        delta = t2 - c2
        if delta < 0:
            pool = [i for i, m in enumerate(self.members) if m.present(D2) and not m.present(D1)]
            drop = set(rng.sample(pool, -delta))
            self.members = [m for i, m in enumerate(self.members) if i not in drop]
        for _ in range(max(delta, 0)):
            self.members.append(
                self._new_member(
                    entry="admission",
                    day=rand_date(rng, D1 + ONE_DAY, D2 + ONE_DAY),
                    tag="B",
                    exit_after=D2,
                )
            )
        assert self.member_counts() == (t1, t2), self.member_counts()

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


def make_plan(seed: int = 2008, scale: float = 1.0) -> Plan:
    plan = Plan(seed, scale)
    plan.build_tree()
    plan.build_villages()
    plan.history()
    if scale >= 1.0:
        plan.fit_units()
        plan.fit_year_ends()
    plan.reorganize_2025()
    plan.build_members()
    if scale >= 1.0:
        plan.fit_members()
    plan.build_population()
    return plan
