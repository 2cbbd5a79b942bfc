"""What the running platform knows about itself: which task workers are alive."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per running `grassroots worker`, refreshed every few seconds by a thread.

    /healthz reads it for worker liveness, and a job whose worker stopped beating (or whose process
    is gone, when on the same host) is marked failed instead of spinning forever."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"
