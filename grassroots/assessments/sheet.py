"""The rating sheet of a round as an .xlsx workbook: exported for a cell to fill in, imported
back all or nothing through `services.assessment_record_many` (so every rule applies and a
refused row is reported as "Dòng N: ...").

Kept small and on openpyxl: the Excel capability's reader (grassroots/excel/reader.py) matches
its own import schema, which has no rating sheet.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from grassroots.accounts import access
from grassroots.core.dates import vn as vdate
from grassroots.core.text import clean, fold, vietnamese
from grassroots.excel.injection import escaped
from grassroots.meetings import queries as meeting_queries
from grassroots.members.models import Member
from grassroots.organizations.models import Unit
from grassroots.organizations.queries import on

from . import queries as q
from . import services as svc
from .models import Round, Step, Subject

HEADER = [
    "Loại",
    "Mã",
    "Họ và tên / Tên tổ chức",
    "Chi bộ",
    "Tự xếp loại",
    "Đề xuất",
    "Quyết định",
    "Mức xếp loại",
    "Điểm",
    "% nhiệm vụ hoàn thành",
    "% hoàn thành đúng hạn",
    "% vượt yêu cầu",
    "% chậm tiến độ",
    "Ghi chú",
    # Read-only columns from the meeting book (issue 14): not read back by the import.
    "Sinh hoạt trong năm",
    "Vắng không lý do (tháng)",
    # Read-only: the discipline of the year (issue 16), which caps the level (checks.py).
    "Kỷ luật trong năm",
]
KIND_ORG, KIND_MEMBER = "Tổ chức", "Đảng viên"
FACT_COLUMNS = {
    "% nhiệm vụ hoàn thành": "tasks_done_pct",
    "% hoàn thành đúng hạn": "tasks_on_time_pct",
    "% vượt yêu cầu": "tasks_exceeding_pct",
    "% chậm tiến độ": "tasks_late_pct",
}
TITLE_ROWS = 3
EXPORT_BATCH = 500  # rows whose meeting columns are read together


@dataclass
class SheetRow:
    kind: str
    code: str
    name: str
    cell: str
    self_level: str
    proposal_level: str
    decision_level: str
    pk: int = 0
    meetings: str = ""  # member: present / expected; cell: held / due, thematic
    unexcused: str = ""  # member: the months absent without reason
    discipline: str = ""  # the year's discipline (form and date), which caps the level


def with_meetings(rows: list[SheetRow], year: int) -> list[SheetRow]:
    """Fill the meeting columns of a page of rows: a fixed number of queries for the page
    (meetings.queries.members_year / cells_year), never one per row."""
    members = meeting_queries.members_year([r.pk for r in rows if r.kind == KIND_MEMBER], year)
    cells = meeting_queries.cells_year([r.pk for r in rows if r.kind == KIND_ORG], year)
    for r in rows:
        if r.kind == KIND_MEMBER and r.pk in members:
            m = members[r.pk]
            r.meetings = f"{m.present}/{m.expected} buổi" if m.expected else "–"
            r.unexcused = ", ".join(f"T{month}" for month in m.unexcused_months)
        elif r.pk in cells:
            c = cells[r.pk]
            r.meetings = f"{c.held}/{c.due} tháng; {c.thematic} chuyên đề"
    return rows


def with_year_facts(rows: list[SheetRow], year: int) -> list[SheetRow]:
    """The read-only columns of a page of rows: the meeting book and the year's discipline."""
    return with_discipline(with_meetings(rows, year), year)


def with_discipline(rows: list[SheetRow], year: int) -> list[SheetRow]:
    """The discipline decided during the year for each row — the fact that caps its level
    (checks.py: QĐ 132, QĐ 124, QĐ 366) — shown next to the level being chosen, read for the
    whole page in two queries (members' discipline events, organizations' discipline)."""
    members = q.discipline_of_members([r.pk for r in rows if r.kind == KIND_MEMBER], year)
    units = q.discipline_of_units([r.pk for r in rows if r.kind == KIND_ORG], year)
    for r in rows:
        found = members.get(r.pk) if r.kind == KIND_MEMBER else units.get(r.pk)
        r.discipline = "; ".join(f"{label}, {vdate(day)}" for label, day in found or [])
    return rows


def sheet_rows(rnd: Round, unit: Unit, orgs=None) -> list[SheetRow]:
    """Organizations and members of `unit`'s subtree to be rated in the round, with the levels
    entered so far at each step. Members are listed only on the sheet of a grassroots
    organization or a cell (a district's sheet would hold thousands). `orgs`:
    `organizations_due(unit, rnd.year)` when the caller has it (a province's 4,500 versions
    and organizations as model objects were read twice by the sheet page)."""
    rules = q.Rules.of(rnd.scheme)
    orgs = q.organizations_due(unit, rnd.year) if orgs is None else orgs
    due = q.members_due(unit, rnd.year, rules) if unit.pk in orgs else {}
    steps: dict[tuple[str, int], dict[str, str]] = {}
    for step in Step.values:
        qs = q.current(step).filter(round=rnd)
        for member_id, label in qs.filter(member_id__in=list(due)).values_list(
            "member_id", "level__label"
        ):
            steps.setdefault((KIND_MEMBER, member_id), {})[step] = label
        for unit_id, label in qs.filter(member__isnull=True, unit_id__in=list(orgs)).values_list(
            "unit_id", "level__label"
        ):
            steps.setdefault((KIND_ORG, unit_id), {})[step] = label
    rows = []
    codes = {v.unit_id: v.unit.code for v in orgs.values()}
    for uid, v in sorted(orgs.items(), key=lambda kv: kv[1].unit.code):
        s = steps.get((KIND_ORG, uid), {})
        rows.append(
            SheetRow(
                KIND_ORG,
                v.unit.code,
                v.name,
                "",
                s.get("self", ""),
                s.get("proposal", ""),
                s.get("decision", ""),
                pk=uid,
            )
        )
    people = Member.objects.filter(pk__in=list(due)).order_by(vietnamese("full_name"), "pk")
    for m in people:
        s = steps.get((KIND_MEMBER, m.pk), {})
        rows.append(
            SheetRow(
                KIND_MEMBER,
                m.profile_number,
                m.full_name,
                codes.get(due[m.pk].cell_id, ""),
                s.get("self", ""),
                s.get("proposal", ""),
                s.get("decision", ""),
                pk=m.pk,
            )
        )
    return rows


def export_xlsx(rnd: Round, unit: Unit) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Xếp loại"
    version = unit.versions.filter(on(q.year_end(rnd.year))).first()
    ws.append(
        [f"Phiếu xếp loại chất lượng năm {rnd.year} – {version.name if version else unit.code}"]
    )
    ws.append(
        [
            f"{rnd.scheme.name}. Chọn cột “Mức xếp loại” trong danh sách (tên mức, xem sheet Mức)"
            + ("; điểm theo thang 100 và các tỷ lệ nhiệm vụ." if rnd.scheme.has_score else ".")
        ]
    )
    ws.append([])
    ws.append(HEADER)
    for cell in ws[TITLE_ROWS + 1]:
        cell.font = Font(bold=True)
    ws["A1"].font = Font(bold=True, size=13)
    rows = sheet_rows(rnd, unit)
    for start in range(0, len(rows), EXPORT_BATCH):
        for r in with_year_facts(rows[start : start + EXPORT_BATCH], rnd.year):
            values = (r.kind, r.code, r.name, r.cell, r.self_level, r.proposal_level,
                      r.decision_level)  # fmt: skip
            ws.append(
                # a name like "=HYPERLINK(…)" stays text
                [escaped(value, ws) for value in values]
                + [None] * (len(HEADER) - len(values) - 3)
                + [escaped(r.meetings, ws), escaped(r.unexcused, ws), escaped(r.discipline, ws)]
            )
    levels = wb.create_sheet("Mức")
    levels.append(["Đối tượng", "Mã", "Mức xếp loại", "Điểm tối thiểu"])
    for lv in rnd.scheme.levels.order_by("subject", "order"):
        levels.append(
            [
                KIND_ORG if lv.subject == Subject.ORGANIZATION else KIND_MEMBER,
                escaped(lv.code, levels),
                escaped(lv.label, levels),
                float(lv.min_score) if lv.min_score is not None else None,
            ]
        )
    # The drop-down offers the levels' Vietnamese names (the import reads names or codes); the
    # list lives on the "Mức" sheet because an inline list is capped at 255 characters.
    labels = list(dict.fromkeys(lv.label for lv in rnd.scheme.levels.order_by("subject", "order")))
    levels["F1"] = "Danh sách chọn"
    for i, label in enumerate(labels, start=2):
        levels[f"F{i}"] = label
    if labels:
        dv = DataValidation(
            type="list", formula1=f"'Mức'!$F$2:$F${len(labels) + 1}", allow_blank=True
        )
        dv.error = "Chọn một mức trong danh sách."
        ws.add_data_validation(dv)
        dv.add(f"H{TITLE_ROWS + 2}:H{max(ws.max_row, TITLE_ROWS + 2)}")
    for col, width in zip(
        "ABCDEFGHIJKLMNOP",
        (10, 14, 32, 10, 22, 22, 22, 22, 8, 12, 12, 12, 12, 30, 22, 16),
        strict=True,
    ):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


class SheetError(ValueError):
    pass


def members_by_number(user, numbers) -> dict[str, int]:
    """Profile number → member id, for the members `user` may see (None: everyone). A number
    outside the scope is missing, exactly like one that does not exist (issue 20 §8)."""
    rows = Member.objects.filter(profile_number__in=list(numbers))
    if user is not None:
        rows = rows & access.members_visible(user)
    return dict(rows.values_list("profile_number", "pk"))


def units_by_code(user, codes) -> dict[str, int]:
    """Upper-case code → unit id, for the units `user` may see (None: every unit)."""
    rows = Unit.objects.filter(code__in=list(codes))
    if user is not None:
        rows = access.only_ever_visible(user, rows)
    return {code.upper(): pk for code, pk in rows.values_list("code", "pk")}


def read_entries(rnd: Round, data: bytes, *, user=None) -> tuple[list[svc.Entry], list[str]]:
    """Rows with a level filled in → entries (with their row numbers), and the problems of the
    rows that could not be read (unknown codes, kinds, levels); the rules are the service's.
    A code or profile number outside `user`'s scope reads exactly like an unknown one."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not xlsx
        raise SheetError("Tệp không phải là bảng tính .xlsx đọc được.") from exc
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    header_at = next(
        (
            i
            for i, row in enumerate(rows[:10])
            if row and row[0] == HEADER[0] and "Mức xếp loại" in row
        ),
        None,
    )
    if header_at is None:
        raise SheetError(
            "Không tìm thấy dòng tiêu đề của phiếu xếp loại (Loại, Mã, ..., Mức xếp loại)."
        )
    header = [clean(str(c)) if c is not None else "" for c in rows[header_at]]
    pos = {name: header.index(name) for name in HEADER if name in header}
    by_label = {}
    for lv in rnd.scheme.levels.all():
        by_label[(lv.subject, fold(lv.label))] = lv.code
        by_label[(lv.subject, lv.code)] = lv.code
    problems, entries = [], []
    body = [(header_at + 2 + i, row) for i, row in enumerate(rows[header_at + 1 :])]
    wanted_members = {str(r[pos["Mã"]]).strip() for _, r in body if r and r[0] == KIND_MEMBER}
    wanted_units = {str(r[pos["Mã"]]).strip() for _, r in body if r and r[0] == KIND_ORG}
    profiles = members_by_number(user, wanted_members)
    codes = units_by_code(user, wanted_units)

    def cell(row, name):
        i = pos.get(name)
        return row[i] if i is not None and i < len(row) else None

    for number, row in body:
        if not row or cell(row, "Mức xếp loại") in (None, ""):
            continue
        kind, code = cell(row, "Loại"), str(cell(row, "Mã") or "").strip()
        subject = (
            Subject.MEMBER
            if kind == KIND_MEMBER
            else Subject.ORGANIZATION
            if kind == KIND_ORG
            else None
        )
        if subject is None:
            problems.append(f"Dòng {number}, cột Loại: phải là “{KIND_ORG}” hoặc “{KIND_MEMBER}”.")
            continue
        raw = clean(str(cell(row, "Mức xếp loại")))
        level = by_label.get((subject, raw)) or by_label.get((subject, fold(raw)))
        if level is None:
            problems.append(
                f"Dòng {number}, cột Mức xếp loại: “{raw}” không có trong {rnd.scheme.name}."
            )
            continue
        facts = {
            key: cell(row, col)
            for col, key in FACT_COLUMNS.items()
            if cell(row, col) not in (None, "")
        }
        entry = svc.Entry(
            level=level,
            score=cell(row, "Điểm"),
            facts=facts,
            note=str(cell(row, "Ghi chú") or ""),
            row=number,
        )
        if subject == Subject.MEMBER:
            if code not in profiles:
                problems.append(f"Dòng {number}, cột Mã: không có đảng viên số lý lịch {code}.")
                continue
            entry.member = profiles[code]
        else:
            if code.upper() not in codes:
                problems.append(f"Dòng {number}, cột Mã: không có tổ chức mã {code}.")
                continue
            entry.unit = codes[code.upper()]
        entries.append(entry)
    return entries, problems


def import_xlsx(*, actor, rnd: Round, step: str, data: bytes) -> int:
    """All or nothing: any refused row leaves the round unchanged. The rows that could be read
    are checked by the service even when others could not, so one upload reports every problem
    (issue 11: errors came one batch per upload)."""
    entries, problems = read_entries(rnd, data, user=actor.user)
    if not entries and not problems:
        raise SheetError("Phiếu không có dòng nào điền mức xếp loại.")
    with transaction.atomic():
        done = 0
        if entries:
            try:
                done = len(
                    svc.assessment_record_many(actor=actor, round=rnd, step=step, entries=entries)
                )
            except ValidationError as exc:
                problems += exc.messages
        if problems:
            problems.sort(key=_row_number)
            raise SheetError("\n".join(problems))  # leaves the atomic block: nothing is kept
    return done


def _row_number(problem: str) -> int:
    found = re.match(r"Dòng (\d+)", problem)
    return int(found.group(1)) if found else 0
