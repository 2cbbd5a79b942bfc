"""Keeping the meeting book's monthly rollups (`figures.MeetingMonth`, `MeetingAncestorMonth`)
exact.

The meeting module says what each meeting adds (`MonthRow`: its organization, its date and one
value per `MEETING_MONTH_FIELDS` column, meetings.rollup.month_row); this module only sums. A
write passes the meeting's rows before and after (none for a new or a voided meeting), and the
difference lands on the (organization, month) row in the writer's transaction, as `col + delta`
so that two writers of the same cell-month cannot lose each other's change. That row does not
depend on the tree.

The per-ancestor rollup is defined from it (`ANCESTOR_SQL`): for each ancestor and month, the
sum of the rows of the organizations whose closure row under that ancestor covers the whole
month, and `cells_held`, how many of them hold a regular meeting and are a cell (a member kind)
on the month's last day. A meeting write adds the same difference to the rows of the cell's
ancestors for that month (and moves `cells_held` when the cell-month's regular count leaves or
reaches 0, read under the row's lock); a tree change takes the subtree's share out under the old
closure and puts it back under the new one (`subtree_share`, `move_subtree`, called by
ledger.TreeSnapshot); the rebuild is one INSERT … SELECT of the same SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from grassroots.core.rows import copy_rows
from grassroots.figures.models import (
    MEETING_MONTH_FIELDS,
    MeetingAbsenceMonth,
    MeetingAbsenceYear,
    MeetingAncestorMonth,
    MeetingMonth,
    QualityAncestorMonth,
)
from grassroots.organizations.models import MEMBER_KINDS, UnitAncestry, UnitVersion

WIDTH = len(MEETING_MONTH_FIELDS)
ANCESTOR_FIELDS = (*MEETING_MONTH_FIELDS, "cells_held")


@dataclass(frozen=True)
class MonthRow:
    unit_id: int
    date: dt.date
    values: tuple[int, ...]  # one per MEETING_MONTH_FIELDS
    absent: tuple[int, ...] = ()  # the members marked absent without reason (MeetingAbsenceMonth)


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    following = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def apply(old: Iterable[MonthRow], new: Iterable[MonthRow]) -> None:
    """Move both rollups from a meeting's old rows to its new ones."""
    acc: dict[tuple[int, dt.date], list[int]] = {}
    for sign, rows in ((-1, old), (1, new)):
        for row in rows:
            key = (row.unit_id, row.date.replace(day=1))
            total = acc.setdefault(key, [0] * WIDTH)
            for i, value in enumerate(row.values):
                total[i] += sign * value
    for (unit_id, month), delta in sorted(acc.items()):  # one lock order for every writer
        changes = {MEETING_MONTH_FIELDS[i]: v for i, v in enumerate(delta) if v}
        if changes:
            before, after = _add_cell(unit_id, month, changes)
            _add_to_ancestors(unit_id, month, changes, (after > 0) - (before > 0))
    marks: dict[tuple[int, dt.date, int], int] = {}
    for sign, rows in ((-1, old), (1, new)):
        for row in rows:
            for member_id in row.absent:
                key = (row.unit_id, row.date, member_id)
                marks[key] = marks.get(key, 0) + sign
    for (unit_id, day, member_id), delta in sorted(marks.items()):
        if delta:
            ancestors = (
                UnitAncestry.objects.filter(descendant_id=unit_id, valid_from__lte=day)
                .exclude(valid_to__lte=day)
                .values_list("ancestor_id", flat=True)
            )
            for ancestor_id in sorted(set(ancestors)):
                _add_absence(ancestor_id, member_id, day.replace(day=1), delta)


def _add_absence(ancestor_id: int, member_id: int, month: dt.date, delta: int) -> None:
    """Add to the (ancestor, member, month) marks; when they leave or reach 0, move the
    member's month count of that year (MeetingAbsenceYear). The marks before are read under
    the row's lock (PostgreSQL; SQLite's writers are serial), as `_add_cell` does."""
    rows = MeetingAbsenceMonth.objects.filter(
        ancestor_id=ancestor_id, month=month, member_id=member_id
    )
    before = rows.select_for_update().values_list("marks", flat=True).first()
    if before is None:
        try:
            with transaction.atomic():  # a savepoint: another writer may create the row first
                MeetingAbsenceMonth.objects.create(
                    ancestor_id=ancestor_id, member_id=member_id, month=month, year=month.year,
                    marks=delta,
                )  # fmt: skip
            before = 0
        except IntegrityError:
            before = rows.select_for_update().values_list("marks", flat=True).get()
            rows.update(marks=F("marks") + delta)
    else:
        rows.update(marks=F("marks") + delta)
    step = (before + delta > 0) - (before > 0)
    if step:
        _add_absence_year(ancestor_id, member_id, month.year, step)


def _add_absence_year(ancestor_id: int, member_id: int, year: int, step: int) -> None:
    rows = MeetingAbsenceYear.objects.filter(
        ancestor_id=ancestor_id, year=year, member_id=member_id
    )
    if rows.update(months=F("months") + step):
        return
    try:
        with transaction.atomic():  # a savepoint: another writer may create the row first
            MeetingAbsenceYear.objects.create(
                ancestor_id=ancestor_id, member_id=member_id, year=year, months=step
            )
    except IntegrityError:
        rows.update(months=F("months") + step)


def _add_cell(unit_id: int, month: dt.date, changes: dict[str, int]) -> tuple[int, int]:
    """Add to the (organization, month) row; the row's regular count before and after, read
    under the row's lock (PostgreSQL; SQLite's writers are serial) so that two writers of one
    cell-month see each other's count and `cells_held` moves once."""
    rows = MeetingMonth.objects.filter(unit_id=unit_id, month=month)
    step = changes.get("regular", 0)
    before = rows.select_for_update().values_list("regular", flat=True).first()
    if before is None:
        try:
            with transaction.atomic():  # a savepoint: another writer may create the row first
                MeetingMonth.objects.create(
                    unit_id=unit_id, month=month, month_end=month_bounds(month)[1], **changes
                )
            return 0, step
        except IntegrityError:
            before = rows.select_for_update().values_list("regular", flat=True).get()
    rows.update(**{name: F(name) + value for name, value in changes.items()})
    return before, before + step


def _add_to_ancestors(unit_id: int, month: dt.date, changes: dict[str, int], held: int) -> None:
    """The cell-month's difference on the rows of the ancestors whose closure row covers the
    whole month (as ANCESTOR_SQL joins them); `held` (−1, 0, +1) moves `cells_held` if the
    organization is a cell on the month's last day."""
    end = month_bounds(month)[1]
    ancestors = (
        UnitAncestry.objects.filter(descendant_id=unit_id, valid_from__lte=month)
        .exclude(valid_to__lte=end)
        .values_list("ancestor_id", flat=True)
    )
    if held:
        cell = (
            UnitVersion.objects.filter(unit_id=unit_id, valid_from__lte=end, kind__in=MEMBER_KINDS)
            .exclude(valid_to__lte=end)
            .exists()
        )
        changes = changes | ({"cells_held": held} if cell else {})
    for ancestor_id in sorted(set(ancestors)):
        _add_ancestor(ancestor_id, month, changes)


def _add_ancestor(ancestor_id: int, month: dt.date, changes: dict[str, int]) -> None:
    rows = MeetingAncestorMonth.objects.filter(ancestor_id=ancestor_id, month=month)
    if rows.update(**{name: F(name) + value for name, value in changes.items()}):
        return
    try:
        with transaction.atomic():  # a savepoint: another writer may create the row first
            MeetingAncestorMonth.objects.create(ancestor_id=ancestor_id, month=month, **changes)
    except IntegrityError:
        rows.update(**{name: F(name) + value for name, value in changes.items()})


def _ancestor_sql(where: str = "") -> str:
    """(ancestor, month, *ANCESTOR_FIELDS) from the per-organization rollup (the definition of
    MeetingAncestorMonth); `where` restricts the organizations read (`r.unit_id IN …`)."""
    sums = ", ".join(f"SUM(r.{name})" for name in MEETING_MONTH_FIELDS)
    kinds = ", ".join(["%s"] * len(MEMBER_KINDS))
    return f"""
        SELECT c.ancestor_id, r.month, {sums},
               SUM(CASE WHEN r.regular > 0 AND v.kind IN ({kinds}) THEN 1 ELSE 0 END)
        FROM {MeetingMonth._meta.db_table} r
        JOIN {UnitAncestry._meta.db_table} c
          ON c.descendant_id = r.unit_id AND c.valid_from <= r.month
         AND (c.valid_to IS NULL OR c.valid_to > r.month_end)
        LEFT JOIN {UnitVersion._meta.db_table} v
          ON v.unit_id = r.unit_id AND v.valid_from <= r.month_end
         AND (v.valid_to IS NULL OR v.valid_to > r.month_end)
        {where}
        GROUP BY c.ancestor_id, r.month
    """


def ancestor_sums(unit_ids: Iterable[int] | None = None) -> dict[tuple[int, dt.date], list[int]]:
    """{(ancestor, month): ANCESTOR_FIELDS values} computed from the per-organization rollup —
    of every organization (None) or only of `unit_ids` (their share in their ancestors' rows)."""
    out: dict[tuple[int, dt.date], list[int]] = {}
    ids = None if unit_ids is None else sorted(set(unit_ids))
    chunks = [None] if ids is None else [ids[i : i + 5000] for i in range(0, len(ids), 5000)]
    for chunk in chunks:
        where = "" if chunk is None else f"WHERE r.unit_id IN ({', '.join(['%s'] * len(chunk))})"
        with connection.cursor() as cursor:
            cursor.execute(_ancestor_sql(where), [*MEMBER_KINDS, *(chunk or [])])
            for ancestor_id, month, *values in cursor.fetchall():
                month = month if isinstance(month, dt.date) else dt.date.fromisoformat(month)
                total = out.setdefault((ancestor_id, month), [0] * len(ANCESTOR_FIELDS))
                for i, value in enumerate(values):
                    total[i] += int(value or 0)
    return out


# The unexcused marks are facts of the meetings app, which sits above the derived layer: it
# registers how to read them (meetings/apps.py), so that the tree's door (TreeSnapshot) and the
# rebuild can recount a subtree's marks without this layer importing the meetings app.
# The source returns (unit_id, date, member_id, count) for meetings not voided, of every
# organization (None) or of the given ones.
MarksSource = Callable[[list[int] | None], Iterable[tuple[int, dt.date, int, int]]]
_marks_source: MarksSource | None = None


def register_marks(source: MarksSource) -> None:
    global _marks_source
    _marks_source = source


def absence_counts(unit_ids: Iterable[int] | None = None) -> dict[tuple[int, dt.date, int], int]:
    """{(ancestor, month, member): unexcused marks}, each mark under the organizations above its
    cell on the mark's date (the definition of MeetingAbsenceMonth) — of every organization
    (None) or only of `unit_ids`."""
    if _marks_source is None:
        raise RuntimeError("meetings app not ready: no source of unexcused marks registered")
    ids = None if unit_ids is None else sorted(set(unit_ids))
    chunks = [None] if ids is None else [ids[i : i + 5000] for i in range(0, len(ids), 5000)]
    per_day: dict[tuple[int, dt.date, int], int] = {}
    for chunk in chunks:
        for unit_id, day, member_id, count in _marks_source(chunk):
            day = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)
            per_day[(unit_id, day, member_id)] = per_day.get((unit_id, day, member_id), 0) + count
    units = sorted({unit_id for unit_id, _d, _m in per_day})
    above = _closure_above(units)
    out: dict[tuple[int, dt.date, int], int] = {}
    for (unit_id, day, member_id), count in per_day.items():
        for ancestor_id, start, end in above.get(unit_id, ()):
            if start <= day and (end is None or day < end):
                key = (ancestor_id, day.replace(day=1), member_id)
                out[key] = out.get(key, 0) + count
    return out


def _closure_above(units: list[int]) -> dict[int, list[tuple[int, dt.date, dt.date | None]]]:
    """{unit: [(ancestor, valid_from, valid_to)]}: every closure row above these units, read in
    chunks (SQLite's variable limit), for spreading a unit's rows over its ancestors by date."""
    above: dict[int, list[tuple[int, dt.date, dt.date | None]]] = {}
    for chunk in [units[i : i + 5000] for i in range(0, len(units), 5000)]:
        rows = UnitAncestry.objects.filter(descendant_id__in=chunk).values_list(
            "descendant_id", "ancestor_id", "valid_from", "valid_to"
        )
        for descendant_id, ancestor_id, start, end in rows:
            above.setdefault(descendant_id, []).append((ancestor_id, start, end))
    return above


# The quality sheets likewise: the source returns (unit_id, month, total) of the sheets of every
# organization (None) or of the given ones.
QualitySource = Callable[[list[int] | None], Iterable[tuple[int, dt.date, int]]]
_quality_source: QualitySource | None = None


def register_quality(source: QualitySource) -> None:
    global _quality_source
    _quality_source = source


def quality_sums(unit_ids: Iterable[int] | None = None) -> dict[tuple[int, dt.date], list[int]]:
    """{(ancestor, month): [sheets, total]}, each sheet under the organizations above its cell
    on the month's first day (the definition of QualityAncestorMonth) — of every organization
    (None) or only of `unit_ids`."""
    if _quality_source is None:
        raise RuntimeError("meetings app not ready: no source of quality sheets registered")
    ids = None if unit_ids is None else sorted(set(unit_ids))
    chunks = [None] if ids is None else [ids[i : i + 5000] for i in range(0, len(ids), 5000)]
    sheets = []
    for chunk in chunks:
        for unit_id, month, total in _quality_source(chunk):
            month = month if isinstance(month, dt.date) else dt.date.fromisoformat(month)
            sheets.append((unit_id, month, total))
    units = sorted({unit_id for unit_id, _m, _t in sheets})
    above = _closure_above(units)
    out: dict[tuple[int, dt.date], list[int]] = {}
    for unit_id, month, total in sheets:
        for ancestor_id, start, end in above.get(unit_id, ()):
            if start <= month and (end is None or month < end):
                row = out.setdefault((ancestor_id, month), [0, 0])
                row[0] += 1
                row[1] += total
    return out


def quality_changed(unit_id: int, month: dt.date, old: int | None, new: int | None) -> None:
    """A cell's sheet of `month` went from total `old` to `new` (None: no sheet): the rows of
    the organizations above the cell on the month's first day move."""
    sheets = (new is not None) - (old is not None)
    total = (new or 0) - (old or 0)
    if not sheets and not total:
        return
    ancestors = (
        UnitAncestry.objects.filter(descendant_id=unit_id, valid_from__lte=month)
        .exclude(valid_to__lte=month)
        .values_list("ancestor_id", flat=True)
    )
    for ancestor_id in sorted(set(ancestors)):
        _add_quality(ancestor_id, month, sheets, total)


def _add_quality(ancestor_id: int, month: dt.date, sheets: int, total: int) -> None:
    rows = QualityAncestorMonth.objects.filter(ancestor_id=ancestor_id, month=month)
    if rows.update(sheets=F("sheets") + sheets, total=F("total") + total):
        return
    try:
        with transaction.atomic():  # a savepoint: another writer may create the row first
            QualityAncestorMonth.objects.create(
                ancestor_id=ancestor_id, month=month, sheets=sheets, total=total
            )
    except IntegrityError:
        rows.update(sheets=F("sheets") + sheets, total=F("total") + total)


@dataclass
class SubtreeShare:
    months: dict[tuple[int, dt.date], list[int]]
    absences: dict[tuple[int, dt.date, int], int]
    quality: dict[tuple[int, dt.date], list[int]]


def subtree_share(unit_ids: Iterable[int]) -> SubtreeShare:
    """Before a tree change: what the subtree's organizations add to their ancestors' rows."""
    unit_ids = set(unit_ids)
    return SubtreeShare(ancestor_sums(unit_ids), absence_counts(unit_ids), quality_sums(unit_ids))


def move_subtree(before: SubtreeShare, unit_ids: Iterable[int]) -> None:
    """After the tree change (closure and versions rewritten): take the subtree's old share out
    and put its new one in. Only the rows of ancestors that changed move (a move reaches the old
    and the new ancestors, from the month it takes effect on)."""
    unit_ids = set(unit_ids)
    after = ancestor_sums(unit_ids)
    for key in sorted(before.months.keys() | after.keys()):
        old, new = before.months.get(key), after.get(key)
        delta = [
            (new[i] if new else 0) - (old[i] if old else 0) for i in range(len(ANCESTOR_FIELDS))
        ]
        changes = {ANCESTOR_FIELDS[i]: v for i, v in enumerate(delta) if v}
        if changes:
            _add_ancestor(key[0], key[1], changes)
    marks = absence_counts(unit_ids)
    for key in sorted(before.absences.keys() | marks.keys()):
        delta = marks.get(key, 0) - before.absences.get(key, 0)
        if delta:
            _add_absence(key[0], key[2], key[1], delta)
    quality = quality_sums(unit_ids)
    for key in sorted(before.quality.keys() | quality.keys()):
        old, new = before.quality.get(key, [0, 0]), quality.get(key, [0, 0])
        if old != new:
            _add_quality(key[0], key[1], new[0] - old[0], new[1] - old[1])


def rebuild_ancestors() -> None:
    """Replace the per-ancestor rollups with their definitions: one INSERT … SELECT for the
    monthly sums, the absences grouped by the database and written in bulk, their yearly month
    counts grouped from them, the quality sheets' sums."""
    MeetingAncestorMonth.objects.all()._raw_delete(connection.alias)
    table = MeetingAncestorMonth._meta.db_table
    columns = ", ".join(["ancestor_id", "month", *ANCESTOR_FIELDS])
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {_ancestor_sql()}", [*MEMBER_KINDS])
    MeetingAbsenceMonth.objects.all()._raw_delete(connection.alias)
    rows = [
        (ancestor_id, member_id, month, month.year, count)
        for (ancestor_id, month, member_id), count in absence_counts().items()
    ]
    _insert_rows(MeetingAbsenceMonth, ["ancestor_id", "member_id", "month", "year", "marks"], rows)
    rebuild_absence_years()
    rebuild_quality()


def rebuild_quality() -> None:
    """Replace QualityAncestorMonth with its definition (`quality_sums` of every sheet)."""
    QualityAncestorMonth.objects.all()._raw_delete(connection.alias)
    rows = [(a, month, n, total) for (a, month), (n, total) in sorted(quality_sums().items())]
    _insert_rows(QualityAncestorMonth, ["ancestor_id", "month", "sheets", "total"], rows)


def rebuild_absence_years() -> None:
    """Replace MeetingAbsenceYear with its definition from MeetingAbsenceMonth: per (ancestor,
    member, year) the months with marks > 0 (one INSERT … SELECT)."""
    MeetingAbsenceYear.objects.all()._raw_delete(connection.alias)
    source, table = MeetingAbsenceMonth._meta.db_table, MeetingAbsenceYear._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (ancestor_id, member_id, year, months) "
            f"SELECT ancestor_id, member_id, year, COUNT(*) FROM {source} WHERE marks > 0 "
            "GROUP BY ancestor_id, member_id, year"
        )


def _insert_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """COPY on PostgreSQL, one executemany on SQLite (as `_insert`)."""
    table = model._meta.db_table
    for start in range(0, len(rows), 20_000):
        batch = rows[start : start + 20_000]
        if connection.vendor == "postgresql":
            copy_rows(table, columns, batch)
            continue
        mark = "?" if connection.vendor == "sqlite" else "%s"
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            connection.connection.executemany(
                sql,
                [tuple(v.isoformat() if isinstance(v, dt.date) else v for v in r) for r in batch],
            )
        else:
            with connection.cursor() as cursor:
                cursor.executemany(sql, batch)


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
    ordered by organization so that one organization's months are written at a time, then the
    per-ancestor rollup from it."""
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
    rebuild_ancestors()
    return written + len(batch)
