from django.db import migrations


def build_quality_ancestor_months(apps, schema_editor):
    # Derived data: an existing meeting book gets its per-ancestor quality rollup once, from the
    # sheets, by the same code that keeps it (derived.meeting_months.rebuild_quality); a
    # database without sheets skips this.
    QualityScore = apps.get_model("meetings", "QualityScore")
    if QualityScore.objects.using(schema_editor.connection.alias).exists():
        from grassroots.derived import meeting_months

        meeting_months.rebuild_quality()


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0006_build_meeting_ancestor_months"),
        ("figures", "0010_quality_ancestor_month"),
    ]

    operations = [
        migrations.RunPython(build_quality_ancestor_months, migrations.RunPython.noop)
    ]
