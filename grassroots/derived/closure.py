"""Rebuilding the stored ancestry closure (`UnitAncestry`) for a set of units."""

from __future__ import annotations

from collections.abc import Iterable

from grassroots.organizations.models import UnitAncestry, UnitVersion
from grassroots.organizations.tree import VersionRow, compute_ancestry


def versions_with_ancestors(unit_ids: set[int]) -> list[VersionRow]:
    """The versions of the given units and of every unit above them at any time."""
    rows: list[VersionRow] = []
    loaded: set[int] = set()
    pending = set(unit_ids)
    while pending:
        loaded |= pending
        batch = UnitVersion.objects.filter(unit_id__in=pending).values_list(
            "unit_id", "parent_id", "valid_from", "valid_to"
        )
        found = [VersionRow(*values) for values in batch]
        rows += found
        pending = {v.parent_id for v in found if v.parent_id} - loaded
    return rows


def rebuild_closure(unit_ids: Iterable[int] | None = None) -> None:
    """Replace the closure rows of the given units as descendants (all units when None)."""
    if unit_ids is None:
        versions = [
            VersionRow(*v)
            for v in UnitVersion.objects.values_list(
                "unit_id", "parent_id", "valid_from", "valid_to"
            )
        ]
        UnitAncestry.objects.all().delete()
        wanted = None
    else:
        wanted = set(unit_ids)
        versions = versions_with_ancestors(wanted)
        # One DELETE statement: `.delete()` loads every row first (audit.guards listens to
        # pre_delete for all models); nothing refers to a closure row. Once per tree change.
        UnitAncestry.objects.filter(descendant_id__in=wanted)._raw_delete(UnitAncestry.objects.db)
    rows = [
        UnitAncestry(
            ancestor_id=r.ancestor_id,
            descendant_id=r.descendant_id,
            depth=r.depth,
            valid_from=r.valid_from,
            valid_to=r.valid_to,
        )
        for r in compute_ancestry(versions)
        if wanted is None or r.descendant_id in wanted
    ]
    UnitAncestry.objects.bulk_create(rows, batch_size=5000)
