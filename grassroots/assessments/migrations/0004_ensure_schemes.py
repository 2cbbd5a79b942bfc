"""Seed the schemes where 0002 ran while it was still an empty placeholder (an early commit
carried it empty). A no-op wherever the schemes are already there."""

import importlib

from django.db import migrations


def ensure(apps, schema_editor):
    if apps.get_model("assessments", "Scheme").objects.exists():
        return
    importlib.import_module("grassroots.assessments.migrations.0002_seed_schemes").seed(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0003_rating_fewer_indexes")]

    operations = [migrations.RunPython(ensure, migrations.RunPython.noop)]
