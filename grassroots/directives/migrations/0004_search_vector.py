from django.db import migrations

from grassroots.directives.search import install_vector, remove_vector


class Migration(migrations.Migration):
    dependencies = [("directives", "0003_study_meeting")]

    operations = [migrations.RunPython(install_vector, remove_vector)]
