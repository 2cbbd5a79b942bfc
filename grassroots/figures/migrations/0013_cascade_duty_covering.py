# Issue 17, session 10: the placed duties' indexes cover the tracker's two statements (cold runs).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('figures', '0012_cascade_duty_pending'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='cascadeduty',
            name='cascadeduty_place_grouped',
        ),
        migrations.RemoveIndex(
            model_name='cascadeduty',
            name='cascadeduty_unit',
        ),
        migrations.AddIndex(
            model_name='cascadeduty',
            index=models.Index(fields=['asked_id', 'ancestor_id', 'grouped', 'child_id', 'at_from', 'at_to', 'unit_id', 'live', 'last_excl', 'requirement_id', 'deadline', 'done_on', 'ended', 'org_until', 'issued_until', 'late_until'], name='cascadeduty_place_cover'),
        ),
        migrations.AddIndex(
            model_name='cascadeduty',
            index=models.Index(fields=['asked_id', 'unit_id', 'ancestor_id', 'at_from', 'at_to', 'org_until', 'study_until', 'live', 'child_id', 'last_excl'], name='cascadeduty_unit_cover'),
        ),
    ]
