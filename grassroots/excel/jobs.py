"""Running an upload's check and import in a background thread, reporting into `ImportJob`.

The thread writes its progress to the job row (throttled); the page polls a JSON status URL.
With settings.EXCEL_IMPORT_INLINE (tests) the work runs in the request instead.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection

from grassroots.audit.models import Source
from grassroots.audit.services import Actor

from .importer import Importer
from .models import ImportJob, JobStatus

STALE_SECONDS = 15 * 60  # a running job not heard of for this long died with its process


def upload_dir() -> Path:
    path = (
        Path(settings.VAR_DIR) / "imports"
        if hasattr(settings, "VAR_DIR")
        else Path("/tmp/grassroots-imports")
    )
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def store_upload(name: str, chunks) -> Path:
    """Write an upload under a random name, readable by this account only (0600: the file holds
    members' personal data)."""
    suffix = Path(name).suffix.lower()[:8]
    stored = upload_dir() / f"{uuid.uuid4().hex}{suffix}"
    descriptor = os.open(stored, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        for chunk in chunks:
            out.write(chunk)
    return stored


def _remove_upload(job_id: int) -> None:
    """A job that will not be confirmed keeps no copy of the file."""
    path = ImportJob.objects.filter(pk=job_id).values_list("stored_path", flat=True).first()
    if path:
        Path(path).unlink(missing_ok=True)


class _Reporter:
    def __init__(self, job_id: int) -> None:
        self.job_id, self.last = job_id, 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.5 and done < total:
            return
        self.last = now
        percent = int(100 * done / total) if total else 0
        ImportJob.objects.filter(pk=self.job_id).update(
            phase=phase[:100], progress=min(percent, 100)
        )


def _finish(job_id: int, status: str, report) -> None:
    messages = report.messages()
    ImportJob.objects.filter(pk=job_id).update(
        status=status,
        counts=report.counts,
        errors=messages[: ImportJob.MAX_STORED_ERRORS],
        error_count=len(messages),
        progress=100,
        phase="",
    )
    if status != JobStatus.READY:  # nothing more will be done with the uploaded file
        _remove_upload(job_id)


def _work(job_id: int, confirm: bool) -> None:
    in_thread = threading.current_thread() is not threading.main_thread()
    if in_thread:
        close_old_connections()
    try:
        job = ImportJob.objects.select_related("user").get(pk=job_id)
        importer = Importer(
            job.stored_path, job.file_name, user=job.user, progress=_Reporter(job_id)
        )
        actor = Actor(job.user, Source.IMPORT, job.address)
        if not confirm:
            report = importer.run(actor=actor, dry_run=True)
            _finish(job_id, JobStatus.READY if report.ok else JobStatus.INVALID, report)
        else:
            report = importer.run(actor=actor)
            _finish(job_id, JobStatus.DONE if report.ok else JobStatus.INVALID, report)
    except Exception as exc:  # the page must say something rather than spin forever
        ImportJob.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED,
            errors=[f"Lỗi hệ thống khi xử lý tệp: {exc}"],
            error_count=1,
            phase="",
        )
        _remove_upload(job_id)
        raise
    finally:
        if in_thread:
            connection.close()


def start(job: ImportJob, *, confirm: bool = False) -> None:
    status = JobStatus.IMPORTING if confirm else JobStatus.CHECKING
    ImportJob.objects.filter(pk=job.pk).update(status=status, progress=0, phase="")
    if getattr(settings, "EXCEL_IMPORT_INLINE", False):
        _work(job.pk, confirm)
        return
    threading.Thread(
        target=_work, args=(job.pk, confirm), name=f"import-{job.pk}", daemon=True
    ).start()


def mark_stale(job: ImportJob) -> ImportJob:
    """A job left 'running' by a process that restarted is reported as failed (nothing was written:
    the import is one transaction)."""
    from django.utils import timezone

    if job.running and (timezone.now() - job.updated_at).total_seconds() > STALE_SECONDS:
        ImportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            errors=["Tiến trình nhập bị gián đoạn; chưa ghi gì. Hãy tải tệp lên lại."],
            error_count=1,
        )
        _remove_upload(job.pk)
        job.refresh_from_db()
    return job
