"""The member list as a background export (issue 11 §8: a province's list took 27.6 s in the
web thread with no sign of life).

The page records an `ExportJob` and queues a task for `grassroots worker` (django-tasks, like
imports and reports); the worker builds the list through `exporter.members_export` (the same
rows, access limits and audit record as the direct download), writes its progress to the job
row, and keeps the file for the account that asked. The job page polls a JSON status URL. A
worker that died mid-export leaves the job failed with a Vietnamese message, as soon as anyone
looks at it or the next worker starts (grassroots.ops.liveness). Tests use the immediate backend.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from grassroots.audit.models import Source
from grassroots.audit.services import Actor, record
from grassroots.ops.liveness import fail_if_abandoned
from grassroots.organizations.models import Unit

from . import exporter
from .models import ExportJob, ExportStatus
from .workbooks import write_csv, write_xlsx

FORMATS = ("xlsx", "csv")
STALE_SECONDS = 15 * 60
INTERRUPTED = "Tiến trình nền dừng giữa chừng khi đang xuất; tệp chưa được lập. Hãy xuất lại."
RUNNING = (ExportStatus.QUEUED, ExportStatus.RUNNING)


class ExportError(ValueError):
    pass


def export_dir() -> Path:
    path = Path(settings.VAR_DIR) / "exports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def export_job_create(*, actor: Actor, unit: Unit, at: dt.date, fmt: str) -> ExportJob:
    """Ask for the member list of `unit` on `at` to be made in the background.

    `unit` must already have passed the access check (access.get_unit_for_user). The request is
    audited here (who asked for what); the export itself when the worker makes it."""
    if fmt not in FORMATS:
        raise ExportError(f"Định dạng không hỗ trợ: {fmt} (xlsx, csv).")
    if at > timezone.localdate():
        raise ExportError("Ngày tính không được sau hôm nay.")
    with transaction.atomic():
        job = ExportJob.objects.create(
            user=actor.user, unit=unit, at=at, fmt=fmt, address=actor.address or ""
        )
        record(
            actor,
            obj=job,
            action="create",
            changes={"unit": [None, unit.code], "at": [None, at], "format": [None, fmt]},
            reason="Yêu cầu xuất danh sách đảng viên",
        )
    return job


def export_downloaded(*, actor: Actor, job: ExportJob) -> None:
    """A kept export was downloaded (it lists members' personal data)."""
    record(actor, obj=job, action="download", changes={"file": [None, job.file_name]})


def run(job_id: int) -> None:
    """The task's body, in the worker."""
    if not ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, updated_at=timezone.now()
    ):
        return  # already taken (a second delivery of the same task)
    try:
        job = ExportJob.objects.select_related("user", "unit").get(pk=job_id)

        def progress(done: int, total: int, phase: str) -> None:
            ExportJob.objects.filter(pk=job_id).update(
                progress=int(80 * done / max(total, 1)), phase=phase, updated_at=timezone.now()
            )

        sheet = exporter.members_export(
            job.user,
            job.unit,
            job.at,
            Actor(job.user, Source.UI, job.address),
            job.fmt,
            progress=progress,
        )
        progress(1, 1, "Đang ghi tệp")
        if job.fmt == "csv":
            text = io.StringIO()
            write_csv(sheet, text)
            data = text.getvalue().encode("utf-8")
        else:
            buffer = io.BytesIO()
            write_xlsx([sheet], buffer)
            data = buffer.getvalue()
        path = export_dir() / f"{job.pk}.{job.fmt}"
        # members' personal data: readable by the service account only
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportStatus.DONE,
            progress=100,
            phase="",
            rows=len(sheet.rows),
            stored_path=str(path),
            size=len(data),
        )
    except Exception as exc:  # the page must say something rather than spin forever
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportStatus.FAILED, error=f"Lỗi hệ thống khi xuất: {exc}"
        )
        raise


@task()
def run_export_job(job_id: int) -> None:
    run(job_id)


def start(job: ExportJob) -> None:
    result = run_export_job.enqueue(job.pk)
    ExportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))


def refresh(job: ExportJob) -> ExportJob:
    """The job as a page should show it: failed if the worker making it died."""
    return fail_if_abandoned(
        job,
        running=RUNNING,
        failed=ExportStatus.FAILED,
        message=INTERRUPTED,
        stale_seconds=STALE_SECONDS,
    )


def fail_abandoned() -> None:
    """Called by a starting worker: fail every unfinished export whose worker is gone."""
    for job in ExportJob.objects.filter(status__in=RUNNING):
        refresh(job)
