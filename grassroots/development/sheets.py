"""The development sheets of the import workbook (the Excel framework, excel/parts.py):
"Quần chúng ưu tú" (one row per case) and "Các bước" (one row per step of a case in the file or
already in the scope, keyed HS-<id> as exported). References are checked against the importing
account's scope; every row is then written through the step's own service, so every rule of
domain.md §2.2–2.3 applies and a refusal is a problem on that row (all or nothing).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from grassroots.accounts import access
from grassroots.accounts.models import Role
from grassroots.audit.services import Actor
from grassroots.excel.parts import Part, Row
from grassroots.excel.schema import CODE, DATE, INT, Column, Sheet, codes
from grassroots.members.models import Gender, Member
from grassroots.organizations.models import Unit

from . import services
from .models import Candidate, IntroducedBy, ProposalSource, StepKind

GENDERS = codes("Giới tính", Gender.choices)
SOURCES = codes("Nguồn giới thiệu", ProposalSource.choices)
STEP_KINDS = codes("Bước", StepKind.choices, exclude=(StepKind.PROPOSED,))
INTRODUCERS = codes("Giới thiệu bởi", IntroducedBy.choices)
YES_NO = codes("Có / Không", [("1", "Có"), ("0", "Không")])
RESULTS = codes("Kết quả", [("1", "Đạt"), ("0", "Không đạt")])

CASES = Sheet(
    kind="candidates",
    name="Quần chúng ưu tú",
    key="Mã hồ sơ",
    help="Mỗi dòng là một quần chúng ưu tú chi bộ đưa vào danh sách. “Mã hồ sơ” là mã tự đặt "
    "(ví dụ QC-1) để sheet Các bước ghi các bước của người này.",
    columns=(
        Column("key", "Mã hồ sơ", required=True, width=12),
        Column("full_name", "Họ và tên", required=True, width=28),
        Column("gender", "Giới tính", CODE, required=True, codes=GENDERS, width=10),
        Column("birth_date", "Ngày sinh", DATE, required=True, width=12),
        Column("ethnicity", "Dân tộc", width=10),
        Column("religion", "Tôn giáo", width=12),
        Column("hometown", "Quê quán", width=24),
        Column("residence", "Nơi cư trú", width=24),
        Column("education", "Trình độ giáo dục phổ thông", width=10),
        Column("occupation", "Nghề nghiệp", width=16),
        Column("citizen_id", "Số CCCD", width=14),
        Column("youth_union", "Đoàn viên", CODE, codes=YES_NO, width=8),
        Column("cell", "Mã chi bộ", required=True, width=14),
        Column("proposed_on", "Ngày đưa vào danh sách", DATE, required=True, width=12),
        Column("source", "Nguồn giới thiệu", CODE, required=True, codes=SOURCES, width=24),
        Column("helper", "Số lý lịch đảng viên giúp đỡ", width=14),
    ),
    examples=(
        (
            "QC-1",
            "Lò Thị Hoa",
            "Nữ",
            "15/05/2000",
            "Thái",
            "",
            "",
            "",
            "12/12",
            "Giáo viên",
            "",
            "Có",
            "LS-DL-01-01",
            "10/01/2024",
            "Đoàn TNCS Hồ Chí Minh giới thiệu",
            "",
        ),
    ),  # fmt: skip
)
STEPS = Sheet(
    kind="candidate_steps",
    name="Các bước",
    key="Mã hồ sơ + Bước + Ngày",
    help="Mỗi dòng là một bước của hồ sơ (theo thứ tự ngày). Mã hồ sơ: mã ở sheet Quần chúng ưu "
    "tú, hoặc HS-số của hồ sơ đã có (như khi xuất).",
    columns=(
        Column("key", "Mã hồ sơ", required=True, width=12),
        Column("kind", "Bước", CODE, required=True, codes=STEP_KINDS, width=30),
        Column("date", "Ngày", DATE, required=True, width=12),
        Column("document_number", "Số văn bản", width=14),
        Column("issuing_body", "Cơ quan ban hành", width=20),
        Column("course", "Khóa học", width=20),
        Column("introduced_by", "Giới thiệu bởi", CODE, codes=INTRODUCERS, width=20),
        Column("introducer_1", "Số lý lịch người giới thiệu 1", width=14),
        Column("introducer_2", "Số lý lịch người giới thiệu 2", width=14),
        Column("passed", "Kết quả", CODE, codes=RESULTS, width=10),
        Column("votes_for", "Số tán thành", INT, width=8),
        Column("upper_approval", "Văn bản đồng ý của cấp trên", width=20),
        Column("profile_number", "Số lý lịch đảng viên", width=14),
        Column("unit_code", "Mã chi bộ mới", width=14),
        Column("note", "Ghi chú / lý do", width=24),
    ),
    examples=(("QC-1", "Đơn xin vào Đảng (mẫu 1-KNĐ)", "06/02/2024"),),
)
PROFILE = ["full_name", "gender", "birth_date", "ethnicity", "religion", "hometown", "residence",
           "education", "occupation", "citizen_id"]  # fmt: skip


def _columns(sheet: Sheet) -> dict[str, str]:
    out = {c.field: c.header for c in sheet.columns}
    out.update(to_unit=sheet.header("unit_code") if sheet is STEPS else "", reason="")
    if sheet is STEPS:
        out["reason"] = sheet.header("note")
    return out


class DevelopmentPart(Part):
    sheets = (CASES, STEPS)

    def __init__(self, importer) -> None:
        super().__init__(importer)
        self.cases: list[tuple[Row, dict]] = []
        self.steps: list[tuple[Row, dict]] = []
        self.created: dict[str, Candidate] = {}

    # ---- references, within the account's scope ---------------------------------------
    def _cell(self, code: str) -> Unit | None:
        if self.user is None:
            return Unit.objects.filter(code__iexact=code).first()
        try:
            return access.get_unit_for_user(self.user, code, role=Role.CLERK)
        except (Http404, PermissionDenied):
            return None

    def _member(self, number: str) -> Member | None:
        rows = Member.objects.all() if self.user is None else access.members_visible(self.user)
        return rows.filter(profile_number=number.strip().upper()).first()

    def _existing(self, key: str) -> Candidate | None:
        text = key.strip().upper().removeprefix("HS-")
        candidate = Candidate.objects.filter(pk=int(text)).first() if text.isdigit() else None
        if candidate is None or self._cell(Unit.objects.get(pk=candidate.cell_id).code) is None:
            return None
        return candidate

    def check(self) -> None:
        keys = set()
        for row in self.rows_of(CASES):
            v = row.values
            key = str(v.get("key", "")).strip().upper()
            if key in keys:
                self.problem(CASES, row.number, CASES.header("key"), f"mã hồ sơ {key} bị trùng.")
            keys.add(key)
            args = {f: v[f] for f in PROFILE if v.get(f) not in (None, "")}
            args.update(youth_union=v.get("youth_union") == "1", source=v.get("source"),
                        proposed_on=v.get("proposed_on"))  # fmt: skip
            cell = self._cell(str(v.get("cell", ""))) if v.get("cell") else None
            if v.get("cell") and cell is None:
                self.problem(CASES, row.number, CASES.header("cell"),
                             f"không có chi bộ mã {v['cell']} trong phạm vi được ghi.")  # fmt: skip
            helper = None
            if v.get("helper"):
                helper = self._member(str(v["helper"]))
                if helper is None:
                    self.problem(CASES, row.number, CASES.header("helper"),
                                 f"không tìm thấy đảng viên số lý lịch {v['helper']}.")  # fmt: skip
            self.cases.append((row, {**args, "cell": cell, "helper": helper, "key": key}))
            self.report.count(CASES, "created")
        for row in self.rows_of(STEPS):
            v = row.values
            key = str(v.get("key", "")).strip().upper()
            existing = None if key in keys else self._existing(key)
            if key not in keys and existing is None:
                self.problem(STEPS, row.number, STEPS.header("key"),
                             f"không có hồ sơ {key} (ở sheet {CASES.name} hay trong phạm vi).")  # fmt: skip
            args = dict(v)
            for field in ("introducer_1", "introducer_2"):
                if v.get(field):
                    args[field] = self._member(str(v[field]))
                    if args[field] is None:
                        self.problem(STEPS, row.number, STEPS.header(field),
                                     f"không tìm thấy đảng viên số lý lịch {v[field]}.")  # fmt: skip
            if v.get("kind") == StepKind.MOVED:
                args["to_unit"] = self._cell(str(v.get("unit_code", "")))
                if args["to_unit"] is None:
                    self.problem(STEPS, row.number, STEPS.header("unit_code"),
                                 "không có chi bộ này trong phạm vi được ghi.")  # fmt: skip
            self.steps.append((row, {**args, "key": key, "existing": existing}))
            self.report.count(STEPS, "created")

    @property
    def has_writes(self) -> bool:
        return bool(self.cases or self.steps)

    @property
    def service_updates(self) -> bool:
        return True

    def write(self, actor: Actor, audits: list[tuple]) -> None:
        for row, args in self.cases:
            key = args.pop("key")

            def propose(args=args, key=key):
                self.created[key] = services.candidate_propose(actor=actor, **args)

            self.service(CASES, row, propose, _columns(CASES))
        for row, args in self.steps:
            candidate = args.pop("existing") or self.created.get(args.pop("key"))
            if candidate is None:
                continue  # its case row was refused (already reported)
            self.service(
                STEPS, row, lambda c=candidate, a=args: _step(actor, c, a), _columns(STEPS)
            )


def _step(actor: Actor, candidate: Candidate, v: dict) -> None:
    kind, day = v["kind"], v["date"]
    text = {k: str(v.get(k) or "") for k in ("document_number", "issuing_body", "course", "note",
                                             "upper_approval", "profile_number")}  # fmt: skip
    common = {"actor": actor, "candidate": candidate, "date": day}
    if kind == StepKind.MOVED:
        services.candidate_move(actor=actor, candidate=candidate, to_unit=v["to_unit"], date=day)
    elif kind == StepKind.CLOSED:
        services.candidate_close(**common, reason=text["note"])
    elif kind == StepKind.CERTIFICATE:
        services.step_certificate(**common, course=text["course"], issuing_body=text["issuing_body"],
                                  document_number=text["document_number"])  # fmt: skip
    elif kind == StepKind.INTRODUCTION:
        services.step_introduction(
            **common, introduced_by=v.get("introduced_by") or IntroducedBy.MEMBERS,
            introducer_1=v.get("introducer_1"), introducer_2=v.get("introducer_2"),
            document_number=text["document_number"],
        )  # fmt: skip
    elif kind in (StepKind.VERIFICATION, StepKind.UPPER_RULING):
        if v.get("passed") not in ("0", "1"):
            from django.core.exceptions import ValidationError

            raise ValidationError({"passed": ["ghi “Đạt” hoặc “Không đạt”."]})
        extra = ({"note": text["note"]} if kind == StepKind.VERIFICATION else
                 {"document_number": text["document_number"], "issuing_body": text["issuing_body"]})  # fmt: skip
        services.STEP_WRITERS[kind](**common, passed=v["passed"] == "1", **extra)
    elif kind == StepKind.CELL_VOTE:
        services.step_cell_vote(**common, votes_for=v.get("votes_for") or 0, note=text["note"])
    elif kind == StepKind.GRASSROOTS_PROPOSAL:
        services.step_grassroots_proposal(**common, document_number=text["document_number"])
    elif kind in (StepKind.DECISION, StepKind.RECOGNITION):
        services.STEP_WRITERS[kind](**common, document_number=text["document_number"],
                                    issuing_body=text["issuing_body"])  # fmt: skip
    elif kind == StepKind.CEREMONY:
        services.step_ceremony(**common, upper_approval=text["upper_approval"],
                               profile_number=text["profile_number"])  # fmt: skip
    else:
        services.STEP_WRITERS[kind](**common)


PART = DevelopmentPart
