"""Link the existing trail into the hash chain (audit/chain.py), then, on SQLite, make the audit
tables append-only in the database itself as migration 0002 does on PostgreSQL (issue 20 §19).

On SQLite a full reset (`grassroots flush`, used by a JSON restore and test teardown) drops and
recreates these triggers around its DELETEs (core/management/commands/flush.py), as TRUNCATE
gets past the PostgreSQL trigger."""

from django.db import migrations

from grassroots.audit import chain, sqlite_guard


def backfill(apps, schema_editor):
    connection = schema_editor.connection
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("ALTER TABLE audit_auditrecord DISABLE TRIGGER audit_auditrecord_append_only")
        cursor.execute(
            f"SELECT id, {', '.join(chain.FIELDS)} FROM audit_auditrecord ORDER BY id"
        )
        rows = cursor.fetchall()
        previous, updates = chain.GENESIS, []
        for pk, *values in rows:
            record = dict(zip(chain.FIELDS, values, strict=True))
            if isinstance(record["at"], str):  # SQLite through a raw cursor
                from django.utils.dateparse import parse_datetime

                record["at"] = parse_datetime(record["at"])
            previous = chain.digest(previous, record)
            updates.append((previous, pk))
        cursor.executemany("UPDATE audit_auditrecord SET chain = %s WHERE id = %s", updates)
        if postgres:
            cursor.execute("ALTER TABLE audit_auditrecord ENABLE TRIGGER audit_auditrecord_append_only")


def forwards(apps, schema_editor):
    backfill(apps, schema_editor)
    if schema_editor.connection.vendor == "sqlite":
        for sql in sqlite_guard.create_statements():
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in sqlite_guard.drop_statements():
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_audit_chain")]

    operations = [migrations.RunPython(forwards, backwards)]
