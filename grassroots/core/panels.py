"""Sections other modules add to a member's page (issue 15: posts and qualifications; the
meetings and inspection modules may add theirs), without the registry's pages importing them.

Like `core.due`: each app declares a provider in its own `panels.py` with
`register_member_panel`; the member page calls `member_panels`, which finds them with
`autodiscover_modules("panels")`. A provider receives the viewing user, the member (already
checked visible) and the last day the user may see, and must apply the user's scope itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Panel:
    title: str
    template: str  # rendered with `panel` in its context
    data: dict = field(default_factory=dict)


Provider = Callable[[object, object, dt.date], Panel | None]
_PROVIDERS: list[tuple[int, str, Provider]] = []


def register_member_panel(key: str, provider: Provider, *, order: int = 100) -> None:
    """Add a section to the member page (idempotent per key). `provider(user, member, day)`."""
    global _PROVIDERS
    _PROVIDERS = sorted([p for p in _PROVIDERS if p[1] != key] + [(order, key, provider)])


def member_panels(user, member, day: dt.date) -> list[Panel]:
    autodiscover_modules("panels")
    panels = (provider(user, member, day) for _order, _key, provider in _PROVIDERS)
    return [p for p in panels if p is not None]
