"""Keeping the directives tracker's placed duties (`figures.CascadeDuty`) exact.

The rules are the tracker's (docs/directives.md "The tracker", directives/tracker.py and the
one-statement query they replace in directives/figures.py), rewritten as ranges of the asked
day `at` over which nothing but a comparison with `at` changes:

- a requirement R of document X (level L) binds O from its entry day: the first day of the
  pieces [max(version start, X's date, start under X's issuer), min(version end, end under the
  issuer)) of O's versions of L's kinds; bound as of `at` iff entry ≤ at;
- O's last day as of `at` is `at` while `at` lies in one of the merged stretches of all its
  pieces for the chain's requirements ([s, e): "live"), else the day before the end of the
  stretch it last left ([e, next s): not live);
- O is shown under X iff the closure row (X, O) covers its last day; live, the child of X it
  lies in is the organization at depth−1 on O's path that day (a tree: unique); not live, the
  query looks among X's children on `at` (a dissolved district's organizations);
- the done day is the first study session / implementing document of A's chain (not voided) for
  that requirement, dated on or after X's date; `at` only decides whether it counts yet (a
  minimum: the first one on or before `at` is the first one, if it is on or before `at`).

Rows are recomputed for a set of documents' roots and, optionally, a set of organizations:
a writer of one organization's plan or study refreshes that organization's rows of the
document's root; a requirement or a document with requirements refreshes the root; a tree
change refreshes the subtree's organizations (`TreeSnapshot`).

The rows that are live and lie below their child (`grouped`, ≈ 95 % nationally) are also
counted per (asked, ancestor, child) and thresholds in `figures.CascadeDutyCount`, which the
tracker reads instead of them: a refresh of every organization recounts the refreshed documents
in one statement; a refresh of some organizations recounts the (asked, ancestor, child) triples
their grouped rows had before or have after.

A whole root binding more organizations than `DIRECTIVES_CASCADE_SYNC_UNITS` (a national
resolution: ~2.9M rows, about a minute of CPU) is not recomputed in the writer's transaction:
`defer` marks it pending (`figures.CascadeDutyPending`, in the writer's transaction: the tracker
then says "being recomputed" instead of showing rows that predate the change) and the worker's
`recompute_pending` writes the root's rows under the other half of the keys (`asked_id` = ±the
document's id, `figures.CascadeDutyFlip` says which half is read) batch by batch, committing as it
goes so other writers are not held, then in one short transaction checks that no whole-root
change came meanwhile, recomputes the organizations other writers refreshed meanwhile
(`figures.CascadeDutyPendingUnit`), flips the keys and drops the pending row; the old half is
deleted after. Readers see the old figures flagged pending or the new ones, never a mix.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from itertools import pairwise

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from grassroots.audit import chain as audit_chain
from grassroots.core.dates import FAR_FUTURE
from grassroots.core.rows import copy_rows
from grassroots.directives.kinds import LEVELS, PLAN_KINDS
from grassroots.figures.models import (
    CascadeDuty,
    CascadeDutyCount,
    CascadeDutyFlip,
    CascadeDutyPending,
    CascadeDutyPendingUnit,
)
from grassroots.organizations.models import Unit, UnitAncestry, UnitVersion

NEVER = dt.date(1, 1, 1)  # an "until" before every day: the row never stands for that count
ONE = dt.timedelta(days=1)
COLUMNS = [
    "asked_id", "requirement_id", "unit_id", "ancestor_id", "child_id", "live", "at_from",
    "at_to", "last_excl", "deadline", "done_on", "ended", "org_until", "issued_until",
    "late_until", "study_until", "grouped",
]  # fmt: skip
# what CascadeDutyCount groups by (the columns the tracker compares with the asked day)
COUNT_KEY = [
    "asked_id", "ancestor_id", "child_id", "requirement_id", "at_from", "at_to", "deadline",
    "done_on", "ended", "org_until", "issued_until", "late_until",
]  # fmt: skip
CHUNK = 5000
CLAIM_STALE = dt.timedelta(minutes=10)  # a worker renews its claim every batch (seconds)
ATTEMPTS = 5  # whole-root changes arriving while the worker computes: recompute at most so often


def _models():
    """The directives' models, read by name: they live in a process module above this layer."""
    return (
        apps.get_model("directives", "Document"),
        apps.get_model("directives", "Requirement"),
        apps.get_model("directives", "StudySession"),
    )


def roots_of(document_ids: Iterable[int]) -> set[int]:
    Document, _r, _s = _models()
    rows = Document.objects.filter(pk__in=list(document_ids)).values_list("pk", "root_id")
    return {root or pk for pk, root in rows}


def _flipped() -> set[int]:
    return set(CascadeDutyFlip.objects.values_list("document_id", flat=True))


def _key(document_id: int, flipped: set[int], other: bool = False) -> int:
    """The `asked_id` a document's rows are read under (the other half's, with `other`)."""
    return -document_id if (document_id in flipped) != other else document_id


def stored_key(document_id: int) -> int:
    """The `asked_id` the tracker reads a document's rows under."""
    flipped = CascadeDutyFlip.objects.filter(document_id=document_id).exists()
    return -document_id if flipped else document_id


def pending_since(root_id: int) -> dt.datetime | None:
    """When a whole-root change of the document root was handed to the worker, if it still is."""
    return (
        CascadeDutyPending.objects.filter(root_id=root_id).values_list("since", flat=True).first()
    )


def refresh(
    roots: Iterable[int] | None = None,
    units: Iterable[int] | None = None,
    *,
    other: bool = False,
    note: bool = True,
) -> int:
    """Replace the rows of every asked document under `roots` (all with None), for the
    organizations `units` (all with None); the number of rows written. `other`: the half of the
    keys not read (the worker's swap); `note`: log the organizations for a pending root's swap."""
    Document, Requirement, _s = _models()
    if roots is None and units is None:
        # everything is recomputed from the facts in this transaction: nothing is pending any
        # more (a worker still computing finds its row gone and drops its half)
        CascadeDutyPending.objects.all().delete()
        CascadeDutyPendingUnit.objects.all()._raw_delete(connection.alias)
    if not Requirement.objects.exists():  # a tree change before any directive: nothing to keep
        return 0
    docs_qs = Document.objects.filter(voided_at__isnull=True)
    if roots is not None:
        roots = set(roots)
        if not roots:
            return 0
        docs_qs = docs_qs.filter(root_id__in=roots)
    unit_set = None if units is None else set(units)
    if unit_set is not None and not unit_set:
        return 0
    if unit_set is not None and note:
        _note_pending(roots, unit_set)
    flipped = _flipped()

    def key(document_id: int) -> int:
        return _key(document_id, flipped, other)

    # the (asked, ancestor, child) triples to recount: those of the rows replaced (a refresh of
    # some organizations) and those of the rows written
    asked = _asked(roots)
    keys = None if asked is None else [key(a) for a in asked]
    triples = None if unit_set is None else _triples(keys, unit_set)
    _delete(keys, unit_set)
    written = _refresh(roots, unit_set, docs_qs, triples, key)
    if triples is None:
        _recount_documents(keys)
    else:
        _recount(triples)
    return written


def _refresh(roots, unit_set, docs_qs, triples: set | None, key_of, beat=None) -> int:
    Document, Requirement, _s = _models()
    docs = list(docs_qs.values_list("pk", "root_id", "path", "issuer_id", "kind", "date"))
    req_qs = Requirement.objects.filter(document__voided_at__isnull=True)
    if roots is not None:
        req_qs = req_qs.filter(document__root_id__in=roots)
    reqs = list(
        req_qs.order_by("pk").values_list(
            "pk", "document_id", "level", "action", "audience", "doc_kind", "deadline"
        )
    )
    if not reqs:
        return 0
    by_root: dict[int, list[tuple]] = defaultdict(list)
    for doc in docs:
        by_root[doc[1]].append(doc)
    written = 0
    for root_docs in by_root.values():
        ids = {d[0] for d in root_docs}
        root_reqs = [r for r in reqs if r[1] in ids]
        if root_reqs:
            written += _refresh_root(root_docs, root_reqs, unit_set, triples, key_of, beat)
    return written


def _asked(roots: set[int] | None) -> list[int] | None:
    """Every document under those roots that can be asked: on the path of one with
    requirements, voided ones included (their rows go). Rows are written for no other
    (`_refresh_root`) and requirements are never deleted. Not every document under the roots:
    a national resolution has thousands of plans below it, and `asked_id IN (…) AND unit_id IN
    (…)` seeks each pair (5,485 × 5,000 per chunk: seconds for a province's tree change)."""
    if roots is None:
        return None
    Document, Requirement, _s = _models()
    paths = Document.objects.filter(
        root_id__in=roots, pk__in=Requirement.objects.values("document")
    )
    return sorted({int(x) for path in paths.values_list("path", flat=True)
                   for x in path.strip("/").split("/")})  # fmt: skip


def _delete(keys: list[int] | None, units: set[int] | None) -> None:
    """The rows under `keys` (every half of every document with None: a tree change or a
    rebuild) of the organizations `units` (all with None)."""
    rows = CascadeDuty.objects.all()
    if keys is not None:
        rows = rows.filter(asked_id__in=keys)
    if units is None:
        rows._raw_delete(connection.alias)
        return
    ids = sorted(units)
    for start in range(0, len(ids), CHUNK):
        rows.filter(unit_id__in=ids[start : start + CHUNK])._raw_delete(connection.alias)


def _pieces(doc: tuple, level: str, units: set[int] | None) -> dict[int, list[tuple]]:
    """unit → [start, end) pieces of its versions of `level`'s kinds under the document's
    issuer (anywhere for a central body), from the document's date."""
    _pk, _root, _path, issuer_id, _kind, day = doc
    versions = UnitVersion.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day), kind__in=LEVELS[level].unit_kinds
    )
    under: dict[int, list[tuple]] | None = None
    if issuer_id is not None:
        under = defaultdict(list)
        rows = UnitAncestry.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day), ancestor_id=issuer_id, depth__gt=0
        ).values_list("descendant_id", "valid_from", "valid_to")
        for chunk in _chunks(rows, units):
            for unit_id, start, end in chunk:
                under[unit_id].append((start, end or FAR_FUTURE))
    out: dict[int, list[tuple]] = defaultdict(list)
    for chunk in _chunks(versions.values_list("unit_id", "valid_from", "valid_to"), units):
        for unit_id, start, end in chunk:
            start, end = max(start, day), end or FAR_FUTURE
            if under is None:
                if start < end:
                    out[unit_id].append((start, end))
                continue
            for s2, e2 in under.get(unit_id, ()):
                s, e = max(start, s2), min(end, e2)
                if s < e:
                    out[unit_id].append((s, e))
    return out


def _chunks(rows, units: set[int] | None) -> list:
    """`rows` (a query with `unit_id`, or the closure's `descendant_id`) for `units` only, in
    chunks (SQLite's limit on variables; a tree change passes a whole subtree)."""
    if units is None:
        return [rows]
    field = "descendant_id" if rows.model is UnitAncestry else "unit_id"
    ids = sorted(units)
    return [rows.filter(**{f"{field}__in": ids[i : i + CHUNK]}) for i in range(0, len(ids), CHUNK)]


def _merge(pieces: list[tuple]) -> list[list]:
    out: list[list] = []
    for start, end in sorted(pieces):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return out


def _triples(keys: list[int] | None, units: set[int]) -> set[tuple]:
    """The (asked, ancestor, child) of the grouped rows of these organizations now. `grouped` is
    tested here, not in SQL: with it in the WHERE clause SQLite chose the place index (asked,
    ancestor, grouped, …) on `asked` alone and read every row of the document (1.9 s CPU for one
    cell nationally) instead of the (asked, organization) index."""
    rows = CascadeDuty.objects.all()
    if keys is not None:
        rows = rows.filter(asked_id__in=keys)
    out: set[tuple] = set()
    fields = ("asked_id", "ancestor_id", "child_id", "grouped")
    for chunk in _chunks(rows.values_list(*fields), units):
        out.update((a, x, c) for a, x, c, grouped in chunk if grouped)
    return out


def _count_sql(where: str) -> str:
    key = ", ".join(COUNT_KEY)
    return (
        f"INSERT INTO {CascadeDutyCount._meta.db_table} ({key}, n) SELECT {key}, COUNT(*)"
        f" FROM {CascadeDuty._meta.db_table} WHERE grouped AND {where} GROUP BY {key}"
    )


def _recount_documents(asked: list[int] | None) -> None:
    """Recount every grouped row under the keys `asked` (all with None)."""
    counts = CascadeDutyCount.objects.all()
    if asked is None:
        counts._raw_delete(connection.alias)
        where, params = "1 = 1", []
    else:
        if not asked:
            return
        counts.filter(asked_id__in=asked)._raw_delete(connection.alias)
        where, params = f"asked_id IN ({', '.join(['%s'] * len(asked))})", asked
    with connection.cursor() as cursor:
        cursor.execute(_count_sql(where), params)


def _recount(triples: set[tuple]) -> None:
    """Recount the grouped rows of these (asked, ancestor, child) triples, a statement per
    (asked, ancestor) and chunk of children (the index's order)."""
    children: dict[tuple[int, int], list[int]] = defaultdict(list)
    for asked, ancestor, child in triples:
        children[(asked, ancestor)].append(child)
    with connection.cursor() as cursor:
        for (asked, ancestor), kids in children.items():
            kids.sort()
            for i in range(0, len(kids), CHUNK):
                part = kids[i : i + CHUNK]
                CascadeDutyCount.objects.filter(
                    asked_id=asked, ancestor_id=ancestor, child_id__in=part
                )._raw_delete(connection.alias)
                where = (
                    f"asked_id = %s AND ancestor_id = %s AND child_id IN"
                    f" ({', '.join(['%s'] * len(part))})"
                )
                cursor.execute(_count_sql(where), [asked, ancestor, *part])


def _refresh_root(
    docs: list[tuple], reqs: list[tuple], units: set[int] | None, triples: set | None, key_of, beat
) -> int:
    Document, Requirement, StudySession = _models()
    doc_by_id = {d[0]: d for d in docs}
    # the bound pieces of each (document, level) with requirements
    pieces: dict[tuple[int, str], dict[int, list[tuple]]] = {}
    for req in reqs:
        key = (req[1], req[2])
        if key not in pieces:
            pieces[key] = _pieces(doc_by_id[req[1]], req[2], units)
    bound_units = set().union(*(set(p) for p in pieces.values()))
    if not bound_units:
        return 0
    ids = sorted(bound_units)
    ended: dict[int, dt.date | None] = {}
    closure: dict[int, list[tuple]] = defaultdict(list)
    for i in range(0, len(ids), CHUNK):
        part = ids[i : i + CHUNK]
        ended.update(Unit.objects.filter(pk__in=part).values_list("pk", "ended"))
        for desc, anc, depth, start, end in UnitAncestry.objects.filter(
            descendant_id__in=part
        ).values_list("descendant_id", "ancestor_id", "depth", "valid_from", "valid_to"):
            closure[desc].append((anc, depth, start, end or FAR_FUTURE))
    # done facts: (organization, document) → first day per audience / per kind
    studies: dict[int, list[tuple]] = defaultdict(list)  # unit → (document, audience, date)
    sessions = StudySession.objects.filter(
        document__root_id=docs[0][1], voided_at__isnull=True
    ).values_list("unit_id", "document_id", "audience", "date")
    for chunk in _chunks(sessions, units):
        for unit_id, document_id, audience, day in chunk:
            if unit_id in bound_units and document_id in doc_by_id:  # not a voided document
                studies[unit_id].append((document_id, audience, day))
    issued: dict[int, list[tuple]] = defaultdict(list)  # issuer → (document, kind, date)
    for pk, _root, _path, issuer_id, kind, day in docs:
        if issuer_id in bound_units:
            issued[issuer_id].append((pk, kind, day))
    # asked documents: each document of the root whose chain holds a requirement, i.e. the
    # documents on the path of one with requirements (not the thousands of plans below them)
    with_reqs = {r[1] for r in reqs}
    asked_ids = {int(x) for pk in with_reqs for x in doc_by_id[pk][2].strip("/").split("/")}
    rows: list[tuple] = []
    written = 0
    for asked in (d for d in docs if d[0] in asked_ids):
        in_chain = {d[0] for d in docs if d[2].startswith(asked[2])}
        chain_reqs = [r for r in reqs if r[1] in in_chain]
        if not chain_reqs:
            continue
        for unit_id in ids:
            _unit_rows(rows, key_of(asked[0]), unit_id, chain_reqs, doc_by_id, pieces, closure[unit_id],
                       ended.get(unit_id), studies.get(unit_id, ()), issued.get(unit_id, ()),
                       in_chain)  # fmt: skip
            if len(rows) >= 50_000:
                written += _insert(rows, triples)
                rows.clear()
                if beat is not None:
                    beat()
    return written + _insert(rows, triples)


def _unit_rows(out, asked_id, unit_id, chain_reqs, doc_by_id, pieces, anc_rows, ended,
               studies, issued, in_chain) -> None:  # fmt: skip
    mine = []  # (req, entry, its pieces)
    for req in chain_reqs:
        got = pieces[(req[1], req[2])].get(unit_id)
        if got:
            mine.append((req, min(s for s, _e in got), got))
    if not mine:
        return
    stretches = _merge([p for _r, _e, got in mine for p in got])
    # where O stands over ranges of `at`: (ancestor, child or None, live, from, to, last_excl)
    places: list[tuple] = []
    for k, (s, e) in enumerate(stretches):
        _live_places(places, anc_rows, s, e)
        if e < FAR_FUTURE:
            nxt = stretches[k + 1][0] if k + 1 < len(stretches) else FAR_FUTURE
            for anc, _depth, cf, ct in anc_rows:
                if cf < e <= ct:
                    places.append((anc, None, False, e, nxt, e))
    # per requirement: deadline, done day, and the counts' thresholds (ranked by id)
    facts = []
    for req, entry, _got in mine:
        pk, document_id, _level, action, audience, doc_kind, deadline = req
        day = doc_by_id[document_id][5]
        if entry > day:
            deadline = max(deadline, entry + (deadline - day))
        if action == "study":
            days = [d for doc, aud, d in studies if doc in in_chain and aud == audience]
        else:
            kinds = (doc_kind,) if (doc_kind or action == "report") else PLAN_KINDS
            days = [d for doc, kind, d in issued if doc in in_chain and kind in kinds]
        days = [d for d in days if d >= day]
        done = min(days) if days else None
        if done is not None and done <= deadline:
            late_from = FAR_FUTURE
        elif ended is not None and ended <= deadline:
            late_from = done or FAR_FUTURE  # ended before its deadline: late only once done
        else:
            late_from = deadline + ONE
        facts.append((pk, action, entry, deadline, done, max(late_from, entry)))
    org_until = issued_until = late_until = study_until = FAR_FUTURE
    for pk, action, entry, deadline, done, late_from in facts:
        row_issued = row_late = row_study = NEVER
        if action == "issue":
            row_issued, row_late = issued_until, late_until
            if done is not None:
                issued_until = min(issued_until, max(entry, done))
            late_until = min(late_until, late_from)
        elif action == "study":
            row_study = study_until
            study_until = min(study_until, entry)
        row_org = org_until
        org_until = min(org_until, entry)
        for anc, child, live, start, end, last_excl in places:
            start = max(start, entry)
            if start < end:
                out.append((asked_id, pk, unit_id, anc, child, live, start, end, last_excl,
                            deadline, done, ended, row_org, row_issued, row_late, row_study))  # fmt: skip


def _live_places(places: list, anc_rows: list[tuple], s: dt.date, e: dt.date) -> None:
    """The closure over [s, e) cut where any row of O starts or ends; on each cut the ancestors
    ordered by depth form O's path and each one's child is the one before it — or O itself
    where the row says depth 1, as the query's rule reads it. (A closure row is not cut when a
    restructure shortens the path above it: after the 2025 reorganization a cell's row under the
    country keeps depth 5 with its new province at depth 3, so depth − 1 names no one.)"""
    cuts = sorted({s, e} | {d for _a, _d, cf, ct in anc_rows for d in (cf, ct) if s < d < e})
    runs: dict[tuple[int, int | None], list[list]] = {}
    for b0, b1 in pairwise(cuts):
        path = sorted((depth, anc) for anc, depth, cf, ct in anc_rows if cf <= b0 < ct)
        for i, (depth, anc) in enumerate(path):
            child = None if i == 0 else path[0][1] if depth == 1 else path[i - 1][1]
            key = (anc, child)
            spans = runs.setdefault(key, [])
            if spans and spans[-1][1] == b0:
                spans[-1][1] = b1
            else:
                spans.append([b0, b1])
    for (anc, child), spans in runs.items():
        for b0, b1 in spans:
            places.append((anc, child, True, b0, b1, None))


def _insert(rows: list[tuple], triples: set | None) -> int:
    """COPY on PostgreSQL, one executemany on SQLite (as meeting_months._insert), each row with
    its `grouped` flag; the triples of the grouped ones added to `triples` (unless None)."""
    if not rows:
        return 0
    # live and below its child: the child is another organization (itself when directly under)
    rows = [(*r, r[5] and r[4] is not None and r[4] != r[2]) for r in rows]
    if triples is not None:
        triples.update((r[0], r[3], r[4]) for r in rows if r[-1])
    table = CascadeDuty._meta.db_table
    # one transaction per batch: the worker writes a root's rows outside any (other writers,
    # SQLite's included, get the database between batches); a savepoint inside a writer's
    with transaction.atomic():
        if connection.vendor == "postgresql":
            copy_rows(table, COLUMNS, rows)
            return len(rows)
        sql = (
            f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join(['?'] * len(COLUMNS))})"
        )
        connection.ensure_connection()
        connection.connection.executemany(
            sql, [tuple(v.isoformat() if isinstance(v, dt.date) else v for v in r) for r in rows]
        )
    return len(rows)


def _reach(root_id: int) -> int:
    """How many organizations the root's asked documents can bind: those ever under their
    issuers (every organization, for a central body's). An upper bound, read from the indexes."""
    Document, _r, _s = _models()
    asked = _asked({root_id})
    issuers = set(Document.objects.filter(pk__in=asked).values_list("issuer_id", flat=True))
    if None in issuers:
        return Unit.objects.count()
    return UnitAncestry.objects.filter(ancestor_id__in=issuers, depth__gt=0).count()


def defer(roots: set[int]) -> set[int]:
    """Of the roots whose every organization must be recomputed, those the worker will do: one
    already pending (another whole-root change while it waits or computes: its generation moves,
    so a computation that started before is not swapped in), or binding more organizations than
    `DIRECTIVES_CASCADE_SYNC_UNITS`. Their pending row is written here, in the writer's
    transaction, with the change itself."""
    if not roots:
        return set()
    # the audit chain's lock first (PostgreSQL; SQLite's writers are serialized already): a
    # writer that refreshed some organizations of this root and found it not pending
    # (`_note_pending`, under the same lock) commits before the mark, so the worker, which starts
    # after the mark, reads its facts; a writer after the mark waits for it and notes its
    # organizations. Without it such a writer's rows went into the half the swap drops (session 11)
    audit_chain.lock()
    # locked: a worker swapping this root holds its row; once it commits the row is gone and
    # the root is marked afresh (an unlocked read would move a row about to disappear)
    pending = set(
        CascadeDutyPending.objects.select_for_update()
        .filter(root_id__in=roots)
        .values_list("root_id", flat=True)
    )
    limit = settings.DIRECTIVES_CASCADE_SYNC_UNITS
    big = {root for root in roots - pending if _reach(root) > limit}
    if big:
        now = timezone.now()
        CascadeDutyPending.objects.bulk_create(
            [CascadeDutyPending(root_id=root, since=now) for root in sorted(big)],
            ignore_conflicts=True,  # a concurrent writer's row: the update below moves it
        )
    deferred = pending | big
    if deferred:
        CascadeDutyPending.objects.filter(root_id__in=deferred).update(
            generation=F("generation") + 1
        )
    return deferred


def _note_pending(roots: set[int] | None, units: set[int]) -> None:
    """Some organizations' rows are refreshed (a plan, a study session, a tree change): for the
    pending roots among `roots`, remember them so the worker's swap recomputes them from the
    facts as they are then (its own computation may have read them before this change)."""
    # held to commit, as `defer` takes it before marking a root: this writer either commits
    # before a root is marked or sees the mark here (the chain's lock comes before any row lock,
    # audit.services.for_update)
    audit_chain.lock()
    pending = CascadeDutyPending.objects.all()
    if roots is not None:
        pending = pending.filter(root_id__in=roots)
    sql, params = pending.values_list("root_id").query.sql_with_params()
    if connection.vendor == "postgresql":
        # shared with other writers, exclusive with the worker's swap: a note is either read by
        # the swap or written after it (then the root is no longer pending and the keys read
        # next are the new ones); SQLite's writers are serialized already
        sql += " FOR SHARE"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = [row[0] for row in cursor.fetchall()]
    notes = [
        CascadeDutyPendingUnit(root_id=root, unit_id=unit_id) for root in found for unit_id in units
    ]
    CascadeDutyPendingUnit.objects.bulk_create(notes, batch_size=CHUNK)


def _clear(keys: list[int]) -> None:
    """Delete the rows and counts under `keys`, a transaction per batch (the half a worker is
    about to write, or the one it just left: no reader looks at either)."""
    if not keys:
        return
    marks = ", ".join(["%s"] * len(keys))
    with connection.cursor() as cursor:
        for table in (CascadeDuty._meta.db_table, CascadeDutyCount._meta.db_table):
            while True:
                with transaction.atomic():
                    cursor.execute(
                        f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table}"
                        f" WHERE asked_id IN ({marks}) LIMIT 20000)",
                        keys,
                    )
                    if cursor.rowcount < 20000:
                        break


def recompute_pending(root_id: int, *, before_swap=None) -> str:
    """The worker's recompute of a pending root (module docstring): "done", "skipped" (nothing
    pending), "busy" (another worker's claim), "gone" (a rebuild made it exact meanwhile) or
    "again" (whole-root changes kept coming: the claim is released for a new task).
    `before_swap` lets a test write in the window between the computation and the swap."""
    Document, _r, _s = _models()
    stale = timezone.now() - CLAIM_STALE
    claimed = (
        CascadeDutyPending.objects.filter(root_id=root_id)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .update(claimed_at=timezone.now())
    )
    if not claimed:
        # "busy": another worker holds it (or one that died: its claim goes stale)
        return "busy" if CascadeDutyPending.objects.filter(root_id=root_id).exists() else "skipped"

    def beat() -> None:
        CascadeDutyPending.objects.filter(root_id=root_id).update(claimed_at=timezone.now())

    for _attempt in range(ATTEMPTS):
        generation = (
            CascadeDutyPending.objects.filter(root_id=root_id)
            .values_list("generation", flat=True)
            .first()
        )
        if generation is None:
            return "gone"
        flipped = _flipped()
        asked = _asked({root_id})
        target = [_key(a, flipped, True) for a in asked]
        _clear(target)  # what a worker that died mid-way left there

        def key(document_id: int, flipped=flipped) -> int:
            return _key(document_id, flipped, True)

        docs = Document.objects.filter(voided_at__isnull=True, root_id=root_id)
        _refresh({root_id}, None, docs, None, key, beat)
        _recount_documents(target)
        if connection.vendor == "postgresql":
            # the planner must know the new half before readers use it: with statistics that
            # knew only the old key it estimated no rows for the new one and drove the sessions
            # statement through the place index, reading the country once per organization with
            # a session (7+ minutes instead of 0.5 s, session 10)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"ANALYZE {CascadeDuty._meta.db_table}, {CascadeDutyCount._meta.db_table}"
                )
        if before_swap is not None:
            before_swap()
        with transaction.atomic():
            row = CascadeDutyPending.objects.select_for_update().filter(root_id=root_id).first()
            swap = row is not None and row.generation == generation
            if swap:
                notes = CascadeDutyPendingUnit.objects.filter(root_id=root_id)
                units = set(notes.values_list("unit_id", flat=True))
                if units:
                    refresh({root_id}, units, other=True, note=False)
                for document_id in asked:
                    if document_id in flipped:
                        CascadeDutyFlip.objects.filter(document_id=document_id).delete()
                    else:
                        CascadeDutyFlip.objects.create(document_id=document_id)
                notes._raw_delete(connection.alias)
                row.delete()
        if swap:
            _clear([_key(a, flipped) for a in asked])  # the half just left
            return "done"
        if row is None:
            _clear(target)
            return "gone"
    release(root_id)
    return "again"


def release(root_id: int) -> None:
    """Let another task take the root (this one gives up or failed)."""
    CascadeDutyPending.objects.filter(root_id=root_id).update(claimed_at=None)


def pending_roots() -> list[int]:
    return list(CascadeDutyPending.objects.order_by("root_id").values_list("root_id", flat=True))
