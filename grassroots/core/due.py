"""What is due or overdue, from every module, for the dashboard (issue 18 "Dashboard", issue 17
"overdue items on the home page").

Each app that watches deadlines declares them in its own `duties.py` with `register_due`; the
dashboard calls `due_items` and imports no app (like the review report's `register_section`).
A provider answers for one organization on one day, for one account, and must apply the
account's scope itself through `accounts.access` (the unit given is already visible to it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class DueItem:
    """One line of "việc đến hạn / quá hạn": a rule, how many cases, where to see them."""

    module: str  # the module's name as people say it ("Phát triển đảng viên")
    label: str  # the rule or the work ("Hạn tổ chức lễ kết nạp")
    count: int
    overdue: bool  # past its limit (quá hạn) rather than coming up (sắp đến hạn)
    url: str = ""  # the page that lists the cases


Provider = Callable[[object, object, dt.date], Iterable[DueItem]]
_PROVIDERS: list[tuple[int, str, Provider]] = []


def register_due(key: str, provider: Provider, *, order: int = 100) -> None:
    """Add a source of due items (idempotent per key). `provider(user, unit, day)`."""
    global _PROVIDERS
    _PROVIDERS = sorted([p for p in _PROVIDERS if p[1] != key] + [(order, key, provider)])


def due_items(user, unit, day: dt.date) -> list[DueItem]:
    """Every registered module's items for `unit` on `day`, overdue first, then by module."""
    autodiscover_modules("duties")
    items: list[DueItem] = []
    for _order, _key, provider in _PROVIDERS:
        items.extend(item for item in provider(user, unit, day) if item.count)
    return sorted(items, key=lambda i: not i.overdue)
