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

from grassroots.core.profile_facts import dated_fields, dated_values
from grassroots.members.models import Member

CHUNK = 5000  # members per read (SQLite's limit on query variables)


def held_columns(field: str) -> tuple[str, str]:
    return f"{field}_held", f"{field}_held_since"


def refresh(member_ids, member_model=Member) -> int:
    """Recompute the held values of these members (all members when None); the rows changed."""
    if member_ids is None:
        member_ids = list(member_model.objects.order_by("id").values_list("id", flat=True))
    member_ids = sorted(set(member_ids))
    fields = dated_fields()
    changed = 0
    for i in range(0, len(member_ids), CHUNK):
        chunk = member_ids[i : i + CHUNK]
        wanted: dict[int, dict] = {pk: {} for pk in chunk}
        for field in fields:
            held, since = held_columns(field)
            timelines = dated_values(field, chunk)
            for pk in chunk:
                timeline = timelines.get(pk)
                day, value = timeline[-1] if timeline else (None, "")
                wanted[pk] |= {held: value, since: day}
        columns = [c for f in fields for c in held_columns(f)]
        rows = member_model.objects.filter(id__in=chunk).only("id", *columns)
        stale = []
        for row in rows:
            if any(getattr(row, c) != wanted[row.id][c] for c in columns):
                for c in columns:
                    setattr(row, c, wanted[row.id][c])
                stale.append(row)
        member_model.objects.bulk_update(stale, columns, batch_size=500)
        changed += len(stale)
    return changed
