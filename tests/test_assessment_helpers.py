"""A small tree and personas for the assessment tests (no tests in this module).

P (province) ─ D1 ─ G1 (đảng bộ cơ sở) ─ C11, C12 (chi bộ trực thuộc)
             │    └ G2 (chi bộ cơ sở)
             └ D2 ─ G3 (đảng bộ cơ sở) ─ C31
"""

from __future__ import annotations

import itertools

from grassroots.accounts.models import Role, User
from grassroots.assessments import services as svc
from grassroots.organizations.models import GrassrootsType, Kind

from .factories import SYSTEM, admit, unit

_users = itertools.count(1)

# One representative assessment year per scheme.
SCHEME_YEARS = {
    "hd20_2008": 2010,
    "hd27_2014": 2016,
    "qd132_2018": 2019,
    "qd124_2023": 2023,
    "qd366_2025": 2025,
}
NEW_SCHEMES = ("qd132_2018", "qd124_2023", "qd366_2025")
OLD_SCHEMES = ("hd20_2008", "hd27_2014")


def build_tree():
    P = unit("P", Kind.PROVINCE)
    D1 = unit("D1", Kind.DISTRICT, P)
    D2 = unit("D2", Kind.DISTRICT, P)
    G1 = unit("G1", Kind.GRASSROOTS_COMMITTEE, D1)
    C11 = unit("C11", Kind.SUBORDINATE_CELL, G1)
    C12 = unit("C12", Kind.SUBORDINATE_CELL, G1)
    G2 = unit("G2", Kind.GRASSROOTS_CELL, D1, type=GrassrootsType.AGENCY)
    G3 = unit("G3", Kind.GRASSROOTS_COMMITTEE, D2)
    C31 = unit("C31", Kind.SUBORDINATE_CELL, G3)
    return {
        "P": P,
        "D1": D1,
        "D2": D2,
        "G1": G1,
        "C11": C11,
        "C12": C12,
        "G2": G2,
        "G3": G3,
        "C31": C31,
    }


def members(cell, n: int, since: str = "2005-03-01"):
    return [admit(cell, since) for _ in range(n)]


def user(scope, role: str = Role.APPROVER):
    return User.objects.create(username=f"u{next(_users)}", scope=scope, role=role)


def good_facts():
    """QĐ 366 task facts that satisfy every level's extra conditions."""
    return {
        "tasks_done_pct": 100,
        "tasks_on_time_pct": 100,
        "tasks_exceeding_pct": 40,
        "tasks_late_pct": 0,
    }


SCORE_FOR = {"xuat_sac": 95, "tot": 80, "hoan_thanh": 60, "khong_hoan_thanh": 30}


def decide(
    rnd, level: str, *, member=None, unit=None, actor=SYSTEM, note: str = "", score=None, facts=None
):
    """Decide with a score and facts consistent with `level` when the scheme scores."""
    if rnd.scheme.has_score:
        score = SCORE_FOR.get(level, 60) if score is None else score
        facts = good_facts() if facts is None else facts
    return svc.assessment_decide(
        actor=actor,
        round=rnd,
        level=level,
        member=member,
        unit=unit,
        score=score,
        facts=facts,
        note=note,
    )


def open_round(root, year: int):
    return svc.round_open(actor=SYSTEM, unit=root, year=year)


def levels(rnd, subject: str) -> list[str]:
    return list(
        rnd.scheme.levels.filter(subject=subject).order_by("order").values_list("code", flat=True)
    )
