"""Writes of the reports app: making a report file (audited like every export)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from grassroots.audit.services import Actor, record
from grassroots.organizations.models import Unit

from .export import FORMATS, render
from .models import ReportJob
from .review import Review, build_review


class ReportError(ValueError):
    pass


def review_export(
    *,
    actor: Actor,
    unit: Unit,
    since: dt.date,
    at: dt.date,
    fmt: str,
    summary: str | None = None,
    progress=None,
) -> tuple[Review, bytes]:
    """Build the review report of `unit` between the dates, render it, and record the export.

    `unit` must already have passed the access check (access.get_report_unit_for_user).
    `summary` replaces the generated written summary (the text a clerk edited).
    """
    review, files = review_exports(
        actor=actor, unit=unit, since=since, at=at, fmts=[fmt], summary=summary, progress=progress
    )
    return review, files[fmt]


def review_exports(
    *,
    actor: Actor,
    unit: Unit,
    since: dt.date,
    at: dt.date,
    fmts: list[str],
    summary: str | None = None,
    progress=None,
) -> tuple[Review, dict[str, bytes]]:
    """The report built once and rendered in each of `fmts` (the CLI's repeated `--out`: the
    same figures in DOCX, XLSX, PDF and JSON without counting four times); each file is an
    export of its own in the audit trail."""
    for fmt in fmts:
        if fmt not in FORMATS:
            raise ReportError(f"Định dạng không hỗ trợ: {fmt} (docx, xlsx, pdf, json).")
    if since > at:
        raise ReportError("Ngày đầu kỳ phải trước hoặc bằng ngày cuối kỳ.")
    review = build_review(unit, since, at, progress=progress)
    if summary is not None and summary.strip():
        review.summary = summary.strip().replace("\r\n", "\n")
    files = {}
    for fmt in fmts:
        files[fmt] = render(review, fmt)
        record(
            actor,
            obj=unit,
            action="export",
            changes={
                "export": [None, "review_report"],
                "format": [None, fmt],
                "since": [None, since.isoformat()],
                "at": [None, at.isoformat()],
            },
            reason="Xuất báo cáo sơ kết, tổng kết",
        )
    return review, files


def report_job_create(
    *,
    actor: Actor,
    unit: Unit,
    since: dt.date,
    at: dt.date,
    fmt: str,
    summary: str = "",
) -> ReportJob:
    """Ask for a review report to be made in the background and kept for the actor.

    `unit` must already have passed the access check. The making itself is audited by
    `review_export` when the job runs; the request is audited here (who asked, for what)."""
    if fmt not in FORMATS:
        raise ReportError(f"Định dạng không hỗ trợ: {fmt} (docx, xlsx, pdf, json).")
    if since > at:
        raise ReportError("Ngày đầu kỳ phải trước hoặc bằng ngày cuối kỳ.")
    with transaction.atomic():
        job = ReportJob.objects.create(
            user=actor.user,
            unit=unit,
            since=since,
            at=at,
            fmt=fmt,
            summary=(summary or "").strip().replace("\r\n", "\n"),
            address=actor.address or "",
        )
        record(
            actor,
            obj=job,
            action="create",
            changes={
                "unit": [None, unit.code],
                "since": [None, since],
                "at": [None, at],
                "format": [None, fmt],
            },
            reason="Yêu cầu lập báo cáo",
        )
    return job


def report_downloaded(*, actor: Actor, job: ReportJob) -> None:
    """A kept report was downloaded (a report is personal data when it lists names)."""
    record(actor, obj=job, action="download", changes={"file": [None, job.file_name]})
