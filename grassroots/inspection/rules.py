"""The dated rules of discipline (domain.md §2.9, domain-processes.md §3.3–3.5) as data.

Each `RuleVersion` holds every parameter in force from its date; `rules_on(day)` picks the latest.
Values without a source read by us are listed in `unconfirmed` ([UNCONFIRMED] in the notes): they
stay here, configurable, and the pages say so. Pure: no database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from grassroots.organizations.models import MEMBER_KINDS, Kind

from .models import Form, Organ

R, W, D, E, X = Form.REPRIMAND, Form.WARNING, Form.DISMISSAL, Form.EXPULSION, Form.DISSOLUTION

# Levels of a deciding organization, from its kind on the day it signs.
CELL, GRASSROOTS, PARTIAL, UPPER = "cell", "grassroots", "partial", "upper"


def level(kind: str, organ: str) -> str:
    if organ == Organ.CELL:
        return CELL if kind in MEMBER_KINDS else ""
    if kind in (Kind.GRASSROOTS_COMMITTEE, Kind.GRASSROOTS_CELL):
        return GRASSROOTS
    if kind == Kind.PARTIAL_COMMITTEE:
        return PARTIAL
    if kind in (Kind.DISTRICT, Kind.PROVINCE, Kind.CENTRAL):
        return UPPER
    return ""


@dataclass(frozen=True)
class RuleVersion:
    code: str
    effective: dt.date
    # (level, organ, "member" | "organization") → the forms that body may decide.
    competence: dict = field(default_factory=dict)
    # Automatic lapse (chấm dứt hiệu lực) this many months after announcement without a new
    # violation; expulsion and dissolution never lapse (QĐ 30 Điều 40 §3.2).
    lapse_months: int = 12
    # A discipline complaint is filed within this many months of receiving the decision
    # (Điều lệ Điều 39.7: "trong thời hạn một tháng").
    appeal_months: int = 1
    # A decision other than a cell's reprimand or warning is announced within this many days of
    # signing (Điều lệ Điều 39.6; domain.md §2.9, luatvietnam.vn "thoi-han-xoa-ky-luat-dang").
    # A cell's reprimand or warning takes effect with the vote result: not limited here.
    announce_days: int = 15
    # Suspension of party activity (đình chỉ sinh hoạt đảng): 90 days, at most 180 with an
    # extension; a prosecuted or detained member for the legal term (QĐ 22 Điều 28–31,
    # domain-processes.md §3.7). Decided by a body competent to expel the member.
    suspension_days: int = 90
    suspension_max_days: int = 180
    unconfirmed: frozenset = frozenset()
    source: str = ""


_COMPETENCE = {
    # QĐ 22 Điều 11: the cell reprimands or warns its own members.
    (CELL, Organ.CELL, "member"): {R, W},
    # The đảng ủy cơ sở's own sanctions, incl. delegated expulsion: [UNCONFIRMED] (§3.3).
    (GRASSROOTS, Organ.COMMITTEE, "member"): {R, W, D, E},
    (GRASSROOTS, Organ.COMMITTEE, "organization"): {R, W},
    # District level and above (committee, standing committee, inspection commission).
    (UPPER, Organ.COMMITTEE, "member"): {R, W, D, E},
    (UPPER, Organ.INSPECTION_COMMISSION, "member"): {R, W, D, E},
    (UPPER, Organ.COMMITTEE, "organization"): {R, W, X},
    (UPPER, Organ.INSPECTION_COMMISSION, "organization"): {R, W},
}

VERSIONS = [
    RuleVersion(
        code="QĐ 30/2016",
        effective=dt.date(1900, 1, 1),
        competence=_COMPETENCE,
        unconfirmed=frozenset(
            {"competence.grassroots", "competence.upper_inspection", "suspension"}
        ),
        source="Điều lệ Điều 35, 36, 39; QĐ 30 Điều 40 §3.2",
    ),
    RuleVersion(
        code="QĐ 22/2021",
        effective=dt.date(2021, 7, 28),
        competence=_COMPETENCE,
        unconfirmed=frozenset({"competence.grassroots", "competence.upper_inspection", "lapse"}),
        source="QĐ 22-QĐ/TW Điều 11 (domain-processes.md §3.3)",
    ),
    RuleVersion(
        code="QĐ 296/2025",
        effective=dt.date(2025, 5, 30),
        competence=_COMPETENCE,
        # QĐ 296 replaces QĐ 22 (suspension there, Điều 28–31); its numbers are [UNCONFIRMED].
        unconfirmed=frozenset(
            {
                "competence.grassroots",
                "competence.upper_inspection",
                "lapse",
                "appeal",
                "suspension",
            }
        ),  # fmt: skip
        source="QĐ 296-QĐ/TW (domain-processes.md §3.1; numbers carried over [UNCONFIRMED])",
    ),
]


def rules_on(day: dt.date) -> RuleVersion:
    current = VERSIONS[0]
    for version in VERSIONS:
        if version.effective <= day:
            current = version
    return current


def allowed_forms(day: dt.date, kind: str, organ: str, subject: str) -> set[str]:
    return set(rules_on(day).competence.get((level(kind, organ), organ, subject), set()))


def lapses(form: str) -> bool:
    return form not in (Form.EXPULSION, Form.DISSOLUTION)
