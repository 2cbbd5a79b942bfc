"""The inspection sheets of the import workbook (the Excel framework, excel/parts.py):
"Kiểm tra, giám sát" (one row per case, keyed by a code of the file such as KT-1, with its
conclusion when there is one), "Quyết định kỷ luật" (one row per decision, optionally of a
case of the file or of an existing case KT-<số>) and "Đình chỉ sinh hoạt đảng" (one row per
suspension, the same way; `suspension_record`). Each row is written through the services the
pages call (`case_open`, `case_conclude`, `decision_record`), so every rule applies — competence,
dates, probation, access — and a refusal is a problem on that row (all or nothing).
`sheet.py` exports the same format; importing an export again is refused row by row as
duplicates."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from grassroots.accounts import access as registry_access
from grassroots.accounts.models import Role
from grassroots.audit.services import Actor
from grassroots.excel.parts import Part, Row
from grassroots.excel.schema import CODE, DATE, INT, Column, Sheet, codes
from grassroots.members.models import Member
from grassroots.organizations.models import Unit

from . import access, services
from .models import (
    Case,
    CaseKind,
    Conclusion,
    Decision,
    Form,
    Organ,
    Severity,
    Suspension,
    SuspensionGround,
)

KINDS = codes("Loại kiểm tra, giám sát", CaseKind.choices)
ORGANS = codes("Cơ quan quyết định", Organ.choices)
CONCLUSIONS = codes("Kết luận", Conclusion.choices)
SEVERITIES = codes("Mức độ vi phạm", Severity.choices)
FORMS = codes("Hình thức kỷ luật", Form.choices)
GROUNDS = codes("Căn cứ đình chỉ", SuspensionGround.choices)
CASE_PREFIX = "KT-"

SUBJECT = (
    Column("subject_unit", "Mã tổ chức là đối tượng", width=14),
    Column("subject_member", "Số lý lịch đảng viên là đối tượng", width=14),
)
CASES = Sheet(
    kind="inspection_cases",
    name="Kiểm tra, giám sát",
    key="Mã hồ sơ",
    help="Mỗi dòng là một cuộc kiểm tra, giám sát. “Mã hồ sơ” là mã tự đặt (ví dụ KT-1) để sheet "
    "Quyết định kỷ luật ghi quyết định của cuộc đó. Đối tượng: ghi mã tổ chức hoặc số lý lịch "
    "đảng viên (một trong hai). Cột kết luận để trống nếu chưa kết luận.",
    columns=(
        Column("key", "Mã hồ sơ", required=True, width=10),
        Column("kind", "Loại", CODE, required=True, codes=KINDS, width=26),
        Column("title", "Nội dung kiểm tra, giám sát", required=True, width=30),
        *SUBJECT,
        Column("body", "Mã tổ chức có cơ quan quyết định", required=True, width=14),
        Column("organ", "Cơ quan quyết định", CODE, required=True, codes=ORGANS, width=18),
        Column("number", "Số quyết định", width=14),
        Column("opened_on", "Ngày quyết định kiểm tra, giám sát", DATE, required=True, width=12),
        Column("period_start", "Thời kỳ từ ngày", DATE, required=True, width=12),
        Column("period_end", "Thời kỳ đến ngày", DATE, required=True, width=12),
        Column("team", "Đoàn, tổ", width=20),
        Column("content", "Nội dung đơn, dấu hiệu vi phạm", width=30),
        Column("concluded_on", "Ngày kết luận", DATE, width=12),
        Column("conclusion", "Kết luận", CODE, codes=CONCLUSIONS, width=14),
        Column("severity", "Mức độ vi phạm", CODE, codes=SEVERITIES, width=16),
        Column("findings", "Kết quả", width=30),
    ),
    examples=(
        (
            "KT-1",
            "Kiểm tra khi có dấu hiệu vi phạm",
            "Chấp hành quy định về đảng phí",
            "",
            "000123LS",
            "LS-DL",
            "Ủy ban kiểm tra",
            "05-QĐ/UBKT",
            "10/01/2025",
            "01/01/2024",
            "31/12/2024",
        ),
    ),  # fmt: skip
)
DECISIONS = Sheet(
    kind="inspection_decisions",
    name="Quyết định kỷ luật",
    key="Đối tượng + hình thức + ngày ký",
    help="Mỗi dòng là một quyết định kỷ luật. “Mã hồ sơ” (không bắt buộc) là mã ở sheet Kiểm "
    "tra, giám sát hoặc mã KT-<số> của hồ sơ đã có; khi có mã hồ sơ, đối tượng lấy theo hồ sơ. "
    "Quyết định kỷ luật đảng viên được ghi vào hồ sơ đảng viên (khai trừ chấm dứt đảng tịch).",
    columns=(
        Column("case", "Mã hồ sơ", width=10),
        *SUBJECT,
        Column("form", "Hình thức kỷ luật", CODE, required=True, codes=FORMS, width=14),
        Column("body", "Mã tổ chức có cơ quan quyết định", required=True, width=14),
        Column("organ", "Cơ quan quyết định", CODE, required=True, codes=ORGANS, width=18),
        Column("number", "Số quyết định", width=14),
        Column("signed_on", "Ngày ký", DATE, required=True, width=12),
        Column("announced_on", "Ngày công bố", DATE, required=True, width=12),
        Column("votes_for", "Số phiếu tán thành", INT, width=8),
        Column("voters", "Số người biểu quyết", INT, width=8),
        Column("reason", "Lý do", width=30),
    ),
    examples=(
        (
            "KT-1",
            "",
            "",
            "Khiển trách",
            "LS-DL",
            "Ủy ban kiểm tra",
            "07-QĐ/UBKT",
            "10/02/2025",
            "12/02/2025",
            5,
            5,
        ),
    ),  # fmt: skip
)
SUSPENSIONS = Sheet(
    kind="inspection_suspensions",
    name="Đình chỉ sinh hoạt đảng",
    key="Số lý lịch + từ ngày",
    help="Mỗi dòng là một quyết định đình chỉ sinh hoạt đảng của một đảng viên. “Mã hồ sơ” (không "
    "bắt buộc) là mã ở sheet Kiểm tra, giám sát hoặc KT-<số> của hồ sơ đã có; khi có mã hồ sơ, "
    "đảng viên lấy theo hồ sơ. “Đến hết ngày” để trống: 90 ngày kể từ ngày bắt đầu.",
    columns=(
        Column("case", "Mã hồ sơ", width=10),
        Column("subject_member", "Số lý lịch đảng viên", width=14),
        Column("ground", "Căn cứ", CODE, required=True, codes=GROUNDS, width=30),
        Column("body", "Mã tổ chức có cơ quan quyết định", required=True, width=14),
        Column("organ", "Cơ quan quyết định", CODE, required=True, codes=ORGANS, width=18),
        Column("number", "Số quyết định", width=14),
        Column("signed_on", "Ngày ký", DATE, required=True, width=12),
        Column("start", "Đình chỉ từ ngày", DATE, required=True, width=12),
        Column("last_day", "Đến hết ngày", DATE, width=12),
        Column("reason", "Lý do", width=30),
    ),
    examples=(
        (
            "KT-1",
            "",
            "Có dấu hiệu vi phạm nghiêm trọng, cản trở việc kiểm tra, xử lý",
            "LS-DL",
            "Ủy ban kiểm tra",
            "06-QĐ/UBKT",
            "20/01/2025",
            "20/01/2025",
        ),
    ),  # fmt: skip
)
# Service error keys -> the sheet's columns.
CASE_COLUMNS = {c.field: c.header for c in CASES.columns} | {
    "subject": CASES.header("subject_unit"), "subject_member_number":
    CASES.header("subject_member"), "subject_unit_code": CASES.header("subject_unit"),
}  # fmt: skip
DECISION_COLUMNS = {c.field: c.header for c in DECISIONS.columns} | {
    "subject": DECISIONS.header("subject_unit"), "member_event": DECISIONS.header("form"),
}  # fmt: skip
SUSPENSION_COLUMNS = {c.field: c.header for c in SUSPENSIONS.columns} | {
    "subject": SUSPENSIONS.header("subject_member"), "member": SUSPENSIONS.header("subject_member"),
}  # fmt: skip


class InspectionPart(Part):
    sheets = (CASES, DECISIONS, SUSPENSIONS)

    def __init__(self, importer) -> None:
        super().__init__(importer)
        self.cases: list[tuple[Row, dict, dict]] = []  # row, open args, conclude args
        self.decisions: list[tuple[Row, dict, str]] = []  # row, args, key of a case of the file
        self.suspensions: list[tuple[Row, dict, str]] = []  # the same for suspensions
        self.written: dict[str, Case] = {}

    # ---- references, each limited to what the importing account may see ----------------------
    def _body(self, code: str) -> Unit | None:
        # The deciding body may stand above the importer's scope (as on the pages).
        return Unit.objects.filter(code__iexact=code.strip()).first()

    def _unit(self, code: str) -> Unit | None:
        if self.user is None:
            return Unit.objects.filter(code__iexact=code.strip()).first()
        try:
            return registry_access.get_unit_for_user(self.user, code.strip(), role=Role.CLERK)
        except (Http404, PermissionDenied):
            return None

    def _member(self, number: str) -> Member | None:
        rows = (
            Member.objects.all()
            if self.user is None
            else registry_access.members_visible(self.user)
        )
        return rows.filter(profile_number=number.strip().upper()).first()

    def _existing_case(self, key: str) -> Case | None:
        if not key.startswith(CASE_PREFIX) or not key[len(CASE_PREFIX) :].isdigit():
            return None
        rows = Case.objects.all() if self.user is None else access.cases_visible(self.user)
        return rows.filter(pk=int(key[len(CASE_PREFIX) :])).first()

    def _subject(self, sheet: Sheet, row: Row) -> tuple[Unit | None, Member | None, bool]:
        v, ok = row.values, True
        code, number = str(v.get("subject_unit") or ""), str(v.get("subject_member") or "")
        unit = self._unit(code) if code else None
        member = self._member(number) if number else None
        if code and unit is None:
            ok = False
            self.problem(sheet, row.number, sheet.header("subject_unit"),
                         f"không có tổ chức mã {code} trong phạm vi được ghi.")  # fmt: skip
        if number and member is None:
            ok = False
            self.problem(sheet, row.number, sheet.header("subject_member"),
                         f"không tìm thấy đảng viên số lý lịch {number}.")  # fmt: skip
        return unit, member, ok

    def _body_of(self, sheet: Sheet, row: Row) -> Unit | None:
        code = str(row.values.get("body") or "")
        body = self._body(code) if code else None
        if code and body is None:
            self.problem(sheet, row.number, sheet.header("body"),
                         f"không tìm thấy tổ chức mã {code}.")  # fmt: skip
        return body

    # ---- check ---------------------------------------------------------------------------------
    def check(self) -> None:
        rows = self.rows_of(CASES) + self.rows_of(DECISIONS) + self.rows_of(SUSPENSIONS)
        if rows and self.user is not None and not access.is_inspector(self.user):
            self.problem(CASES, None, None, access.NOT_INSPECTOR)
            return
        keys: set[str] = set()
        for row in self.rows_of(CASES):
            self._check_case(row, keys)
        for row in self.rows_of(DECISIONS):
            self._check_decision(row, keys)
        for row in self.rows_of(SUSPENSIONS):
            self._check_suspension(row, keys)

    @staticmethod
    def _complete(sheet: Sheet, row: Row) -> bool:
        """A row with a required cell missing or unreadable is already reported by the
        framework; it goes no further."""
        return all(row.values.get(c.field) not in (None, "") for c in sheet.columns if c.required)

    def _check_case(self, row: Row, keys: set[str]) -> None:
        v = row.values
        key = str(v.get("key") or "").strip().upper()
        if key in keys:
            self.problem(CASES, row.number, CASES.header("key"), f"mã hồ sơ {key} bị trùng.")
        if self._existing_case(key) is not None:
            self.problem(CASES, row.number, CASES.header("key"),
                         f"đã có hồ sơ {key}; dòng xuất từ hệ thống không nhập lại.")  # fmt: skip
        keys.add(key)
        unit, member, ok = self._subject(CASES, row)
        body = self._body_of(CASES, row)
        opened = dict(
            kind=v.get("kind"), title=str(v.get("title") or ""), body=body, organ=v.get("organ"),
            opened_on=v.get("opened_on"), period_start=v.get("period_start"),
            period_end=v.get("period_end"), subject_unit=unit, subject_member=member,
            team=str(v.get("team") or ""), content=str(v.get("content") or ""),
            number=str(v.get("number") or ""),
        )  # fmt: skip
        concluded = {}
        if v.get("concluded_on") or v.get("conclusion"):
            for name in ("concluded_on", "conclusion"):
                if not v.get(name):
                    self.problem(CASES, row.number, CASES.header(name),
                                 "cần ghi cả ngày kết luận và kết luận.")  # fmt: skip
            concluded = dict(
                concluded_on=v.get("concluded_on"), conclusion=v.get("conclusion"),
                severity=v.get("severity") or "", findings=str(v.get("findings") or ""),
            )  # fmt: skip
        if ok and body is not None and self._complete(CASES, row):
            self.cases.append((row, opened, concluded))
            self.report.count(CASES, "created")

    def _check_decision(self, row: Row, keys: set[str]) -> None:
        v = row.values
        key = str(v.get("case") or "").strip().upper()
        case = self._existing_case(key) if key and key not in keys else None
        if key and key not in keys and case is None:
            self.problem(DECISIONS, row.number, DECISIONS.header("case"),
                         f"không có hồ sơ {key} ở sheet {CASES.name} hoặc trong hệ thống.")  # fmt: skip
            return
        unit, member, ok = self._subject(DECISIONS, row)
        if case is not None:
            unit, member = case.subject_unit, case.subject_member
        elif not key and unit is None and member is None and ok:
            ok = False
            self.problem(DECISIONS, row.number, DECISIONS.header("subject_unit"),
                         "cần mã hồ sơ, mã tổ chức hoặc số lý lịch đảng viên.")  # fmt: skip
        body = self._body_of(DECISIONS, row)
        args = dict(
            form=v.get("form"), body=body, organ=v.get("organ"), signed_on=v.get("signed_on"),
            announced_on=v.get("announced_on"), subject_unit=unit, subject_member=member,
            case=case, number=str(v.get("number") or ""), reason=str(v.get("reason") or ""),
            votes_for=v.get("votes_for"), voters=v.get("voters"),
        )  # fmt: skip
        if (unit or member) and args["signed_on"] and args["form"]:
            same = Decision.objects.filter(
                subject_unit=unit, subject_member=member, form=args["form"],
                signed_on=args["signed_on"], annulled_on__isnull=True,
            )  # fmt: skip
            if same.exists():
                self.problem(DECISIONS, row.number, DECISIONS.header("form"),
                             "đã có quyết định này (cùng đối tượng, hình thức, ngày ký).")  # fmt: skip
                return
        if ok and body is not None and self._complete(DECISIONS, row):
            self.decisions.append((row, args, key if key in keys else ""))
            self.report.count(DECISIONS, "created")

    def _check_suspension(self, row: Row, keys: set[str]) -> None:
        v = row.values
        key = str(v.get("case") or "").strip().upper()
        case = self._existing_case(key) if key and key not in keys else None
        if key and key not in keys and case is None:
            self.problem(SUSPENSIONS, row.number, SUSPENSIONS.header("case"),
                         f"không có hồ sơ {key} ở sheet {CASES.name} hoặc trong hệ thống.")  # fmt: skip
            return
        _unit, member, ok = self._subject(SUSPENSIONS, row)
        if case is not None:
            member = case.subject_member
            if member is None:
                self.problem(SUSPENSIONS, row.number, SUSPENSIONS.header("case"),
                             f"hồ sơ {key} không về một đảng viên.")  # fmt: skip
                return
        elif not key and member is None and ok:
            ok = False
            self.problem(SUSPENSIONS, row.number, SUSPENSIONS.header("subject_member"),
                         "cần mã hồ sơ hoặc số lý lịch đảng viên.")  # fmt: skip
        body = self._body_of(SUSPENSIONS, row)
        args = dict(
            ground=v.get("ground"), body=body, organ=v.get("organ"), signed_on=v.get("signed_on"),
            start=v.get("start"), last_day=v.get("last_day"), member=member, case=case,
            number=str(v.get("number") or ""), reason=str(v.get("reason") or ""),
        )  # fmt: skip
        if member is not None and args["start"]:
            if Suspension.objects.filter(subject_member=member, start=args["start"]).exists():
                self.problem(SUSPENSIONS, row.number, SUSPENSIONS.header("start"),
                             "đã có quyết định đình chỉ này (cùng đảng viên, cùng ngày bắt đầu).")  # fmt: skip
                return
        if ok and body is not None and self._complete(SUSPENSIONS, row):
            self.suspensions.append((row, args, key if key in keys else ""))
            self.report.count(SUSPENSIONS, "created")

    # ---- write ---------------------------------------------------------------------------------
    @property
    def has_writes(self) -> bool:
        return bool(self.cases or self.decisions or self.suspensions)

    @property
    def service_updates(self) -> bool:
        return True

    def write(self, actor: Actor, audits: list[tuple]) -> None:
        for row, opened, concluded in self.cases:

            def write_case(row=row, opened=opened, concluded=concluded):
                case = services.case_open(actor=actor, **opened)
                if concluded:
                    services.case_conclude(actor=actor, case=case, **concluded)
                self.written[str(row.values.get("key")).strip().upper()] = case

            self.service(CASES, row, write_case, CASE_COLUMNS)
        for row, args, key in self.decisions:
            if key:
                case = self.written.get(key)
                if case is None:
                    continue  # its case row was refused, and says why
                args = args | {"case": case, "subject_unit": case.subject_unit,
                               "subject_member": case.subject_member}  # fmt: skip

            def write_decision(args=args):
                services.decision_record(actor=actor, **args)

            self.service(DECISIONS, row, write_decision, DECISION_COLUMNS)
        for row, args, key in self.suspensions:
            if key:
                case = self.written.get(key)
                if case is None:
                    continue  # its case row was refused, and says why
                if case.subject_member is None:
                    self.problem(SUSPENSIONS, row.number, SUSPENSIONS.header("case"),
                                 f"hồ sơ {key} không về một đảng viên.")  # fmt: skip
                    continue
                args = args | {"case": case, "member": case.subject_member}

            def write_suspension(args=args):
                services.suspension_record(actor=actor, **args)

            self.service(SUSPENSIONS, row, write_suspension, SUSPENSION_COLUMNS)


PART = InspectionPart
