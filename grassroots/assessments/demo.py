"""Rating history for the demo province, 2008 onwards, written through the workflow services.

The published shares of grassroots organizations rated "Trong sạch, vững mạnh" (the article
behind issue 6: 45.55% in 2008, 56.05% in 2017) are reproduced exactly: the number to rate at the
top level is computed from the grassroots organizations that exist at the end of that year.
With N organizations only some N admit an integer k with round(100·k/N, 2) equal to the target;
when N does not, `seed_demo_ratings` says which N would (see `workable_counts`).

Organizations are decided through `assessment_record_many` (one audit record per rating, the same
rules as the UI); members through the same function with `audit="batch"` (one audit record per
grassroots organization), because the province has tens of thousands of members a year.
Each year's round is then approved at the province, which re-checks completeness and the cap.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction

from grassroots.audit.services import Actor
from grassroots.core.cli import number
from grassroots.organizations.models import GRASSROOTS_KINDS, Unit

from . import approval, follow_up
from . import queries as q
from . import services as svc
from .models import Round, Step, Subject

# The published figures (issue 6): share of grassroots organizations rated clean and strong.
TARGETS = {2008: Decimal("45.55"), 2017: Decimal("56.05")}


class DemoTargetError(ValueError):
    pass


def top_count(n: int, target: Decimal) -> int | None:
    """k with round(100·k/n, 2) == target (half up, as the summary prints), or None."""
    if n <= 0:
        return None
    guess = int(target * n / 100)
    for k in (guess - 1, guess, guess + 1, guess + 2):
        if 0 <= k <= n and q.percent(k, n) == target:
            return k
    return None


def workable_counts(target: Decimal, around: int, spread: int = 40) -> list[int]:
    """Organization counts near `around` for which the target share is reachable exactly."""
    return [
        n
        for n in range(max(1, around - spread), around + spread + 1)
        if top_count(n, target) is not None
    ]


def _target(year: int, rng: random.Random) -> Decimal | None:
    if year in TARGETS:
        return TARGETS[year]
    if 2008 < year < 2017:  # the old scheme: a steady rise between the two published years
        share = TARGETS[2008] + (TARGETS[2017] - TARGETS[2008]) * (year - 2008) / 9
        return share + Decimal(rng.uniform(-1.5, 1.5)).quantize(Decimal("0.01"))
    return None


_SCORES = {1: (90, 99), 2: (70, 89), 3: (50, 69), 4: (20, 49)}
_FACTS = {
    1: {
        "tasks_done_pct": 100,
        "tasks_on_time_pct": 100,
        "tasks_exceeding_pct": 35,
        "tasks_late_pct": 0,
    },
    2: {
        "tasks_done_pct": 100,
        "tasks_on_time_pct": 100,
        "tasks_exceeding_pct": 10,
        "tasks_late_pct": 0,
    },
    3: {
        "tasks_done_pct": 100,
        "tasks_on_time_pct": 90,
        "tasks_exceeding_pct": 0,
        "tasks_late_pct": 10,
    },
    4: {
        "tasks_done_pct": 80,
        "tasks_on_time_pct": 60,
        "tasks_exceeding_pct": 0,
        "tasks_late_pct": 40,
    },
}


def _entry(rng: random.Random, scored: bool, code: str, order: int, **subject) -> svc.Entry:
    entry = svc.Entry(level=code, **subject)
    if scored:
        low, high = _SCORES[order]
        entry.score = rng.randint(low, high)
        entry.facts = dict(_FACTS[order])
    return entry


def _spread(rng: random.Random, n: int, shares: list[float]) -> list[int]:
    """Orders (1..4) for n subjects, drawn with the given shares."""
    return rng.choices(range(1, len(shares) + 1), weights=shares, k=n)


@dataclass
class YearResult:
    year: int
    scheme: str
    grassroots: int
    top: int
    top_pct: Decimal | None
    members: int


@transaction.atomic
def rate_year(
    province: Unit, year: int, rng: random.Random, actor: Actor, *, approve: bool = True
) -> YearResult:
    rnd = Round.objects.filter(year=year, unit=province).first() or svc.round_open(
        actor=actor, unit=province, year=year
    )
    scheme, rules = rnd.scheme, q.Rules.of(rnd.scheme)
    org_levels = {lv.order: lv.code for lv in q.levels_of(scheme, Subject.ORGANIZATION)}
    member_levels = {lv.order: lv.code for lv in q.levels_of(scheme, Subject.MEMBER)}
    orgs = q.organizations_due(province, year)
    grassroots = sorted(k for k, v in orgs.items() if v.kind in GRASSROOTS_KINDS)
    n = len(grassroots)
    target = _target(year, rng)
    if target is not None:
        k = top_count(n, target)
        if k is None:
            if year in TARGETS:
                raise DemoTargetError(
                    f"Năm {year}: {n} tổ chức cơ sở đảng, không có số nguyên k nào cho "
                    f"round(100·k/{n}, 2) = {target}. Các số tổ chức gần đó đạt được: "
                    f"{workable_counts(target, n)}."
                )
            k = round(float(target) * n / 100)
    else:  # QĐ 132 onwards: "excellent" is rarer than the old "clean and strong"
        k = round(n * rng.uniform(0.15, 0.22))
    rng.shuffle(grassroots)
    rest = _spread(rng, n - k, [0, 80, 18, 2])
    plan = {uid: 1 for uid in grassroots[:k]} | dict(zip(grassroots[k:], rest, strict=True))
    for uid, v in orgs.items():
        if v.kind not in GRASSROOTS_KINDS:
            plan[uid] = _spread(rng, 1, [25, 60, 13, 2])[0]
    # Organizations disciplined this year cannot be rated above what the rules allow.
    disciplined = q.disciplined_units(list(orgs), year)
    cap = rules.get("disciplined_org_max_order")
    for uid in disciplined:
        if cap and uid in plan and uid not in grassroots[:k]:
            plan[uid] = max(plan[uid], cap)
    entries = [
        _entry(rng, scheme.has_score, org_levels[order], order, unit=uid)
        for uid, order in sorted(plan.items())
    ]
    svc.assessment_record_many(
        actor=actor, round=rnd, step=Step.DECISION, entries=entries, orgs=orgs
    )
    # Who must be rated is read once per year and handed to the services (same reads they make).
    places = q.members_at_year_end(province, year, rules)
    members = _rate_members(rnd, rules, rng, actor, member_levels, places)
    for uid in grassroots:
        if plan[uid] == max(org_levels):
            follow_up.consolidation_plan_save(
                actor=actor,
                unit=orgs[uid].unit,
                year=year,
                measures="Kiện toàn cấp ủy; cấp ủy cấp trên cử cán bộ theo dõi, dự sinh hoạt hằng tháng.",
                responsible="Ban Tổ chức cấp ủy cấp trên",
            )
    if approve:
        approval.round_approve(
            actor=actor,
            round=rnd,
            unit=province,
            note="Dữ liệu minh họa",
            orgs=orgs,
            members=places,
        )
    # Every grassroots organization was decided, k of them at the top level (as `q.summary`
    # counts them; the tests check it through the `assessment-summary` command).
    return YearResult(year, scheme.code, n, k, q.percent(k, n), members)


def _rate_members(
    rnd: Round,
    rules: q.Rules,
    rng: random.Random,
    actor: Actor,
    levels: dict[int, str],
    places: dict[int, q.MemberPlace],
) -> int:
    due = {k: v for k, v in places.items() if not v.reason}
    disciplined = q.disciplined_members(None, rnd.year) & set(due)
    floor = rules.get("disciplined_member_max_order")
    cap = rules.get("excellent_cap_pct")
    by_group: dict[int | None, list[int]] = {}
    for member_id, place in due.items():
        by_group.setdefault(place.grassroots_id, []).append(member_id)
    entries = []
    for gid in sorted(by_group, key=lambda g: g or 0):
        ids = sorted(by_group[gid])
        orders = dict(zip(ids, _spread(rng, len(ids), [12, 72, 14, 2]), strict=True))
        for member_id in ids:
            if member_id in disciplined and floor:
                orders[member_id] = max(orders[member_id], floor)
        if cap is not None:  # keep within "excellent ≤ 20% of good" in each grassroots organization
            excellent = [m for m in ids if orders[m] == 1]
            good = sum(1 for m in ids if orders[m] == 2)
            while excellent and len(excellent) * 100 > cap * good:
                orders[excellent.pop()] = 2
                good += 1
        entries += [
            _entry(rng, rnd.scheme.has_score, levels[orders[m]], orders[m], member=m) for m in ids
        ]
    if entries:
        svc.assessment_record_many(
            actor=actor,
            round=rnd,
            step=Step.DECISION,
            entries=entries,
            audit="batch",
            members=places,
        )
    return len(entries)


DEMO_YEARS = range(2008, 2026)


def seed_demo_ratings(
    province_code: str = "LS", seed: int = 2008, years=DEMO_YEARS, *, approve: bool = True, log=None
) -> list[YearResult]:
    """Rate every year of `years` for the province (idempotent per year: a year already decided
    is skipped). Raises DemoTargetError when a published share cannot be reached exactly."""
    province = Unit.objects.get(code=province_code)
    actor = Actor.system()
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        # A bigger page cache (as the demo build and the bulk loader use): each year inserts
        # ~60,000 ratings into indexes that outgrow SQLite's default 2 MB cache.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size=-262144")
    results = []
    for year in years:
        rng = random.Random(seed * 10_000 + year)
        if q.current().filter(year=year, round__unit=province).exists():
            continue
        result = rate_year(province, year, rng, actor, approve=approve)
        if log:
            log(
                f"{year} {result.scheme}: {result.top}/{result.grassroots} tổ chức cơ sở mức cao nhất "
                f"({number(result.top_pct, 2)}%), {number(result.members)} đảng viên"
            )
        results.append(result)
    return results
