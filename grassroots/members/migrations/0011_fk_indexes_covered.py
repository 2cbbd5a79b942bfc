"""The single-column indexes of six foreign keys of events and stints go: each key leads a
composite index that serves the same lookups (members.models). Dropped by name rather than by
AlterField, which on SQLite copies both tables (millions of rows) to drop an index and on
PostgreSQL drops nothing."""

import django.db.models.deletion
from django.db import migrations, models

# (table, column, index name Django gave it: the same on SQLite and PostgreSQL)
DROPPED = [
    ("members_memberevent", "member_id", "members_memberevent_member_id_0cf90450"),
    ("members_memberevent", "unit_id", "members_memberevent_unit_id_6d24a5e8"),
    ("members_memberstint", "came_from_id", "members_memberstint_came_from_id_6e8c69c0"),
    ("members_memberstint", "member_id", "members_memberstint_member_id_35a2e1c8"),
    ("members_memberstint", "unit_id", "members_memberstint_unit_id_d2e7bf59"),
    ("members_memberstint", "went_to_id", "members_memberstint_went_to_id_d41dd756"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0010_event_discipline_index"),
        ("organizations", "0002_unitancestry_ancestor_to"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "{table}" ("{column}")',
                )
                for table, column, name in DROPPED
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="memberevent",
                    name="member",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="members.member",
                    ),
                ),
                migrations.AlterField(
                    model_name="memberevent",
                    name="unit",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text="Chi bộ kết nạp, chi bộ chuyển đến, hoặc nơi sinh hoạt tạm thời.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="member_events",
                        to="organizations.unit",
                        verbose_name="chi bộ",
                    ),
                ),
                migrations.AlterField(
                    model_name="memberstint",
                    name="came_from",
                    field=models.ForeignKey(
                        blank=True,
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
