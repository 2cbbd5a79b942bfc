"""A report made as a task in the worker process (`grassroots worker`), like an Excel import.

The web process records the `ReportJob` and queues a task (django-tasks, the database queue of
settings.TASKS); the worker builds and renders the report, writes its progress to the job row
(the report reads and does not hold a transaction open, so the page sees it at once) and keeps
the file. The page polls a JSON status URL. Tests use django-tasks' immediate backend.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

from grassroots.audit.models import Source
from grassroots.audit.services import Actor

from .models import ReportJob, ReportStatus


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
            ReportJob.objects.filter(pk=job_id).update(progress=int(90 * done / total))

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

    run_report_job.enqueue(job.pk)
