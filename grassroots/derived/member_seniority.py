"""The members' held party seniority (`Member.seniority_held` and `seniority_held_since`,
lifecycle.seniority_held): the date seniority counts from once the member's last seniority
event is past, so the statistics as of a day on or after it group members by a column
(members.structure) and read the events only of the few members with a later event, or whose
history ends out of the party.

Recomputed from the live events for the members a writer names (every event written, voided or
corrected goes through members.services' `_store_stints`), and for all members by the migration
that introduced the columns. The bulk loader computes it from the events it inserts.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import connection

from grassroots.members import lifecycle
from grassroots.members.models import Member, MemberEvent

CHUNK = 5000  # members per read (SQLite's limit on query variables)
WRITE = 1000  # members per UPDATE statement on PostgreSQL


def refresh(member_ids, member_model=Member, event_model=MemberEvent) -> int:
    """Recompute the held seniority of these members (all members when None); the rows changed."""
    if member_ids is None:
        member_ids = list(member_model.objects.order_by("id").values_list("id", flat=True))
    member_ids = sorted(set(member_ids))
    stale: list[tuple[int, object, object]] = []
    kinds = [str(k) for k in lifecycle.SENIORITY_KINDS]
    for i in range(0, len(member_ids), CHUNK):
        chunk = member_ids[i : i + CHUNK]
        events: dict[int, list[lifecycle.Ev]] = defaultdict(list)
        rows = event_model.objects.filter(
            member_id__in=chunk, voided_at__isnull=True, kind__in=kinds
        ).values_list("member_id", "kind", "date", "decision_date", "id")
        for member_id, kind, date, decision, pk in rows:
            events[member_id].append(lifecycle.Ev(kind, date, None, decision, "", pk))
        held = member_model.objects.filter(id__in=chunk).values_list(
            "id", "seniority_held", "seniority_held_since"
        )
        for pk, base, since in held:
            wanted = lifecycle.seniority_held(events.get(pk, []))
            if (base, since) != wanted:
                stale.append((pk, *wanted))
    _write(member_model, stale)
    return len(stale)


def _write(member_model, rows: list[tuple[int, object, object]]) -> None:
    """One value per member (the dates differ member by member): PostgreSQL updates from a
    VALUES list per 1,000 members; SQLite, in the process, runs one prepared UPDATE per member
    (executemany), which is as fast and needs no UPDATE … FROM."""
    table = connection.ops.quote_name(member_model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for i in range(0, len(rows), WRITE):
                part = rows[i : i + WRITE]
                values = ", ".join(["(%s, %s::date, %s::date)"] * len(part))
                cursor.execute(
                    f"UPDATE {table} AS m SET seniority_held = v.base, "
                    f"seniority_held_since = v.since FROM (VALUES {values}) AS v(id, base, since) "
                    "WHERE m.id = v.id",
                    [x for row in part for x in row],
                )
        else:
            cursor.executemany(
                f"UPDATE {table} SET seniority_held = %s, seniority_held_since = %s WHERE id = %s",
                [(base, since, pk) for pk, base, since in rows],
            )
