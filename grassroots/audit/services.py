"""Writing audit records. Every service calls `record` inside its own transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.utils import timezone

from grassroots.core.rehearsal import rehearsing
from grassroots.core.request import client_address  # honours CLIENT_ADDRESS_HEADER

from . import chain
from .models import AuditRecord, ProfileView, Source


@dataclass(frozen=True)
class Actor:
    """Who is acting and through which door (UI, CLI, import, API)."""

    user: Any = None
    source: str = Source.SYSTEM
    address: str = ""
    extra: dict = field(default_factory=dict)

    @classmethod
    def system(cls) -> Actor:
        return cls(None, Source.SYSTEM)

    @classmethod
    def from_request(cls, request) -> Actor:
        address = client_address(request)
        return cls(request.user if request.user.is_authenticated else None, Source.UI, address)

    @property
    def name(self) -> str:
        if self.user is None:
            return "system"
        return self.user.get_username()


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def for_update(rows: models.QuerySet | models.Manager) -> models.QuerySet:
    """`rows.select_for_update()`, after taking the audit chain's lock.

    One lock order for every writer: the chain's lock (held to commit, audit/chain.py) before any
    row lock. A writer that locked a member's row first and then waited for the chain could
    deadlock with an import that holds the chain and then updates the same member (issue 20,
    left over from session 3); taking the chain first makes the clerk wait for the import
    instead, and no transaction is aborted."""
    chain.lock()
    return rows.select_for_update()


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changed."""
    out = {}
    for key in sorted(set(old) | set(new)):
        before, after = _plain(old.get(key)), _plain(new.get(key))
        if before != after:
            out[key] = [before, after]
    return out


def record(
    actor: Actor,
    *,
    obj: models.Model,
    action: str,
    changes: dict[str, Any] | None = None,
    reason: str = "",
    object_type: str | None = None,
) -> AuditRecord:
    return AuditRecord.objects.create(
        actor=actor.user,
        actor_name=actor.name,
        source=actor.source,
        address=actor.address,
        object_type=object_type or obj._meta.model_name,
        object_id=str(obj.pk),
        object_label=str(obj)[:255],
        action=action,
        changes={k: [_plain(v[0]), _plain(v[1])] for k, v in (changes or {}).items()},
        reason=reason,
    )


def unsaved_record(
    actor: Actor,
    *,
    obj: models.Model,
    action: str,
    changes: dict[str, Any] | None = None,
    reason: str = "",
    object_type: str | None = None,
    label: str | None = None,
) -> AuditRecord:
    """The record `record` would write, not yet saved: for services that write many rows at
    once (`AuditRecord.objects.bulk_create`, same transaction, same fields). `label`: str(obj)
    when the caller already knows it (a choice's display costs a translation per choice)."""
    return AuditRecord(
        actor=actor.user,
        actor_name=actor.name,
        source=actor.source,
        address=actor.address,
        object_type=object_type or obj._meta.model_name,
        object_id=str(obj.pk),
        object_label=(str(obj) if label is None else label)[:255],
        action=action,
        changes={k: [_plain(v[0]), _plain(v[1])] for k, v in (changes or {}).items()},
        reason=reason,
    )


def append_records(rows: list[tuple]) -> None:
    """Append many audit records in one statement (COPY on PostgreSQL, executemany on SQLite),
    linked into the trail's hash chain (audit/chain.py): for writers that write thousands of rows
    at once (the Excel importer, a restructure's member moves), where a model instance per
    record would cost more than the change itself. Each row holds the columns `record` fills, in
    this order: actor id, actor name, source, address, object type, object id (str), label,
    action, changes as JSON text, reason. All get the same timestamp. Nothing inside a
    rehearsal (core.rehearsal: a plan's check or preview, rolled back)."""
    if not rows or rehearsing():
        return
    table = AuditRecord._meta.db_table
    at = timezone.now()
    now = connection.ops.adapt_datetimefield_value(at)
    links = chain.link(table, (dict(zip(chain.FIELDS, (at, *row), strict=True)) for row in rows))
    rows = [(now, *row, value) for row, value in zip(rows, links, strict=True)]
    columns = (*chain.FIELDS, "chain")  # the columns the chain hashes, in its order
    if connection.vendor == "postgresql":
        # Text COPY: the JSON text goes into jsonb as it is.
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
    with connection.cursor() as cursor:
        for i in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[i : i + 5000])


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in fields}


def log_profile_view(*, user, member, address: str = "") -> None:
    """Opening a member's record is itself logged (who viewed whose record, and when)."""
    ProfileView.objects.create(viewer=user, member=member, address=address)
