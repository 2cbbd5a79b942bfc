"""A hash chain over the audit trail, so that editing, deleting or inserting a record in the
database behind the app's back is detectable (issue 20 §19).

Each record stores `chain` = SHA-256 of (the previous record's chain, this record's content).
Records are chained in id order; `grassroots audit verify` recomputes the chain and names the
first record that does not match. Every writer goes through `link` (AuditRecord.save, the
manager's bulk_create, the importer's bulk insert), which takes the chain's lock, reads the last
hash once and hashes the new records in Python: one indexed read per write, ~µs per record.

The lock: on PostgreSQL a transaction-scoped advisory lock, held until commit, so two
transactions cannot both append after the same record (ids are drawn after the lock, so id
order is commit order). On SQLite every write transaction already holds the database's single
write lock (transaction_mode IMMEDIATE).

The content hashed is what a JSON backup keeps: the timestamp to the millisecond, the changes as
canonical JSON (sorted keys), so a restored trail still verifies. What the chain cannot see: the
last records removed together (the tail); keep the last hash printed by `audit verify` (e.g. in
the nightly backup log) off the machine to detect that.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection

GENESIS = ""
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_LOCK_KEY = 7_320_514_020  # any constant: the chain's advisory lock on PostgreSQL
FIELDS = (
    "at",
    "actor_id",
    "actor_name",
    "source",
    "address",
    "object_type",
    "object_id",
    "object_label",
    "action",
    "changes",
    "reason",
)


def _millis(at: dt.datetime) -> int:
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return (at - _EPOCH) // dt.timedelta(milliseconds=1)


def _content(values: dict) -> list:
    """The parts of a record the chain hashes, in order (after the previous record's chain)."""
    changes = values["changes"]
    if isinstance(changes, str):  # the importer's rows carry the JSON text
        changes = json.loads(changes)
    return [
        _millis(values["at"]),
        values["actor_id"],
        values["actor_name"] or "",
        values["source"] or "",
        values["address"] or "",
        values["object_type"] or "",
        str(values["object_id"]),
        values["object_label"] or "",
        values["action"] or "",
        changes if changes is not None else {},
        values["reason"] or "",
    ]


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


_OBJECT_ID = 6  # the place of the object id in _content


def digest(previous: str, values: dict) -> str:
    """The chain value of one record given the previous record's chain."""
    text = _dumps([previous, _content(values)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def lock() -> None:
    """Take the chain's lock for the rest of the transaction (PostgreSQL; re-entrant).

    Writers that lock shared rows before appending to the trail take it first: the figures
    ledger (`derived.ledger.write`, which every member or tree change reaches) calls this before
    touching the ledger and checkpoint rows all writers share. So the chain lock always comes
    before those rows and two writers cannot wait on each other in opposite orders."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def _last_chain(table: str) -> str:
    lock()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT chain FROM {table} ORDER BY id DESC LIMIT 1")
        row = cursor.fetchone()
    return row[0] if row else GENESIS


def link(table: str, records: Iterable[dict]) -> Iterator[str]:
    """The chain values of new records appended in this order. Call inside the transaction that
    inserts them, right before inserting them.

    The values are `digest`'s. Records given their changes as JSON text (the bulk writers) that
    differ only by object id (a restructure's thousands of member events) have the rest of their
    content encoded once: a list's JSON is its items' JSON joined by "," inside brackets, so the
    text hashed is the same (tests/test_audit_chain.py)."""
    previous = _last_chain(table)
    encoded: dict[tuple, tuple[str, str]] = {}
    for values in records:
        if not isinstance(values["changes"], str):
            previous = digest(previous, values)
            yield previous
            continue
        key = tuple(values[name] for name in FIELDS if name != "object_id")
        parts = encoded.get(key)
        if parts is None:
            content = [_dumps(item) for item in _content(values)]
            parts = encoded[key] = (
                ",".join(content[:_OBJECT_ID]),
                ",".join(content[_OBJECT_ID + 1 :]),
            )
        text = f"[{_dumps(previous)},[{parts[0]},{_dumps(str(values['object_id']))},{parts[1]}]]"
        previous = hashlib.sha256(text.encode("utf-8")).hexdigest()
        yield previous


@dataclass
class Broken:
    id: int
    reason: str


def verify(rows: Iterable[tuple]) -> tuple[int, str, Broken | None]:
    """(records checked, last chain value, the first broken record or None). `rows` are
    (id, chain, *FIELDS) in id order."""
    previous, count = GENESIS, 0
    for row in rows:
        pk, stored, *values = row
        expected = digest(previous, dict(zip(FIELDS, values, strict=True)))
        if stored != expected:
            reason = (
                "nội dung hoặc thứ tự bị sửa, hoặc bản ghi trước đó bị xóa"
                if stored
                else "thiếu mã chuỗi (ghi ngoài ứng dụng)"
            )
            return count, previous, Broken(pk, reason)
        previous, count = stored, count + 1
    return count, previous, None
