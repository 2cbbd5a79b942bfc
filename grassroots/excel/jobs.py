"""An upload's check and import run as a task in the worker process (`grassroots worker`).

The web process only records the `ImportJob` and queues a task (django-tasks, database queue): a
large or hostile file can then never take the web server down with it, and a job survives a web
restart. Every status change is an atomic check-and-set (`UPDATE … WHERE status = expected`), so
two clicks on "Xác nhận nhập" queue one import, not two (issue 20 §12).

Progress: rows written inside the import's transaction are invisible to the web until it
commits, so the worker also writes its progress to a small file beside the upload (the worker
reads the upload, so web and worker share that folder anyway) and the page reads it from there.

A worker killed mid-job (`kill -9`, out of memory, a reboot) rolls its transaction back with it:
nothing is written. The job is then marked failed as soon as anyone looks at it (the page, or the
next worker to start), from the task's state and the worker's heartbeat (grassroots.ops.liveness).
"""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection

from grassroots.audit.models import Source
from grassroots.audit.services import Actor
from grassroots.ops.liveness import task_abandoned

from .importer import Importer
from .models import RUNNING, ImportJob, JobStatus

STALE_SECONDS = 15 * 60  # a job with no task to ask about, not heard of for this long, is dead
WAITING = "Đang chờ tiến trình nền"
INTERRUPTED = (
    "Tiến trình nền dừng giữa chừng khi đang xử lý tệp; chưa ghi gì vào cơ sở dữ liệu. "
    "Hãy tải tệp lên lại."
)


def upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
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


def _progress_file(stored_path: str) -> Path:
    return Path(f"{stored_path}.progress")


class _Reporter:
    def __init__(self, job: ImportJob) -> None:
        self.job_id, self.file, self.last = job.pk, _progress_file(job.stored_path), 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.5 and done < total:
            return
        self.last = now
        percent = min(int(100 * done / total) if total else 0, 100)
        scratch = self.file.with_suffix(".tmp")
        scratch.write_text(json.dumps({"phase": phase[:100], "progress": percent}))
        os.replace(scratch, self.file)  # the reader never sees half a file
        if not connection.in_atomic_block:  # inside, the row would stay locked and unseen
            ImportJob.objects.filter(pk=self.job_id).update(phase=phase[:100], progress=percent)


def _clean_up(stored_path: str, *, keep_upload: bool) -> None:
    _progress_file(stored_path).unlink(missing_ok=True)
    if not keep_upload:
        Path(stored_path).unlink(missing_ok=True)


def _set(job: ImportJob, expected: str, **changes) -> bool:
    """Check-and-set: change the job only if its status is still `expected`."""
    return ImportJob.objects.filter(pk=job.pk, status=expected).update(**changes) == 1


def _finish(job: ImportJob, expected: str, status: str, report) -> None:
    messages, notices = report.messages(), report.notices()
    _set(
        job,
        expected,
        status=status,
        counts=report.counts,
        errors=messages[: ImportJob.MAX_STORED_ERRORS],
        error_count=len(messages),
        notices=notices[: ImportJob.MAX_STORED_ERRORS],
        notice_count=len(notices),
        progress=100,
        phase="",
    )
    _clean_up(job.stored_path, keep_upload=status == JobStatus.READY)


def _fail(job: ImportJob, expected: str, message: str) -> bool:
    failed = _set(job, expected, status=JobStatus.FAILED, errors=[message], error_count=1, phase="")
    if failed:
        _clean_up(job.stored_path, keep_upload=False)
    return failed


def run(job_id: int, confirm: bool) -> None:
    """The task's body, in the worker: check (dry run) or import the upload of job `job_id`."""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if confirm:
        running = JobStatus.IMPORTING  # set by `confirm` before queuing
        if job.status != running:
            return
        _set(job, running, phase="", progress=0)
    else:
        running = JobStatus.CHECKING
        if not _set(job, JobStatus.QUEUED, status=running, phase="", progress=0):
            return  # already taken (a second delivery of the same task)
    try:
        importer = Importer(job.stored_path, job.file_name, user=job.user, progress=_Reporter(job))
        actor = Actor(job.user, Source.IMPORT, job.address)
        report = importer.run(actor=actor, dry_run=not confirm)
        success = JobStatus.DONE if confirm else JobStatus.READY
        _finish(job, running, success if report.ok else JobStatus.INVALID, report)
    except Exception as exc:  # the page must say something rather than spin forever
        _fail(job, running, f"Lỗi hệ thống khi xử lý tệp: {exc}")
        raise


def _queue(job: ImportJob, *, confirm: bool) -> None:
    from .tasks import run_import_job

    result = run_import_job.enqueue(job.pk, confirm)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))


def queue_check(job: ImportJob) -> None:
    """A new upload: the worker checks it (nothing is written) and reports what it would do."""
    ImportJob.objects.filter(pk=job.pk).update(phase=WAITING)
    _queue(job, confirm=False)


def confirm(job: ImportJob) -> bool:
    """The user confirmed a checked upload: queue its import once. False if it was not (or no
    longer) waiting for confirmation — e.g. the second of two quick clicks."""
    if not _set(job, JobStatus.READY, status=JobStatus.IMPORTING, phase=WAITING, progress=0):
        return False
    _queue(job, confirm=True)
    return True


def _is_dead(job: ImportJob) -> bool:
    return task_abandoned(job.task_id, job.updated_at, STALE_SECONDS)


def refresh(job: ImportJob) -> ImportJob:
    """The job as a page should show it: failed if its worker died, live progress if running."""
    if not job.running:
        return job
    if _is_dead(job):
        _fail(job, job.status, INTERRUPTED)
        job.refresh_from_db()
        return job
    try:
        live = json.loads(_progress_file(job.stored_path).read_text())
        job.phase, job.progress = live["phase"], live["progress"]
    except (OSError, ValueError, KeyError):
        pass
    return job


def fail_abandoned() -> None:
    """Called by a starting worker: fail every running job whose worker is gone."""
    for job in ImportJob.objects.filter(status__in=RUNNING):
        refresh(job)
