"""Writes of the reports app: making a report file (audited like every export)."""

from __future__ import annotations

import datetime as dt

from grassroots.audit.services import Actor, record
from grassroots.organizations.models import Unit

from .export import FORMATS, render
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
    if fmt not in FORMATS:
        raise ReportError(f"Định dạng không hỗ trợ: {fmt} (docx, xlsx, pdf, json).")
    if since > at:
        raise ReportError("Ngày đầu kỳ phải trước hoặc bằng ngày cuối kỳ.")
    review = build_review(unit, since, at, progress=progress)
    if summary is not None and summary.strip():
        review.summary = summary.strip().replace("\r\n", "\n")
    data = render(review, fmt)
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
    return review, data
