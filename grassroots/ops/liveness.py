"""Is a task worker alive? Read by /healthz, by job pages and by a worker when it starts.

A worker refreshes its `WorkerHeartbeat` every HEARTBEAT_SECONDS from a thread. It is dead when
its row is missing, when its beat is older than settings.WORKER_STALE_SECONDS, or — on the same
host — as soon as its process is gone (a `kill -9` is then noticed at once, not minutes later).
The stale limit is generous because on SQLite a long import holds the write lock and the beat
cannot be written until it commits.
"""

from __future__ import annotations

import datetime as dt
import os
import socket

from django.conf import settings
from django.utils import timezone

from .models import WorkerHeartbeat

HEARTBEAT_SECONDS = 5


def stale_after() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "WORKER_STALE_SECONDS", 120))


def this_host() -> str:
    return socket.gethostname()[:255]


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def is_alive(beat: WorkerHeartbeat | None) -> bool:
    if beat is None or timezone.now() - beat.seen_at > stale_after():
        return False
    if beat.host == this_host():
        return _process_exists(beat.pid)
    return True


def worker_alive(worker_id: str | None) -> bool:
    if not worker_id:
        return False
    return is_alive(WorkerHeartbeat.objects.filter(pk=worker_id).first())


def live_workers() -> list[WorkerHeartbeat]:
    recent = WorkerHeartbeat.objects.filter(seen_at__gte=timezone.now() - stale_after())
    return [beat for beat in recent if is_alive(beat)]


def task_state(task_id: str) -> tuple[str, str] | None:
    """(status, last worker id) of a task in the database queue, None if unknown (no id, another
    backend such as the tests' immediate one, or the row is gone)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.compat import task_backends
    from django_tasks_db.models import DBTaskResult

    if not task_id or not isinstance(task_backends["default"], DatabaseBackend):
        return None
    row = DBTaskResult.objects.filter(pk=task_id).values_list("status", "worker_ids").first()
    if row is None:
        return None
    status, workers = row
    return status, (workers[-1] if workers else "")


def task_abandoned(task_id: str, last_heard: dt.datetime, stale_seconds: int) -> bool:
    """Has the job run by this task been left behind (its worker died, or its task ended
    without finishing the job)? A job without a task to ask about is abandoned when it was not
    heard of for `stale_seconds`. Used by the Excel and report jobs alike."""
    state = task_state(task_id)
    if state is None:
        return (timezone.now() - last_heard).total_seconds() > stale_seconds
    status, worker = state
    if status == "READY":
        return False  # still queued: waits for a worker, however long
    if status == "RUNNING":
        return not worker_alive(worker)
    return True  # the task ended but never finished the job


def fail_if_abandoned(job, *, running, failed, message: str, stale_seconds: int):
    """The job as a page should show it: marked `failed` with `message` if its worker died
    (`task_abandoned`). For any job model with `running`, `task_id`, `updated_at`, `status` and
    `error` — the report and export jobs share it."""
    if job.running and task_abandoned(job.task_id, job.updated_at, stale_seconds):
        type(job).objects.filter(pk=job.pk, status__in=running).update(
            status=failed, error=message, updated_at=timezone.now()
        )
        job.refresh_from_db()
    return job
