from django.db import migrations

from grassroots.directives.search import install


class Migration(migrations.Migration):
    dependencies = [("directives", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
