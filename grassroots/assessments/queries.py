"""Reads for the annual assessment: schemes, who must be rated, results, trend, follow-up.

Services, views, the `assessment-summary` command, the Excel sheet and the demo all read here.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connections
from django.db.models import Exists, OuterRef, Q

from grassroots.accounts import access
from grassroots.members.models import (
    DisciplineForm,
    EventKind,
    Member,
    MemberEvent,
    MemberStint,
    Reason,
)
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
    DisciplineTarget,
    Level,
    OrganizationDiscipline,
    OrganizationDisciplineForm,
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


def _due_versions(root: Unit | int, year: int):
    """The versions, on 31/12, of the grassroots and subordinate organizations of the subtree."""
    day = year_end(year)
    root_id = root.pk if isinstance(root, Unit) else root
    subtree = UnitAncestry.objects.filter(on(day), ancestor_id=root_id).values("descendant_id")
    return UnitVersion.objects.filter(on(day), unit_id__in=subtree, kind__in=RATED_KINDS)


def organizations_due(root: Unit | int, year: int) -> dict[int, UnitVersion]:
    """Grassroots and subordinate organizations in the subtree at the end of the year."""
    return {v.unit_id: v for v in _due_versions(root, year).select_related("unit")}


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
    rows = year_end_reasons(root, year, rules, member_ids)
    grassroots = grassroots_of({unit_id for unit_id, _ in rows.values()}, year_end(year))
    return {
        member_id: MemberPlace(member_id, unit_id, grassroots.get(unit_id), reason)
        for member_id, (unit_id, reason) in rows.items()
    }


def _plain_rows(qs) -> list[tuple]:
    """The rows of a `values_list` of plain integer/boolean columns straight from the cursor:
    Django's per-row conversion of a province's ~70,000 year-end stints and ~60,000 ratings was
    a fifth of the results page (issue 11 §9). Booleans come back as 0/1 on SQLite: read them as
    truth values only."""
    sql, params = qs.query.sql_with_params()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def year_end_reasons(
    root: Unit | int, year: int, rules: Rules, member_ids=None
) -> dict[int, tuple[int, str]]:
    """member id → (cell, reason not rated or "") of `members_at_year_end`, without looking up
    grassroots organizations: what the results page needs for a province's ~70,000 members."""
    day = year_end(year)
    root_id = root.pk if isinstance(root, Unit) else root
    subtree = UnitAncestry.objects.filter(on(day), ancestor_id=root_id).values("descendant_id")
    stints = MemberStint.objects.filter(unit_id__in=subtree, start__lte=day).filter(
        Q(end__isnull=True) | Q(end__gt=day)
    )
    if member_ids is not None:
        stints = stints.filter(member_id__in=member_ids)
    rows = _plain_rows(stints.values_list("member_id", "unit_id", "exempt"))
    late: set[int] = set()
    cutoff = _cutoff(rules, year)
    if cutoff is not None:
        admitted = MemberStint.objects.filter(
            start_reason__in=(Reason.ADMITTED, Reason.READMITTED), start__gte=cutoff, start__lte=day
        )
        if member_ids is not None:
            admitted = admitted.filter(member_id__in=member_ids)
        # Otherwise every admission of those months (a province's few hundred): only the members
        # of `rows` are looked up below. Filtering by the subtree's stints in SQL made SQLite
        # build the list of the whole subtree's members a second time (seconds for a province).
        late = set(admitted.values_list("member_id", flat=True))
    exempt_reason = "" if rules.get("exempt_members_rated", True) else NOT_DUE_EXEMPT  # §2.8
    late_reason = NOT_DUE_LATE % cutoff.strftime("%d/%m") if cutoff is not None else ""
    out: dict[int, tuple[int, str]] = {}
    for member_id, unit_id, exempt in rows:
        reason = exempt_reason if exempt else ""
        if not reason and member_id in late:
            reason = late_reason
        out[member_id] = (unit_id, reason)
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


def discipline_of_members(member_ids, year: int) -> dict[int, list[tuple[str, dt.date]]]:
    """member id → (form, date) of each discipline of the year not voided (the same events as
    `disciplined_members`, with what the rating sheet shows)."""
    out: dict[int, list[tuple[str, dt.date]]] = {}
    labels = dict(DisciplineForm.choices)
    qs = MemberEvent.objects.filter(
        kind=EventKind.DISCIPLINE, voided_at__isnull=True, date__year=year, member_id__in=member_ids
    ).order_by("date")
    for member_id, form, day in qs.values_list("member_id", "discipline_form", "date"):
        out.setdefault(member_id, []).append((str(labels.get(form, form)), day))
    return out


def discipline_of_units(unit_ids, year: int) -> dict[int, list[tuple[str, dt.date]]]:
    """unit id → (target and form, date) of each organization discipline of the year (the
    same rows as `disciplined_units`)."""
    out: dict[int, list[tuple[str, dt.date]]] = {}
    forms, targets = dict(OrganizationDisciplineForm.choices), dict(DisciplineTarget.choices)
    qs = OrganizationDiscipline.objects.filter(
        voided_at__isnull=True, date__year=year, unit_id__in=unit_ids
    ).order_by("date")
    for unit_id, target, form, day in qs.values_list("unit_id", "target", "form", "date"):
        label = f"{forms.get(form, form)} {str(targets.get(target, target)).lower()}"
        out.setdefault(unit_id, []).append((label, day))
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
    # What `organizations_due(unit, year)` returned, for the page's other tables (read once).
    organizations_due: dict[int, UnitVersion] | None = field(default=None, repr=False)

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
    orgs = result.organizations_due = organizations_due(unit, year)
    # The organizations as a subquery, not a list of their ~4,500 ids: compiling and binding
    # that many parameters twice was a third of a province's page (issue 11 §9).
    due_versions = _due_versions(unit, year)
    decided = dict(
        current()
        .filter(
            year=year,
            subject=Subject.ORGANIZATION,
            unit_id__in=due_versions.values("unit_id"),
        )
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
    counted = year_end_reasons(unit, year, rules)
    due = [member_id for member_id, (_, reason) in counted.items() if not reason]
    result.not_due = Counter(reason for _, reason in counted.values() if reason)
    member_rows = _plain_rows(
        current()
        .filter(
            year=year,
            subject=Subject.MEMBER,
            grassroots_id__in=due_versions.filter(kind__in=GRASSROOTS_KINDS).values("unit_id"),
        )
        .values_list("member_id", "level_id")
    )
    member_levels = levels_of(scheme, Subject.MEMBER)
    codes = dict(Level.objects.values_list("pk", "code"))  # no join per rating row
    counts: Counter = Counter()
    rated_ids: set[int] = set()
    for member_id, level_id in member_rows:
        counts[codes[level_id]] += 1
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


def _valid(valid_from: dt.date, valid_to: dt.date | None, day: dt.date) -> bool:
    """`on(day)` for a row already read: [valid_from, valid_to) contains `day`."""
    return valid_from <= day and (valid_to is None or valid_to > day)


def grassroots_by_year(unit: Unit, years) -> dict[int, set[int]]:
    """year → the grassroots organizations in the unit's subtree on 31/12 of that year: the
    same rows as `UnitAncestry.on(day)` × `UnitVersion.on(day)`, read once for all years (two
    queries) and intersected here, instead of two subqueries a year. Each year walks the
    grassroots versions and looks up their own closure rows (walking every closure row of a
    province each year was most of this function)."""
    links: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for descendant, start, stop in UnitAncestry.objects.filter(ancestor=unit).values_list(
        "descendant_id", "valid_from", "valid_to"
    ):
        links[descendant].append((start, stop))
    versions = list(
        UnitVersion.objects.filter(
            unit_id__in=UnitAncestry.objects.filter(ancestor=unit).values("descendant_id"),
            kind__in=GRASSROOTS_KINDS,
        ).values_list("unit_id", "valid_from", "valid_to")
    )
    out: dict[int, set[int]] = {}
    for year in years:
        day = year_end(year)
        out[year] = {
            u
            for u, start, stop in versions
            if _valid(start, stop, day) and any(_valid(a, b, day) for a, b in links[u])
        }
    return out


def trend(unit: Unit, years) -> list[TrendRow]:
    """Per year: the grassroots organizations' distribution and the members rated.

    A fixed number of queries for any number of years (issue 11 §9: twenty years of a province
    took seconds when each year counted its ~60,000 ratings): the subtree of every year from
    `grassroots_by_year`, the organizations' decisions in one read, the members' counts from
    the yearly ledger (`counts`), not from the ratings."""
    years = list(years)
    schemes = list(Scheme.objects.prefetch_related("levels"))
    by_year = grassroots_by_year(unit, years)
    decided = _decided_by_year(unit, years, by_year)
    members = counts.members_by_year_level(
        by_year, UnitAncestry.objects.filter(ancestor=unit).values("descendant_id")
    )
    return _trend_rows(years, schemes, by_year, decided, members)


def grassroots_trend(unit: Unit, years) -> list[tuple[int, Distribution]]:
    """(year, the grassroots organizations' distribution) of the years in which some were
    rated: the rows of `trend` that have rated organizations, without reading the members'
    yearly counts (the dashboard's chart draws only the organizations; that read was a third
    of it). Equal to `trend` (tests/test_trend_by_unit.py)."""
    years = list(years)
    schemes = list(Scheme.objects.prefetch_related("levels"))
    by_year = grassroots_by_year(unit, years)
    decided = _decided_by_year(unit, years, by_year)
    rows = _trend_rows(years, schemes, by_year, decided, {})
    return [(row.year, row.grassroots) for row in rows if row.grassroots.rated]


def _decided_by_year(unit: Unit, years: list[int], by_year: dict[int, set[int]]):
    """year → level id → decided ratings of that year's grassroots organizations (`by_year`).
    Only the ratings of organizations that were ever grassroots are read (a province's
    subordinate cells are four fifths of its organizations' ratings), as plain integers."""
    decided: dict[int, Counter] = {}
    if not years:
        return decided  # no statement: `_plain_rows` cannot run an empty IN
    ever_grassroots = UnitVersion.objects.filter(
        unit_id__in=UnitAncestry.objects.filter(ancestor=unit).values("descendant_id"),
        kind__in=GRASSROOTS_KINDS,
    ).values("unit_id")
    for year, unit_id, level_id in _plain_rows(
        current()
        .filter(year__in=years, subject=Subject.ORGANIZATION, unit_id__in=ever_grassroots)
        .values_list("year", "unit_id", "level_id")
    ):
        if unit_id in by_year[year]:
            decided.setdefault(year, Counter())[level_id] += 1
    return decided


def _trend_rows(years, schemes, by_year, decided, members) -> list[TrendRow]:
    """The rows of `trend` from what was read: each year's grassroots organizations
    (`by_year`), their decisions' counts by level id (`decided`), the members' (`members`)."""
    rows: list[TrendRow] = []
    previous = None
    for year in years:
        scheme = next((s for s in schemes if s.governs(year)), None)
        if scheme is None:
            continue
        orgs, rated_by_level = decided.get(year, Counter()), members.get(year, {})
        if not orgs and not rated_by_level:
            continue
        levels = sorted(scheme.levels.all(), key=lambda lv: lv.order)
        org_levels = [lv for lv in levels if lv.subject == Subject.ORGANIZATION]
        member_levels = [lv for lv in levels if lv.subject == Subject.MEMBER]
        rated = sum(rated_by_level.values())
        g = Distribution(
            org_levels,
            {lv.code: orgs.get(lv.pk, 0) for lv in org_levels},
            sum(orgs.values()),
            len(by_year[year]),
        )
        m = Distribution(
            member_levels,
            {lv.code: rated_by_level.get(lv.pk, 0) for lv in member_levels},
            rated,
            rated,
        )
        rows.append(TrendRow(year, scheme, previous is not None and previous != scheme.pk, g, m))
        previous = scheme.pk
    return rows


def trend_by_unit(units: list[Unit], years) -> dict[int, list[TrendRow]]:
    """`trend(unit, years)` of each of these organizations (a report's per-child table), from
    one read each of the closure, the grassroots versions, the organizations' decisions and the
    members' yearly counts under any of them, sorted to each organization here. Equal to
    `trend()` unit by unit (tests/test_trend_by_unit.py)."""
    years = list(years)
    ids = [u.pk for u in units]
    schemes = list(Scheme.objects.prefetch_related("levels"))
    under_any = UnitAncestry.objects.filter(ancestor_id__in=ids).values("descendant_id")
    links: dict[int, list[tuple[int, dt.date, dt.date | None]]] = {pk: [] for pk in ids}
    for ancestor, descendant, start, stop in UnitAncestry.objects.filter(
        ancestor_id__in=ids
    ).values_list("ancestor_id", "descendant_id", "valid_from", "valid_to"):
        links[ancestor].append((descendant, start, stop))
    versions: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for unit_id, start, stop in UnitVersion.objects.filter(
        unit_id__in=under_any, kind__in=GRASSROOTS_KINDS
    ).values_list("unit_id", "valid_from", "valid_to"):
        versions[unit_id].append((start, stop))
    decisions: dict[tuple[int, int], list[int]] = defaultdict(list)
    for year, unit_id, level_id in (
        current()
        .filter(year__in=years, subject=Subject.ORGANIZATION, unit_id__in=under_any)
        .values_list("year", "unit_id", "level_id")
    ):
        decisions[(year, unit_id)].append(level_id)
    member_rows: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    for row in counts.yearly_rows(years, under_any):
        member_rows[(row[0], row[1])].append(row)
    out = {}
    for pk in ids:
        by_year: dict[int, set[int]] = {}
        for year in years:
            day = year_end(year)
            inside = {d for d, start, stop in links[pk] if _valid(start, stop, day)}
            by_year[year] = {
                u for u in inside if any(_valid(start, stop, day) for start, stop in versions[u])
            }
        # Each organization's own rows only: a child's subtree is a small part of the read.
        decided: dict[int, Counter] = {}
        mine = []
        for year, inside in by_year.items():
            for u in inside:
                for level_id in decisions.get((year, u), ()):
                    decided.setdefault(year, Counter())[level_id] += 1
                mine += member_rows.get((year, u), ())
        members = counts.by_year_level(mine, by_year)
        out[pk] = _trend_rows(years, schemes, by_year, decided, members)
    return out


def rated_years(unit: Unit) -> list[int]:
    """Years with a decided rating anywhere. A rating's year is its round's: one index probe per
    round year, not the years of a million ratings read one by one."""
    decided = Rating.objects.filter(year=OuterRef("year"), step=Step.DECISION)
    return sorted(
        set(Round.objects.filter(Exists(decided)).values_list("year", flat=True).distinct())
    )


@dataclass
class WeakRow:
    version: UnitVersion
    level: Level
    plan: ConsolidationPlan | None
    next_level: Level | None
    next_scheme: Scheme | None


def weak_organizations(unit: Unit, year: int, orgs=None) -> list[WeakRow]:
    """Organizations rated at the lowest level (yếu kém / không hoàn thành nhiệm vụ), their
    consolidation plan, and their rating the next year. `orgs`: `organizations_due(unit, year)`
    when the caller has it."""
    orgs = organizations_due(unit, year) if orgs is None else orgs
    lowest = _lowest_orders(Subject.ORGANIZATION)
    lowest_levels = [
        pk
        for pk, scheme_id, order in Level.objects.filter(subject=Subject.ORGANIZATION).values_list(
            "pk", "scheme_id", "order"
        )
        if order == lowest[scheme_id]
    ]
    # Only the lowest level's rows are read (a province decides ~1,000 organizations a year).
    weak = list(
        current()
        .filter(
            year=year,
            subject=Subject.ORGANIZATION,
            # a subquery, not ~4,500 bound ids (issue 11 §9)
            unit_id__in=_due_versions(unit, year).values("unit_id"),
            level_id__in=lowest_levels,
        )
        .select_related("level")
    )
    weak = [r for r in weak if r.unit_id in orgs]
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


def removal_candidates(unit: Unit, year: int, orgs=None) -> list[Member]:
    """Members flagged for the removal procedure in `year` (lowest level two years running).
    `orgs` is not needed any more (the organizations are a subquery); kept for the callers."""
    grassroots = _due_versions(unit, year).filter(kind__in=GRASSROOTS_KINDS).values("unit_id")
    # JSON "contains" is not portable to SQLite; the flagged rows are few.
    rows = (
        current()
        .filter(year=year, subject=Subject.MEMBER, grassroots_id__in=grassroots)
        .exclude(flags=[])
    )
    ids = [r.member_id for r in rows if "removal_procedure" in r.flags]
    return list(Member.objects.filter(pk__in=ids))
