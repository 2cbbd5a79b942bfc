"""The stints' foreign keys lose their database constraints (members.models.MemberStint: derived
rows, written in bulk). PostgreSQL: the constraints are dropped (found by table, whatever their
names); reversed, added back as Django makes them. SQLite: the table keeps its REFERENCES
clauses (dropping them would copy the whole table; SQLite checks them with one index lookup
per row as it writes, not at commit)."""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "members_memberstint"
KEYS = {  # column → referenced table
    "member_id": "members_member",
    "unit_id": "organizations_unit",
    "came_from_id": "organizations_unit",
    "went_to_id": "organizations_unit",
}


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
            [TABLE],
        )
        for (name,) in cursor.fetchall():
            schema_editor.execute(f'ALTER TABLE "{TABLE}" DROP CONSTRAINT "{name}"')


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column, target in KEYS.items():
        schema_editor.execute(
            f'ALTER TABLE "{TABLE}" ADD CONSTRAINT "{TABLE}_{column}_fk" FOREIGN KEY ("{column}") '
            f'REFERENCES "{target}" ("id") DEFERRABLE INITIALLY DEFERRED'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0011_fk_indexes_covered"),
        ("organizations", "0002_unitancestry_ancestor_to"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop, add)],
            state_operations=[
                migrations.AlterField(
                    model_name="memberstint",
                    name="came_from",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="organizations.unit",
                    ),
                ),
                migrations.AlterField(
                    model_name="memberstint",
                    name="member",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="stints",
                        to="members.member",
                    ),
                ),
                migrations.AlterField(
                    model_name="memberstint",
                    name="unit",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="stints",
                        to="organizations.unit",
                    ),
                ),
                migrations.AlterField(
                    model_name="memberstint",
                    name="went_to",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="organizations.unit",
                    ),
                ),
            ],
        ),
    ]
