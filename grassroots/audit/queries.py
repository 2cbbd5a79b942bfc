"""Reads of the audit trail. Callers fetch the object through accounts/access.py first."""

from __future__ import annotations

from django.db import models
from django.db.models import QuerySet

from .models import AuditRecord


def history(obj: models.Model, object_type: str | None = None) -> QuerySet:
    """The changes recorded for one object, newest first (organization, member, event, account)."""
    return AuditRecord.objects.filter(
        object_type=object_type or obj._meta.model_name, object_id=str(obj.pk)
    ).select_related("actor")


def member_history(member, events: QuerySet | None = None) -> QuerySet:
    """Changes to a member's profile and to the member's events, newest first.

    Pass `events=access.member_events_visible(user, member)` so that a user whose scope the
    member left sees no change to what happened after.
    """
    events = member.events.all() if events is None else events
    event_ids = [str(pk) for pk in events.values_list("pk", flat=True)]
    return AuditRecord.objects.filter(
        models.Q(object_type="member", object_id=str(member.pk))
        | models.Q(object_type="memberevent", object_id__in=event_ids)
    ).select_related("actor")


def values_as_of(obj: models.Model, fields: list[str], moment, object_type: str | None = None):
    """The values of `fields` of `obj` as they stood at `moment` (an aware datetime): today's
    values with every recorded change made after `moment` undone, newest first."""
    values = {name: getattr(obj, name) for name in fields}
    values_as_of_many(object_type or obj._meta.model_name, {obj.pk: values}, {obj.pk: moment})
    return values


def values_as_of_many(object_type: str, rows: dict, moments: dict) -> None:
    """`values_as_of` for many objects in one query, in place: `rows` maps a primary key to
    today's field values; each object with a moment in `moments` gets its values of that moment
    (exports of members a user saw only until some day, issue 20 §9)."""
    if not moments:
        return
    later = (
        AuditRecord.objects.filter(
            object_type=object_type,
            object_id__in=[str(pk) for pk in moments],
            action="update",
            at__gt=min(moments.values()),
        )
        .order_by("-at", "-id")
        .values_list("object_id", "at", "changes")
    )
    by_text = {str(pk): pk for pk in moments}
    for object_id, at, changes in later:
        pk = by_text[object_id]
        if at <= moments[pk]:
            continue
        values = rows.get(pk)
        for name, (old, _new) in changes.items():
            if values is not None and name in values:
                values[name] = old
