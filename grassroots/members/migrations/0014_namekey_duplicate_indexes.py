"""The name index's foreign keys lose their single-column indexes: place leads the primary key
and member has its own index (members_namekey_member). Dropped by name (the same on SQLite and
PostgreSQL); AlterField would copy the table on SQLite."""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "members_membernamekey"
DROPPED = {
    "member_id": "members_membernamekey_member_id_b2a3b612",
    "place_id": "members_membernamekey_place_id_d2fd5e09",
}


class Migration(migrations.Migration):
    dependencies = [
        ('members', '0013_stint_moves_partial_indexes'),
        ('organizations', '0002_unitancestry_ancestor_to'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "{TABLE}" ("{column}")',
                )
                for column, name in DROPPED.items()
            ],
            state_operations=[
        migrations.AlterField(
            model_name='membernamekey',
            name='member',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='members.member'),
        ),
        migrations.AlterField(
            model_name='membernamekey',
            name='place',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='organizations.unit'),
        ),
                ],
        ),
    ]
