"""Printable documents the cell must produce (DOCX, python-docx): the cell's resolution
proposing admission (form 6-KNĐ in the 2017-era numbering, domain-processes.md §4)."""

from __future__ import annotations

import io

from django.utils import timezone

from grassroots.core.dates import vn
from grassroots.organizations.queries import ancestors_at, display_version

from .models import Candidate, StepKind


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.2f}%".replace(".", ",") if whole else "—"


def cell_resolution(case: Candidate) -> bytes:
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    steps = list(case.steps.filter(voided_at__isnull=True).order_by("date", "id"))
    vote = next((s for s in reversed(steps) if s.kind == StepKind.CELL_VOTE and s.passed), None)
    day = vote.date if vote else timezone.localdate()
    cell = display_version(case.cell, day)
    parents = ancestors_at(case.cell, day)
    upper = parents[-1].name if parents else ""
    doc = Docx()
    header = doc.add_table(rows=1, cols=2)
    header.cell(0, 0).text = f"{upper.upper()}\n{cell.name.upper()}\n*"
    header.cell(0, 1).text = f"ĐẢNG CỘNG SẢN VIỆT NAM\n\n{vn(day)}"
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run("NGHỊ QUYẾT\nđề nghị kết nạp đảng viên").bold = True
    doc.add_paragraph(
        f"Ngày {vn(day)}, {cell.name} đã họp xét đề nghị kết nạp vào Đảng đối với quần chúng "
        f"{case.full_name}, sinh ngày {vn(case.birth_date)}; quê quán: {case.hometown or '—'}; "
        f"nơi cư trú: {case.residence or '—'}; nghề nghiệp: {case.occupation or '—'}."
    )
    if vote is not None:
        doc.add_paragraph(
            f"Tổng số đảng viên chính thức của chi bộ: {vote.official_members}; số đồng chí "
            f"tán thành kết nạp: {vote.votes_for} ({_pct(vote.votes_for, vote.official_members)})."
        )
    else:
        doc.add_paragraph("Chi bộ chưa biểu quyết đạt đề nghị kết nạp (bản nháp).")
    doc.add_paragraph(
        f"Chi bộ đề nghị cấp ủy cấp trên xem xét, kết nạp quần chúng {case.full_name} vào "
        "Đảng Cộng sản Việt Nam."
    )
    sign = doc.add_paragraph("T/M CHI BỘ\nBÍ THƯ")
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
