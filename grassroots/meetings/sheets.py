"""The meeting sheets of the import workbook (the Excel framework, excel/parts.py):
"Sinh hoạt chi bộ" (one row per meeting, keyed by a code of the file such as SH-1) and
"Điểm danh" (one row per exception: a member absent with or without reason, or someone outside
the expected list who attended). Everyone expected and not listed was present, as on the page.
"Tự đánh giá chất lượng" holds the cells' monthly self-assessment sheets (quality.py), one row
per cell, month and criterion (the criteria are dated configuration, so they are rows, not
columns); each cell-month is written through `services.quality_record`.
Each meeting is written through `services.meeting_record` with its marks, so every rule applies
and a refusal is a problem on that row (all or nothing). `sheet.py` exports the same format.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404

from grassroots.accounts import access
from grassroots.accounts.models import Role
from grassroots.audit.services import Actor
from grassroots.excel.parts import Part, Row
from grassroots.excel.schema import CODE, DATE, INT, Column, Sheet, codes
from grassroots.members.models import Member
from grassroots.organizations.models import Unit

from . import quality, services
from .models import Mark, MeetingKind

KINDS = codes("Loại sinh hoạt", MeetingKind.choices)
MARKS = codes("Điểm danh", Mark.choices)
YES_NO = codes("Có / Không", [("1", "Có"), ("0", "Không")])

MEETINGS = Sheet(
    kind="meetings",
    name="Sinh hoạt chi bộ",
    key="Mã buổi",
    help="Mỗi dòng là một buổi sinh hoạt. “Mã buổi” là mã tự đặt (ví dụ SH-1) để sheet Điểm danh "
    "ghi người vắng. Danh sách phải dự lấy từ hồ sơ đảng viên vào ngày sinh hoạt; ai không ghi ở "
    "sheet Điểm danh là có mặt. Giờ ghi dạng 08:00.",
    columns=(
        Column("key", "Mã buổi", required=True, width=10),
        Column("unit", "Mã chi bộ / tổ chức", required=True, width=14),
        Column("kind", "Loại sinh hoạt", CODE, required=True, codes=KINDS, width=22),
        Column("with_thematic", "Kết hợp chuyên đề", CODE, codes=YES_NO, width=8),
        Column("date", "Ngày", DATE, required=True, width=12),
        Column("start", "Giờ bắt đầu", required=True, width=8),
        Column("end", "Giờ kết thúc", required=True, width=8),
        Column("subject", "Chủ đề", width=24),
        Column("place", "Địa điểm", width=20),
        Column("chair", "Chủ trì", width=18),
        Column("secretary", "Thư ký", width=18),
        Column("guests", "Khách mời", width=20),
        Column("agenda", "Nội dung", width=30),
        Column("documents", "Tài liệu", width=20),
        Column("documents_posted_on", "Ngày đăng tài liệu", DATE, width=12),
        Column("conclusions", "Kết luận", width=30),
        Column("resolutions", "Nghị quyết", width=24),
        Column("votes_for", "Số tán thành", INT, width=8),
        Column("votes_against", "Số không tán thành", INT, width=8),
    ),
    examples=(
        (
            "SH-1",
            "LS-DL-01-01",
            "Sinh hoạt thường kỳ",
            "Không",
            "03/03/2025",
            "19:00",
            "21:00",
            "",
            "Nhà văn hóa thôn",
            "Nguyễn Văn A",
            "Lò Thị B",
        ),
    ),  # fmt: skip
)
MARKS_SHEET = Sheet(
    kind="meeting_marks",
    name="Điểm danh",
    key="Mã buổi + Số lý lịch",
    help="Chỉ ghi người vắng (có lý do / không lý do) và người ngoài danh sách phải dự (miễn sinh "
    "hoạt, đang sinh hoạt tạm thời nơi khác) có mặt.",
    columns=(
        Column("key", "Mã buổi", required=True, width=10),
        Column("profile_number", "Số lý lịch", required=True, width=14),
        Column("mark", "Điểm danh", CODE, required=True, codes=MARKS, width=22),
        Column("reason", "Lý do", width=24),
    ),
    examples=(("SH-1", "000123LS", "Vắng có lý do", "Ốm"),),
)
QUALITY_SHEET = Sheet(
    kind="meeting_quality",
    name="Tự đánh giá chất lượng",
    key="Mã chi bộ + Tháng + Mã tiêu chí",
    help="Mỗi dòng là điểm một tiêu chí của biểu tự đánh giá chất lượng sinh hoạt hằng tháng của "
    "một chi bộ. Tháng ghi dạng 03/2025. Mỗi chi bộ, mỗi tháng phải chấm đủ các tiêu chí của biểu "
    "đang áp dụng; ghi lại một tháng đã chấm thì thay biểu cũ.",
    columns=(
        Column("unit", "Mã chi bộ", required=True, width=14),
        Column("month", "Tháng", required=True, width=10),
        Column("criterion", "Mã tiêu chí", required=True, width=14),
        Column("points", "Điểm", INT, required=True, width=8),
        Column("label", "Tiêu chí", width=40),  # for reading; the key decides
        Column("note", "Ghi chú", width=30),
    ),
    examples=(
        ("LS-DL-01-01", "03/2025", "preparation", 14, "Chuẩn bị: chi ủy họp trước, ...", ""),
    ),  # fmt: skip
)
TEXT_FIELDS = ["subject", "place", "chair", "secretary", "guests", "agenda", "documents",
               "conclusions", "resolutions"]  # fmt: skip


def parse_time(value) -> dt.time | None:
    """08:00, 8:00, 8h00, 8 giờ 00, or an Excel time cell."""
    if isinstance(value, dt.time):
        return value
    if isinstance(value, dt.datetime):
        return value.time()
    text = str(value or "").strip().lower().replace("giờ", ":").replace("h", ":").replace(".", ":")
    parts = [p.strip() for p in text.split(":") if p.strip()]
    try:
        hour, minute = int(parts[0]), int(parts[1]) if len(parts) > 1 else 0
        return dt.time(hour, minute)
    except (ValueError, IndexError):
        return None


def parse_month(value) -> tuple[int, int] | None:
    """03/2025, 3/2025, 2025-03, or a date cell (its month)."""
    if isinstance(value, dt.date):
        return value.year, value.month
    text = str(value or "").strip().replace("-", "/").replace(".", "/")
    parts = [p for p in text.split("/") if p]
    try:
        if len(parts) == 2:
            first, second = int(parts[0]), int(parts[1])
            year, month = (first, second) if first > 31 else (second, first)
        elif len(parts) == 3:  # a date typed as text: the month of it
            month, year = int(parts[1]), int(parts[2])
        else:
            return None
    except ValueError:
        return None
    return (year, month) if 1 <= month <= 12 and 1000 <= year <= 9999 else None


class MeetingsPart(Part):
    sheets = (MEETINGS, MARKS_SHEET, QUALITY_SHEET)

    def __init__(self, importer) -> None:
        super().__init__(importer)
        self.meetings: list[tuple[Row, dict]] = []
        self.quality: list[tuple[Row, dict]] = []  # one per cell-month: its first row, the args

    def _unit(self, code: str) -> Unit | None:
        if self.user is None:
            return Unit.objects.filter(code__iexact=code).first()
        try:
            return access.get_unit_for_user(self.user, code, role=Role.CLERK)
        except (Http404, PermissionDenied):
            return None

    def _member(self, number: str) -> Member | None:
        rows = Member.objects.all() if self.user is None else access.members_visible(self.user)
        return rows.filter(profile_number=number.strip().upper()).first()

    def check(self) -> None:
        by_key: dict[str, dict] = {}
        for row in self.rows_of(MEETINGS):
            v = row.values
            key = str(v.get("key", "")).strip().upper()
            if key in by_key:
                self.problem(
                    MEETINGS, row.number, MEETINGS.header("key"), f"mã buổi {key} bị trùng."
                )
            unit = self._unit(str(v.get("unit", ""))) if v.get("unit") else None
            if v.get("unit") and unit is None:
                self.problem(MEETINGS, row.number, MEETINGS.header("unit"),
                             f"không có tổ chức mã {v['unit']} trong phạm vi được ghi.")  # fmt: skip
            times = {}
            for name in ("start", "end"):
                times[name] = parse_time(v.get(name))
                if v.get(name) not in (None, "") and times[name] is None:
                    self.problem(MEETINGS, row.number, MEETINGS.header(name),
                                 "giờ không hợp lệ (ghi dạng 08:00).")  # fmt: skip
            args = {f: str(v.get(f) or "") for f in TEXT_FIELDS}
            args.update(
                unit=unit, kind=v.get("kind"), date=v.get("date"), start=times["start"],
                end=times["end"], with_thematic=v.get("with_thematic") == "1",
                documents_posted_on=v.get("documents_posted_on"),
                votes_for=v.get("votes_for"), votes_against=v.get("votes_against"), marks={},
            )  # fmt: skip
            by_key[key] = args
            self.meetings.append((row, args))
            self.report.count(MEETINGS, "created")
        for row in self.rows_of(MARKS_SHEET):
            v = row.values
            key = str(v.get("key", "")).strip().upper()
            if key not in by_key:
                self.problem(MARKS_SHEET, row.number, MARKS_SHEET.header("key"),
                             f"không có buổi {key} ở sheet {MEETINGS.name}.")  # fmt: skip
                continue
            member = self._member(str(v.get("profile_number", "")))
            if member is None:
                self.problem(MARKS_SHEET, row.number, MARKS_SHEET.header("profile_number"),
                             f"không tìm thấy đảng viên số lý lịch {v.get('profile_number')}.")  # fmt: skip
                continue
            marks = by_key[key]["marks"]
            if member.pk in marks:
                self.problem(MARKS_SHEET, row.number, MARKS_SHEET.header("profile_number"),
                             "đảng viên được ghi hai lần cho cùng buổi.")  # fmt: skip
            marks[member.pk] = (v.get("mark"), str(v.get("reason") or ""))
            self.report.count(MARKS_SHEET, "created")
        self._check_quality()

    def _check_quality(self) -> None:
        by_month: dict[tuple[int, int, int], dict] = {}
        for row in self.rows_of(QUALITY_SHEET):
            v = row.values
            unit = self._unit(str(v.get("unit", ""))) if v.get("unit") else None
            if v.get("unit") and unit is None:
                self.problem(QUALITY_SHEET, row.number, QUALITY_SHEET.header("unit"),
                             f"không có tổ chức mã {v['unit']} trong phạm vi được ghi.")  # fmt: skip
            month = parse_month(v.get("month"))
            if v.get("month") not in (None, "") and month is None:
                self.problem(QUALITY_SHEET, row.number, QUALITY_SHEET.header("month"),
                             "tháng không hợp lệ (ghi dạng 03/2025).")  # fmt: skip
            if unit is None or month is None:
                continue
            key = str(v.get("criterion") or "").strip()
            entry = by_month.get((unit.pk, *month))
            if entry is None:
                entry = by_month[(unit.pk, *month)] = {
                    "unit": unit, "year": month[0], "month": month[1], "scores": {}, "note": "",
                }  # fmt: skip
                self.quality.append((row, entry))
            if key in entry["scores"]:
                self.problem(QUALITY_SHEET, row.number, QUALITY_SHEET.header("criterion"),
                             f"tiêu chí {key} được chấm hai lần cho cùng chi bộ, cùng tháng.")  # fmt: skip
            entry["scores"][key] = v.get("points")
            entry["note"] = entry["note"] or str(v.get("note") or "").strip()
            self.report.count(QUALITY_SHEET, "created")

    @property
    def has_writes(self) -> bool:
        return bool(self.meetings or self.quality)

    @property
    def service_updates(self) -> bool:
        return True

    def write(self, actor: Actor, audits: list[tuple]) -> None:
        columns = {c.field: c.header for c in MEETINGS.columns}
        columns["marks"] = MARKS_SHEET.name
        for row, args in self.meetings:
            if args["unit"] is None:
                continue  # already reported

            def write_one(args=args):
                services.meeting_record(actor=actor, **args)

            self.service(MEETINGS, row, write_one, columns)
        columns = {c.field: c.header for c in QUALITY_SHEET.columns}
        columns["scores"] = columns["criterion"]
        for row, args in self.quality:
            # A criterion's refusal names the criterion's key: show it under "Điểm".
            form = quality.sheet_on(dt.date(args["year"], args["month"], 1))
            keys = {*args["scores"], *(c.key for c in form.criteria)}
            named = columns | {key: columns["points"] for key in keys}

            def write_sheet(args=args):
                services.quality_record(actor=actor, **args)

            self.service(QUALITY_SHEET, row, write_sheet, named)


PART = MeetingsPart
