"""PostgreSQL: the members table's three pattern indexes go (`…_like`, varchar_pattern_ops,
which Django adds beside every indexed or unique CharField for `LIKE 'prefix%'`). Nothing looks
members up by a prefix of those columns: a name search takes its candidates from the name
index by id (members.queries.search), a profile number is matched whole (`iexact`, `IN`) and a
citizen id exactly, which the plain indexes serve. Each was one more B-tree every member update
writes: a restructure plan bumps 170,000 members' versions (docs/performance.md "Restructure
plans", session 12). SQLite has no such indexes."""

from django.db import migrations

LIKE = {
    "members_member_search_name_943cae1c_like": "search_name",
    "members_member_citizen_id_125b8f9b_like": "citizen_id",
    "members_member_profile_number_75c84906_like": "profile_number",
}


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in LIKE:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, column in LIKE.items():
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "members_member" '
                f'("{column}" varchar_pattern_ops)'
            )


class Migration(migrations.Migration):
    dependencies = [("members", "0014_namekey_duplicate_indexes")]

    operations = [migrations.RunPython(drop, create)]
