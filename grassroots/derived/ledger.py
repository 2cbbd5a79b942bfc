"""Keeping the figures ledger (`FigureDelta`) exact.

One function, `_contribute`, says how a member stint or a unit's existence adds to the ledger of
each of its ancestors; the full rebuild and the incremental update after a single change both
use it, so they cannot disagree. See docs/architecture.md, "How a figure is computed".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, transaction
from django.db.models import Q

from grassroots.audit import chain as audit_chain
from grassroots.core.dates import FAR_FUTURE
from grassroots.core.rows import copy_rows
from grassroots.figures.models import LEDGER_FIELDS, FigureDelta
from grassroots.members.models import MemberStint, Reason, Status
from grassroots.organizations.models import Kind, UnitAncestry, UnitVersion

from . import cascade_duties, checkpoints, meeting_months, name_index
from .closure import rebuild_closure

IDX = {name: i for i, name in enumerate(LEDGER_FIELDS)}
WIDTH = len(LEDGER_FIELDS)
ONE_DAY = dt.timedelta(days=1)

_KIND_FIELD = {
    Kind.GRASSROOTS_COMMITTEE: "grassroots_committees",
    Kind.GRASSROOTS_CELL: "grassroots_cells",
    Kind.PARTIAL_COMMITTEE: "partial_committees",
    Kind.SUBORDINATE_CELL: "subordinate_cells",
}
_START_FLOW = {Reason.ADMITTED: "admitted", Reason.READMITTED: "readmitted"}
_END_FLOW = {
    Reason.DIED: "died",
    Reason.EXPELLED: "expelled",
    Reason.REMOVED: "removed",
    Reason.LEFT: "left",
}
_MOVE_IN = {Reason.TRANSFER: "transferred_in", Reason.RESTRUCTURE: "restructured_in"}
_MOVE_OUT = {Reason.TRANSFER: "transferred_out", Reason.RESTRUCTURE: "restructured_out"}
_SAME_CELL = (Reason.STATUS, Reason.RECOGNIZED)

# Inside a block whose writes are all rolled back (maintain.derived_discarded): "figures" when
# it reads no figure (only the closure is kept), "rollups" when it reads the figures ledger but
# no meeting rollup or placed duty (those two are not moved); "" outside.
_discarding: ContextVar[str] = ContextVar("figures_discarding", default="")


@contextmanager
def discarded(*, keep_figures: bool = False) -> Iterator[None]:
    """Inside the block the per-ancestor meeting rollup and the placed duties are not moved, nor,
    unless `keep_figures`, the ledger with its checkpoints; the closure always is
    (maintain.derived_discarded says when)."""
    token = _discarding.set("rollups" if keep_figures else "figures")
    try:
        yield
    finally:
        _discarding.reset(token)


def discarding() -> str:
    return _discarding.get()


class Closure:
    """Ancestry intervals by descendant: [(ancestor, from, to)] with `to` never None."""

    def __init__(self) -> None:
        self.by_desc: dict[int, list[tuple[int, dt.date, dt.date]]] = defaultdict(list)

    def add(self, ancestor: int, descendant: int, start: dt.date, end: dt.date | None) -> None:
        self.by_desc[descendant].append((ancestor, start, end or FAR_FUTURE))

    def under(self, ancestor: int, unit: int | None, day: dt.date) -> bool:
        if unit is None:
            return False
        for a, s, e in self.by_desc.get(unit, ()):
            if a == ancestor and s <= day < e:
                return True
        return False

    @classmethod
    def load(
        cls, *, descendants: Iterable[int] | None = None, ancestors: Iterable[int] | None = None
    ) -> Closure:
        closure = cls()
        rows = UnitAncestry.objects.all()
        if descendants is not None:
            rows = rows.filter(descendant_id__in=list(descendants))
        if ancestors is not None:
            rows = rows.filter(ancestor_id__in=list(ancestors))
        for a, d, s, e in rows.values_list(
            "ancestor_id", "descendant_id", "valid_from", "valid_to"
        ).iterator(chunk_size=20000):
            closure.add(a, d, s, e)
        return closure


Acc = dict[tuple[int, dt.date], list[int]]


def _row(acc: Acc, ancestor: int, day: dt.date) -> list[int]:
    row = acc.get((ancestor, day))
    if row is None:
        row = acc[(ancestor, day)] = [0] * WIDTH
    return row


# Column numbers, looked up once (the full rebuild calls _contribute for every stint).
_MEMBERS, _OFFICIAL, _PROBATIONARY, _EXEMPT = (
    IDX[n] for n in ("members", "official", "probationary", "exempt")
)
_RECOGNIZED, _RESTRUCTURED_IN, _RESTRUCTURED_OUT = (
    IDX[n] for n in ("recognized", "restructured_in", "restructured_out")
)
_START_COL = {reason: IDX[name] for reason, name in _START_FLOW.items()}
_END_COL = {reason: IDX[name] for reason, name in _END_FLOW.items()}
_MOVE_IN_COL = {reason: IDX[name] for reason, name in _MOVE_IN.items()}
_MOVE_OUT_COL = {reason: IDX[name] for reason, name in _MOVE_OUT.items()}


def _contribute(acc: Acc, stint, closure: Closure, sign: int, only: set[int] | None = None) -> None:
    """Add one stint's deltas to each ancestor's ledger over the interval it is an ancestor.

    A member entering an ancestor's subtree is counted as a flow by how they came (admission,
    transfer from outside that subtree...); a move between two cells that are both inside the
    subtree is no flow for it. When the stint's cell itself moves in or out of the subtree, the
    member is "restructured" in or out.

    (Written out flat, with the columns looked up once per stint rather than per ancestor: the
    full rebuild runs this for every stint of the registry.)
    """
    ancestors = closure.by_desc.get(stint.unit_id)
    if not ancestors:
        return
    start = stint.start
    end = stint.end or FAR_FUTURE
    status = _OFFICIAL if stint.status == Status.OFFICIAL else _PROBATIONARY
    exempt = stint.exempt
    reason = stint.start_reason
    start_col = _START_COL.get(reason)
    move_in_col = _MOVE_IN_COL.get(reason)
    same_in = reason in _SAME_CELL
    recognized = stint.recognized or reason == Reason.RECOGNIZED
    reason = stint.end_reason
    end_col = _END_COL.get(reason)
    move_out_col = _MOVE_OUT_COL.get(reason)
    same_out = reason in _SAME_CELL
    get = acc.get
    for anc, cs, ce in ancestors:
        if only is not None and anc not in only:
            continue
        lo = cs if cs > start else start
        hi = ce if ce < end else end
        if lo >= hi:
            continue
        row = get((anc, lo))
        if row is None:
            row = acc[(anc, lo)] = [0] * WIDTH
        row[_MEMBERS] += sign
        row[status] += sign
        if exempt:
            row[_EXEMPT] += sign
        if lo > start:
            row[_RESTRUCTURED_IN] += sign
        elif start_col is not None:
            row[start_col] += sign
        elif move_in_col is not None:
            if not closure.under(anc, stint.came_from, lo - ONE_DAY):
                row[move_in_col] += sign
        elif same_in:
            if cs == lo:  # the cell joined this subtree the same day
                row[_RESTRUCTURED_IN] += sign
        if recognized and lo == start:
            row[_RECOGNIZED] += sign
        if hi == FAR_FUTURE:
            continue
        row = get((anc, hi))
        if row is None:
            row = acc[(anc, hi)] = [0] * WIDTH
        row[_MEMBERS] -= sign
        row[status] -= sign
        if exempt:
            row[_EXEMPT] -= sign
        if hi < end:
            row[_RESTRUCTURED_OUT] += sign
        elif end_col is not None:
            row[end_col] += sign
        elif move_out_col is not None:
            if not closure.under(anc, stint.went_to, hi):
                row[move_out_col] += sign
        elif same_out and ce == hi:
            row[_RESTRUCTURED_OUT] += sign


def _contribute_unit(
    acc: Acc, unit_id: int, spans, closure: Closure, only: set[int] | None = None, sign: int = 1
) -> None:
    """A unit counts +1 in its kind's column for each ancestor while it sits under it."""
    for kind, start, end in spans:
        column = _KIND_FIELD.get(kind)
        if column is None:
            continue
        for anc, cs, ce in closure.by_desc.get(unit_id, ()):
            if only is not None and anc not in only:
                continue
            lo, hi = max(start, cs), min(end, ce)
            if lo >= hi:
                continue
            _row(acc, anc, lo)[IDX[column]] += sign
            if hi != FAR_FUTURE:
                _row(acc, anc, hi)[IDX[column]] -= sign


def kind_spans(unit_ids: Iterable[int] | None) -> dict[int, list[tuple[str, dt.date, dt.date]]]:
    versions = UnitVersion.objects.order_by("unit_id", "valid_from")
    if unit_ids is not None:
        versions = versions.filter(unit_id__in=list(unit_ids))
    spans: dict[int, list] = defaultdict(list)
    for unit_id, kind, start, end in versions.values_list(
        "unit_id", "kind", "valid_from", "valid_to"
    ):
        end = end or FAR_FUTURE
        if spans[unit_id] and spans[unit_id][-1][0] == kind and spans[unit_id][-1][2] == start:
            spans[unit_id][-1] = (kind, spans[unit_id][-1][1], end)
        else:
            spans[unit_id].append((kind, start, end))
    return spans


# Quoted: "left" is a reserved word in PostgreSQL.
_Q = {c: f'"{c}"' for c in LEDGER_FIELDS}
_COLUMNS = ", ".join(_Q[c] for c in LEDGER_FIELDS)
_UPSERT = (
    f"INSERT INTO figures_figuredelta (ancestor_id, date, {_COLUMNS}) "
    f"VALUES (%s, %s, {', '.join(['%s'] * WIDTH)}) "
    "ON CONFLICT (ancestor_id, date) DO UPDATE SET "
    + ", ".join(f"{_Q[c]} = figures_figuredelta.{_Q[c]} + excluded.{_Q[c]}" for c in LEDGER_FIELDS)
)


def write(acc: Acc) -> int:
    """Add the accumulated deltas to the table (insert or add to the existing row)."""
    rows = [(a, d, *vals) for (a, d), vals in acc.items() if any(vals)]
    if not rows:
        return 0
    # The audit chain's lock before the shared ledger rows: one lock order for every writer.
    audit_chain.lock()
    with connection.cursor() as cursor:
        for i in range(0, len(rows), 5000):
            cursor.executemany(_UPSERT, rows[i : i + 5000])
    checkpoints.add(rows)
    return len(rows)


class StintRow:
    """A lightweight stint (from a model row or a derived lifecycle.Stint)."""

    __slots__ = (
        "unit_id",
        "start",
        "end",
        "status",
        "exempt",
        "start_reason",
        "end_reason",
        "came_from",
        "went_to",
        "recognized",
    )

    def __init__(
        self,
        unit_id,
        start,
        end,
        status,
        exempt,
        start_reason,
        end_reason,
        came_from,
        went_to,
        recognized=False,
    ):
        self.unit_id, self.start, self.end = unit_id, start, end
        self.status, self.exempt = status, exempt
        self.start_reason, self.end_reason = start_reason, end_reason
        self.came_from, self.went_to = came_from, went_to
        self.recognized = recognized


STINT_COLUMNS = (
    "unit_id",
    "start",
    "end",
    "status",
    "exempt",
    "start_reason",
    "end_reason",
    "came_from_id",
    "went_to_id",
    "recognized",
)


def apply_stint_change(old: list, new: list, counted: list = ()) -> None:
    """Incremental update after one member's stints changed (call inside the service's
    transaction). `counted`: (stint, n) pairs, each stint added n times (taken away when n < 0):
    many members' identical stints at once (a deltas' sum is linear in the sign)."""
    if (not old and not new and not counted) or _discarding.get() == "figures":
        return
    rows = [*old, *new, *(s for s, _ in counted)]
    units = {s.unit_id for s in rows}
    units |= {u for s in rows for u in (s.came_from, s.went_to) if u}
    closure = Closure.load(descendants=units)
    acc: Acc = {}
    for stint in old:
        _contribute(acc, stint, closure, -1)
    for stint in new:
        _contribute(acc, stint, closure, +1)
    for stint, n in counted:
        _contribute(acc, stint, closure, n)
    write(acc)


def rebuild(
    ancestor_ids: Iterable[int] | None = None, *, progress=None, batch_units: int = 2000
) -> None:
    """Recompute the ledger from stints, unit versions and the closure.

    With `ancestor_ids`, only those ancestors' rows are recomputed (after a tree change).
    Units are processed in batches and flushed, so memory stays bounded at national scale.
    The full rebuild of a registry that fits in one batch writes its rows straight into the
    emptied ledger, in key order; a bigger one appends each batch's rows to an unindexed staging
    table and sums them into the ledger once at the end (an ancestor above a batch, the country
    say, gets rows from every batch). The figures are the same as adding batch by batch.
    """
    only = set(ancestor_ids) if ancestor_ids is not None else None
    with transaction.atomic():
        # _raw_delete: one DELETE statement. (.delete() would load every row as a model
        # instance first, because audit.guards listens to pre_delete for all models.)
        if only is None:
            FigureDelta.objects.all()._raw_delete(connection.alias)
            closure = Closure.load()
        else:
            FigureDelta.objects.filter(ancestor_id__in=only)._raw_delete(connection.alias)
            closure = Closure.load(ancestors=only)
        units = sorted(closure.by_desc)
        spans = kind_spans(units if only is not None else None)
        direct = only is None and len(units) <= batch_units
        staging = _Staging() if only is None and not direct else None
        for i in range(0, len(units), batch_units):
            batch = units[i : i + batch_units]
            acc: Acc = {}
            for unit_id in batch:
                _contribute_unit(acc, unit_id, spans.get(unit_id, ()), closure, only)
            for values in _Staging.stints(batch, whole_range=only is None):
                _contribute(acc, StintRow(*values), closure, +1, only)
            if direct:
                _Staging.insert("figures_figuredelta", acc, ordered=True)
            elif staging is not None:
                staging.append(acc)
            else:
                write(acc)
            if progress:
                progress(min(i + batch_units, len(units)), len(units))
        if staging is not None:
            staging.finish()
        elif direct and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE figures_figuredelta")
        checkpoints.rebuild(only)


class _Staging:
    """Bulk path of the full rebuild: COPY (PostgreSQL) or executemany (SQLite) into a temporary
    table without indexes, then one INSERT … SELECT … GROUP BY into the ledger, in key order."""

    TABLE = "figures_staging"

    def __init__(self) -> None:
        cols = ", ".join(f"{_Q[c]} integer NOT NULL" for c in LEDGER_FIELDS)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.TABLE}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.TABLE} (ancestor_id integer NOT NULL, date date NOT NULL, {cols})"
            )

    def append(self, acc: Acc) -> None:
        self.insert(self.TABLE, acc)

    @staticmethod
    def insert(table: str, acc: Acc, *, ordered: bool = False) -> None:
        """Append the non-zero rows of `acc` to `table` (ledger-shaped: ancestor_id, date,
        *LEDGER_FIELDS), in (ancestor, date) order if `ordered`: COPY on PostgreSQL, one
        executemany on SQLite."""
        items = [(k, vals) for k, vals in acc.items() if any(vals)]
        if not items:
            return
        if ordered:  # an integer key sorts much faster than (id, date) tuples
            items.sort(key=lambda item: item[0][0] * 10_000_000 + item[0][1].toordinal())
        names = f"ancestor_id, date, {_COLUMNS}"
        if connection.vendor == "postgresql":
            copy_rows(
                table, ["ancestor_id", "date", *LEDGER_FIELDS], ((a, d, *v) for (a, d), v in items)
            )
        elif connection.vendor == "sqlite":
            connection.ensure_connection()
            connection.connection.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({', '.join(['?'] * (WIDTH + 2))})",
                [(a, d.isoformat(), *vals) for (a, d), vals in items],
            )
        else:
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * (WIDTH + 2))})",
                    [(a, d, *vals) for (a, d), vals in items],
                )

    @staticmethod
    def stints(units: list[int], *, whole_range: bool):
        """The stints of these units (sorted ids) as STINT_COLUMNS tuples, read with a plain
        cursor (the ORM's per-value converters cost seconds on a registry). With `whole_range`
        every unit between the first and the last is wanted: one range condition replaces the
        list of ids."""
        if not units:
            return
        if whole_range:
            where, params = "unit_id BETWEEN %s AND %s", [units[0], units[-1]]
        else:
            where, params = f"unit_id IN ({', '.join(['%s'] * len(units))})", list(units)
        columns = ", ".join(connection.ops.quote_name(c) for c in STINT_COLUMNS)
        with connection.chunked_cursor() as cursor:
            cursor.execute(f"SELECT {columns} FROM members_memberstint WHERE {where}", params)
            while rows := cursor.fetchmany(20000):
                yield from rows

    def finish(self) -> None:
        sums = ", ".join(f"SUM({_Q[c]})" for c in LEDGER_FIELDS)
        nonzero = " OR ".join(f"SUM({_Q[c]}) <> 0" for c in LEDGER_FIELDS)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO figures_figuredelta (ancestor_id, date, {_COLUMNS}) "
                f"SELECT ancestor_id, date, {sums} FROM {self.TABLE} GROUP BY ancestor_id, date "
                f"HAVING {nonzero} ORDER BY ancestor_id, date"
            )
            cursor.execute(f"DROP TABLE {self.TABLE}")
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE figures_figuredelta")


def changed_since(old, new) -> dt.date | None:
    """The first day on which two sets of a unit's closure rows [(ancestor, from, to)] can tell
    a different story (None: the same rows). Rows are paired by (ancestor, from); a row on one
    side only differs from its `from`, a pair whose `to` moved from the earlier `to`. Before that
    day every row that covers a day covers it on both sides, and ends on or after it."""
    before = {(a, s): e for a, s, e in old}
    after = {(a, s): e for a, s, e in new}
    days = [s for (_a, s) in before.keys() ^ after.keys()]
    days += [min(e, after[k]) for k, e in before.items() if k in after and after[k] != e]
    return min(days, default=None)


def _stints_reaching(since: dict[int, dt.date]) -> list[StintRow]:
    """The stints whose deltas (`_contribute`) can differ when the closure of each unit u in
    `since` changed from since[u] on, and no earlier (changed_since): those in u that reach the
    day (end after it, open, or ending on it by a change of status: the one branch that compares
    the row's end with the stint's), those that came from u after the day (their "came from
    inside?" is judged on the day before they start) and those that went to u on or after it
    (judged on their last day). Any other stint of u or naming u adds the same under both shapes.
    tests/test_tree_refresh.py holds the result to reading every stint naming u."""
    if not since:
        return []
    by_day: dict[dt.date, list[int]] = defaultdict(list)
    for unit_id, day in since.items():
        by_day[day].append(unit_id)
    where = Q()
    for day, units in by_day.items():
        where |= Q(unit_id__in=units) & (
            Q(end__isnull=True) | Q(end__gt=day) | Q(end=day, end_reason__in=_SAME_CELL)
        )
        where |= Q(came_from_id__in=units, start__gt=day) | Q(went_to_id__in=units, end__gte=day)
    return [
        StintRow(*values)
        for values in MemberStint.objects.filter(where).values_list(*STINT_COLUMNS)
    ]


class TreeSnapshot:
    """Before a tree change: what the subtree's closure and kinds were, so the ledger can be
    moved from the old shape to the new one without recomputing whole ancestors.

    Usage inside the service's transaction: `snap = TreeSnapshot.take(unit_ids)`, change the
    unit versions, then `snap.refresh()`. Every stint in the subtree, and every stint elsewhere
    whose transfer counterpart is in the subtree, is taken out under the old closure and put
    back under the new one; so are the subtree's own unit counts.
    """

    def __init__(
        self, subtree: set[int], closure: Closure, spans: dict, places=None, meetings=None
    ) -> None:
        self.subtree, self.closure, self.spans = subtree, closure, spans
        self.places = places or {}
        # The subtree's share of the per-ancestor meeting rollup under the old closure (None for
        # units just established: they hold no meeting yet).
        self.meetings = meetings

    @classmethod
    def new(cls, unit_ids: Iterable[int]) -> TreeSnapshot:
        """For units that did not exist before (nothing to take out)."""
        return cls(set(unit_ids), Closure(), {})

    @classmethod
    def take(cls, unit_ids: Iterable[int]) -> TreeSnapshot:
        roots = set(unit_ids)
        subtree = roots | set(
            UnitAncestry.objects.filter(ancestor_id__in=roots).values_list(
                "descendant_id", flat=True
            )
        )
        if _discarding.get() == "figures":  # only the closure is kept: no old shape needed
            return cls(subtree, Closure(), {})
        return cls(
            subtree,
            Closure.load(descendants=subtree),
            kind_spans(subtree),
            {} if name_index.discarding() else name_index.place_spans(subtree),
            None if _discarding.get() else meeting_months.subtree_share(subtree),
        )

    def refresh(self) -> None:
        rebuild_closure(self.subtree)
        if _discarding.get() == "figures":  # the checks read the closure; nothing reads the rest
            return
        new_closure = Closure.load(descendants=self.subtree)
        new_spans = kind_spans(self.subtree)
        # A unit's count and a stint's deltas depend only on the closure rows (and kinds) of the
        # units they name: where those did not change, taking them out under the old shape and
        # putting them back under the new one cancels exactly, so they are not read at all. A
        # merger changes the merged cell only; a dissolved district whose communes were merged
        # away first changes nothing under it (its communes had ended there already).
        changed = {
            u
            for u in self.subtree
            if sorted(self.closure.by_desc.get(u, ())) != sorted(new_closure.by_desc.get(u, ()))
            or self.spans.get(u, []) != new_spans.get(u, [])
        }
        # A stint's deltas read its cell's closure over [start, end) and its neighbours' on the
        # day before it starts and on the day it ends: where a unit's closure is unchanged before
        # some day, only stints reaching that day need moving (_stints_reaching). A merger
        # whose members left first ends the cell's rows on the day: none of its stints is read.
        since: dict[int, dt.date] = {}
        for u in changed:
            day = changed_since(self.closure.by_desc.get(u, ()), new_closure.by_desc.get(u, ()))
            if day is not None:
                since[u] = day
        stints = _stints_reaching(since)
        outside = {s.unit_id for s in stints} - self.subtree
        shared = Closure.load(descendants=outside) if outside else Closure()
        for closure in (self.closure, new_closure):
            for unit_id, rows in shared.by_desc.items():
                closure.by_desc[unit_id] = rows
        acc: Acc = {}
        for unit_id in changed:
            _contribute_unit(acc, unit_id, self.spans.get(unit_id, ()), self.closure, sign=-1)
            _contribute_unit(acc, unit_id, new_spans.get(unit_id, ()), new_closure, sign=+1)
        for stint in stints:
            _contribute(acc, stint, self.closure, -1)
            _contribute(acc, stint, new_closure, +1)
        write(acc)
        if self.meetings is not None:
            meeting_months.move_subtree(self.meetings, self.subtree)
        # The directives' placed duties of the subtree's organizations: their entry, last day
        # and path may all have moved (a no-op without requirements registered).
        if not _discarding.get():
            cascade_duties.refresh(units=self.subtree)
        # The name index keys members by top-level organization: only units whose one changed
        # need their members re-keyed (a rename or a move inside a province costs nothing).
        if name_index.discarding():
            return
        places = name_index.place_spans(self.subtree)
        since = {
            u: day
            for u in self.subtree
            if (day := name_index.first_change(self.places.get(u, []), places.get(u, [])))
        }
        name_index.refresh_units(since)
