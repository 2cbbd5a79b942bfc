"""The "Quần chúng ưu tú" workbook: the pipeline of an organization exported as two sheets (the
cases, and one row per step), and the same format imported back all or nothing through the
services (every rule applies; every refused cell is reported as "Sheet, dòng N, cột X: ...").

Kept on openpyxl like the rating sheet (assessments/sheet.py): the registry's importer
(grassroots/excel) reads its own schema.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import translation
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from grassroots.accounts import access
from grassroots.accounts.models import Role
from grassroots.audit.services import Actor
from grassroots.core.text import clean, fold
from grassroots.excel.injection import escaped
from grassroots.members.models import Gender
from grassroots.organizations.models import Unit

from . import queries, services
from .models import Candidate, CaseStep, IntroducedBy, ProposalSource, StepKind

CASES = "Quần chúng ưu tú"
STEPS = "Các bước"
# (field, header, required)
CASE_COLUMNS = [
    ("key", "Mã hồ sơ", True),
    ("full_name", "Họ và tên", True),
    ("gender", "Giới tính", True),
    ("birth_date", "Ngày sinh", True),
    ("ethnicity", "Dân tộc", False),
    ("religion", "Tôn giáo", False),
    ("hometown", "Quê quán", False),
    ("residence", "Nơi cư trú", False),
    ("education", "Trình độ giáo dục phổ thông", False),
    ("occupation", "Nghề nghiệp", False),
    ("citizen_id", "Số CCCD", False),
    ("youth_union", "Đoàn viên", False),
    ("cell", "Mã chi bộ", True),
    ("proposed_on", "Ngày đưa vào danh sách", True),
    ("source", "Nguồn giới thiệu", True),
    ("helper", "Số lý lịch đảng viên giúp đỡ", False),
]
STEP_COLUMNS = [
    ("key", "Mã hồ sơ", True),
    ("kind", "Bước", True),
    ("date", "Ngày", True),
    ("document_number", "Số văn bản", False),
    ("issuing_body", "Cơ quan ban hành", False),
    ("course", "Khóa học", False),
    ("introduced_by", "Giới thiệu bởi", False),
    ("introducer_1", "Số lý lịch người giới thiệu 1", False),
    ("introducer_2", "Số lý lịch người giới thiệu 2", False),
    ("passed", "Kết quả", False),
    ("votes_for", "Số tán thành", False),
    ("upper_approval", "Văn bản đồng ý của cấp trên", False),
    ("profile_number", "Số lý lịch đảng viên", False),
    ("unit_code", "Mã chi bộ mới", False),
    ("note", "Ghi chú / lý do", False),
]
YES, NO = "Có", "Không"
PASS, FAIL = "Đạt", "Không đạt"
# Steps the sheet can record (the proposal is the case row itself).
SHEET_STEPS = [k for k in StepKind.values if k != StepKind.PROPOSED]


def _labels(choices) -> dict[str, str]:
    """folded code or Vietnamese label → code."""
    with translation.override("vi"):
        out = {}
        for value, label in choices:
            out[fold(str(value))] = str(value)
            out[fold(str(label))] = str(value)
        return out


GENDERS = _labels(Gender.choices)
SOURCES = _labels(ProposalSource.choices)
INTRODUCERS = _labels(IntroducedBy.choices)
KINDS = _labels([(k, StepKind(k).label) for k in SHEET_STEPS])


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
    wb.save(out)
    return out.getvalue()


# --- Import ---------------------------------------------------------------------------------


@dataclass
class Result:
    cases: int = 0
    steps: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Rollback(Exception):
    pass


def _read(ws, columns) -> tuple[list[tuple[int, dict]], list[str]]:
    rows = list(ws.iter_rows(values_only=True))
    if not rows:
        return [], []
    header = [fold(str(h or "")) for h in rows[0]]
    index, errors = {}, []
    for name, title, required in columns:
        if fold(title) in header:
            index[name] = header.index(fold(title))
        elif required:
            errors.append(f"Sheet {ws.title}: thiếu cột “{title}”.")
    out = []
    for n, raw in enumerate(rows[1:], start=2):
        if not any(v not in (None, "") for v in raw):
            continue
        out.append((n, {name: raw[i] if i < len(raw) else None for name, i in index.items()}))
    return out, errors


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = clean(str(value or ""))
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


class _Rows:
    """Turns one sheet row into service arguments, collecting "dòng N, cột X" problems."""

    def __init__(self, sheet: str, columns, n: int, raw: dict, errors: list[str]) -> None:
        self.sheet, self.n, self.raw, self.errors = sheet, n, raw, errors
        self.headers = {name: title for name, title, _ in columns}
        self.bad = False

    def fail(self, name: str | None, message: str) -> None:
        where = f", cột {self.headers[name]}" if name in self.headers else ""
        self.errors.append(f"Sheet {self.sheet}, dòng {self.n}{where}: {message}")
        self.bad = True

    def text(self, name: str) -> str:
        value = self.raw.get(name)
        return clean(str(value)) if value not in (None, "") else ""

    def need(self, name: str) -> str:
        value = self.text(name)
        if not value:
            self.fail(name, "cần nhập.")
        return value

    def day(self, name: str, required: bool = True) -> dt.date | None:
        value = self.raw.get(name)
        if value in (None, ""):
            if required:
                self.fail(name, "cần nhập ngày.")
            return None
        day = _date(value)
        if day is None:
            self.fail(name, "ngày không hợp lệ (dd/mm/yyyy).")
        return day

    def code(self, name: str, table: dict[str, str], required: bool = True) -> str:
        text = self.need(name) if required else self.text(name)
        if text and fold(text) not in table:
            self.fail(name, f"giá trị “{text}” không có trong danh mục.")
            return ""
        return table.get(fold(text), "")

    def service_error(self, error: ValidationError, aliases: dict[str, str] | None = None) -> None:
        if hasattr(error, "error_dict"):
            for key, errs in error.error_dict.items():
                name = (aliases or {}).get(key, key)
                for e in errs:
                    self.fail(name, " ".join(e.messages))
        else:
            for message in error.messages:
                self.fail(None, message)


def import_pipeline(content: bytes, *, actor: Actor, user) -> Result:
    """Import the two sheets all or nothing: any refused row and nothing is written."""
    result = Result()
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable file is one message
        result.errors.append("Không đọc được tệp Excel (.xlsx).")
        return result
    names = {fold(n): n for n in wb.sheetnames}
    if fold(CASES) not in names and fold(STEPS) not in names:
        result.errors.append(f"Tệp không có sheet “{CASES}” hay “{STEPS}”.")
        return result
    case_rows, errors = (
        _read(wb[names[fold(CASES)]], CASE_COLUMNS) if fold(CASES) in names else ([], [])
    )
    step_rows, errors2 = (
        _read(wb[names[fold(STEPS)]], STEP_COLUMNS) if fold(STEPS) in names else ([], [])
    )
    result.errors += errors + errors2
    if result.errors:
        return result
    try:
        with transaction.atomic():
            _apply(case_rows, step_rows, actor, user, result)
            if result.errors:
                raise _Rollback
    except _Rollback:
        result.cases = result.steps = 0
    return result


def _cell(user, code: str):
    try:
        return access.get_unit_for_user(user, code, role=Role.CLERK)
    except (Http404, PermissionDenied):
        return None


def _member(user, number: str):
    if not number:
        return None
    return access.members_visible(user).filter(profile_number=number.upper()).first() or False


def _apply(case_rows, step_rows, actor, user, result: Result) -> None:
    cases: dict[str, Candidate | None] = {}
    for n, raw in case_rows:
        row = _Rows(CASES, CASE_COLUMNS, n, raw, result.errors)
        key = row.need("key")
        if key and fold(key) in cases:
            row.fail("key", f"mã hồ sơ {key} trùng với một dòng trên.")
        values = {
            "full_name": row.need("full_name"), "gender": row.code("gender", GENDERS),
            "birth_date": row.day("birth_date"), "source": row.code("source", SOURCES),
            "youth_union": fold(row.text("youth_union")) in ("co", "x", "1"),
            "proposed_on": row.day("proposed_on"),
        }  # fmt: skip
        for name in ("ethnicity", "religion", "hometown", "residence", "education", "occupation",
                     "citizen_id"):  # fmt: skip
            if row.text(name):
                values[name] = row.text(name)
        code = row.need("cell")
        cell = _cell(user, code) if code else None
        if code and cell is None:
            row.fail("cell", f"không có chi bộ mã {code} trong phạm vi được ghi.")
        helper = _member(user, row.text("helper"))
        if helper is False:
            row.fail("helper", f"không tìm thấy đảng viên số lý lịch {row.text('helper')}.")
        cases[fold(key)] = None
        if row.bad:
            continue
        try:
            with transaction.atomic():
                cases[fold(key)] = services.candidate_propose(
                    actor=actor, cell=cell, helper=helper or None, **values
                )
            result.cases += 1
        except ValidationError as error:
            row.service_error(error, {"proposed_on": "proposed_on"})
    for n, raw in step_rows:
        row = _Rows(STEPS, STEP_COLUMNS, n, raw, result.errors)
        key = row.need("key")
        candidate = cases.get(fold(key)) if key else None
        if key and fold(key) not in cases:
            candidate = _existing(user, key)
            if candidate is None:
                row.fail(
                    "key", f"không có hồ sơ {key} (trong sheet {CASES} hay đã có trong phạm vi)."
                )
        elif key and candidate is None:
            row.fail("key", f"hồ sơ {key} ở sheet {CASES} không hợp lệ.")
        kind = row.code("kind", KINDS)
        day = row.day("date")
        if row.bad or candidate is None:
            continue
        try:
            with transaction.atomic():
                _step(row, candidate, kind, day, actor, user)
            result.steps += 1
        except ValidationError as error:
            row.service_error(error, {"to_unit": "unit_code", "reason": "note"})


def _existing(user, key: str) -> Candidate | None:
    text = key.upper().removeprefix("HS-")
    if not text.isdigit():
        return None
    rows = Candidate.objects.filter(pk=int(text))
    candidate = rows.select_related("cell").first()
    if candidate is None or _cell(user, candidate.cell.code) is None:
        return None
    return candidate


def _step(row: _Rows, candidate: Candidate, kind: str, day, actor, user) -> None:
    candidate.refresh_from_db()
    if kind == StepKind.MOVED:
        unit = _cell(user, row.text("unit_code"))
        if unit is None:
            raise ValidationError({"to_unit": ["không có chi bộ này trong phạm vi được ghi."]})
        services.candidate_move(actor=actor, candidate=candidate, to_unit=unit, date=day)
        return
    if kind == StepKind.CLOSED:
        services.candidate_close(
            actor=actor, candidate=candidate, date=day, reason=row.text("note")
        )
        return
    args: dict = {"actor": actor, "candidate": candidate, "date": day}
    text = row.text
    if kind in (StepKind.CERTIFICATE,):
        args.update(course=text("course"), issuing_body=text("issuing_body"),
                    document_number=text("document_number"))  # fmt: skip
    elif kind == StepKind.INTRODUCTION:
        by = row.code("introduced_by", INTRODUCERS, required=False) or IntroducedBy.MEMBERS
        first, second = _member(user, text("introducer_1")), _member(user, text("introducer_2"))
        if first is False or second is False:
            raise ValidationError({"introducer_2": ["không tìm thấy đảng viên giới thiệu."]})
        args.update(introduced_by=by, introducer_1=first, introducer_2=second,
                    document_number=text("document_number"))  # fmt: skip
    elif kind in (StepKind.VERIFICATION, StepKind.UPPER_RULING):
        result = fold(text("passed"))
        if result not in (fold(PASS), fold(FAIL)):
            raise ValidationError({"passed": ["ghi “Đạt” hoặc “Không đạt”."]})
        args["passed"] = result == fold(PASS)
        if kind == StepKind.VERIFICATION:
            args["note"] = text("note")
        else:
            args.update(document_number=text("document_number"), issuing_body=text("issuing_body"))
    elif kind == StepKind.CELL_VOTE:
        try:
            args["votes_for"] = int(float(text("votes_for")))
        except ValueError:
            raise ValidationError({"votes_for": ["cần số tán thành."]}) from None
        args["note"] = text("note")
    elif kind == StepKind.GRASSROOTS_PROPOSAL:
        args["document_number"] = text("document_number")
    elif kind in (StepKind.DECISION, StepKind.RECOGNITION):
        args.update(document_number=text("document_number"), issuing_body=text("issuing_body"))
    elif kind == StepKind.CEREMONY:
        args.update(upper_approval=text("upper_approval"), profile_number=text("profile_number"))
    services.STEP_WRITERS[kind](**args)
