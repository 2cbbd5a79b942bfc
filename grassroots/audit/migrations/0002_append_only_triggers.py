"""On PostgreSQL the trail is append-only in the database itself: a trigger refuses UPDATE and
DELETE on the audit tables, whatever SQL the app (or a mistake in it) sends. TRUNCATE, used by a
full restore and by test teardown, is a separate statement and stays possible for the owner.
SQLite has no such guard: there the models, querysets and signal guards refuse."""

from django.db import migrations

TABLES = ["audit_auditrecord", "audit_profileview"]

FUNCTION = """
CREATE OR REPLACE FUNCTION grassroots_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Audit records cannot be changed or deleted (%)', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION grassroots_audit_append_only()"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS grassroots_audit_append_only()")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
