"""Figures for any organization as of any date, or between two dates.

The one module behind the organization page, `grassroots figures`, exports and the API.
Member and organization counts come from the ledger (one indexed range sum); villages and
population from their own small tables through the ancestry closure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from grassroots.derived import checkpoints
from grassroots.members.models import MemberStint, Reason
from grassroots.organizations.models import Kind, Unit, UnitAncestry, UnitVersion
from grassroots.organizations.queries import display_version, display_versions, on
from grassroots.territory.models import CellArrangement, Population, VillageVersion

from .models import FLOW_FIELDS, LEDGER_FIELDS, STOCK_FIELDS

# Column names are quoted: "left" is a reserved word in PostgreSQL.
_Q = {c: f'"{c}"' for c in LEDGER_FIELDS}


def _cumulative_sql(columns, count: int) -> str:
    """SQL: for each organization in a list, each column of its ledger summed up to a date.

    The latest checkpoint with year ≤ the year of the date (if any) plus the ledger rows from
    its 1 January to the date: at most a year of rows, read as one index range per organization
    (figures.checkpoints). Params: year, *unit ids, date, first day (when no checkpoint).
    Rows: (unit id, *sums), only for organizations that have rows.
    """
    ids = ", ".join(["%s"] * count)
    sums = ", ".join(f"SUM(k.{_Q[c]})" for c in columns)
    checkpoint = ", ".join(f"c.{_Q[c]}" for c in columns)
    delta = ", ".join(f"d.{_Q[c]}" for c in columns)
    return (
        "WITH b AS ("
        f"  SELECT u.id AS unit_id, (SELECT MAX(c.year) FROM {checkpoints.CHECKPOINTS} c"
        "   WHERE c.ancestor_id = u.id AND c.year <= %s) AS year"
        f"  FROM {Unit._meta.db_table} u WHERE u.id IN ({ids})"
        ")"
        f" SELECT k.unit_id, {sums} FROM ("
        f"  SELECT b.unit_id, {checkpoint} FROM b"
        f"  JOIN {checkpoints.CHECKPOINTS} c ON c.ancestor_id = b.unit_id AND c.year = b.year"
        "  UNION ALL"
        f"  SELECT b.unit_id, {delta} FROM b JOIN {checkpoints.LEDGER} d"
        "   ON d.ancestor_id = b.unit_id AND d.date <= %s"
        f"   AND d.date >= COALESCE({checkpoints.year_start('b.year')}, %s)"
        ") k GROUP BY k.unit_id"
    )


def ledger_by_unit(
    unit_ids: list[int], at: dt.date, columns: tuple[str, ...] = LEDGER_FIELDS
) -> dict[int, dict[str, int]]:
    """Each column of each organization's ledger summed up to `at` (stocks on `at`, flows since
    the beginning of records), in one statement. Organizations without rows get zeros."""
    out = {pk: dict.fromkeys(columns, 0) for pk in unit_ids}
    ids = list(out)
    with connection.cursor() as cursor:
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            cursor.execute(_cumulative_sql(columns, len(chunk)), [at.year, *chunk, at, dt.date.min])
            for unit_id, *values in cursor.fetchall():
                out[unit_id] = dict(zip(columns, (int(v or 0) for v in values), strict=True))
    return out


def ledger_by_unit_days(
    unit_ids: list[int], days, columns: tuple[str, ...] = LEDGER_FIELDS
) -> dict[dt.date, dict[int, dict[str, int]]]:
    """`ledger_by_unit(unit_ids, day, columns)` for each of these days: one cumulative read on
    the first day, then one read of the ledger rows after it up to the last day, added day by
    day (the sums are over dated rows, so a later day's sums are the first day's plus the rows
    in between). The meetings' cell-months due read the ledger once per due month this way
    instead of once each: 48 statements for a 1,391-child province's 16 months (issue 18)."""
    days = sorted(set(days))
    if not days:
        return {}
    first, last = days[0], days[-1]
    current = ledger_by_unit(unit_ids, first, columns)
    ids = list(current)
    sums = ", ".join(f"SUM(d.{_Q[c]})" for c in columns)
    rows = []
    with connection.cursor() as cursor:
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            cursor.execute(
                f"SELECT d.ancestor_id, d.date, {sums} FROM {checkpoints.LEDGER} d"
                f" WHERE d.ancestor_id IN ({', '.join(['%s'] * len(chunk))})"
                " AND d.date > %s AND d.date <= %s GROUP BY d.ancestor_id, d.date",
                [*chunk, first, last],
            )
            for unit_id, day, *values in cursor.fetchall():
                day = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)
                rows.append((day, unit_id, values))
    rows.sort(key=lambda r: r[0])
    out = {first: {pk: dict(row) for pk, row in current.items()}}
    k = 0
    for day in days[1:]:
        while k < len(rows) and rows[k][0] <= day:
            _day, unit_id, values = rows[k]
            row = current[unit_id]
            for c, v in zip(columns, values, strict=True):
                row[c] += int(v or 0)
            k += 1
        out[day] = {pk: dict(row) for pk, row in current.items()}
    return out


def ledger_at(unit_id: int, at: dt.date) -> dict[str, int]:
    """Stocks on `at`, and flows since the beginning of records, for one organization."""
    return ledger_by_unit([unit_id], at)[unit_id]


TREND_STOCKS = ("members", "official", "grassroots_committees", "grassroots_cells")


def stocks_on_days(unit: Unit, days, columns: tuple[str, ...] = TREND_STOCKS) -> list[dict]:
    """The ledger's `columns` of `unit` on each of these days, as `figures(unit, day)` counts
    them (`members`, `official_members`, `grassroots_committees`, `grassroots_cells`), without
    the name, population and villages it also reads: the dashboard's trend charts drew 16
    days' whole figures (tests/test_figures_by_unit.py compares the two)."""
    return [ledger_by_unit([unit.pk], day, columns)[unit.pk] for day in days]


def ledger_between(unit_id: int, since: dt.date, at: dt.date) -> tuple[dict, dict, dict]:
    """(stocks on `at`, stocks on `since`, flows in (since, at]): flows are cumulative in the
    ledger, so the window is the difference of the two sums."""
    now = ledger_at(unit_id, at)
    then = ledger_at(unit_id, since)
    flows = {c: now[c] - then[c] for c in FLOW_FIELDS}
    return (
        {c: now[c] for c in STOCK_FIELDS},
        {c: then[c] for c in STOCK_FIELDS},
        flows,
    )


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


def _chunks(ids: list[int], size: int = 500):
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def villages_by_unit(unit_ids: list[int], at: dt.date) -> dict[int, dict[str, int]]:
    """`villages_at` of each of these organizations, one grouped statement per 500 of them."""
    out = {pk: {value: 0 for value in CellArrangement.values} for pk in unit_ids}
    for chunk in _chunks(list(out)):
        ids = ", ".join(["%s"] * len(chunk))
        sql = (
            f"SELECT a.ancestor_id, vv.arrangement, COUNT(*) FROM {VillageVersion._meta.db_table} vv"
            f" JOIN {UnitAncestry._meta.db_table} a ON a.descendant_id = vv.unit_id"
            f" AND a.ancestor_id IN ({ids}) AND {_ON.format(t='a')}"
            f" WHERE {_ON.format(t='vv')} GROUP BY a.ancestor_id, vv.arrangement"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*chunk, at, at, at, at])
            for unit_id, arrangement, n in cursor.fetchall():
                out[unit_id][arrangement] += n
    return out


def population_by_unit(unit_ids: list[int], at: dt.date) -> dict[int, int | None]:
    """`population_at` of each of these organizations: the own figures in one read, the sums
    over the communes under the others in one grouped statement per 500 of them."""
    out: dict[int, int | None] = dict.fromkeys(unit_ids)
    own = Population.objects.filter(unit_id__in=unit_ids, year__lte=at.year).order_by("year")
    for unit_id, population in own.values_list("unit_id", "population"):
        out[unit_id] = population  # ascending years: the latest one stays
    table = Population._meta.db_table
    rest = [pk for pk, value in out.items() if value is None]
    for chunk in _chunks(rest):
        ids = ", ".join(["%s"] * len(chunk))
        sql = (
            f"SELECT a.ancestor_id, SUM(p.population) FROM {table} p"
            f" JOIN {UnitAncestry._meta.db_table} a ON a.descendant_id = p.unit_id"
            f" AND a.ancestor_id IN ({ids}) AND {_ON.format(t='a')}"
            f" WHERE p.year = (SELECT MAX(p2.year) FROM {table} p2"
            f" WHERE p2.unit_id = p.unit_id AND p2.year <= %s)"
            f" AND EXISTS (SELECT 1 FROM {UnitVersion._meta.db_table} v WHERE v.unit_id = p.unit_id"
            f" AND {_ON.format(t='v')} AND v.grassroots_type = %s AND v.kind IN (%s, %s))"
            " GROUP BY a.ancestor_id"
        )
        params = [*chunk, at, at, at.year, at, at, "commune"]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, Kind.GRASSROOTS_COMMITTEE, Kind.GRASSROOTS_CELL])
            for unit_id, total in cursor.fetchall():
                out[unit_id] = int(total)
    return out


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
    return _assemble(
        unit,
        at,
        since,
        ledger_at(unit.pk, at),
        ledger_at(unit.pk, since) if since is not None else None,
        display_version(unit, at),
        population_at(unit.pk, at),
        villages_at(unit.pk, at),
    )


def figures_by_unit(
    units: list[Unit], at: dt.date, since: dt.date | None = None
) -> dict[int, Figures]:
    """`figures(unit, at, since)` of each of these organizations, read in a fixed number of
    statements for any number of them (a report's per-child tables: 1,391 children of a 2025
    province read one by one took minutes). Equal to `figures()` unit by unit
    (tests/test_figures_by_unit.py)."""
    if since is not None and since > at:
        raise ValueError("since must not be after at")
    ids = [u.pk for u in units]
    now = ledger_by_unit(ids, at)
    then = ledger_by_unit(ids, since) if since is not None else {}
    versions = display_versions(ids, at)
    population = population_by_unit(ids, at)
    villages = villages_by_unit(ids, at)
    return {
        u.pk: _assemble(
            u,
            at,
            since,
            now[u.pk],
            then.get(u.pk),
            versions[u.pk],
            population[u.pk],
            villages[u.pk],
        )  # fmt: skip
        for u in units
    }


def _assemble(unit, at, since, now: dict, then: dict | None, version, population, villages):
    """A `Figures` from what was read: the ledger's sums on `at` (and `since`), the display
    version, the population and the villages by arrangement."""
    stocks = {c: now[c] for c in STOCK_FIELDS}
    grassroots, subordinate = _orgs(stocks)
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
        # Flows are cumulative in the ledger: the window's flows are the difference of the sums.
        then_grassroots, then_subordinate = _orgs(then)
        result.since = Since(
            date=since,
            members=then["members"],
            grassroots_organizations=then_grassroots,
            subordinate_organizations=then_subordinate,
            net_change=stocks["members"] - then["members"],
            **{c: now[c] - then[c] for c in FLOW_FIELDS},
        )
    return result


def members_at_query(unit: Unit, at: dt.date):
    """Stints counted by the organization on `at` (member lists; the figures use the ledger)."""
    subtree = UnitAncestry.objects.filter(on(at), ancestor=unit).values("descendant_id")
    return MemberStint.objects.filter(unit_id__in=subtree, start__lte=at).filter(
        Q(end__isnull=True) | Q(end__gt=at)
    )


def members_by_unit(unit_ids: list[int], at: dt.date) -> dict[int, int]:
    """Members counted by each of these organizations on `at`, in one statement (tree lists)."""
    rows = ledger_by_unit(unit_ids, at, ("members",))
    return {pk: row["members"] for pk, row in rows.items()}


# The flows that a stint's own start or end makes (derived/ledger.py `_START_FLOW`, `_END_FLOW`).
START_FLOWS = {"admitted": Reason.ADMITTED, "readmitted": Reason.READMITTED}
END_FLOWS = {
    "died": Reason.DIED,
    "expelled": Reason.EXPELLED,
    "removed": Reason.REMOVED,
    "left": Reason.LEFT,
}


def flow_ancestry(flow: str) -> QuerySet:
    """Closure rows that make a stint's flow count for their ancestor (join on OuterRef
    "unit_id"), exactly as the ledger's `_contribute` does: an admission counts for the
    ancestors of its cell on its first day; a reduction for the ancestors that still held the
    cell on its last day (an ancestor that lost the cell earlier saw it leave by restructure)."""
    rows = UnitAncestry.objects.filter(descendant_id=OuterRef("unit_id"))
    if flow in START_FLOWS:
        return rows.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=OuterRef("start")),
            valid_from__lte=OuterRef("start"),
        )
    return rows.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=OuterRef("end")),
        valid_from__lt=OuterRef("end"),
    )


def flow_stints(
    unit: Unit | None, since: dt.date, at: dt.date, flow: str, *, any_of: list[int] | None = None
) -> QuerySet:
    """The stints counted as `flow` (admitted, readmitted, died, expelled, removed, left) by
    `unit` in (since, at], annotated with the flow's `day`: their number is
    `figures(unit, at, since).since.<flow>` (one fact, one count; tests on generated data).
    With `any_of` (unit ids) instead of a unit: the stints counted by any of them (a per-child
    table reads them once and sorts them with `flow_ancestry`)."""
    ancestors = flow_ancestry(flow)
    ancestors = (
        ancestors.filter(ancestor_id__in=any_of)
        if any_of is not None
        else ancestors.filter(ancestor=unit)
    )
    under = Exists(ancestors)
    if flow in START_FLOWS:
        # A necessary condition beside the exact one: the stint's cell lay under `unit` (or
        # one of `any_of`) at some time. Same rows; the databases then read the subtree's
        # stints by the (unit, start, …) index instead of scanning the table for the window:
        # a commune's admissions 60 → 10 ms on PostgreSQL, 44 → 5 ms on SQLite, a province's
        # no slower (issue 11). Not for the end flows: SQLite then lists a province's stints
        # (30 → 200 ms).
        ever = UnitAncestry.objects.filter(
            **({"ancestor_id__in": any_of} if any_of is not None else {"ancestor": unit})
        ).values("descendant_id")
        return MemberStint.objects.filter(
            Q(end__isnull=True) | Q(end__gt=F("start")),
            under,
            unit_id__in=ever,
            start_reason=START_FLOWS[flow],
            start__gt=since,
            start__lte=at,
        ).annotate(day=F("start"))
    if flow not in END_FLOWS:
        raise ValueError(f"unknown flow {flow!r}")
    return MemberStint.objects.filter(
        under, end_reason=END_FLOWS[flow], end__gt=since, end__lte=at, start__lt=F("end")
    ).annotate(day=F("end"))
