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
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable

from django.utils.module_loading import autodiscover_modules

Timeline = list[tuple[dt.date, str]]
Provider = Callable[[object], dict[int, Timeline]]
_PROVIDERS: dict[str, Provider] = {}


def register_dated_field(field: str, provider: Provider) -> None:
    """`provider(member_ids) -> {member_id: timeline}` for the profile field `field`."""
    _PROVIDERS[field] = provider


def dated_values(field: str, member_ids) -> dict[int, Timeline]:
    autodiscover_modules("profile_facts")
    provider = _PROVIDERS.get(field)
    return provider(member_ids) if provider else {}


def value_on(timeline: Timeline, day: dt.date) -> str:
    """The timeline's value on `day` ("" before its first day)."""
    i = bisect.bisect_right(timeline, (day, "\uffff"))
    return timeline[i - 1][1] if i else ""
