"""The meetings of an organization for a year exported in the import format: the sheets
"Sinh hoạt chi bộ" and "Điểm danh" declared in meetings/sheets.py, keyed SH-<id>, plus the
recorded totals for reading, and the cells' monthly self-assessment sheets ("Tự đánh giá chất
lượng", one row per criterion: importing it again changes nothing). (Importing an export again is refused row by row as duplicates:
the same organization, day and start time.)"""

from __future__ import annotations

import datetime as dt
import io

from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Font

from grassroots.core.text import vietnamese
from grassroots.excel.injection import escaped
from grassroots.excel.workbooks import finish_tables
from grassroots.organizations.models import Unit

from . import quality, queries, sheets
from .models import Attendance, Mark, MeetingKind

TOTALS = ["Phải dự", "Có mặt", "Vắng có lý do", "Vắng không lý do"]


def _label(choices_cls, value: str) -> str:
    with translation.override("vi"):
        return str(choices_cls(value).label) if value else ""


def export_meetings(unit: Unit, since: dt.date, until: dt.date) -> bytes:
    meetings = list(
        queries.meetings_under(unit, since, until, held=False).order_by("date", "start", "pk")
    )
    codes = dict(
        Unit.objects.filter(pk__in={m.unit_id for m in meetings}).values_list("pk", "code")
    )
    wb = Workbook()
    ws = wb.active
    ws.title = sheets.MEETINGS.name
    ws.append([c.header for c in sheets.MEETINGS.columns] + TOTALS)
    for m in meetings:
        values = {
            "key": f"SH-{m.pk}", "unit": codes[m.unit_id], "kind": _label(MeetingKind, m.kind),
            "with_thematic": "Có" if m.with_thematic else "Không",
            "start": m.start.strftime("%H:%M"), "end": m.end.strftime("%H:%M"),
        }  # fmt: skip
        # Not `values.get(field, getattr(m, field))`: the default is evaluated for every column,
        # and `getattr(m, "unit")` fetched the organization once per meeting (711 statements).
        line = [
            values[c.field] if c.field in values else getattr(m, c.field, "")
            for c in sheets.MEETINGS.columns
        ]
        totals = [m.expected, m.present, m.absent_excused, m.absent_unexcused]
        ws.append([escaped("" if v is None else v) for v in line] + totals)
    st = wb.create_sheet(sheets.MARKS_SHEET.name)
    st.append([c.header for c in sheets.MARKS_SHEET.columns])
    marks = (
        Attendance.objects.filter(meeting_id__in=[m.pk for m in meetings])
        .select_related("member")
        .order_by("meeting_id", vietnamese("member__full_name"), "member_id")
    )
    for a in marks:
        st.append([f"SH-{a.meeting_id}", escaped(a.member.profile_number),
                   _label(Mark, a.mark), escaped(a.reason)])  # fmt: skip
    sq = wb.create_sheet(sheets.QUALITY_SHEET.name)
    sq.append([c.header for c in sheets.QUALITY_SHEET.columns])
    scores = queries.quality_scores(unit, since, until).select_related("unit")
    for row in scores.order_by("month", "unit__code"):
        form = quality.sheet_by_code(row.sheet) or quality.sheet_on(row.month)
        labels = {c.key: c.label for c in form.criteria}
        # The sheet's order, not the stored dict's: PostgreSQL's jsonb orders keys by length.
        keys = [k for k in labels if k in row.scores] + [k for k in row.scores if k not in labels]
        for key in keys:
            sq.append([escaped(row.unit.code), f"{row.month:%m/%Y}", key, row.scores[key],
                       labels.get(key, ""), escaped(row.note)])  # fmt: skip
    for sheet in (ws, st, sq):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    finish_tables(wb)
    wb.save(out)
    return out.getvalue()
