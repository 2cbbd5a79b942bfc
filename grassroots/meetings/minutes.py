"""The minutes (biên bản) in the standard layout of domain.md §5, as DOCX and PDF.

The content is built once (`minutes_of`: header of the upper committees, time and place, the
people, totals split by status, names absent with and without reason, agenda, speakers,
conclusions, votes, signatures) and laid out by two renderers that reuse the review report's
document conventions (grassroots/reports/export: Times New Roman in Word, the embedded DejaVu
faces and styles in the PDF).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from grassroots.core.dates import vn
from grassroots.core.text import vietnamese
from grassroots.organizations.models import Kind
from grassroots.organizations.queries import ancestors_at, display_version

from .models import Mark, Meeting, MeetingKind, Role


@dataclass
class Minutes:
    left: list[str]  # the upper committee and the cell, upper case
    dateline: str
    title: str
    subtitle: str
    draft: bool
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    signatures: tuple[str, str] = ("THƯ KÝ", "CHỦ TRÌ")
    signers: tuple[str, str] = ("", "")


def _hm(t) -> str:
    return f"{t.hour} giờ {t.minute:02d} phút"


def _names(rows) -> str:
    return "; ".join(f"{n} ({r})" if r else n for n, r in rows) or "không"


def minutes_of(meeting: Meeting) -> Minutes:
    unit = meeting.unit
    version = display_version(unit, meeting.date)
    path = [v for v in ancestors_at(unit, meeting.date) if v.kind != Kind.CENTRAL]
    upper = [v.name.upper() for v in path[-2:]] if path else []
    place = meeting.place or version.name
    marks = list(
        meeting.marks.select_related("member").order_by(
            vietnamese("member__full_name"), "member_id"
        )
    )

    def named(mark, roles=None):
        return [
            (m.member.full_name, m.reason)
            for m in marks
            if m.mark == mark and (roles is None or m.role in roles)
        ]

    kind = MeetingKind(meeting.kind).label
    if meeting.kind == MeetingKind.REGULAR and meeting.with_thematic:
        kind = f"{kind} kết hợp sinh hoạt chuyên đề"
    subtitle = f"{kind} tháng {meeting.date.month} năm {meeting.date.year}"
    if meeting.subject:
        subtitle += f"\n{meeting.subject}"
    people = [
        f"Vào lúc {_hm(meeting.start)}, ngày {vn(meeting.date)}, tại {place}, "
        f"{version.name} tiến hành {kind.lower()}.",
        f"Chủ trì: {meeting.chair or '…'}. Thư ký: {meeting.secretary or '…'}.",
        f"Khách mời: {meeting.guests or 'không'}.",
    ]
    if meeting.kind == MeetingKind.COMMITTEE:
        people += [
            f"Tổng số cấp ủy viên: {meeting.expected} đồng chí; có mặt: {meeting.present}.",
            f"Vắng có lý do: {meeting.absent_excused} — {_names(named(Mark.EXCUSED))}.",
            f"Vắng không lý do: {meeting.absent_unexcused} — "
            f"{_names([(n, '') for n, _r in named(Mark.UNEXCUSED)])}.",
        ]
    else:
        total = meeting.expected + meeting.exempt + meeting.away + meeting.suspended
        extra_exempt = named(Mark.PRESENT, [Role.EXEMPT])
        people += [
            f"Tổng số đảng viên trong danh sách: {total} đồng chí; phải dự: {meeting.expected} "
            f"(chính thức {meeting.expected_official}, dự bị {meeting.expected_probationary}, "
            f"sinh hoạt tạm thời {meeting.expected_attached}).",
            f"Miễn công tác và sinh hoạt đảng: {meeting.exempt}"
            + (f" (có mặt: {_names(extra_exempt)})" if extra_exempt else "")
            + f". Đi sinh hoạt tạm thời nơi khác: {meeting.away}"
            + (f". Đình chỉ sinh hoạt đảng: {meeting.suspended}" if meeting.suspended else "")
            + ".",
            f"Có mặt: {meeting.present} đồng chí (chính thức {meeting.present_official}, dự bị "
            f"{meeting.present_probationary}, sinh hoạt tạm thời {meeting.present_attached})"
            + (f"; ngoài danh sách: {meeting.present_extra}" if meeting.present_extra else "")
            + ".",
            f"Vắng có lý do: {meeting.absent_excused} — {_names(named(Mark.EXCUSED))}.",
            f"Vắng không lý do: {meeting.absent_unexcused} — "
            f"{_names([(n, '') for n, _r in named(Mark.UNEXCUSED)])}.",
        ]
    votes = []
    if meeting.votes_for is not None:
        total = (meeting.votes_for or 0) + (meeting.votes_against or 0)
        votes.append(
            f"Biểu quyết: tán thành {meeting.votes_for}/{total}; không tán thành "
            f"{meeting.votes_against or 0}/{total}."
        )
    documents = []
    if meeting.documents:
        posted = (
            f" (đăng ngày {vn(meeting.documents_posted_on)})" if meeting.documents_posted_on else ""
        )
        documents.append(f"Tài liệu: {meeting.documents}{posted}.")
    sections = [
        ("I. THỜI GIAN, ĐỊA ĐIỂM, THÀNH PHẦN", people),
        ("II. NỘI DUNG", _lines(meeting.agenda) + documents),
        ("III. Ý KIẾN PHÁT BIỂU", _lines(meeting.speakers)),
        ("IV. KẾT LUẬN CỦA CHỦ TRÌ", _lines(meeting.conclusions)),
        ("V. NGHỊ QUYẾT VÀ BIỂU QUYẾT", _lines(meeting.resolutions) + votes),
        (
            "",
            [
                f"Buổi sinh hoạt kết thúc lúc {_hm(meeting.end)} cùng ngày. Biên bản đã được đọc "
                "lại cho các đồng chí dự họp nghe và nhất trí thông qua."
            ],
        ),
    ]
    corrections = list(meeting.corrections.order_by("made_at", "id"))
    if corrections:
        sections.append(
            (
                "ĐÍNH CHÍNH SAU KHI THÔNG QUA",
                [f"{vn(c.made_at.date())}: {c.field}: “{c.old}” → “{c.new}” ({c.reason})"
                 for c in corrections],
            )
        )  # fmt: skip
    town = place.split(",")[-1].strip() if meeting.place else version.name
    return Minutes(
        left=upper + [version.name.upper()],
        dateline=f"{town}, ngày {meeting.date.day:02d} tháng {meeting.date.month:02d} năm {meeting.date.year}",
        title="BIÊN BẢN",
        subtitle=subtitle,
        draft=not meeting.approved,
        sections=sections,
        signers=(meeting.secretary, meeting.chair),
    )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()] or ["…"]


def render_docx(meeting: Meeting) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    from grassroots.reports.export.docx import FONT

    m = minutes_of(meeting)
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(13)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    head = doc.add_table(rows=1, cols=2)
    left, right = head.cell(0, 0), head.cell(0, 1)
    left.text = ""
    for i, line in enumerate(m.left + ["*"]):
        p = left.paragraphs[0] if i == 0 else left.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(line).bold = i == len(m.left) - 1
    right.text = ""
    p = right.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run("ĐẢNG CỘNG SẢN VIỆT NAM")
    run.bold = run.underline = True
    p = right.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run(m.dateline).italic = True
    if m.draft:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.add_run("DỰ THẢO").bold = True
    for text, size in ((m.title, 15), (m.subtitle, 13)):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text)
        run.bold, run.font.size = True, Pt(size)
    for heading, lines in m.sections:
        if heading:
            doc.add_paragraph().add_run(heading).bold = True
        for line in lines:
            doc.add_paragraph(line).paragraph_format.first_line_indent = Cm(1)
    sign = doc.add_table(rows=1, cols=2)
    for cell, title, name in zip(sign.rows[0].cells, m.signatures, m.signers, strict=True):
        cell.text = ""
        p = cell.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(title).bold = True
        p = cell.add_paragraph("\n\n\n" + (name or ""))
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render_pdf(meeting: Meeting) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

    from grassroots.reports.export.pdf import _styles  # the report's fonts and styles

    m = minutes_of(meeting)
    st = _styles()
    width = A4[0] - 4.5 * cm
    left = [Paragraph(escape(line), st["center"]) for line in m.left[:-1]]
    left += [Paragraph(escape(m.left[-1]), st["center_bold"]), Paragraph("*", st["center"])]
    right = [
        Paragraph("<u>ĐẢNG CỘNG SẢN VIỆT NAM</u>", st["center_bold"]),
        Spacer(1, 4),
        Paragraph(escape(m.dateline), st["center"]),
    ]
    story = [Table([[left, right]], colWidths=[width * 0.5, width * 0.5])]
    if m.draft:
        story.append(Paragraph("DỰ THẢO", st["motto"]))
    story += [Spacer(1, 12), Paragraph(escape(m.title), st["title"])]
    story += [Paragraph(escape(line), st["center_bold"]) for line in m.subtitle.split("\n")]
    story.append(Spacer(1, 8))
    for heading, lines in m.sections:
        if heading:
            story.append(Paragraph(escape(heading), st["h1"]))
        story += [Paragraph(escape(line), st["body"]) for line in lines]
    story.append(Spacer(1, 16))
    sign = [
        [Paragraph(escape(t), st["center_bold"]) for t in m.signatures],
        [Spacer(1, 40), Spacer(1, 40)],
        [Paragraph(escape(n or ""), st["center"]) for n in m.signers],
    ]
    story.append(Table(sign, colWidths=[width / 2, width / 2]))
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=3 * cm, rightMargin=1.5 * cm, topMargin=2 * cm,
        bottomMargin=2 * cm, title=f"Biên bản {meeting}",
    )  # fmt: skip
    doc.build(story)
    return out.getvalue()
