"""On SQLite the audit tables are append-only in the database too (issue 20 §19): triggers
refuse UPDATE and DELETE whatever SQL is sent (migration audit/0004). Only a full reset lifts
them, for its own statements (`sqlite_audit_triggers_lifted`, used by `grassroots flush`)."""

from __future__ import annotations

from contextlib import contextmanager

TABLES = ("audit_auditrecord", "audit_profileview")
VERBS = ("UPDATE", "DELETE")


def trigger_name(table: str, verb: str) -> str:
    return f"{table}_no_{verb.lower()}"


def create_statements() -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {trigger_name(table, verb)} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'Audit records cannot be changed or deleted ({table})'); END"
        for table in TABLES
        for verb in VERBS
    ]


def drop_statements() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {trigger_name(t, v)}" for t in TABLES for v in VERBS]


@contextmanager
def sqlite_audit_triggers_lifted(connection):
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = %s",
            [trigger_name(TABLES[0], "DELETE")],
        )
        present = cursor.fetchone()[0] > 0
        for sql in drop_statements():
            cursor.execute(sql)
    try:
        yield
    finally:
        if present:
            with connection.cursor() as cursor:
                for sql in create_statements():
                    cursor.execute(sql)
