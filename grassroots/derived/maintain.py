"""The one door writers use to keep derived data exact, in their own transaction.

A writer says what changed and this module updates the closure, the figures ledger and its
checkpoints, and the name index (docs/architecture.md, "How a figure is computed"):

- a member's stints were replaced: `member_stints_changed(member_id, old, new)`;
- a member's name changed: `member_renamed(member_id)`;
- the tree changes: `snap = TreeSnapshot.take(units)` before, `snap.refresh()` after
  (`TreeSnapshot.new(units).refresh()` for units just established);
- a bulk load wrote facts without any of this: `rebuild_all()`.

It imports facts models and pure rules only, never a service.
"""

from __future__ import annotations

from django.db import transaction

from . import name_index
from .closure import rebuild_closure
from .ledger import STINT_COLUMNS, StintRow, TreeSnapshot, apply_stint_change, rebuild

__all__ = [
    "STINT_COLUMNS",
    "StintRow",
    "TreeSnapshot",
    "member_renamed",
    "member_stints_changed",
    "rebuild_all",
]


def member_stints_changed(member_id: int, old: list[StintRow], new: list[StintRow]) -> None:
    """Move the ledger from the member's old stints to the new ones and re-key their places."""
    apply_stint_change(old, new)
    name_index.refresh([member_id])


def member_renamed(member_id: int) -> None:
    name_index.refresh([member_id])


def rebuild_all(progress=None) -> None:
    """Recompute closure, ledger (with checkpoints) and name index from the versions and stints."""
    with transaction.atomic():
        rebuild_closure(None)
        rebuild(None, progress=progress)
        name_index.rebuild()
