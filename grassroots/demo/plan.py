"""Planning the demo province (Lạng Sơn) in memory: the tree through time, villages, people.

Pure Python with one seeded `random.Random`; nothing here touches the database. The plan is a
simulation: the 2000 tree, its changes up to the real reorganization of 1 July 2025, then every
member's life as dated events. At scale 1.0 the plan is then adjusted so that the raw facts
reproduce the figures Lạng Sơn published for Resolution 22 (issue 2, point 6): organizations
established or dissolved, members admitted or deceased between the two dates are added or
taken out until the counts on both dates are exact. The figures themselves are computed later
by `figures.queries` from the written facts, like for any other data.

Each app plans its own part as a mixin of `Plan`, which holds the shared state:
organizations/demo.py and demo_changes.py (the tree and its changes), territory/demo.py
(villages and population), members/demo.py (the members' lives). `make_plan` runs the steps in
order; `build.py` writes the plan; the demo command then runs the assessments' builder
(assessments/demo.py). Shared vocabulary: model.py; real names: adminunits.py, names.py.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter, defaultdict

from grassroots.members.demo import MemberPlan
from grassroots.organizations.demo import TreePlan
from grassroots.organizations.demo_changes import ChangesPlan
from grassroots.territory.demo import TerritoryPlan

from . import adminunits
from .model import (
    DINH_LAP,
    PROVINCE_CODE,
    PChange,
    PMember,
    PUnit,
    PVillage,
)


class Plan(TreePlan, TerritoryPlan, ChangesPlan, MemberPlan):
    """The whole province in memory: the state every app's builder reads and extends."""

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
