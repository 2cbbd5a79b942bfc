"""The yearly ledger of decided member ratings (issue 11 §9), filled from the ratings already
there; the rating writer keeps it from now on."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count


def fill(apps, schema_editor):
    Rating = apps.get_model("assessments", "Rating")
    Count_ = apps.get_model("assessments", "MemberRatingCount")
    rows = (
        Rating.objects.filter(step="decision", subject="member", superseded_at__isnull=True)
        .values("year", "grassroots_id", "level_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    Count_.objects.bulk_create(
        [
            Count_(
                year=r["year"], grassroots_id=r["grassroots_id"], level_id=r["level_id"], delta=r["n"]
            )
            for r in rows
        ],
        batch_size=2000,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0004_ensure_schemes'),
        ('organizations', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='MemberRatingCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField()),
                ('delta', models.IntegerField()),
                ('grassroots', models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organizations.unit')),
                ('level', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='assessments.level')),
            ],
            options={
                'indexes': [models.Index(fields=['year', 'grassroots', 'level', 'delta'], name='assessments_count_cover')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
