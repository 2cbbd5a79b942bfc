"""Figures for any organization as of any date, or between two dates.

The one module behind the organization page, `grassroots figures`, exports and the API.
Member and organization counts come from the ledger (one indexed range sum); villages and
population from their own small tables through the ancestry closure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.db import connection
from django.db.models import Q

from grassroots.organizations.models import Kind, Unit, UnitAncestry, UnitVersion
from grassroots.organizations.queries import display_version, on
from grassroots.territory.models import CellArrangement, Population, VillageVersion

from .models import FLOW_FIELDS, LEDGER_FIELDS, STOCK_FIELDS

# Column names are quoted: "left" is a reserved word in PostgreSQL.
_SUM_AT = ", ".join(f'COALESCE(SUM("{c}"), 0)' for c in LEDGER_FIELDS)
_SUM_BOTH = ", ".join(
    [f'COALESCE(SUM("{c}"), 0)' for c in STOCK_FIELDS]
    + [f'COALESCE(SUM(CASE WHEN date <= %s THEN "{c}" ELSE 0 END), 0)' for c in STOCK_FIELDS]
    + [f'COALESCE(SUM(CASE WHEN date > %s THEN "{c}" ELSE 0 END), 0)' for c in FLOW_FIELDS]
)


def ledger_at(unit_id: int, at: dt.date) -> dict[str, int]:
    """Stocks on `at`, and flows since the beginning of records, for one organization."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_SUM_AT} FROM figures_figuredelta WHERE ancestor_id = %s AND date <= %s",
            [unit_id, at],
        )
        return dict(zip(LEDGER_FIELDS, cursor.fetchone(), strict=True))


def ledger_between(unit_id: int, since: dt.date, at: dt.date) -> tuple[dict, dict, dict]:
    """(stocks on `at`, stocks on `since`, flows in (since, at]) in one range scan."""
    params = [since] * len(STOCK_FIELDS) + [since] * len(FLOW_FIELDS) + [unit_id, at]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_SUM_BOTH} FROM figures_figuredelta WHERE ancestor_id = %s AND date <= %s",
            params,
        )
        row = cursor.fetchone()
    n = len(STOCK_FIELDS)
    now = dict(zip(STOCK_FIELDS, row[:n], strict=True))
    then = dict(zip(STOCK_FIELDS, row[n : 2 * n], strict=True))
    flows = dict(zip(FLOW_FIELDS, row[2 * n :], strict=True))
    return now, then, flows


# Villages and population start from their own (small) tables and check each row's unit
# against the closure (index on descendant) instead of walking the subtree: at the top of the
# tree the subtree is the whole country (docs/performance.md, "Where the time of figures() goes").
_ON = "{t}.valid_from <= %s AND ({t}.valid_to IS NULL OR {t}.valid_to > %s)"


def _under(unit_column: str) -> str:
    """SQL: the unit in `unit_column` lies in the subtree of a unit on a day (params: unit, day, day)."""
    return (
        f"EXISTS (SELECT 1 FROM {UnitAncestry._meta.db_table} a WHERE a.descendant_id = {unit_column}"
        f" AND a.ancestor_id = %s AND {_ON.format(t='a')})"
    )


def villages_at(unit_id: int, at: dt.date) -> dict[str, int]:
    """Villages under the unit on `at`, by how their members meet (own / joint / none cell)."""
    sql = (
        f"SELECT vv.arrangement, COUNT(*) FROM {VillageVersion._meta.db_table} vv"
        f" WHERE {_ON.format(t='vv')} AND {_under('vv.unit_id')} GROUP BY vv.arrangement"
    )
    counts = {value: 0 for value in CellArrangement.values}
    with connection.cursor() as cursor:
        cursor.execute(sql, [at, at, unit_id, at, at])
        for arrangement, n in cursor.fetchall():
            counts[arrangement] += n
    return counts


def population_at(unit_id: int, at: dt.date) -> int | None:
    """Population for the year of `at` (latest year on record up to then).

    The unit's own figure when there is one; otherwise the sum over the communes under it
    (grassroots organizations of commune type on `at`), each at its latest year up to then.
    """
    own = Population.objects.filter(unit_id=unit_id, year__lte=at.year).order_by("-year").first()
    if own:
        return own.population
    table = Population._meta.db_table
    sql = (
        f"SELECT COUNT(*), SUM(p.population) FROM {table} p"
        f" WHERE p.year = (SELECT MAX(p2.year) FROM {table} p2"
        f" WHERE p2.unit_id = p.unit_id AND p2.year <= %s)"
        f" AND EXISTS (SELECT 1 FROM {UnitVersion._meta.db_table} v WHERE v.unit_id = p.unit_id"
        f" AND {_ON.format(t='v')} AND v.grassroots_type = %s AND v.kind IN (%s, %s))"
        f" AND {_under('p.unit_id')}"
    )
    params = [at.year, at, at, "commune", Kind.GRASSROOTS_COMMITTEE, Kind.GRASSROOTS_CELL]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, unit_id, at, at])
        communes, total = cursor.fetchone()
    return int(total) if communes else None


@dataclass
class Since:
    date: dt.date
    members: int
    grassroots_organizations: int
    subordinate_organizations: int
    admitted: int
    readmitted: int
    recognized: int
    transferred_in: int
    transferred_out: int
    restructured_in: int
    restructured_out: int
    died: int
    expelled: int
    removed: int
    left: int
    net_change: int


@dataclass
class Figures:
    unit: dict
    at: dt.date
    grassroots_organizations: int
    grassroots_committees: int
    grassroots_cells: int
    subordinate_organizations: int
    partial_committees: int
    subordinate_cells: int
    members: int
    official_members: int
    probationary_members: int
    exempt_members: int
    population: int | None
    members_pct_population: float | None
    villages: int
    villages_own_cell: int
    villages_joint_cell: int
    villages_no_cell: int
    since: Since | None = field(default=None)

    def as_json(self) -> dict:
        data = asdict(self)
        data["at"] = self.at.isoformat()
        if self.since is None:
            data.pop("since")
        else:
            data["since"]["date"] = self.since.date.isoformat()
        return data


def _orgs(stocks: dict) -> tuple[int, int]:
    grassroots = stocks["grassroots_committees"] + stocks["grassroots_cells"]
    subordinate = stocks["partial_committees"] + stocks["subordinate_cells"]
    return grassroots, subordinate


def figures(unit: Unit, at: dt.date, since: dt.date | None = None) -> Figures:
    if since is not None and since > at:
        raise ValueError("since must not be after at")
    if since is None:
        stocks = ledger_at(unit.pk, at)
        then = flows = None
    else:
        stocks, then, flows = ledger_between(unit.pk, since, at)
    version = display_version(unit, at)
    grassroots, subordinate = _orgs(stocks)
    population = population_at(unit.pk, at)
    villages = villages_at(unit.pk, at)
    pct = round(100 * stocks["members"] / population, 2) if population else None
    result = Figures(
        unit={"code": unit.code, "name": version.name, "kind": version.kind},
        at=at,
        grassroots_organizations=grassroots,
        grassroots_committees=stocks["grassroots_committees"],
        grassroots_cells=stocks["grassroots_cells"],
        subordinate_organizations=subordinate,
        partial_committees=stocks["partial_committees"],
        subordinate_cells=stocks["subordinate_cells"],
        members=stocks["members"],
        official_members=stocks["official"],
        probationary_members=stocks["probationary"],
        exempt_members=stocks["exempt"],
        population=population,
        members_pct_population=pct,
        villages=sum(villages.values()),
        villages_own_cell=villages[CellArrangement.OWN],
        villages_joint_cell=villages[CellArrangement.JOINT],
        villages_no_cell=villages[CellArrangement.NONE],
    )
    if since is not None:
        then_grassroots, then_subordinate = _orgs(then)
        result.since = Since(
            date=since,
            members=then["members"],
            grassroots_organizations=then_grassroots,
            subordinate_organizations=then_subordinate,
            net_change=stocks["members"] - then["members"],
            **flows,
        )
    return result


def members_at_query(unit: Unit, at: dt.date):
    """Stints counted by the organization on `at` (member lists; the figures use the ledger)."""
    from grassroots.members.models import MemberStint

    subtree = UnitAncestry.objects.filter(on(at), ancestor=unit).values("descendant_id")
    return MemberStint.objects.filter(unit_id__in=subtree, start__lte=at).filter(
        Q(end__isnull=True) | Q(end__gt=at)
    )


def members_by_unit(unit_ids: list[int], at: dt.date) -> dict[int, int]:
    """Members counted by each of these organizations on `at`, in one grouped query (tree lists)."""
    from django.db.models import Sum

    from .models import FigureDelta

    rows = (
        FigureDelta.objects.filter(ancestor_id__in=unit_ids, date__lte=at)
        .values("ancestor_id")
        .annotate(total=Sum("members"))
    )
    counts = dict.fromkeys(unit_ids, 0)
    counts.update({row["ancestor_id"]: row["total"] or 0 for row in rows})
    return counts
