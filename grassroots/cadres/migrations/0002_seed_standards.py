"""Seed the default standards (cadres/config.py SEED; [UNCONFIRMED] rows have confirmed=False)."""

from django.db import migrations


def seed(apps, schema_editor):
    from grassroots.cadres.config import SEED

    StandardVersion = apps.get_model("cadres", "StandardVersion")
    StandardRule = apps.get_model("cadres", "StandardRule")
    for code, name, effective, note, rules in SEED:
        if StandardVersion.objects.filter(code=code).exists():
            continue
        version = StandardVersion.objects.create(
            code=code, name=name, effective=effective, note=note
        )
        for post, kind, gtype, q_kind, level, confirmed, source in rules:
            StandardRule.objects.create(
                version=version, post=post, unit_kind=kind, grassroots_type=gtype, kind=q_kind,
                min_level=level, confirmed=confirmed, source=source,
            )


class Migration(migrations.Migration):
    dependencies = [("cadres", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
