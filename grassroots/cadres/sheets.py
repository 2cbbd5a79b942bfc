"""The cadres sheets of the import workbook (the Excel framework, excel/parts.py): "Nhiệm kỳ"
(terms), "Chức danh" (posts held), "Trình độ" (qualifications), "Lớp đào tạo" (courses) and
"Học viên" (enrolments and results). References (organization, member, course, term) are checked
against the importing account's scope; every row is then written through the module's own
service, so every rule applies and a refusal is a problem on that row (all or nothing)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from grassroots.accounts import access
from grassroots.accounts.models import Role
from grassroots.audit.services import Actor
from grassroots.excel.parts import Part, Row
from grassroots.excel.schema import CODE, DATE, INT, Column, Sheet, codes
from grassroots.members.models import Member
from grassroots.organizations.models import Unit

from . import config, services
from .models import Course, CourseKind, Post, QualKind, Result, Start, Subject, Term

_labels: dict[str, str] = {}
for _kind, _levels in config.LEVELS.items():
    for _code, _label in _levels:
        _labels.setdefault(_label, _code)
# Code lists are looked up by name across every sheet (excel/cells.py): the names are unique.
LEVEL_CODES = codes("Trình độ văn bằng", [(c, lbl) for lbl, c in _labels.items()])
HOW = codes("Hình thức bầu, chỉ định", Start.choices)
POSTS = codes("Chức danh cấp ủy", Post.choices)
QUAL_KINDS = codes("Loại văn bằng, chứng chỉ", QualKind.choices)
COURSE_KINDS = codes("Loại hình lớp", CourseKind.choices)
SUBJECTS = codes("Nội dung lớp", Subject.choices)
RESULTS = codes("Kết quả học tập", Result.choices)
YES_NO = codes("Chỉ định từ nơi khác", [("1", "Có"), ("0", "Không")])

TERMS = Sheet(
    kind="cadre_terms", name="Nhiệm kỳ", key="Mã tổ chức + Nhiệm kỳ",
    help="Mỗi dòng là một nhiệm kỳ của cấp ủy một tổ chức (đại hội bầu hoặc cấp trên chỉ định).",
    columns=(
        Column("unit", "Mã tổ chức", required=True, width=14),
        Column("name", "Nhiệm kỳ", required=True, width=12),
        Column("start", "Ngày bắt đầu", DATE, required=True, width=12),
        Column("how", "Hình thức", CODE, required=True, codes=HOW, width=22),
        Column("congress_date", "Ngày đại hội", DATE, width=12),
        Column("delegates", "Số đại biểu", INT, width=8),
        Column("decision_number", "Số quyết định", width=14),
        Column("result", "Kết quả", width=24),
    ),
    examples=(("LS-DL-01", "2020–2025", "15/05/2020", "Bầu tại đại hội / hội nghị",
               "13/05/2020", 120, "", "Bầu đủ 13 đồng chí"),),
)  # fmt: skip
POSTS_SHEET = Sheet(
    kind="cadre_posts", name="Chức danh", key="Mã tổ chức + Nhiệm kỳ + Số lý lịch + Chức danh",
    help="Mỗi dòng là một người giữ một chức danh trong một nhiệm kỳ (ở sheet Nhiệm kỳ hoặc đã có).",
    columns=(
        Column("unit", "Mã tổ chức", required=True, width=14),
        Column("term", "Nhiệm kỳ", required=True, width=12),
        Column("member", "Số lý lịch", required=True, width=14),
        Column("post", "Chức danh", CODE, required=True, codes=POSTS, width=24),
        Column("start", "Từ ngày", DATE, required=True, width=12),
        Column("how", "Hình thức", CODE, required=True, codes=HOW, width=22),
        Column("decision_number", "Số quyết định", width=14),
        Column("outsider", "Chỉ định từ nơi khác", CODE, codes=YES_NO, width=8),
    ),
    examples=(("LS-DL-01", "2020–2025", "000123LS", "Bí thư", "15/05/2020",
               "Bầu tại đại hội / hội nghị", "", "Không"),),
)  # fmt: skip
QUALS = Sheet(
    kind="qualifications", name="Trình độ", key="Số lý lịch + Loại + Trình độ + Ngày cấp",
    help="Mỗi dòng là một văn bằng, chứng chỉ của một đảng viên, với ngày cấp.",
    columns=(
        Column("member", "Số lý lịch", required=True, width=14),
        Column("kind", "Loại trình độ", CODE, required=True, codes=QUAL_KINDS, width=22),
        Column("level", "Trình độ", CODE, required=True, codes=LEVEL_CODES, width=18),
        Column("obtained_on", "Ngày cấp", DATE, required=True, width=12),
        Column("field", "Chuyên ngành", width=20),
        Column("evidence", "Văn bằng, chứng chỉ", width=24),
    ),
    examples=(("000123LS", "Lý luận chính trị", "Trung cấp", "30/06/2015", "",
               "Bằng trung cấp LLCT số 123"),),
)  # fmt: skip
COURSES = Sheet(
    kind="courses", name="Lớp đào tạo", key="Mã lớp",
    help="Mỗi dòng là một lớp đào tạo (cấp văn bằng) hoặc bồi dưỡng.",
    columns=(
        Column("code", "Mã lớp", required=True, width=14),
        Column("name", "Tên lớp", required=True, width=30),
        Column("kind", "Loại hình", CODE, required=True, codes=COURSE_KINDS, width=12),
        Column("subject", "Nội dung", CODE, required=True, codes=SUBJECTS, width=24),
        Column("unit", "Mã tổ chức mở lớp", required=True, width=14),
        Column("organizer", "Cơ sở đào tạo", width=24),
        Column("start", "Ngày khai giảng", DATE, required=True, width=12),
        Column("end", "Ngày bế giảng", DATE, required=True, width=12),
        Column("grants_kind", "Văn bằng cấp: loại", CODE, codes=QUAL_KINDS, width=18),
        Column("grants_level", "Văn bằng cấp: trình độ", CODE, codes=LEVEL_CODES, width=14),
    ),
    examples=(("TC-2024-01", "Trung cấp LLCT - HC", "Đào tạo", "Lý luận chính trị", "LS",
               "Trường Chính trị tỉnh", "05/09/2023", "30/06/2024", "Lý luận chính trị",
               "Trung cấp"),),
)  # fmt: skip
ENROLMENTS = Sheet(
    kind="enrolments", name="Học viên", key="Mã lớp + Số lý lịch",
    help="Mỗi dòng là một học viên của một lớp (ở sheet Lớp đào tạo hoặc đã có), với kết quả.",
    columns=(
        Column("course", "Mã lớp", required=True, width=14),
        Column("member", "Số lý lịch", required=True, width=14),
        Column("enrolled_on", "Ngày nhập học", DATE, width=12),
        Column("result", "Kết quả", CODE, codes=RESULTS, width=12),
        Column("result_on", "Ngày có kết quả", DATE, width=12),
        Column("certificate", "Số văn bằng, chứng chỉ", width=16),
    ),
    examples=(("TC-2024-01", "000123LS", "05/09/2023", "Hoàn thành", "30/06/2024", "123"),),
)  # fmt: skip


def _columns(sheet: Sheet) -> dict[str, str]:
    return {c.field: c.header for c in sheet.columns}


class CadresPart(Part):
    sheets = (TERMS, POSTS_SHEET, QUALS, COURSES, ENROLMENTS)

    def __init__(self, importer) -> None:
        super().__init__(importer)
        self.rows: list[tuple[Sheet, Row, dict]] = []
        self.terms: dict[tuple[int, str], Term] = {}
        self.courses: dict[str, Course] = {}

    def _unit(self, code: str, role: str) -> Unit | None:
        if self.user is None:
            return Unit.objects.filter(code__iexact=code).first()
        try:
            return access.get_unit_for_user(self.user, code, role=role)
        except (Http404, PermissionDenied):
            return None

    def _member(self, number: str) -> Member | None:
        rows = Member.objects.all() if self.user is None else access.members_visible(self.user)
        return rows.filter(profile_number=number.strip().upper()).first()

    def _ref(self, sheet, row, v, field, found, what) -> None:
        if found is None:
            self.problem(sheet, row.number, sheet.header(field),
                         f"không tìm thấy {what} {v.get(field)} trong phạm vi được ghi.")  # fmt: skip

    def check(self) -> None:
        file_terms = set()
        for row in self.rows_of(TERMS):
            if not _has(row, "unit", "name"):
                continue  # a required cell is empty or unreadable: already reported
            v = dict(row.values)
            v["unit"] = self._unit(str(v["unit"]), Role.APPROVER)
            self._ref(TERMS, row, row.values, "unit", v["unit"], "tổ chức")
            if v["unit"] is not None:
                file_terms.add((v["unit"].pk, str(v["name"]).strip()))
            self.rows.append((TERMS, row, v))
        for row in self.rows_of(POSTS_SHEET):
            if not _has(row, "unit", "term", "member"):
                continue  # a required cell is empty or unreadable: already reported
            v = dict(row.values)
            v["unit"] = self._unit(str(v["unit"]), Role.APPROVER)
            self._ref(POSTS_SHEET, row, row.values, "unit", v["unit"], "tổ chức")
            v["member"] = self._member(str(v["member"]))
            self._ref(POSTS_SHEET, row, row.values, "member", v["member"], "đảng viên số lý lịch")
            v["term"] = str(v["term"]).strip()
            if (
                v["unit"] is not None
                and (v["unit"].pk, v["term"]) not in file_terms
                and not (
                    Term.objects.filter(
                        unit=v["unit"], name=v["term"], voided_at__isnull=True
                    ).exists()
                )
            ):
                self.problem(POSTS_SHEET, row.number, POSTS_SHEET.header("term"),
                             f"{v['unit'].code} không có nhiệm kỳ {v['term']}.")  # fmt: skip
            self.rows.append((POSTS_SHEET, row, v))
        for row in self.rows_of(QUALS):
            if not _has(row, "member"):
                continue  # a required cell is empty or unreadable: already reported
            v = dict(row.values)
            v["member"] = self._member(str(v["member"]))
            self._ref(QUALS, row, row.values, "member", v["member"], "đảng viên số lý lịch")
            self.rows.append((QUALS, row, v))
        file_courses = set()
        for row in self.rows_of(COURSES):
            if not _has(row, "unit", "code"):
                continue  # a required cell is empty or unreadable: already reported
            v = dict(row.values)
            v["unit"] = self._unit(str(v["unit"]), Role.CLERK)
            self._ref(COURSES, row, row.values, "unit", v["unit"], "tổ chức")
            file_courses.add(str(v["code"]).strip().upper())
            self.rows.append((COURSES, row, v))
        for row in self.rows_of(ENROLMENTS):
            if not _has(row, "course", "member"):
                continue  # a required cell is empty or unreadable: already reported
            v = dict(row.values)
            v["member"] = self._member(str(v["member"]))
            self._ref(ENROLMENTS, row, row.values, "member", v["member"], "đảng viên số lý lịch")
            code = str(v["course"]).strip().upper()
            if code not in file_courses and not Course.objects.filter(code__iexact=code).exists():
                self.problem(ENROLMENTS, row.number, ENROLMENTS.header("course"),
                             f"không có lớp {code}.")  # fmt: skip
            v["course"] = code
            self.rows.append((ENROLMENTS, row, v))
        for sheet, _row, _v in self.rows:
            self.report.count(sheet, "created")

    @property
    def has_writes(self) -> bool:
        return bool(self.rows)

    @property
    def service_updates(self) -> bool:
        return True

    def write(self, actor: Actor, audits: list[tuple]) -> None:
        for sheet, row, v in self.rows:
            self.service(sheet, row, lambda s=sheet, v=v: self._write(actor, s, v), _columns(sheet))

    def _write(self, actor: Actor, sheet: Sheet, v: dict) -> None:
        text = lambda f: str(v.get(f) or "")  # noqa: E731
        if sheet is TERMS:
            services.term_open(
                actor=actor, unit=v["unit"], name=text("name"), start=v["start"], how=v["how"],
                congress_date=v.get("congress_date"), delegates=v.get("delegates"),
                decision_number=text("decision_number"), result=text("result"),
            )  # fmt: skip
        elif sheet is POSTS_SHEET:
            term = Term.objects.get(unit=v["unit"], name=v["term"], voided_at__isnull=True)
            services.holding_start(
                actor=actor, term=term, member=v["member"], post=v["post"], start=v["start"],
                how=v["how"], decision_number=text("decision_number"),
                outsider=v.get("outsider") == "1",
            )  # fmt: skip
        elif sheet is QUALS:
            services.qualification_add(
                actor=actor, member=v["member"], kind=v["kind"], level=v["level"],
                obtained_on=v["obtained_on"], field=text("field"), evidence=text("evidence"),
            )  # fmt: skip
        elif sheet is COURSES:
            services.course_create(
                actor=actor, code=text("code"), name=text("name"), kind=v["kind"],
                subject=v["subject"], unit=v["unit"], organizer=text("organizer"),
                start=v["start"], end=v["end"], grants_kind=text("grants_kind"),
                grants_level=text("grants_level"),
            )  # fmt: skip
        else:
            course = Course.objects.get(code__iexact=v["course"])
            enrolment = services.enrolment_add(actor=actor, course=course, member=v["member"],
                                               enrolled_on=v.get("enrolled_on"))  # fmt: skip
            if v.get("result") and v["result"] != Result.IN_PROGRESS:
                services.enrolment_result(
                    actor=actor, enrolment=enrolment, result=v["result"],
                    result_on=v.get("result_on"), certificate=text("certificate"),
                )  # fmt: skip


PART = CadresPart


def _has(row, *keys: str) -> bool:
    """The row holds a value for each of `keys` (the framework has already reported a required
    cell that is empty or could not be read, so such a row is left to that report)."""
    return all(row.values.get(key) not in (None, "") for key in keys)
