from django.db import migrations


def build_index(apps, schema_editor):
    # Derived data: existing databases get their index built once, by the same code that keeps
    # it (members.search_index.rebuild); a new database has no members and skips this.
    Member = apps.get_model("members", "Member")
    if Member.objects.using(schema_editor.connection.alias).exists():
        from grassroots.derived import name_index as search_index

        search_index.rebuild()


class Migration(migrations.Migration):
    # Apart from 0003: the table's indexes are created at the end of that migration.
    dependencies = [("members", "0003_name_search_index")]

    operations = [migrations.RunPython(build_index, migrations.RunPython.noop)]
