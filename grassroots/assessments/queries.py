"""Reads for the annual assessment: schemes, who must be rated, results, trend, follow-up.

Services, views, the `assessment-summary` command, the Excel sheet and the demo all read here.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q

from grassroots.accounts import access
from grassroots.members.models import EventKind, Member, MemberEvent, MemberStint, Reason
from grassroots.organizations.models import (
    GRASSROOTS_KINDS,
    SUBORDINATE_KINDS,
    Unit,
    UnitAncestry,
    UnitVersion,
)
from grassroots.organizations.queries import on

from . import counts
from .models import (
    ConsolidationPlan,
    Level,
    OrganizationDiscipline,
    Rating,
    Round,
    RoundAction,
    Rule,
    Scheme,
    Step,
    Subject,
)

RATED_KINDS = (*GRASSROOTS_KINDS, *SUBORDINATE_KINDS)


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def rounds_visible(user):
    """The rounds a user may open, newest first: those whose unit, on its year's last day, held
    the user's scope or lay inside it (issue 20 §4: a round counts the tree as of its year end,
    so a unit that came into the scope later does not bring its earlier rounds along)."""
    rounds = Round.objects.select_related("unit", "scheme").order_by("-year", "unit__code")
    if access.sees_everything(user):
        return rounds
    scope = access.scope_id(user)
    if scope is None:
        return rounds.none()
    visible = Q(pk__in=[])
    for year in rounds.values_list("year", flat=True).distinct():
        day = on(year_end(year))
        above = UnitAncestry.objects.filter(day, descendant_id=scope).values("ancestor_id")
        below = UnitAncestry.objects.filter(day, ancestor_id=scope).values("descendant_id")
        visible |= Q(year=year) & (Q(unit_id__in=above) | Q(unit_id__in=below))
    return rounds.filter(visible)


def percent(part: int, whole: int) -> Decimal | None:
    """Percent with 2 decimals, half up (the published figures: 45.55%)."""
    if not whole:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# Schemes -----------------------------------------------------------------------------------------


def scheme_for_year(year: int) -> Scheme | None:
    return (
        Scheme.objects.filter(first_year__lte=year)
        .filter(Q(last_year__isnull=True) | Q(last_year__gte=year))
        .first()
    )


@dataclass
class Rules:
    """A scheme's rule parameters; `get` returns None when the scheme has no such rule."""

    scheme: Scheme
    by_key: dict[str, Rule]

    @classmethod
    def of(cls, scheme: Scheme) -> Rules:
        return cls(scheme, {r.key: r for r in scheme.rules.all()})

    def get(self, key: str, default=None):
        rule = self.by_key.get(key)
        return default if rule is None else rule.value

    def unconfirmed(self, key: str) -> bool:
        rule = self.by_key.get(key)
        return bool(rule and not rule.confirmed)

    def suffix(self, key: str) -> str:
        """Appended to a message when the rule that produced it is [UNCONFIRMED]."""
        return " (quy tắc chưa được xác minh, có thể cấu hình)" if self.unconfirmed(key) else ""


def _lowest_orders(subject: str) -> dict[int, int]:
    """scheme id → the order of its lowest level for `subject` (yếu kém / không hoàn thành)."""
    out: dict[int, int] = {}
    for scheme_id, order in Level.objects.filter(subject=subject).values_list("scheme_id", "order"):
        out[scheme_id] = max(order, out.get(scheme_id, 0))
    return out


def levels_of(scheme: Scheme, subject: str) -> list[Level]:
    return list(scheme.levels.filter(subject=subject).order_by("order"))


# Who must be rated -------------------------------------------------------------------------------


def organizations_due(root: Unit | int, year: int) -> dict[int, UnitVersion]:
    """Grassroots and subordinate organizations in the subtree at the end of the year."""
    day = year_end(year)
    root_id = root.pk if isinstance(root, Unit) else root
    subtree = UnitAncestry.objects.filter(on(day), ancestor_id=root_id).values("descendant_id")
    qs = UnitVersion.objects.filter(
        on(day), unit_id__in=subtree, kind__in=RATED_KINDS
    ).select_related("unit")
    return {v.unit_id: v for v in qs}


def grassroots_due(root: Unit | int, year: int) -> dict[int, UnitVersion]:
    return {k: v for k, v in organizations_due(root, year).items() if v.kind in GRASSROOTS_KINDS}


def grassroots_of(unit_ids, day: dt.date) -> dict[int, int]:
    """unit id → the grassroots organization it is (or lies under) on `day`."""
    grassroots = UnitVersion.objects.filter(on(day), kind__in=GRASSROOTS_KINDS).values("unit_id")
    rows = UnitAncestry.objects.filter(
        on(day), descendant_id__in=unit_ids, ancestor_id__in=grassroots
    )
    return dict(rows.values_list("descendant_id", "ancestor_id"))


@dataclass(frozen=True)
class MemberPlace:
    member_id: int
    cell_id: int
    grassroots_id: int | None
    reason: str = ""  # empty = must be rated; otherwise why not


NOT_DUE_EXEMPT = "Được miễn công tác và sinh hoạt đảng"
NOT_DUE_LATE = "Mới kết nạp sau ngày %s, chưa xếp loại"


def _cutoff(rules: Rules, year: int) -> dt.date | None:
    value = rules.get("late_admission_cutoff")
    if not value:
        return None
    month, day = (int(x) for x in value.split("-"))
    return dt.date(year, month, day)


def members_at_year_end(
    root: Unit | int, year: int, rules: Rules, member_ids=None
) -> dict[int, MemberPlace]:
    """Members counted in the subtree on 31/12: each with the cell and grassroots organization
    where they are rated, and the reason when they are not rated.

    Transferred members are rated where they are at the end of the year; members who died, left
    or moved out during the year are not in this list (domain.md §3; issue 6 point 3)."""
    day = year_end(year)
    root_id = root.pk if isinstance(root, Unit) else root
    subtree = UnitAncestry.objects.filter(on(day), ancestor_id=root_id).values("descendant_id")
    stints = MemberStint.objects.filter(unit_id__in=subtree, start__lte=day).filter(
        Q(end__isnull=True) | Q(end__gt=day)
    )
    if member_ids is not None:
        stints = stints.filter(member_id__in=member_ids)
    rows = list(stints.values_list("member_id", "unit_id", "exempt"))
    cells = {unit_id for _, unit_id, _ in rows}
    grassroots = grassroots_of(cells, day)
    late: set[int] = set()
    cutoff = _cutoff(rules, year)
    if cutoff is not None:
        admitted = MemberStint.objects.filter(
            start_reason__in=(Reason.ADMITTED, Reason.READMITTED), start__gte=cutoff, start__lte=day
        )
        admitted = (
            admitted.filter(member_id__in=member_ids)
            if member_ids is not None
            else admitted.filter(member_id__in=stints.values("member_id"))
        )
        late = set(admitted.values_list("member_id", flat=True))
    exempt_rated = bool(rules.get("exempt_members_rated", True))
    out: dict[int, MemberPlace] = {}
    for member_id, unit_id, exempt in rows:
        reason = ""
        if exempt and not exempt_rated:
            reason = NOT_DUE_EXEMPT  # domain.md §2.8
        elif member_id in late:
            reason = NOT_DUE_LATE % cutoff.strftime("%d/%m")
        out[member_id] = MemberPlace(member_id, unit_id, grassroots.get(unit_id), reason)
    return out


def members_due(
    root: Unit | int, year: int, rules: Rules, member_ids=None
) -> dict[int, MemberPlace]:
    return {
        k: v for k, v in members_at_year_end(root, year, rules, member_ids).items() if not v.reason
    }


# Facts the rules read ----------------------------------------------------------------------------


def disciplined_members(member_ids, year: int) -> set[int]:
    """Members disciplined during the year (a discipline event not voided)."""
    qs = MemberEvent.objects.filter(
        kind=EventKind.DISCIPLINE, voided_at__isnull=True, date__year=year
    )
    if member_ids is not None:
        qs = qs.filter(member_id__in=member_ids)
    return set(qs.values_list("member_id", flat=True))


def disciplined_units(unit_ids, year: int) -> dict[int, set[str]]:
    """unit id → the targets (organization / leadership) disciplined during the year."""
    out: dict[int, set[str]] = {}
    qs = OrganizationDiscipline.objects.filter(
        voided_at__isnull=True, date__year=year, unit_id__in=unit_ids
    )
    for unit_id, target in qs.values_list("unit_id", "target"):
        out.setdefault(unit_id, set()).add(target)
    return out


def children_due(unit_ids, year: int) -> dict[int, list[int]]:
    """Direct subordinate organizations at the end of the year (for the >20% rule)."""
    day = year_end(year)
    out: dict[int, list[int]] = {}
    qs = UnitVersion.objects.filter(on(day), parent_id__in=unit_ids, kind__in=RATED_KINDS)
    for parent_id, unit_id in qs.values_list("parent_id", "unit_id"):
        out.setdefault(parent_id, []).append(unit_id)
    return out


# Current ratings ---------------------------------------------------------------------------------


def current(step: str = Step.DECISION):
    return Rating.objects.filter(step=step, superseded_at__isnull=True)


def round_for(unit: Unit, year: int) -> Round | None:
    """The round of `year` whose subtree holds `unit` at the end of the year."""
    day = year_end(year)
    roots = UnitAncestry.objects.filter(on(day), descendant=unit).values("ancestor_id")
    return (
        Round.objects.filter(year=year, unit_id__in=roots).select_related("scheme", "unit").first()
    )


def parent_on(unit_id: int, day: dt.date) -> int | None:
    """The unit's parent on `day` (the superior that approves its results)."""
    version = UnitVersion.objects.filter(on(day), unit_id=unit_id).first()
    return version.parent_id if version else None


def approved_units(round: Round) -> set[int]:
    """Units whose results are approved (last action = approve) in the round."""
    last: dict[int, str] = {}
    for unit_id, action in (
        RoundAction.objects.filter(round=round).order_by("id").values_list("unit_id", "action")
    ):
        last[unit_id] = action
    return {u for u, a in last.items() if a == RoundAction.Action.APPROVE}


def last_actions(round: Round) -> dict[int, RoundAction]:
    out: dict[int, RoundAction] = {}
    for action in RoundAction.objects.filter(round=round).select_related("by").order_by("id"):
        out[action.unit_id] = action
    return out


def locked_by(round: Round, unit_ids) -> dict[int, int]:
    """unit id → the approved unit (itself or an ancestor) that locks it."""
    approved = approved_units(round)
    if not approved:
        return {}
    day = year_end(round.year)
    rows = UnitAncestry.objects.filter(
        on(day), descendant_id__in=unit_ids, ancestor_id__in=approved
    )
    return dict(rows.order_by("-depth").values_list("descendant_id", "ancestor_id"))


# Results -----------------------------------------------------------------------------------------


@dataclass
class Distribution:
    levels: list[Level]
    counts: dict[str, int]
    rated: int
    due: int

    @property
    def not_rated(self) -> int:
        return max(self.due - self.rated, 0)

    def rows(self) -> list[tuple[Level, int, Decimal | None]]:
        return [
            (lv, self.counts.get(lv.code, 0), percent(self.counts.get(lv.code, 0), self.rated))
            for lv in self.levels
        ]

    def top_pct(self) -> Decimal | None:
        top = next((lv for lv in self.levels if lv.is_top), None)
        return percent(self.counts.get(top.code, 0), self.rated) if top else None


@dataclass
class Summary:
    unit: Unit
    name: str
    year: int
    scheme: Scheme | None
    grassroots: Distribution | None = None
    organizations: Distribution | None = None
    members: Distribution | None = None
    not_rated_organizations: list[UnitVersion] = field(default_factory=list)
    not_rated_member_ids: list[int] = field(default_factory=list)
    not_due: Counter = field(default_factory=Counter)  # reason → members present but not rated

    @property
    def not_due_rows(self) -> list[tuple[str, int]]:
        return sorted(self.not_due.items())

    def as_json(self) -> dict:
        g, m = self.grassroots, self.members
        return {
            "unit": self.unit.code,
            "year": self.year,
            "scheme": self.scheme.code if self.scheme else None,
            "organizations": dict(g.counts) if g else {},
            "organizations_rated": g.rated if g else 0,
            "organizations_top_pct": float(g.top_pct()) if g and g.top_pct() is not None else None,
            "members": dict(m.counts) if m else {},
            "members_rated": m.rated if m else 0,
            "not_rated_organizations": len(self.not_rated_organizations),
            "not_rated_members": len(self.not_rated_member_ids),
        }


def summary(unit: Unit, year: int) -> Summary:
    """Distribution of decided ratings under `unit` for `year` (grassroots organizations, all
    organizations, members), with who is still not rated. Counted over the organizations that
    exist under the unit at the end of the year."""
    day = year_end(year)
    version = (
        UnitVersion.objects.filter(on(day), unit=unit).first()
        or unit.versions.order_by("-valid_from").first()
    )
    scheme = scheme_for_year(year)
    result = Summary(
        unit=unit, name=version.name if version else unit.code, year=year, scheme=scheme
    )
    if scheme is None:
        return result
    rules = Rules.of(scheme)
    orgs = organizations_due(unit, year)
    decided = dict(
        current()
        .filter(year=year, subject=Subject.ORGANIZATION, unit_id__in=list(orgs))
        .values_list("unit_id", "level__code")
    )
    org_levels = levels_of(scheme, Subject.ORGANIZATION)
    grassroots_ids = [k for k, v in orgs.items() if v.kind in GRASSROOTS_KINDS]

    def dist(ids, levels) -> Distribution:
        counts = Counter(decided[i] for i in ids if i in decided)
        return Distribution(
            levels,
            {lv.code: counts.get(lv.code, 0) for lv in levels},
            sum(counts.values()),
            len(ids),
        )

    result.grassroots = dist(grassroots_ids, org_levels)
    result.organizations = dist(list(orgs), org_levels)
    result.not_rated_organizations = sorted(
        (v for k, v in orgs.items() if k in grassroots_ids and k not in decided),
        key=lambda v: v.unit.code,
    )
    counted = members_at_year_end(unit, year, rules)
    due = {k: v for k, v in counted.items() if not v.reason}
    result.not_due = Counter(v.reason for v in counted.values() if v.reason)
    member_rows = (
        current()
        .filter(year=year, subject=Subject.MEMBER, grassroots_id__in=grassroots_ids)
        .values_list("member_id", "level__code")
    )
    member_levels = levels_of(scheme, Subject.MEMBER)
    counts: Counter = Counter()
    rated_ids: set[int] = set()
    for member_id, code in member_rows:
        counts[code] += 1
        rated_ids.add(member_id)
    result.members = Distribution(
        member_levels,
        {lv.code: counts.get(lv.code, 0) for lv in member_levels},
        sum(counts.values()),
        len(due),
    )
    result.not_rated_member_ids = sorted(m for m in due if m not in rated_ids)
    return result


@dataclass
class TrendRow:
    year: int
    scheme: Scheme
    scheme_changed: bool
    grassroots: Distribution
    members: Distribution


def trend(unit: Unit, years) -> list[TrendRow]:
    """Per year: the grassroots organizations' distribution and the members rated. Three small
    queries a year: the members' counts come from the yearly ledger (`counts`), not from the
    year's ratings, so twenty years of a province stay well under a second (issue 11 §9)."""
    schemes = list(Scheme.objects.prefetch_related("levels"))
    rows: list[TrendRow] = []
    previous = None
    for year in years:
        scheme = next((s for s in schemes if s.governs(year)), None)
        if scheme is None:
            continue
        day = year_end(year)
        subtree = UnitAncestry.objects.filter(on(day), ancestor=unit).values("descendant_id")
        grassroots = UnitVersion.objects.filter(
            on(day), unit_id__in=subtree, kind__in=GRASSROOTS_KINDS
        ).values("unit_id")
        decided = dict(
            current()
            .filter(year=year, subject=Subject.ORGANIZATION, unit_id__in=grassroots)
            .values("level_id")
            .annotate(n=Count("id"))
            .values_list("level_id", "n")
        )
        members = counts.members_by_level(year, grassroots)
        if not decided and not members:
            continue
        due = grassroots.count()
        levels = sorted(scheme.levels.all(), key=lambda lv: lv.order)
        org_levels = [lv for lv in levels if lv.subject == Subject.ORGANIZATION]
        member_levels = [lv for lv in levels if lv.subject == Subject.MEMBER]
        rated = sum(members.values())
        g = Distribution(
            org_levels,
            {lv.code: decided.get(lv.pk, 0) for lv in org_levels},
            sum(decided.values()),
            due,
        )
        m = Distribution(
            member_levels, {lv.code: members.get(lv.pk, 0) for lv in member_levels}, rated, rated
        )
        rows.append(TrendRow(year, scheme, previous is not None and previous != scheme.pk, g, m))
        previous = scheme.pk
    return rows


def rated_years(unit: Unit) -> list[int]:
    return sorted(set(Rating.objects.filter(step=Step.DECISION).values_list("year", flat=True)))


@dataclass
class WeakRow:
    version: UnitVersion
    level: Level
    plan: ConsolidationPlan | None
    next_level: Level | None
    next_scheme: Scheme | None


def weak_organizations(unit: Unit, year: int) -> list[WeakRow]:
    """Organizations rated at the lowest level (yếu kém / không hoàn thành nhiệm vụ), their
    consolidation plan, and their rating the next year."""
    orgs = organizations_due(unit, year)
    rows = (
        current()
        .filter(year=year, subject=Subject.ORGANIZATION, unit_id__in=list(orgs))
        .select_related("level")
    )
    lowest = _lowest_orders(Subject.ORGANIZATION)
    weak = [r for r in rows if r.level.order == lowest[r.level.scheme_id]]
    ids = [r.unit_id for r in weak]
    plans = {p.unit_id: p for p in ConsolidationPlan.objects.filter(year=year, unit_id__in=ids)}
    nxt = {
        r.unit_id: r
        for r in current()
        .filter(year=year + 1, subject=Subject.ORGANIZATION, unit_id__in=ids)
        .select_related("level", "scheme")
    }
    out = [
        WeakRow(
            orgs[r.unit_id],
            r.level,
            plans.get(r.unit_id),
            nxt[r.unit_id].level if r.unit_id in nxt else None,
            nxt[r.unit_id].scheme if r.unit_id in nxt else None,
        )
        for r in weak
    ]
    return sorted(out, key=lambda w: w.version.unit.code)


def removal_candidates(unit: Unit, year: int) -> list[Member]:
    """Members flagged for the removal procedure in `year` (lowest level two years running)."""
    grassroots = list(grassroots_due(unit, year))
    # JSON "contains" is not portable to SQLite; the flagged rows are few.
    rows = (
        current()
        .filter(year=year, subject=Subject.MEMBER, grassroots_id__in=grassroots)
        .exclude(flags=[])
    )
    ids = [r.member_id for r in rows if "removal_procedure" in r.flags]
    return list(Member.objects.filter(pk__in=ids))
