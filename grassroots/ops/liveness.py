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
