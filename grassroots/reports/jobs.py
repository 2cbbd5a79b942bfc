"""Running a report job in a background thread, reporting progress into `ReportJob`.

The excel import's mechanism (excel/jobs.py): a daemon thread writes its progress to the job
row, the page polls a JSON status URL, and with settings.REPORT_JOBS_INLINE (tests) the work
runs in the request instead. When the platform's task queue lands, `start` enqueues instead.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection

from grassroots.audit.models import Source
from grassroots.audit.services import Actor

from .models import ReportJob, ReportStatus


def report_dir() -> Path:
    path = Path(settings.VAR_DIR) / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _work(job_id: int) -> None:
    from .services import review_export

    in_thread = threading.current_thread() is not threading.main_thread()
    if in_thread:
        close_old_connections()
    try:
        job = ReportJob.objects.select_related("user", "unit").get(pk=job_id)
        ReportJob.objects.filter(pk=job_id).update(status=ReportStatus.RUNNING, phase="")

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
    finally:
        if in_thread:
            connection.close()


def start(job: ReportJob) -> None:
    if getattr(settings, "REPORT_JOBS_INLINE", False):
        _work(job.pk)
        return
    threading.Thread(target=_work, args=(job.pk,), name=f"report-{job.pk}", daemon=True).start()
