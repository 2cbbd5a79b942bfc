from django.db import migrations


def build_meeting_ancestor_months(apps, schema_editor):
    # Derived data: an existing meeting book gets its per-ancestor rollup once, from the per-cell
    # rollup, by the same code that keeps it (derived.meeting_months.rebuild_ancestors); a new
    # database has no meetings and skips this.
    MeetingMonth = apps.get_model("figures", "MeetingMonth")
    if MeetingMonth.objects.using(schema_editor.connection.alias).exists():
        from grassroots.derived import maintain

        maintain.meeting_ancestors_rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0005_attendance_unit_index"),
        ("figures", "0007_meeting_absence_month"),
    ]

    operations = [migrations.RunPython(build_meeting_ancestor_months, migrations.RunPython.noop)]
