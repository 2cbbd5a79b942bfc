"""The Vietnamese collation names are ordered by on PostgreSQL (core.text.vietnamese).

Created here rather than relying on the "vi-x-icu" that initdb imports from ICU: a cluster
initialised without ICU import, or a managed service, may lack it, and a migration says what the
database needs. ICU's Vietnamese rules are the dictionary's (ă after a, â after ă, đ after d; the
tones break ties only). SQLite has no ICU: core.text teaches each connection a "vi" collation.
"""

from django.db import migrations

NAME = "vietnamese"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE COLLATION IF NOT EXISTS "{NAME}" (provider = icu, locale = \'vi\')'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP COLLATION IF EXISTS "{NAME}"')


class Migration(migrations.Migration):
    dependencies: list = []
    operations = [migrations.RunPython(create, drop, elidable=False)]
