"""The members' held values of the fields kept as dated facts (`Member.<field>_held` and
`<field>_held_since`: education, professional level, political theory from the cadres'
qualifications, core.profile_facts): the last step of each member's timeline, so the member
statistics as of a day on or after it read the member's row (members.structure) and look the
qualifications up only for the few members whose last step is later than the day.

Recomputed from the timelines (`core.profile_facts.dated_values`, the same reading the
member-by-member statistics use) for the members a writer names: a qualification added or
voided, the profile's values turned into qualifications in bulk, the demo's bulk insert, and
the migration that introduced the columns.
"""

from __future__ import annotations

from collections import defaultdict

from grassroots.core.profile_facts import dated_fields, dated_values
from grassroots.members.models import Member

CHUNK = 5000  # members per read (SQLite's limit on query variables)


def held_columns(field: str) -> tuple[str, str]:
    return f"{field}_held", f"{field}_held_since"


def refresh(member_ids, member_model=Member) -> int:
    """Recompute the held values of these members (all members when None); the rows changed.

    Members whose values changed are updated in one statement per distinct (value, day) and
    500 members, not with a per-member CASE (`bulk_update`): 30,000 members of a generated
    province took 41,9 s of CPU that way, 11,2 s like this (docs/performance.md, session 8)."""
    if member_ids is None:
        member_ids = list(member_model.objects.order_by("id").values_list("id", flat=True))
    member_ids = sorted(set(member_ids))
    changed: set[int] = set()
    for field in dated_fields():
        held, since = held_columns(field)
        stale: dict[tuple[str, object], list[int]] = defaultdict(list)
        for i in range(0, len(member_ids), CHUNK):
            chunk = member_ids[i : i + CHUNK]
            timelines = dated_values(field, chunk)
            rows = member_model.objects.filter(id__in=chunk).values_list("id", held, since)
            for pk, value, day in rows:
                timeline = timelines.get(pk)
                wanted = (timeline[-1][1], timeline[-1][0]) if timeline else ("", None)
                if (value, day) != wanted:
                    stale[wanted].append(pk)
        for (value, day), ids in stale.items():
            for i in range(0, len(ids), 500):
                member_model.objects.filter(id__in=ids[i : i + 500]).update(
                    **{held: value, since: day}
                )
            changed.update(ids)
    return len(changed)
