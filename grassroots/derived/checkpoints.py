"""Yearly checkpoints of the figures ledger (`FigureCheckpoint`), so a sum reads at most a year.

The ledger answers "as of D" by summing every row of an organization up to D: for the country or
a province, one row per day since 1950. A checkpoint (ancestor, year) holds that sum up to
31 December of the year before, for every ledger column (flows too, so a `since` window is a
difference of two cumulative sums). `figures.queries` adds the latest checkpoint with
year ≤ year(D) to the deltas from its 1 January to D: at most 366 rows plus one.

A checkpoint is exact or absent. They are built from the ledger in SQL by `rebuild` (the full
ledger rebuild and the partial one call it) for organizations with at least `MIN_ROWS` ledger
rows, one per year from the year after their first delta to next year; every other ledger
write moves them with `add`, in the same transaction (`derived.ledger.write`). DHIS2 keeps its
analytics in yearly partitions for the same reason (anchors.md §0.4).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import connection

from grassroots.figures.models import LEDGER_FIELDS, FigureCheckpoint, FigureDelta

# Below this many ledger rows a plain sum stays small (< 1 ms for one organization, ~40 ms for a
# page of 100 such children) and checkpoints (up to ~77 rows per organization, and an UPDATE on
# every write under it) buy little. At 300k members: 323 organizations, 24,085 checkpoints.
MIN_ROWS = 1000

CHECKPOINTS = FigureCheckpoint._meta.db_table
LEDGER = FigureDelta._meta.db_table
# Quoted: "left" is a reserved word in PostgreSQL.
_Q = {c: f'"{c}"' for c in LEDGER_FIELDS}
_COLUMNS = ", ".join(_Q.values())
_CHUNK = 500


def year_start(expr: str) -> str:
    """SQL: 1 January of the year in integer expression `expr`, comparable with a date column."""
    if connection.vendor == "postgresql":
        return f"make_date({expr}, 1, 1)"
    return f"({expr} || '-01-01')"  # SQLite keeps dates as ISO text; years here have 4 digits


def _year_of(expr: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {expr}) AS integer)"
    return f"CAST(substr({expr}, 1, 4) AS integer)"


def rebuild(
    ancestor_ids: Iterable[int] | None = None,
    *,
    min_rows: int | None = None,
    last_year: int | None = None,
) -> int:
    """Recompute the checkpoints from the ledger (all of them, or those of `ancestor_ids`).

    Organizations with at least `min_rows` (`MIN_ROWS`) ledger rows get one checkpoint per year
    from the year after their first delta to `last_year` (next year by default). Call it in the
    transaction that wrote the ledger. Returns the number of checkpoints written.
    """
    min_rows = MIN_ROWS if min_rows is None else min_rows
    last_year = last_year or dt.date.today().year + 1
    ids = sorted(set(ancestor_ids)) if ancestor_ids is not None else None
    if ids is None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {CHECKPOINTS}")
        return _insert("", [], min_rows, last_year, analyze=True)
    written = 0
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        where = f"WHERE ancestor_id IN ({', '.join(['%s'] * len(chunk))})"
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {CHECKPOINTS} {where}", chunk)
        written += _insert(where, chunk, min_rows, last_year, analyze=False)
    return written


def _insert(where: str, params: list, min_rows: int, last_year: int, *, analyze: bool) -> int:
    """One statement: the yearly sums of the big ancestors' ledgers, on a dense grid of years,
    accumulated with a window function. Checkpoint `y + 1` is the running total through `y`."""
    yearly = ", ".join(f"SUM(d.{_Q[c]}) AS {_Q[c]}" for c in LEDGER_FIELDS)
    running = ", ".join(f"SUM(COALESCE(yearly.{_Q[c]}, 0)) OVER running" for c in LEDGER_FIELDS)
    sql = (
        "WITH RECURSIVE big AS ("
        f"  SELECT ancestor_id, {_year_of('MIN(date)')} AS first_year FROM {LEDGER} {where}"
        "   GROUP BY ancestor_id HAVING COUNT(*) >= %s"
        "), years (y) AS ("
        "  SELECT MIN(first_year) FROM big"
        "  UNION ALL SELECT y + 1 FROM years WHERE y < %s"
        "), yearly AS ("
        f"  SELECT d.ancestor_id, {_year_of('d.date')} AS y, {yearly}"
        f"  FROM {LEDGER} d JOIN big ON big.ancestor_id = d.ancestor_id"
        f"  WHERE d.date < {year_start('%s')}"
        f"  GROUP BY d.ancestor_id, {_year_of('d.date')}"
        ")"
        f" INSERT INTO {CHECKPOINTS} (ancestor_id, year, {_COLUMNS})"
        f" SELECT big.ancestor_id, years.y + 1, {running}"
        " FROM big JOIN years ON years.y >= big.first_year"
        " LEFT JOIN yearly ON yearly.ancestor_id = big.ancestor_id AND yearly.y = years.y"
        " WINDOW running AS (PARTITION BY big.ancestor_id ORDER BY years.y"
        " ROWS UNBOUNDED PRECEDING)"
        " ORDER BY big.ancestor_id, years.y"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, min_rows, last_year - 1, last_year])
        if connection.vendor == "sqlite":  # its rowcount ignores statements that start with WITH
            cursor.execute("SELECT changes()")
            (written,) = cursor.fetchone()
        else:
            written = cursor.rowcount
        if analyze and connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {CHECKPOINTS}")
    return max(written, 0)


_ADD = (
    f"UPDATE {CHECKPOINTS} SET "
    + ", ".join(f"{_Q[c]} = {_Q[c]} + %s" for c in LEDGER_FIELDS)
    + " WHERE ancestor_id = %s AND year > %s"
)


def add(rows: Sequence[tuple]) -> None:
    """Move the checkpoints by ledger deltas just written: rows (ancestor, date, *LEDGER_FIELDS).

    A delta dated D is inside every checkpoint of its ancestor with year > year(D). One UPDATE
    per (ancestor that has checkpoints, year), whatever the number of days.
    """
    if not rows:
        return
    ancestors = sorted({row[0] for row in rows})
    with_checkpoints: set[int] = set()
    with connection.cursor() as cursor:
        for i in range(0, len(ancestors), _CHUNK):
            chunk = ancestors[i : i + _CHUNK]
            cursor.execute(
                f"SELECT DISTINCT ancestor_id FROM {CHECKPOINTS}"
                f" WHERE ancestor_id IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            with_checkpoints.update(a for (a,) in cursor.fetchall())
        if not with_checkpoints:
            return
        by_year: dict[tuple[int, int], list[int]] = {}
        for ancestor, day, *values in rows:
            if ancestor not in with_checkpoints:
                continue
            total = by_year.setdefault((ancestor, day.year), [0] * len(LEDGER_FIELDS))
            for i, value in enumerate(values):
                total[i] += value
        updates = [(*v, a, y) for (a, y), v in sorted(by_year.items()) if any(v)]
        if updates:
            cursor.executemany(_ADD, updates)
