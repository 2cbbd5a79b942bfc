"""Renderers of a `Review`: one module per format, all reading the same data."""

from __future__ import annotations

FORMATS = ("json", "docx", "xlsx", "pdf")
CONTENT_TYPES = {
    "json": "application/json",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def render(review, fmt: str) -> bytes:
    if fmt == "json":
        import json

        return json.dumps(review.as_json(), ensure_ascii=False, indent=2).encode()
    if fmt == "docx":
        from .docx import render_docx

        return render_docx(review)
    if fmt == "xlsx":
        from .xlsx import render_xlsx

        return render_xlsx(review)
    if fmt == "pdf":
        from .pdf import render_pdf

        return render_pdf(review)
    raise ValueError(f"unknown report format {fmt!r}")
