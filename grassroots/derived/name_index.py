"""The name search index (`MemberNameKey`): derived data, kept exact in the writer's transaction.

Why: a name search inside a province must answer in tens of milliseconds among 5.6 million
members (issue 3). `search_name LIKE '%an%'` reads every member, and deciding for each one
whether they were ever in the user's scope is an EXISTS over stints and the closure. So the
index keys each member by every word of their folded name *and* by their "places": the
top-level organizations (children of a root: the provinces of the country tree, the district
committees of a province tree) that any of their stints lay under. A search then reads one short
B-tree range per place for its rarest word, and the exact scope check (accounts.access) runs on
those few candidates only.

Places are chosen so that the pre-filter can only over-include: a user scoped at S sees a member
whose stint lay in S's subtree while S was there; on that day the member's place is S's place.

Kept up to date through derived.maintain: members.services (every stint or name change), TreeSnapshot
(a tree change that moves a unit under another top-level organization), and `rebuild()` after a
bulk load (maintain.rebuild_all).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection
from django.db.models import Q

from grassroots.core.dates import FAR_FUTURE
from grassroots.core.rows import ID_CHUNK, append_rows, id_chunks, in_ids
from grassroots.members.models import Member, MemberNameKey, MemberStint
from grassroots.organizations.models import UnitVersion
from grassroots.organizations.tree import VersionRow

from .closure import versions_with_ancestors

Spans = dict[int, list[tuple[int, dt.date, dt.date]]]


def words(search_name: str) -> list[str]:
    """The distinct words of a folded name, each at most the key's length."""
    return sorted({w[:64] for w in search_name.split()})


def place_spans(unit_ids: Iterable[int] | None) -> Spans:
    """For each unit (all when None), its place over time: [(place, from, to)], `to` never None.

    On any day the place of a unit is its ancestor just below the root, or the unit itself when
    it is a root or a root's child. Walked up the versions' parents: the closure's depth is not
    kept exact across merged intervals (organizations.tree._merge), so it cannot tell.
    """
    if unit_ids is None:
        rows = UnitVersion.objects.values_list("unit_id", "parent_id", "valid_from", "valid_to")
        versions = [VersionRow(*v) for v in rows.iterator(chunk_size=20000)]
    else:
        versions = versions_with_ancestors(set(unit_ids))
    by_unit: dict[int, list[tuple[int | None, dt.date, dt.date]]] = defaultdict(list)
    for v in versions:
        by_unit[v.unit_id].append((v.parent_id, v.valid_from, v.valid_to or FAR_FUTURE))
    memo: Spans = {}

    def spans(unit: int) -> list[tuple[int, dt.date, dt.date]]:
        if unit in memo:
            return memo[unit]
        out: list[tuple[int, dt.date, dt.date]] = []
        for parent, start, end in sorted(by_unit.get(unit, ()), key=lambda v: v[1]):
            pieces = [(unit, start, end)] if parent is None else []
            for pparent, ps, pe in by_unit.get(parent, ()) if parent is not None else ():
                lo, hi = max(start, ps), min(end, pe)
                if lo >= hi:
                    continue
                if pparent is None:  # the parent is a root: this unit is a place
                    pieces.append((unit, lo, hi))
                    continue
                for place, qs, qe in spans(parent):  # otherwise the parent's place
                    a, b = max(lo, qs), min(hi, qe)
                    if a < b:
                        pieces.append((place, a, b))
            for piece in sorted(pieces, key=lambda p: p[1]):
                if out and out[-1][0] == piece[0] and out[-1][2] == piece[1]:
                    out[-1] = (piece[0], out[-1][1], piece[2])
                else:
                    out.append(piece)
        memo[unit] = out
        return out

    wanted = by_unit if unit_ids is None else set(unit_ids)
    return {unit: spans(unit) for unit in wanted if unit in by_unit}


def _places(stints: Iterable[tuple[int, dt.date, dt.date | None]], spans: Spans) -> set[int]:
    places = set()
    for unit, start, end in stints:
        end = end or FAR_FUTURE
        for place, s, e in spans.get(unit, ()):
            if s < end and start < e:
                places.add(place)
    return places


# Members whose keys wait for the end of a batch (None: refresh at once).
_pending: ContextVar[set[int] | None] = ContextVar("names_pending", default=None)


# True inside a block whose writes are all rolled back (maintain.names_discarded).
_discarding: ContextVar[bool] = ContextVar("names_discarding", default=False)


@contextmanager
def batched(*, discard: bool = False) -> Iterator[None]:
    """Inside the block, `refresh` (and so `refresh_units`) only notes the members; their keys
    are recomputed once at the end (maintain.names_batched says why that is safe). With
    `discard`, nothing is noted or recomputed (maintain.names_discarded)."""
    if _pending.get() is not None:  # nested: the outer block refreshes (or discards)
        yield
        return
    token = _pending.set(set())
    flag = _discarding.set(discard)
    try:
        yield
        ids = [] if discard else sorted(_pending.get() or ())
    finally:
        _pending.reset(token)
        _discarding.reset(flag)
    for chunk in id_chunks(ids):
        refresh(chunk)


def discarding() -> bool:
    """Whether the keys computed now would be thrown away (a rehearsal that is rolled back)."""
    return _discarding.get()


def refresh(member_ids: Iterable[int]) -> None:
    """Recompute the keys of these members (call inside the writer's transaction). Only the
    keys that differ are deleted and inserted: a restructure inside a province changes the
    places of a few members' keys, not the words of thousands."""
    pending = _pending.get()
    if pending is not None:
        if not _discarding.get():
            pending.update(member_ids)
        return
    member_ids = sorted(set(member_ids))
    if not member_ids:
        return
    if len(member_ids) > ID_CHUNK:
        for chunk in id_chunks(member_ids):
            refresh(chunk)
        return
    # Plain cursors, one statement per read (the callers pass at most 5,000 members): the ORM's
    # handling of each id and each row was most of a province plan's re-keying
    # (docs/performance.md "Restructure plans", session 10).
    qn = connection.ops.quote_name
    marks, ids = in_ids(member_ids)
    stints: dict[int, list] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT member_id, unit_id, {qn('start')}, {qn('end')} FROM "
            f"{MemberStint._meta.db_table} WHERE member_id IN ({marks})",
            ids,
        )
        for m, unit, start, end in cursor.fetchall():
            stints[m].append((unit, start, end))
        cursor.execute(
            f"SELECT id, search_name FROM {Member._meta.db_table} WHERE id IN ({marks})",
            ids,
        )
        names = dict(cursor.fetchall())
        cursor.execute(
            f"SELECT place_id, {qn('key')}, member_id FROM {MemberNameKey._meta.db_table} "
            f"WHERE member_id IN ({marks})",
            ids,
        )
        have = set(cursor.fetchall())
    spans = place_spans({u for rows in stints.values() for u, _, _ in rows})
    wanted = {
        (place, word, m)
        for m, name in names.items()
        for place in _places(stints.get(m, ()), spans)
        for word in words(name)
    }
    stale = sorted({m for _, _, m in have - wanted})
    if stale:
        # One DELETE by member (a composite key's row-by-row delete is slow on SQLite); their
        # wanted keys are inserted again below.
        MemberNameKey.objects.filter(member_id__in=stale)._raw_delete(connection.alias)
    stale_set = set(stale)
    # Appended in one statement (COPY on PostgreSQL): a province's restructure re-keys tens of
    # thousands of members, and a model instance per key cost more than computing it.
    append_rows(
        MemberNameKey._meta.db_table,
        ["place_id", "key", "member_id"],
        [
            (place, word, m)
            for place, word, m in sorted(wanted, key=lambda k: (k[2], k[0], k[1]))
            if m in stale_set or (place, word, m) not in have
        ],
    )


def refresh_moves(moves: dict[int, tuple[int, dt.date, int]], day: dt.date) -> list[int]:
    """The keys of plain moves on `day` (member → (source cell, first day of their open stint
    there, target cell): the open stint ends on the day, one opens in target), written without
    re-reading the members' stints and keys; returns the members this cannot decide, for
    `refresh`. Exact, because a member's places are the union over their stints of the places
    each stint's unit had while it lasted (`_places`), and the keys of a member not pending a
    refresh are exact:

    - the move takes [day, ∞) off the source stint and adds the target over [day, ∞), so only a
      place of the source over [day, ∞) that it did not have over [first day, day) and the target
      does not have either can go (the member's other stints may keep it: left to `refresh`);
    - a place of the target over [day, ∞) that the source never had is new unless another
      stint reached it, that is, unless the member already has a key there (one read of the
      keys in those places only: nothing, for a commune established by the plan);
    - the name is untouched: the new keys are the name's words in the new places.

    Read on the tree as it is now: a later tree change in the same transaction that changes
    either unit's places re-keys every member whose stint there reaches the change
    (`TreeSnapshot.refresh` → `refresh_units`). A province's 2025 plan moves every member to a
    new commune: recomputing each one's keys from all their stints and keys was ≈ 30 % of its
    apply (docs/performance.md, session 14)."""
    if _discarding.get() or not moves:
        return []
    pending = _pending.get() or set()
    spans = place_spans({u for source, _, target in moves.values() for u in (source, target)})
    rest: list[int] = []
    new: dict[int, set[int]] = {}  # member → places that may be new
    for m, (source, first, target) in moves.items():
        if m in pending:  # its keys are recomputed at the end of the batch anyway
            continue
        had = _places([(source, first, None)], spans)
        kept = _places([(source, first, day)], spans)
        gained = _places([(target, day, None)], spans)
        if had - kept - gained:
            rest.append(m)
        elif gained - had:
            new[m] = gained - had
    rows: list[tuple[int, str, int]] = []
    for chunk in id_chunks(sorted(new)):
        marks, ids = in_ids(chunk)
        places = sorted({p for m in chunk for p in new[m]})
        pmarks, pids = in_ids(places)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT DISTINCT member_id, place_id FROM {MemberNameKey._meta.db_table} "
                f"WHERE place_id IN ({pmarks}) AND member_id IN ({marks})",
                [*pids, *ids],
            )
            there = set(cursor.fetchall())
            cursor.execute(
                f"SELECT id, search_name FROM {Member._meta.db_table} WHERE id IN ({marks})",
                ids,
            )
            names = dict(cursor.fetchall())
        rows += [
            (place, word, m)
            for m in chunk
            for place in sorted(new[m])
            if (m, place) not in there
            for word in words(names[m])
        ]
    append_rows(MemberNameKey._meta.db_table, ["place_id", "key", "member_id"], rows)
    return rest


def first_change(old: list[tuple[int, dt.date, dt.date]], new: list[tuple[int, dt.date, dt.date]]):
    """The first day a unit's place differs between two of its `place_spans`, or None."""

    def on(spans, day):
        return next((p for p, s, e in spans if s <= day < e), None)

    # Both are constant between consecutive bounds: comparing on each bound covers every day.
    for day in sorted({d for _, s, e in [*old, *new] for d in (s, e)}):
        if on(old, day) != on(new, day):
            return day
    return None


def refresh_units(since: dict[int, dt.date]) -> None:
    """After a tree change: recompute the members who have a stint in unit u reaching since[u],
    the first day u's place changed (`first_change`); a stint that ended before it lay in the
    same places as before (a merged cell's members, moved out on the day it ends)."""
    if _discarding.get() or not since:
        return
    by_day: dict[dt.date, list[int]] = defaultdict(list)
    for unit_id, day in since.items():
        by_day[day].append(unit_id)
    members: set[int] = set()
    for day, units in by_day.items():
        for chunk in id_chunks(units):
            members |= set(
                MemberStint.objects.filter(unit_id__in=chunk)
                .filter(Q(end__isnull=True) | Q(end__gt=day))
                .values_list("member_id", flat=True)
            )
    for chunk in id_chunks(sorted(members)):
        refresh(chunk)


def rebuild(*, progress=None, batch: int = 50_000) -> int:
    """Recompute the whole index (after a bulk load); returns the number of keys written.

    Members are read in id order in batches with their stints; keys go to an unindexed staging
    table and enter the index once, sorted, like the ledger's full rebuild.
    """
    spans = place_spans(None)
    staging = _Staging()
    last, written = 0, 0
    total = Member.objects.count()
    done = 0
    while True:
        ids = list(
            Member.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch]
        )
        if not ids:
            break
        lo, hi = ids[0], ids[-1]
        stints: dict[int, list] = defaultdict(list)
        for m, unit, start, end in MemberStint.objects.filter(
            member_id__gte=lo, member_id__lte=hi
        ).values_list("member_id", "unit_id", "start", "end"):
            stints[m].append((unit, start, end))
        rows = [
            (place, word, m)
            for m, name in Member.objects.filter(pk__gte=lo, pk__lte=hi).values_list(
                "pk", "search_name"
            )
            for place in _places(stints.get(m, ()), spans)
            for word in words(name)
        ]
        staging.append(rows)
        written += len(rows)
        last, done = hi, done + len(ids)
        if progress:
            progress(done, total)
    staging.finish()
    return written


MEMBER_INDEX = "members_namekey_member"


class _Staging:
    TABLE = "members_namekey_staging"
    TARGET = MemberNameKey._meta.db_table

    def __init__(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.TABLE}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.TABLE} "
                "(place_id integer NOT NULL, key varchar(64) NOT NULL, member_id integer NOT NULL)"
            )

    def append(self, rows: list[tuple[int, str, int]]) -> None:
        append_rows(self.TABLE, ["place_id", "key", "member_id"], rows)

    def finish(self) -> None:
        # The member index is dropped and built again after the load: one sort instead of
        # millions of random insertions.
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {MEMBER_INDEX}")
            cursor.execute(f"DELETE FROM {self.TARGET}")
            cursor.execute(
                f"INSERT INTO {self.TARGET} (place_id, key, member_id) "
                f"SELECT place_id, key, member_id FROM {self.TABLE} "
                "ORDER BY place_id, key, member_id"
            )
            cursor.execute(f"CREATE INDEX {MEMBER_INDEX} ON {self.TARGET} (member_id)")
            cursor.execute(f"DROP TABLE {self.TABLE}")
            if connection.vendor == "postgresql":
                cursor.execute(f"ANALYZE {self.TARGET}")


def roots() -> list[int]:
    return list(
        UnitVersion.objects.filter(parent__isnull=True).values_list("unit_id", flat=True).distinct()
    )


def places_under(scope_id: int) -> list[int]:
    """Every place a member visible to a user scoped at `scope_id` can have (a superset)."""
    own = {p for p, _, _ in place_spans([scope_id]).get(scope_id, ())}
    if UnitVersion.objects.filter(unit_id=scope_id, parent__isnull=True).exists():
        # The scope was a root at some time: its children were places then.
        own |= set(UnitVersion.objects.filter(parent_id=scope_id).values_list("unit_id", flat=True))
    return sorted(own)


def all_places() -> list[int]:
    places: set[int] = set()
    for root in roots():
        places |= set(places_under(root))
    return sorted(places)
