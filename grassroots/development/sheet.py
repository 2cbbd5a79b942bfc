"""The pipeline of an organization exported in the import format: the sheets "Quần chúng ưu tú"
and "Các bước" declared in development/sheets.py (imported back by the Excel framework, all or
nothing, through the step services), plus the current stage and overdue rules for reading."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Font

from grassroots.excel.injection import escaped
from grassroots.excel.workbooks import finish_tables
from grassroots.members.models import Gender
from grassroots.organizations.models import Unit

from . import queries, sheets
from .models import Candidate, CaseStep, IntroducedBy, ProposalSource, StepKind

CASE_COLUMNS = [(c.field, c.header, c.required) for c in sheets.CASES.columns]
STEP_COLUMNS = [(c.field, c.header, c.required) for c in sheets.STEPS.columns]
CASES, STEPS = sheets.CASES.name, sheets.STEPS.name
YES, NO = "Có", "Không"
PASS, FAIL = "Đạt", "Không đạt"


def _label(choices_cls, value: str) -> str:
    with translation.override("vi"):
        return str(choices_cls(value).label) if value else ""


# --- Export ---------------------------------------------------------------------------------


def export_pipeline(unit: Unit, at: dt.date) -> bytes:
    """The cases open under `unit` on `at` and their steps, in the import format."""
    rows = queries.cases(unit, at)
    ids = [r.id for r in rows]
    candidates = Candidate.objects.in_bulk(ids)
    wb = Workbook()
    ws = wb.active
    ws.title = CASES
    ws.append([h for _, h, _ in CASE_COLUMNS] + ["Bước hiện tại", "Quá hạn"])
    cell_codes = dict(Unit.objects.filter(pk__in=[c.cell_id for c in candidates.values()])
                      .values_list("pk", "code"))  # fmt: skip
    helpers = {c.pk: c.helper.profile_number for c in candidates.values() if c.helper_id}
    for r in rows:
        c = candidates[r.id]
        values = {
            "key": f"HS-{c.pk}", "gender": _label(Gender, c.gender), "cell": cell_codes[c.cell_id],
            "source": _label(ProposalSource, c.source), "youth_union": YES if c.youth_union else NO,
            "helper": helpers.get(c.pk, ""),
        }  # fmt: skip
        line = [values.get(f, getattr(c, f, "")) for f, _, _ in CASE_COLUMNS]
        ws.append([escaped(v) for v in line] + [r.stage_label, ", ".join(r.overdue)])
    st = wb.create_sheet(STEPS)
    st.append([h for _, h, _ in STEP_COLUMNS])
    steps = (
        CaseStep.objects.filter(candidate_id__in=ids, voided_at__isnull=True)
        .exclude(kind=StepKind.PROPOSED)
        .select_related("introducer_1", "introducer_2", "unit")
        .order_by("candidate_id", "date", "id")
    )
    for s in steps:
        values = {
            "key": f"HS-{s.candidate_id}", "kind": _label(StepKind, s.kind),
            "introduced_by": _label(IntroducedBy, s.introduced_by),
            "introducer_1": s.introducer_1.profile_number if s.introducer_1 else "",
            "introducer_2": s.introducer_2.profile_number if s.introducer_2 else "",
            "passed": "" if s.passed is None else (PASS if s.passed else FAIL),
            "unit_code": s.unit.code if s.unit and s.kind == StepKind.MOVED else "",
        }  # fmt: skip
        st.append([escaped(values.get(f, getattr(s, f, "") or "")) for f, _, _ in STEP_COLUMNS])
    for sheet in (ws, st):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    finish_tables(wb)
    wb.save(out)
    return out.getvalue()
