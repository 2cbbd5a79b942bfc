"""What the national generator wrote into this database, so benchmarks can reuse it."""

from django.db import models


class Dataset(models.Model):
    scale = models.CharField(max_length=16)
    members = models.PositiveIntegerField()
    seed = models.IntegerField()
    counts = models.JSONField(default=dict)  # rows written per table
    seconds = models.FloatField()
    rows_per_s = models.FloatField()
    peak_rss_mb = models.FloatField()
    created = models.DateTimeField(auto_now_add=True)
