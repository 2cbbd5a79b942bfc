"""Rows valid over half-open date intervals [valid_from, valid_to) — SAP-style delimiting.

Organization versions and village versions share these: split a version at a date, change an
attribute from a date until its next recorded change, and join neighbours that no longer differ.
`versions` is the owner's related manager (e.g. `unit.versions`, `village.versions`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import Q


def on(day: dt.date, prefix: str = "") -> Q:
    """Rows whose half-open validity [valid_from, valid_to) contains `day`."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": day})
    )


def reaching(day: dt.date) -> Q:
    """Rows valid on `day` or at any time after it (not ended by then)."""
    return Q(valid_to__isnull=True) | Q(valid_to__gt=day)


def split_at(versions, day: dt.date) -> None:
    """Make sure a version starts exactly on `day`."""
    current = versions.filter(on(day)).first()
    if current is None or current.valid_from == day:
        return
    end = current.valid_to
    current.valid_to = day
    current.save(update_fields=["valid_to"])
    current.pk = None  # the tail: a copy of the current version from `day` on
    current._state.adding = True
    current.valid_from, current.valid_to = day, end
    current.save()


def set_from(
    versions, day: dt.date, tracked: tuple[str, ...], check: Callable | None = None, **attrs
) -> list:
    """Change attributes from `day` until the next recorded change of the same attributes.

    `check(version_with_new_values)` validates each version the change reaches.
    """
    split_at(versions, day)
    reached = list(versions.filter(valid_from__gte=day).order_by("valid_from"))
    original = {name: getattr(reached[0], name) for name in attrs}
    changed = []
    for version in reached:
        if any(getattr(version, name) != value for name, value in original.items()):
            break
        for name, value in attrs.items():
            setattr(version, name, value)
        if check is not None:
            check(version)
        version.save()
        changed.append(version)
    coalesce(versions, tracked)
    return changed


def coalesce(versions, tracked: tuple[str, ...]) -> None:
    """Join consecutive versions that no longer differ in the tracked fields."""
    previous = None
    for version in list(versions.order_by("valid_from")):
        same = previous is not None and all(
            getattr(previous, f) == getattr(version, f) for f in tracked
        )
        if same and previous.valid_to == version.valid_from:
            previous.valid_to = version.valid_to
            previous.save(update_fields=["valid_to"])
            version.delete()  # a duplicate of its predecessor, not history
        else:
            previous = version
