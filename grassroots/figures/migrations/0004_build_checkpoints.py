from django.db import migrations


def build_checkpoints(apps, schema_editor):
    # Derived data: existing ledgers get their checkpoints once, from the same code that keeps
    # them (figures.checkpoints.rebuild); a new database has an empty ledger and skips this.
    FigureDelta = apps.get_model("figures", "FigureDelta")
    if FigureDelta.objects.using(schema_editor.connection.alias).exists():
        from grassroots.derived import checkpoints

        checkpoints.rebuild()


class Migration(migrations.Migration):
    # Apart from 0002: on SQLite the table's indexes are created at the end of that migration.
    dependencies = [("figures", "0003_ledger_ancestor_index")]

    operations = [migrations.RunPython(build_checkpoints, migrations.RunPython.noop)]
