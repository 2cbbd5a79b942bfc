from django.db import migrations, models


def hold_seniority(apps, schema_editor):
    # Derived data: every member's held seniority from its live events, by the code that keeps
    # it later (derived.member_seniority, lifecycle.seniority_held).
    from grassroots.derived.member_seniority import refresh

    refresh(None, apps.get_model("members", "Member"), apps.get_model("members", "MemberEvent"))


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0008_held_levels"),
    ]

    operations = [
        migrations.AddField(
            model_name="member",
            name="seniority_held",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="member",
            name="seniority_held_since",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(hold_seniority, migrations.RunPython.noop),
    ]
