"""An organization's cases and decisions of a year exported in the import format: the sheets
"Kiểm tra, giám sát", "Quyết định kỷ luật" and "Đình chỉ sinh hoạt đảng" declared in inspection/sheets.py, cases keyed
KT-<số> (so a decision row added to an export can name an existing case). Only what the account
may read (inspection.access); importing an export again is refused row by row as duplicates."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Font

from grassroots.excel.injection import escaped
from grassroots.excel.workbooks import finish_tables
from grassroots.organizations.models import Unit

from . import access, queries, sheets
from .models import CaseKind, Conclusion, Form, Organ, Severity, SuspensionGround


def _label(choices_cls, value: str) -> str:
    with translation.override("vi"):
        return str(choices_cls(value).label) if value else ""


def _subject(row) -> dict:
    return {
        "subject_unit": row.subject_unit.code if row.subject_unit_id else "",
        "subject_member": row.subject_member.profile_number if row.subject_member_id else "",
    }


def _sheet(wb, sheet, rows) -> None:
    ws = wb.create_sheet(sheet.name)
    ws.append([c.header for c in sheet.columns])
    for values in rows:
        ws.append([escaped("" if values.get(c.field) is None else values.get(c.field))
                   for c in sheet.columns])  # fmt: skip
    for cell in ws[1]:
        cell.font = Font(bold=True)


def export_inspection(user, unit: Unit, since: dt.date, until: dt.date) -> bytes:
    cases = (
        (access.cases_visible(user) & queries.cases_under(unit))
        .filter(opened_on__range=(since, until))
        .select_related("subject_unit", "subject_member", "body")
        .order_by("opened_on", "pk")
    )
    decisions = (
        (access.decisions_visible(user) & queries.decisions_under(unit))
        .filter(signed_on__range=(since, until))
        .select_related("subject_unit", "subject_member", "body")
        .order_by("signed_on", "pk")
    )
    case_rows = [
        {**_subject(c), "key": f"{sheets.CASE_PREFIX}{c.pk}", "kind": _label(CaseKind, c.kind),
         "title": c.title, "body": c.body.code, "organ": _label(Organ, c.organ),
         "number": c.number, "opened_on": c.opened_on, "period_start": c.period_start,
         "period_end": c.period_end, "team": c.team, "content": c.content,
         "concluded_on": c.concluded_on, "conclusion": _label(Conclusion, c.conclusion),
         "severity": _label(Severity, c.severity), "findings": c.findings}
        for c in cases
    ]  # fmt: skip
    decision_rows = [
        {**_subject(d), "case": f"{sheets.CASE_PREFIX}{d.case_id}" if d.case_id else "",
         "form": _label(Form, d.form), "body": d.body.code, "organ": _label(Organ, d.organ),
         "number": d.number, "signed_on": d.signed_on, "announced_on": d.announced_on,
         "votes_for": d.votes_for, "voters": d.voters, "reason": d.reason}
        for d in decisions
    ]  # fmt: skip
    suspensions = (
        (access.suspensions_visible(user) & queries.suspensions_under(unit))
        .filter(start__range=(since, until))
        .select_related("subject_member", "body")
        .order_by("start", "pk")
    )
    suspension_rows = [
        {"case": f"{sheets.CASE_PREFIX}{s.case_id}" if s.case_id else "",
         "subject_member": s.subject_member.profile_number,
         "ground": _label(SuspensionGround, s.ground), "body": s.body.code,
         "organ": _label(Organ, s.organ), "number": s.number, "signed_on": s.signed_on,
         "start": s.start, "last_day": s.last_day, "reason": s.reason}
        for s in suspensions
    ]  # fmt: skip
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, sheets.CASES, case_rows)
    _sheet(wb, sheets.DECISIONS, decision_rows)
    _sheet(wb, sheets.SUSPENSIONS, suspension_rows)
    out = io.BytesIO()
    finish_tables(wb)
    wb.save(out)
    return out.getvalue()
