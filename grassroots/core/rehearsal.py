"""A block whose writes are all rolled back: a restructure plan's check and preview
(plans.preview.rehearse) play the whole plan and throw it away.

Inside it the bulk writers skip what nothing inside the block reads: the moved members' audit
records (`audit.services.append_records`) and their versions' bump (`members.services.
members_restructure`; a version is only compared with what a form or an API call was given,
never by a plan). At a province's scale those were about a tenth of a check on SQLite and
≈ 4–6 s of the server's work per rehearsal on PostgreSQL (docs/performance.md "Restructure
plans", session 12). The derived data a rehearsal keeps or not is
`derived.maintain.derived_discarded`'s business.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_rehearsing: ContextVar[bool] = ContextVar("rehearsing", default=False)


@contextmanager
def rehearsal() -> Iterator[None]:
    """Mark the block as rolled back at its end (the caller rolls it back)."""
    token = _rehearsing.set(True)
    try:
        yield
    finally:
        _rehearsing.reset(token)


def rehearsing() -> bool:
    return _rehearsing.get()
