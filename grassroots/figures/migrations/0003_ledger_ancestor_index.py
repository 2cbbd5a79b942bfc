import django.db.models.deletion
from django.db import migrations, models


def _ancestor_only_indexes(schema_editor):
    table = "figures_figuredelta"
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, table)
    return [
        name
        for name, info in constraints.items()
        if info["index"] and not info["unique"] and info["columns"] == ["ancestor_id"]
    ]


def drop_index(apps, schema_editor):
    # The unique (ancestor_id, date) index already serves lookups by ancestor. With a second,
    # smaller index on ancestor_id alone, PostgreSQL reads all of an ancestor's rows and filters
    # by date, instead of the one year the checkpoints leave to read. Dropped by name rather than
    # by AlterField, which on SQLite would copy the whole ledger into a new table.
    for name in _ancestor_only_indexes(schema_editor):
        schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def create_index(apps, schema_editor):
    if not _ancestor_only_indexes(schema_editor):
        schema_editor.execute(
            'CREATE INDEX "figures_figuredelta_ancestor_id_7803a9a0"'
            ' ON "figures_figuredelta" ("ancestor_id")'
        )


class Migration(migrations.Migration):
    dependencies = [("figures", "0002_figure_checkpoint")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_index, create_index)],
            state_operations=[
                migrations.AlterField(
                    model_name="figuredelta",
                    name="ancestor",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="organizations.unit",
                    ),
                ),
            ],
        ),
    ]
