"""`grassroots worker`: runs queued tasks (Excel imports...) from the database queue.

It is django-tasks-db's worker loop plus two things this project needs: a heartbeat (for
/healthz and for telling a dead job from a slow one) and, on start, failing the tasks and import
jobs that a killed worker left "running" — their transaction was rolled back with the process,
so nothing of them is in the database and the user must be told so.
"""

from __future__ import annotations

import logging
import os
import threading

from django.db import OperationalError, close_old_connections, connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from grassroots.derived import maintain
from grassroots.excel import export_jobs, jobs
from grassroots.reports import jobs as report_jobs

from .liveness import HEARTBEAT_SECONDS, stale_after, this_host, worker_alive
from .models import WorkerHeartbeat

logger = logging.getLogger("grassroots.worker")


class Heartbeat(threading.Thread):
    def __init__(self, worker_id: str) -> None:
        super().__init__(name="heartbeat", daemon=True)
        self.worker_id = worker_id
        self.stopped = threading.Event()

    def beat(self) -> None:
        try:
            WorkerHeartbeat.objects.filter(pk=self.worker_id).update(seen_at=timezone.now())
        except OperationalError:  # SQLite: an import holds the write lock; beat again later
            pass

    def run(self) -> None:
        try:
            while not self.stopped.wait(HEARTBEAT_SECONDS):
                self.beat()
        finally:
            connection.close()


def new_worker_id() -> str:
    return f"{this_host()[:40]}-{os.getpid()}-{get_random_string(8)}"[:64]


def fail_orphaned_tasks(*, except_worker: str = "") -> int:
    """Tasks left RUNNING by a worker that is gone: mark them failed, and their import and
    report jobs."""
    failed = 0
    for result in DBTaskResult.objects.running():
        last = result.worker_ids[-1] if result.worker_ids else ""
        if last == except_worker or worker_alive(last):
            continue
        DBTaskResult.objects.filter(pk=result.pk, status=result.status).update(
            status="FAILED", finished_at=timezone.now()
        )
        failed += 1
    jobs.fail_abandoned()
    report_jobs.fail_abandoned()
    export_jobs.fail_abandoned()
    WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - 10 * stale_after()).delete()
    return failed


def run(
    *,
    interval: float = 1.0,
    batch: bool = False,
    max_tasks: int | None = None,
    handle_signals: bool = True,
) -> None:
    worker_id = new_worker_id()
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id=worker_id, host=this_host(), pid=os.getpid(), started_at=now, seen_at=now
    )
    heartbeat = Heartbeat(worker_id)
    heartbeat.start()
    try:
        failed = fail_orphaned_tasks(except_worker=worker_id)
        if failed:
            logger.warning("marked %d task(s) of stopped workers as failed", failed)
        # a directive's placed duties a stopped worker was recomputing stay pending: queue them
        maintain.cascade_pending_requeue()
        worker = Worker(
            queue_names=["*"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=False,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        if handle_signals:  # Ctrl+C / SIGTERM: finish the running task, then stop
            worker.configure_signals()
        worker.run()
    finally:
        heartbeat.stopped.set()
        heartbeat.join(timeout=HEARTBEAT_SECONDS + 1)
        close_old_connections()
        WorkerHeartbeat.objects.filter(pk=worker_id).delete()
