"""The one door writers use to keep derived data exact, in their own transaction.

A writer says what changed and this module updates the closure, the figures ledger and its
checkpoints, and the name index (docs/architecture.md, "How a figure is computed"):

- a member's stints were replaced: `member_stints_changed(member_id, old, new)`;
- a member's name changed: `member_renamed(member_id)`;
- a block that will be rolled back (a plan's rehearsal): `names_discarded()`; one that reads no
  rollup either (a preview): `derived_discarded(keep_figures=True)`, nor any figure (a plan's
  check): `derived_discarded()`;
- the tree changes: `snap = TreeSnapshot.take(units)` before, `snap.refresh()` after
  (`TreeSnapshot.new(units).refresh()` for units just established);
- a bulk load wrote facts without any of this: `rebuild_all()`;
- a commission changed its coded lists: `members_recode(fields)` (members' category codes);
- a member's dated facts (qualifications) were added or voided:
  `member_levels_changed(member_ids)` (`Member.<field>_held`, derived.member_levels);
- a member's events were written, voided or corrected: `member_events_changed(member_ids)`
  (`Member.seniority_held`, derived.member_seniority; the bulk loader computes it itself);
- a meeting was recorded, changed or voided: `meetings_changed(old, new)` with the meeting's
  rollup rows before and after (meetings.rollup.month_row): the per-organization and the
  per-ancestor monthly rollups move (a tree change moves the per-ancestor one through
  `TreeSnapshot`); meetings written in bulk (the generator, the demo):
  `meeting_months_rebuild(rows)` (`grassroots meetings-rollup`);
- a directive, requirement or study session was written or voided:
  `cascade_documents_changed(document_ids, units)` (the documents' roots, for those
  organizations or all); the tree moves the placed duties through `TreeSnapshot`; the bulk
  writers (the generator, the demo, a benchmark) `cascade_duties_rebuild()`
  (`grassroots cascade-duties`).

It imports facts models and pure rules only, never a service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction

from . import (
    cascade_duties,
    ledger,
    meeting_months,
    member_codes,
    member_levels,
    member_seniority,
    name_index,
    tasks,
)
from .closure import rebuild_closure
from .ledger import STINT_COLUMNS, StintRow, TreeSnapshot, apply_stint_change, rebuild
from .meeting_months import MonthRow

__all__ = [
    "STINT_COLUMNS",
    "MonthRow",
    "StintRow",
    "TreeSnapshot",
    "cascade_documents_changed",
    "cascade_duties_rebuild",
    "cascade_pending_requeue",
    "cascade_pending_run",
    "derived_discarded",
    "member_renamed",
    "member_stints_changed",
    "meeting_ancestors_rebuild",
    "meeting_months_rebuild",
    "quality_changed",
    "meetings_changed",
    "member_events_changed",
    "member_levels_changed",
    "members_recode",
    "members_stints_changed",
    "names_batched",
    "names_discarded",
    "rebuild_all",
]


@contextmanager
def names_batched() -> Iterator[None]:
    """Refresh the name index once for every member whose stints changed inside the block
    (also through a tree change's `TreeSnapshot.refresh`), instead of once per member or per
    unit: a merger moves thousands of members and a province's plan ends hundreds of cells, and
    the per-member refresh was ~40 % of the time (bench/plan_bench.py, profiled). Nothing inside
    a writer's transaction reads the name index, and the refresh recomputes from the stints, so
    refreshing a member whose change was rolled back by a savepoint is harmless."""
    with name_index.batched():
        yield


@contextmanager
def names_discarded() -> Iterator[None]:
    """For a block whose writes are all rolled back (a plan's check and preview,
    plans.preview.rehearse): the name index is not kept at all inside it. Nothing a writer
    checks or a preview shows reads the name index, and the rollback would throw the keys away;
    at a province's scale re-keying the moved members was ~15 % of a check."""
    with name_index.batched(discard=True):
        yield


@contextmanager
def derived_discarded(*, keep_figures: bool = False) -> Iterator[None]:
    """For a block whose writes are all rolled back and that reads no meeting rollup or placed
    duty, nor (unless `keep_figures`) any figure: a plan's check (plans.preview.rehearse without
    preview) keeps only the closure, because the registry's checks read it (a unit under its
    parent on a day, a cell's kind); a preview, which shows figures (`figures_by_unit`, from the
    ledger alone), keeps the ledger too. Not moved: the name index, the per-ancestor meeting
    rollup, the placed duties, and for a check the figures ledger and its checkpoints. None of
    the services a plan plays reads them (restructure, organizations, members, territory), and
    the rollback would throw them away; at a province's scale moving them was about a third of a
    check (docs/performance.md "Restructure plans", session 8). tests/test_plans.py checks that
    a check lists the problems, and a preview shows the figures, of a full play."""
    with name_index.batched(discard=True), ledger.discarded(keep_figures=keep_figures):
        yield


def member_stints_changed(member_id: int, old: list[StintRow], new: list[StintRow]) -> None:
    """Move the ledger from the member's old stints to the new ones and re-key their places."""
    apply_stint_change(old, new)
    name_index.refresh([member_id])  # deferred inside names_batched


def members_stints_changed(
    member_ids: list[int],
    old: list[StintRow],
    new: list[StintRow],
    counted: list[tuple[StintRow, int]] = (),
    plain: dict[int, tuple[int, dt.date, int]] | None = None,
    day: dt.date | None = None,
) -> None:
    """The same for many members at once (a bulk restructure): `old` and `new` are every
    removed and every added stint of them, `counted` stints added (n > 0) or removed (n < 0) n
    times; the ledger is a sum over stints, so one pass over all of them moves it exactly as
    one pass per member would. `plain` (member → (source cell, first day of the open stint there,
    target cell)): of these members, those whose only change is a plain move on `day`; their
    keys are written from the move (`name_index.refresh_moves`), the others' recomputed."""
    apply_stint_change(old, new, counted)
    if plain:
        rest = name_index.refresh_moves(plain, day)
        member_ids = [pk for pk in member_ids if pk not in plain] + rest
    name_index.refresh(member_ids)  # in chunks of ids; deferred inside names_batched


def member_renamed(member_id: int) -> None:
    name_index.refresh([member_id])


def rebuild_all(progress=None) -> None:
    """Recompute closure, ledger (with checkpoints) and name index from the versions and stints."""
    with transaction.atomic():
        rebuild_closure(None)
        rebuild(None, progress=progress)
        name_index.rebuild()
        meeting_months.rebuild_ancestors()  # the per-ancestor meeting rollup follows the closure
        cascade_duties.refresh()  # the directives' placed duties follow the closure and versions


def meetings_changed(old: list[MonthRow], new: list[MonthRow]) -> None:
    """Move the meeting rollups (per organization and per ancestor) from a meeting's old rows to
    its new ones (same transaction)."""
    meeting_months.apply(old, new)


def quality_changed(unit_id: int, month, old: int | None, new: int | None) -> None:
    """A cell's monthly quality sheet was recorded or replaced (total `old` → `new`; None: no
    sheet): the per-ancestor quality rollup moves (same transaction)."""
    meeting_months.quality_changed(unit_id, month, old, new)


def meeting_months_rebuild(rows, progress=None) -> int:
    """Recompute the meeting rollups from every meeting not voided (ordered by organization)."""
    with transaction.atomic():
        return meeting_months.rebuild(rows, progress=progress)


def meeting_ancestors_rebuild() -> None:
    """Recompute the per-ancestor meeting rollup from the per-organization one (the migration
    that adds it; the full rebuilds above include it)."""
    with transaction.atomic():
        meeting_months.rebuild_ancestors()


def members_recode(fields=None):
    """Re-derive the members' stored category codes from their typed text with today's lists;
    {field: Counter(unmapped value → members)} (derived.member_codes)."""
    with transaction.atomic():
        return member_codes.recode(fields=fields or member_codes.cats.FIELDS)


def cascade_documents_changed(document_ids, units=None) -> None:
    """Recompute the placed duties (figures.CascadeDuty) of the documents' roots: for the
    organizations `units` whose done days changed (a plan, a study session), or for every
    organization (a requirement, a document with requirements, a void) — for a root binding
    more than `DIRECTIVES_CASCADE_SYNC_UNITS` organizations, or one already pending, by the
    worker: marked pending here and queued in this transaction (the task row is written with
    the change, so a rolled-back change queues nothing); the tracker says so until it is done."""
    roots = cascade_duties.roots_of(document_ids)
    if units is None:
        deferred = cascade_duties.defer(roots)
        for root in sorted(deferred):
            tasks.cascade_root_recompute.enqueue(root)
        roots -= deferred
    cascade_duties.refresh(roots, units)


def cascade_pending_run() -> dict[int, str]:
    """Recompute every pending root in this process, as the worker would (`grassroots
    cascade-duties --pending`: without a worker, or to time it); root → outcome."""
    return {root: cascade_duties.recompute_pending(root) for root in cascade_duties.pending_roots()}


def cascade_pending_requeue() -> int:
    """Queue again every pending root (a starting worker: the task of a worker that died is
    failed, its claim goes stale and the new task takes it over)."""
    roots = cascade_duties.pending_roots()
    for root in roots:
        tasks.cascade_root_recompute.enqueue(root)
    return len(roots)


def cascade_duties_rebuild() -> int:
    """Recompute every placed duty from the documents, the versions and the closure."""
    with transaction.atomic():
        return cascade_duties.refresh()


def member_levels_changed(member_ids) -> int:
    """Recompute the held values of the fields kept as dated facts of these members (all when
    None) from their timelines (derived.member_levels); the members whose values changed."""
    with transaction.atomic():
        return member_levels.refresh(member_ids)


def member_events_changed(member_ids) -> int:
    """Recompute the held party seniority of these members (all when None) from their live
    events (derived.member_seniority); the members whose values changed."""
    with transaction.atomic():
        return member_seniority.refresh(member_ids)
