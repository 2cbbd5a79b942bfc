"""Keeping the meeting book's monthly rollup (`figures.MeetingMonth`) exact.

The meeting module says what each meeting adds (`MonthRow`: its organization, its date and one
value per `MEETING_MONTH_FIELDS` column, meetings.rollup.month_row); this module only sums. A
write passes the meeting's rows before and after (none for a new or a voided meeting), and the
difference lands on the (organization, month) row in the writer's transaction, as `col + delta`
so that two writers of the same cell-month cannot lose each other's change. The rollup does not
depend on the tree: a restructure moves no row (the summary joins the closure).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from grassroots.core.rows import copy_rows
from grassroots.figures.models import MEETING_MONTH_FIELDS, MeetingMonth

WIDTH = len(MEETING_MONTH_FIELDS)


@dataclass(frozen=True)
class MonthRow:
    unit_id: int
    date: dt.date
    values: tuple[int, ...]  # one per MEETING_MONTH_FIELDS


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    following = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def apply(old: Iterable[MonthRow], new: Iterable[MonthRow]) -> None:
    """Move the rollup from a meeting's old rows to its new ones."""
    acc: dict[tuple[int, dt.date], list[int]] = {}
    for sign, rows in ((-1, old), (1, new)):
        for row in rows:
            key = (row.unit_id, row.date.replace(day=1))
            total = acc.setdefault(key, [0] * WIDTH)
            for i, value in enumerate(row.values):
                total[i] += sign * value
    for (unit_id, month), delta in acc.items():
        changes = {MEETING_MONTH_FIELDS[i]: v for i, v in enumerate(delta) if v}
        if changes:
            _add(unit_id, month, changes)


def _add(unit_id: int, month: dt.date, changes: dict[str, int]) -> None:
    rows = MeetingMonth.objects.filter(unit_id=unit_id, month=month)
    if rows.update(**{name: F(name) + value for name, value in changes.items()}):
        return
    try:
        with transaction.atomic():  # a savepoint: another writer may create the row first
            MeetingMonth.objects.create(
                unit_id=unit_id, month=month, month_end=month_bounds(month)[1], **changes
            )
    except IntegrityError:
        rows.update(**{name: F(name) + value for name, value in changes.items()})


def _insert(rows: list[tuple]) -> None:
    """(unit_id, month, month_end, *values) rows: COPY on PostgreSQL, one executemany on SQLite
    (the ORM's bulk_create spent most of the rebuild preparing values, as in ledger.insert)."""
    if not rows:
        return
    table = MeetingMonth._meta.db_table
    columns = ["unit_id", "month", "month_end", *MEETING_MONTH_FIELDS]
    if connection.vendor == "postgresql":
        copy_rows(table, columns, rows)
        return
    mark = "?" if connection.vendor == "sqlite" else "%s"
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        connection.connection.executemany(
            sql, [(u, m.isoformat(), e.isoformat(), *v) for u, m, e, *v in rows]
        )
    else:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def rebuild(rows: Iterable[MonthRow], progress=None) -> int:
    """Replace the whole rollup with the sums of `rows` (every meeting not voided), which come
    ordered by organization so that one organization's months are written at a time."""
    MeetingMonth.objects.all()._raw_delete(connection.alias)  # one DELETE, no rows loaded
    batch: list[tuple] = []
    current: dict[dt.date, list[int]] = {}
    current_unit = None
    written = 0

    def flush() -> None:
        nonlocal written
        for month, values in current.items():
            batch.append((current_unit, month, month_bounds(month)[1], *values))
        current.clear()
        if len(batch) >= 20_000:
            _insert(batch)
            written += len(batch)
            batch.clear()
            if progress:
                progress(written)

    for row in rows:
        if row.unit_id != current_unit:
            flush()
            current_unit = row.unit_id
        total = current.setdefault(row.date.replace(day=1), [0] * WIDTH)
        for i, value in enumerate(row.values):
            total[i] += value
    flush()
    _insert(batch)
    return written + len(batch)
