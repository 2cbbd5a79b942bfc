from django.db import migrations


def build_meeting_months(apps, schema_editor):
    # Derived data: an existing meeting book gets its monthly rollup once, from the same code that
    # keeps it (meetings.rollup.rebuild); a new database has no meetings and skips this.
    Meeting = apps.get_model("meetings", "Meeting")
    if Meeting.objects.using(schema_editor.connection.alias).exists():
        from grassroots.meetings import rollup

        rollup.rebuild()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0003_suspended_count"), ("figures", "0005_meeting_month")]

    operations = [migrations.RunPython(build_meeting_months, migrations.RunPython.noop)]
