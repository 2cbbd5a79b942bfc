"""The demo province's shared vocabulary: dates, published targets, kinds, the plan's in-memory
records (PUnit, PVersion, PMember, PVillage, PChange) and small helpers every app's demo builder
uses. Nothing here touches the database or imports an app's builder.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from dataclasses import dataclass, field

from grassroots.bulkload.loader import EventSpec as PEvent  # the loader's own event record

from . import names

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
