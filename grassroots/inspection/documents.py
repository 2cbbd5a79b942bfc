"""Decisions and conclusions as party documents (DOCX and PDF), laid out like the review report
(reports/export: the HD 36 header, Times New Roman in Word, the embedded DejaVu faces in PDF)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from grassroots.core.dates import vn
from grassroots.organizations.models import Kind
from grassroots.organizations.queries import ancestors_at, display_version
from grassroots.reports.export.common import Header
from grassroots.reports.export.docx import FONT, _paragraph
from grassroots.reports.export.pdf import _styles

from .models import Case, Decision, Organ


@dataclass
class Paper:
    header: Header
    paragraphs: list[str]
    signature: str
    number: str = ""  # "Số 207-QĐ/UBKT" under the issuing body (HD 36 §II.1.3); "" when unknown


def _header(body, organ: str, day, title: str, subtitle: str) -> Header:
    version = display_version(body, day)
    path = ancestors_at(body, day)
    province = next((v.name for v in [*path, version] if v.kind == Kind.PROVINCE), version.name)
    committee = version.name
    if organ == Organ.INSPECTION_COMMISSION:
        committee = f"Ủy ban Kiểm tra {committee}"
    superior = version.name if organ == Organ.INSPECTION_COMMISSION else (
        path[-1].name if path and path[-1].kind != Kind.CENTRAL else ""
    )  # fmt: skip
    place = province.replace("Đảng bộ tỉnh ", "").replace("Đảng bộ ", "")
    return Header(superior.upper(), committee.upper(), place, day, title, subtitle)


def _subject(record) -> str:
    if record.subject_member_id:
        m = record.subject_member
        cell = display_version(record.unit, record.placed_on).name
        return _("đồng chí %(n)s, sinh ngày %(b)s, đảng viên %(c)s") % {
            "n": m.full_name, "b": vn(m.birth_date), "c": cell,
        }  # fmt: skip
    return display_version(record.subject_unit, record.placed_on).name


def conclusion(case: Case) -> Paper:
    day = case.concluded_on or case.opened_on
    h = _header(case.body, case.organ, day, _("THÔNG BÁO KẾT LUẬN"), case.title)
    lines = [
        _(
            "Thực hiện Quyết định số %(n)s ngày %(d)s về %(k)s đối với %(s)s, thời kỳ từ %(a)s đến %(b)s."
        )
        % {
            "n": case.number or "…",
            "d": vn(case.opened_on),
            "k": case.get_kind_display().lower(),
            "s": _subject(case),
            "a": vn(case.period_start),
            "b": vn(case.period_end),
        },  # fmt: skip
    ]
    if case.findings:
        lines += [_("Kết quả:")] + case.findings.split("\n\n")
    if case.conclusion:
        verdict = case.get_conclusion_display()
        if case.severity:
            verdict += f" ({case.get_severity_display().lower()})"
        lines.append(_("Kết luận: %(v)s.") % {"v": verdict})
    else:
        lines.append(_("Chưa kết luận (bản nháp)."))
    for i, rec in enumerate(case.recommendations.all(), start=1):
        lines.append(f"{i}. {rec.text} — {_('thời hạn')} {vn(rec.deadline)}.")
    return Paper(h, lines, _signature(case.organ))


def decision(d: Decision) -> Paper:
    h = _header(d.body, d.organ, d.signed_on, _("QUYẾT ĐỊNH"),
                _("Về việc thi hành kỷ luật %(s)s") % {"s": _subject(d)})  # fmt: skip
    lines = [
        _("Thi hành kỷ luật bằng hình thức %(f)s đối với %(s)s.")
        % {"f": d.get_form_display().upper(), "s": _subject(d)},
    ]
    if d.reason:
        lines.append(_("Lý do: %(r)s") % {"r": d.reason})
    if d.voters:
        lines.append(
            _("Kết quả biểu quyết: %(a)s/%(b)s tán thành.") % {"a": d.votes_for or 0, "b": d.voters}
        )
    lines.append(
        _("Quyết định có hiệu lực từ ngày công bố (%(d)s) (Điều lệ Đảng, Điều 39).")
        % {"d": vn(d.announced_on)}
    )
    return Paper(h, lines, _signature(d.organ), d.number)


def _signature(organ: str) -> str:
    if organ == Organ.INSPECTION_COMMISSION:
        return _("T/M ỦY BAN KIỂM TRA\nCHỦ NHIỆM")
    if organ == Organ.CELL:
        return _("T/M CHI BỘ\nBÍ THƯ")
    return _("T/M BAN THƯỜNG VỤ\nBÍ THƯ")


def render(paper: Paper, fmt: str) -> bytes:
    return _docx(paper) if fmt == "docx" else _pdf(paper)


def _docx(paper: Paper) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    h = paper.header
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(13)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    top = doc.add_table(rows=1, cols=2)
    left, right = top.rows[0].cells
    left.text = right.text = ""
    left.paragraphs[0].text = h.superior
    left.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(left, h.committee, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(left, "*", align=WD_ALIGN_PARAGRAPH.CENTER)
    if paper.number:
        _paragraph(left, _("Số %(n)s") % {"n": paper.number}, align=WD_ALIGN_PARAGRAPH.CENTER)
    run = right.paragraphs[0].add_run(_("ĐẢNG CỘNG SẢN VIỆT NAM"))
    run.bold, run.underline, run.font.size = True, True, Pt(15)
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _paragraph(right, h.dateline, italic=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(doc, "", size=6)
    _paragraph(doc, h.title, bold=True, size=15, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc, h.subtitle, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc, "-----", align=WD_ALIGN_PARAGRAPH.CENTER)
    for text in paper.paragraphs:
        p = doc.add_paragraph(text)
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        p.paragraph_format.first_line_indent = Cm(1)
    _paragraph(doc, paper.signature, bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _pdf(paper: Paper) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

    st = _styles()
    h = paper.header
    width = A4[0] - 4.5 * cm
    left = [Paragraph(escape(h.superior), st["center"])] if h.superior else []
    left += [Paragraph(escape(h.committee), st["center_bold"]), Paragraph("*", st["center"])]
    if paper.number:
        left.append(Paragraph(escape(_("Số %(n)s") % {"n": paper.number}), st["center"]))
    right = [
        Paragraph(f"<u>{escape(_('ĐẢNG CỘNG SẢN VIỆT NAM'))}</u>", st["motto"]),
        Spacer(1, 4),
        Paragraph(escape(h.dateline), st["dateline"]),
    ]
    story = [
        Table([[left, right]], colWidths=[width * 0.45, width * 0.55]),
        Spacer(1, 14),
        Paragraph(escape(h.title), st["title"]),
        Paragraph(escape(h.subtitle), st["center_bold"]),
        Paragraph("-----", st["center"]),
    ]
    story += [Paragraph(escape(p), st["body"]) for p in paper.paragraphs]
    sign = ParagraphStyle("sign", st["center_bold"], alignment=2)
    story += [Spacer(1, 12), Paragraph(escape(paper.signature).replace("\n", "<br/>"), sign)]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=3 * cm, rightMargin=1.5 * cm,
                      topMargin=2 * cm, bottomMargin=2 * cm, title=h.title).build(story)  # fmt: skip
    return out.getvalue()
