"""A report made as a task in the worker process (`grassroots worker`), like an Excel import.

The web process records the `ReportJob` and queues a task (django-tasks, the database queue of
settings.TASKS); the worker builds and renders the report, writes its progress to the job row
(the report reads and does not hold a transaction open, so the page sees it at once) and keeps
the file. The page polls a JSON status URL. Tests use django-tasks' immediate backend.

A worker killed while making a report (`kill -9`, out of memory, a reboot) leaves the job
"Đang lập": like an Excel job, it is marked failed with a Vietnamese message as soon as anyone
looks at it (the job page, its status, the list) or the next worker starts, from the task's
state and the worker's heartbeat (grassroots.ops.liveness). Nothing is kept of a half-made file.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from grassroots.audit.models import Source
from grassroots.audit.services import Actor
from grassroots.ops.liveness import fail_if_abandoned

from .models import ReportJob, ReportStatus

STALE_SECONDS = 15 * 60  # a job with no task to ask about, not heard of for this long, is dead
INTERRUPTED = (
    "Tiến trình nền dừng giữa chừng khi đang lập báo cáo; báo cáo chưa được lập. "
    "Hãy lập lại báo cáo."
)
RUNNING = (ReportStatus.QUEUED, ReportStatus.RUNNING)


def report_dir() -> Path:
    path = Path(settings.VAR_DIR) / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def run(job_id: int) -> None:
    """The task's body, in the worker."""
    from .services import review_export

    if not ReportJob.objects.filter(pk=job_id, status=ReportStatus.QUEUED).update(
        status=ReportStatus.RUNNING
    ):
        return  # already taken (a second delivery of the same task)
    try:
        job = ReportJob.objects.select_related("user", "unit").get(pk=job_id)

        def progress(done: int, total: int) -> None:
            ReportJob.objects.filter(pk=job_id).update(
                progress=int(90 * done / total), updated_at=timezone.now()
            )

        _review, data = review_export(
            actor=Actor(job.user, Source.UI, job.address),
            unit=job.unit,
            since=job.since,
            at=job.at,
            fmt=job.fmt,
            summary=job.summary or None,
            progress=progress,
        )
        path = report_dir() / f"{job.pk}.{job.fmt}"
        # a report lists personal data: readable by the service account only
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        ReportJob.objects.filter(pk=job_id).update(
            status=ReportStatus.DONE, progress=100, stored_path=str(path), size=len(data)
        )
    except Exception as exc:  # the page must say something rather than spin forever
        ReportJob.objects.filter(pk=job_id).update(
            status=ReportStatus.FAILED, error=f"Lỗi hệ thống khi lập báo cáo: {exc}"
        )
        raise


def start(job: ReportJob) -> None:
    from .tasks import run_report_job

    result = run_report_job.enqueue(job.pk)
    ReportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))


def refresh(job: ReportJob) -> ReportJob:
    """The job as a page should show it: failed if the worker making it died."""
    return fail_if_abandoned(
        job,
        running=RUNNING,
        failed=ReportStatus.FAILED,
        message=INTERRUPTED,
        stale_seconds=STALE_SECONDS,
    )


def fail_abandoned() -> None:
    """Called by a starting worker: fail every unfinished report whose worker is gone."""
    for job in ReportJob.objects.filter(status__in=RUNNING):
        refresh(job)
