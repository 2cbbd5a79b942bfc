"""Dated values of the member profile's category fields (education, professional level,
political theory), from the module that keeps them as dated facts (issue 15: the cadres
module's qualifications), without the statistics importing that module.

Like `core.panels`: the app declares a provider per field in its own `profile_facts.py` with
`register_dated_field`; `members.structure` calls `dated_values`, which finds them with
`autodiscover_modules("profile_facts")`. A provider receives member ids (a list or a values
queryset, used as a subquery) and answers, for each member who has dated facts of the field, a
timeline [(day, label), ...] sorted by day: from `day` on, the member's value is `label` (typed
like a clerk would type it, so the configurable categories classify it). Before the first day
the value is "" (not obtained yet); a member without a timeline keeps the typed profile value.

A provider also gives the same value as a SQL expression (`expression(at)`: the value on
`at` of the member of the row's `member_id`, NULL when the member has no dated facts of the
field), so the member statistics count every member by GROUP BY instead of reading each
member's timeline in Python (issue 18: political theory of a 160,000-member province).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable

from django.utils.module_loading import autodiscover_modules

Timeline = list[tuple[dt.date, str]]
Provider = Callable[[object], dict[int, Timeline]]
Expression = Callable[[dt.date], object]  # at → a query expression over OuterRef("member_id")
_PROVIDERS: dict[str, Provider] = {}
_EXPRESSIONS: dict[str, Expression] = {}


def register_dated_field(field: str, provider: Provider, expression: Expression) -> None:
    """`provider(member_ids) -> {member_id: timeline}` for the profile field `field`, and
    `expression(at)`: the same value on `at` in SQL (see the module's docstring)."""
    _PROVIDERS[field] = provider
    _EXPRESSIONS[field] = expression


def dated_fields() -> list[str]:
    """The profile fields some app keeps as dated facts."""
    autodiscover_modules("profile_facts")
    return sorted(_PROVIDERS)


def dated_values(field: str, member_ids) -> dict[int, Timeline]:
    autodiscover_modules("profile_facts")
    provider = _PROVIDERS.get(field)
    return provider(member_ids) if provider else {}


def dated_expression(field: str, at: dt.date):
    """The field's value on `at` as a SQL expression over OuterRef("member_id"): NULL for a
    member without dated facts of the field (the typed value counts), "" before the first one,
    else what `value_on(timeline, at)` gives; None when no provider declares one."""
    autodiscover_modules("profile_facts")
    expression = _EXPRESSIONS.get(field)
    return expression(at) if expression else None


def value_on(timeline: Timeline, day: dt.date) -> str:
    """The timeline's value on `day` ("" before its first day)."""
    i = bisect.bisect_right(timeline, (day, "\uffff"))
    return timeline[i - 1][1] if i else ""
