# Issue 17, session 10: a whole root's placed duties recomputed by the worker (pending, halves).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('figures', '0011_cascade_duty_count'),
    ]

    operations = [
        migrations.CreateModel(
            name='CascadeDutyFlip',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('document_id', models.BigIntegerField(unique=True)),
            ],
        ),
        migrations.CreateModel(
            name='CascadeDutyPending',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('root_id', models.BigIntegerField(unique=True)),
                ('generation', models.IntegerField(default=1)),
                ('since', models.DateTimeField()),
                ('claimed_at', models.DateTimeField(null=True)),
            ],
        ),
        migrations.CreateModel(
            name='CascadeDutyPendingUnit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('root_id', models.BigIntegerField()),
                ('unit_id', models.BigIntegerField()),
            ],
            options={
                'indexes': [models.Index(fields=['root_id', 'unit_id'], name='cascadependingunit_root')],
            },
        ),
    ]
