"""The import format: which sheets a workbook holds, their Vietnamese column headers, and the
code lists behind the drop-downs. Templates, the importer, the import-format export and
docs/import.md all read this one description, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import translation

from grassroots.core.text import fold
from grassroots.members.models import DisciplineForm, EventKind, Gender
from grassroots.organizations.models import ChangeAction, GrassrootsType, Kind
from grassroots.territory.models import CellArrangement, VillageKind

TEXT, DATE, INT, CODE = "text", "date", "int", "code"


@dataclass(frozen=True)
class Codes:
    """A coded field: stored value ↔ Vietnamese label. Either is accepted on import, any case."""

    name: str
    choices: tuple[tuple[str, str], ...]

    def labels(self) -> list[str]:
        return [label for _, label in self.choices]

    def label(self, value: str) -> str:
        return dict(self.choices).get(value, value)

    def lookup(self) -> dict[str, str]:
        table = {}
        for value, label in self.choices:
            table[fold(value)] = value
            table[fold(label)] = value
        return table


def _codes(name: str, choices, exclude: tuple[str, ...] = ()) -> Codes:
    with translation.override("vi"):
        return Codes(name, tuple((str(v), str(label)) for v, label in choices if v not in exclude))


KINDS = _codes("Cấp tổ chức", Kind.choices)
TYPES = _codes("Loại hình", GrassrootsType.choices)
ACTIONS = _codes("Thay đổi", ChangeAction.choices, exclude=(ChangeAction.ESTABLISH,))
GENDERS = _codes("Giới tính", Gender.choices)
EVENT_KINDS = _codes("Sự kiện", EventKind.choices, exclude=(EventKind.ADMISSION,))
DISCIPLINE = _codes("Hình thức kỷ luật", DisciplineForm.choices)
VILLAGE_KINDS = _codes("Loại thôn", VillageKind.choices)
ARRANGEMENTS = _codes("Tình trạng chi bộ", CellArrangement.choices)
ALL_CODES = (KINDS, TYPES, ACTIONS, GENDERS, EVENT_KINDS, DISCIPLINE, VILLAGE_KINDS, ARRANGEMENTS)


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    type: str = TEXT
    required: bool = False
    codes: Codes | None = None
    help: str = ""
    width: int = 16


@dataclass(frozen=True)
class Sheet:
    kind: str  # the KIND of `grassroots template KIND`
    name: str  # the sheet's title in the workbook
    columns: tuple[Column, ...]
    key: str  # how a row is identified (docs)
    help: str = ""
    examples: tuple[tuple, ...] = field(default=())

    def column(self, field_name: str) -> Column:
        return next(c for c in self.columns if c.field == field_name)

    def header(self, field_name: str) -> str:
        return self.column(field_name).header


DECISION = (
    Column(
        "decision_number", "Số quyết định", help="Số của quyết định (ví dụ 125-QĐ/TU).", width=16
    ),
    Column("decision_date", "Ngày quyết định", DATE, width=14),
    Column("issuing_body", "Cơ quan ban hành", width=24),
)

ORGANIZATIONS = Sheet(
    kind="organizations",
    name="Tổ chức đảng",
    key="Mã tổ chức",
    help="Mỗi dòng là một tổ chức đảng như khi được thành lập. Các thay đổi về sau (đổi tên, "
    "chuyển trực thuộc, sáp nhập, giải thể...) ghi ở sheet Thay đổi tổ chức.",
    columns=(
        Column(
            "code",
            "Mã tổ chức",
            required=True,
            help="Mã duy nhất, không phân biệt chữ hoa/thường.",
            width=14,
        ),
        Column("name", "Tên tổ chức", required=True, width=40),
        Column("kind", "Cấp tổ chức", CODE, required=True, codes=KINDS, width=30),
        Column(
            "grassroots_type",
            "Loại hình",
            CODE,
            codes=TYPES,
            help="Bắt buộc với đảng bộ cơ sở và chi bộ cơ sở; chi bộ trực thuộc lấy theo cấp trên.",
            width=28,
        ),
        Column("parent", "Mã tổ chức cấp trên", help="Để trống với đảng bộ tỉnh.", width=14),
        Column("established", "Ngày thành lập", DATE, required=True, width=14),
        *DECISION,
    ),
    examples=(
        ("LS", "Đảng bộ tỉnh Lạng Sơn", "Đảng bộ tỉnh", "", "", "01/01/2000", "", "", ""),
        (
            "LS-DL",
            "Đảng bộ huyện Đình Lập",
            "Đảng bộ cấp huyện, trực thuộc tỉnh",
            "",
            "LS",
            "01/01/2000",
            "",
            "",
            "",
        ),
        (
            "LS-DL-01",
            "Chi bộ xã Bắc Xa",
            "Chi bộ cơ sở",
            "Xã, phường, thị trấn, đặc khu",
            "LS-DL",
            "01/01/2000",
            "12-QĐ/HU",
            "20/12/1999",
            "Huyện ủy Đình Lập",
        ),
    ),
)

CHANGES = Sheet(
    kind="changes",
    name="Thay đổi tổ chức",
    key="Mã tổ chức + Thay đổi + Ngày hiệu lực",
    help="Mỗi dòng là một quyết định thay đổi một tổ chức, theo thứ tự ngày. Sáp nhập và giải thể kết "
    "thúc tổ chức; việc chuyển đảng viên theo sắp xếp ghi ở sheet Sự kiện đảng viên "
    "(sự kiện “Chuyển theo sắp xếp tổ chức”), việc chuyển tổ chức trực thuộc ghi bằng dòng “Chuyển trực thuộc”.",
    columns=(
        Column("code", "Mã tổ chức", required=True, width=14),
        Column("action", "Thay đổi", CODE, required=True, codes=ACTIONS, width=24),
        Column("date", "Ngày hiệu lực", DATE, required=True, width=14),
        Column("name", "Tên mới", help="Với Đổi tên.", width=36),
        Column(
            "kind", "Cấp tổ chức mới", CODE, codes=KINDS, help="Với Thay đổi cấp tổ chức.", width=30
        ),
        Column("grassroots_type", "Loại hình mới", CODE, codes=TYPES, width=28),
        Column("parent", "Mã cấp trên mới", help="Với Chuyển trực thuộc.", width=14),
        Column("target", "Mã tổ chức nhận sáp nhập", help="Với Sáp nhập.", width=14),
        *DECISION,
        Column("note", "Ghi chú", width=30),
    ),
    examples=(
        (
            "LS-DL-01",
            "Đổi tên",
            "01/06/2010",
            "Chi bộ xã Bắc Xa mới",
            "",
            "",
            "",
            "",
            "30-QĐ/HU",
            "20/05/2010",
            "Huyện ủy Đình Lập",
            "",
        ),
    ),
)

MEMBERS = Sheet(
    kind="members",
    name="Đảng viên",
    key="Số lý lịch",
    help="Mỗi dòng là một đảng viên với quyết định kết nạp. Các sự kiện sau kết nạp (công nhận chính "
    "thức, chuyển sinh hoạt, miễn sinh hoạt, từ trần...) ghi ở sheet Sự kiện đảng viên.",
    columns=(
        Column(
            "profile_number",
            "Số lý lịch",
            required=True,
            help="6 chữ số và mã đảng bộ (ví dụ 012345LS).",
            width=14,
        ),
        Column("full_name", "Họ và tên", required=True, width=28),
        Column("gender", "Giới tính", CODE, required=True, codes=GENDERS, width=10),
        Column("birth_date", "Ngày sinh", DATE, required=True, width=12),
        Column("ethnicity", "Dân tộc", width=12),
        Column("religion", "Tôn giáo", width=12),
        Column("hometown", "Quê quán", width=24),
        Column("residence", "Nơi cư trú", width=24),
        Column("education", "Trình độ giáo dục phổ thông", width=12),
        Column("expertise", "Chuyên môn, nghiệp vụ", width=18),
        Column("theory_level", "Lý luận chính trị", width=14),
        Column("occupation", "Nghề nghiệp", width=16),
        Column(
            "citizen_id", "Số CCCD", help="12 chữ số (nhập dạng văn bản để giữ số 0 đầu).", width=14
        ),
        Column("card_number", "Số thẻ đảng viên", help="8 chữ số.", width=12),
        Column(
            "unit",
            "Mã chi bộ kết nạp",
            help="Để trống nếu được kết nạp ngoài hệ thống (khi đó ghi sự kiện “Chuyển đến từ ngoài hệ thống”).",
            width=14,
        ),
        Column(
            "admission_date",
            "Ngày vào Đảng",
            DATE,
            required=True,
            help="Ngày lễ kết nạp.",
            width=14,
        ),
        Column("decision_date", "Ngày quyết định kết nạp", DATE, width=14),
        Column("decision_number", "Số quyết định kết nạp", width=16),
        Column("issuing_body", "Cơ quan quyết định kết nạp", width=24),
    ),
    examples=(
        (
            "012345LS",
            "Nguyễn Văn An",
            "Nam",
            "15/03/1980",
            "Tày",
            "",
            "Bắc Xa, Đình Lập",
            "Bắc Xa, Đình Lập",
            "12/12",
            "Kỹ sư nông nghiệp",
            "Trung cấp",
            "Cán bộ xã",
            "020080001234",
            "12345678",
            "LS-DL-01",
            "19/05/2005",
            "10/05/2005",
            "45-QĐ/HU",
            "Huyện ủy Đình Lập",
        ),
    ),
)

EVENTS = Sheet(
    kind="events",
    name="Sự kiện đảng viên",
    key="Số lý lịch + Sự kiện + Ngày hiệu lực + Mã chi bộ",
    help="Mỗi dòng là một sự kiện của một đảng viên (đảng viên phải có ở sheet Đảng viên hoặc đã có "
    "trong hệ thống). Thứ tự các dòng không quan trọng: sự kiện được sắp theo ngày.",
    columns=(
        Column("profile_number", "Số lý lịch", required=True, width=14),
        Column("kind", "Sự kiện", CODE, required=True, codes=EVENT_KINDS, width=34),
        Column(
            "date",
            "Ngày hiệu lực",
            DATE,
            required=True,
            help="Công nhận chính thức: ngày hết 12 tháng dự bị.",
            width=14,
        ),
        Column(
            "unit", "Mã chi bộ", help="Chi bộ chuyển đến, hoặc nơi sinh hoạt tạm thời.", width=14
        ),
        Column("decision_number", "Số quyết định", width=16),
        Column("decision_date", "Ngày quyết định", DATE, width=14),
        Column("issuing_body", "Cơ quan quyết định", width=24),
        Column("discipline_form", "Hình thức kỷ luật", CODE, codes=DISCIPLINE, width=14),
        Column("place", "Nơi đi / nơi đến", width=24),
        Column("note", "Ghi chú", width=30),
    ),
    examples=(
        (
            "012345LS",
            "Công nhận đảng viên chính thức",
            "19/05/2006",
            "",
            "52-QĐ/HU",
            "25/05/2006",
            "Huyện ủy Đình Lập",
            "",
            "",
            "",
        ),
    ),
)

VILLAGES = Sheet(
    kind="villages",
    name="Thôn, tổ dân phố",
    key="Mã thôn + Từ ngày",
    help="Mỗi dòng là một giai đoạn của một thôn, bản, tổ dân phố: thuộc tổ chức cơ sở đảng nào và "
    "tình trạng chi bộ. Khi tình trạng thay đổi, thêm một dòng mới cùng mã thôn với “Từ ngày” mới.",
    columns=(
        Column("code", "Mã thôn", required=True, width=14),
        Column("name", "Tên thôn", required=True, width=28),
        Column("kind", "Loại", CODE, required=True, codes=VILLAGE_KINDS, width=14),
        Column(
            "unit",
            "Mã tổ chức cơ sở",
            required=True,
            help="Đảng bộ, chi bộ cơ sở của xã, phường.",
            width=14,
        ),
        Column(
            "arrangement", "Tình trạng chi bộ", CODE, required=True, codes=ARRANGEMENTS, width=22
        ),
        Column("cell", "Mã chi bộ", help="Chi bộ của thôn, hoặc chi bộ sinh hoạt ghép.", width=14),
        Column("valid_from", "Từ ngày", DATE, required=True, width=14),
        Column(
            "valid_to",
            "Đến ngày",
            DATE,
            help="Để trống nếu đến nay (không tính ngày này).",
            width=14,
        ),
    ),
    examples=(
        (
            "DL-BX-01",
            "Thôn Bản Chuông",
            "Thôn",
            "LS-DL-01",
            "Có chi bộ độc lập",
            "",
            "01/01/2000",
            "",
        ),
    ),
)

POPULATION = Sheet(
    kind="population",
    name="Dân số",
    key="Mã tổ chức + Năm",
    help="Dân số của địa bàn một tổ chức (xã, huyện) theo năm.",
    columns=(
        Column("unit", "Mã tổ chức", required=True, width=14),
        Column("year", "Năm", INT, required=True, width=8),
        Column("population", "Dân số", INT, required=True, width=12),
    ),
    examples=(("LS-DL-01", 2019, 4210),),
)

SHEETS: tuple[Sheet, ...] = (ORGANIZATIONS, CHANGES, MEMBERS, EVENTS, VILLAGES, POPULATION)
BY_KIND = {s.kind: s for s in SHEETS}
ALIASES = {
    "organization-changes": "changes",
    "organization_changes": "changes",
    "member-events": "events",
    "member_events": "events",
}
KIND_NAMES = [s.kind for s in SHEETS] + ["all"]


def sheets_for(kind: str) -> tuple[Sheet, ...]:
    kind = ALIASES.get(kind, kind)
    if kind == "all":
        return SHEETS
    if kind not in BY_KIND:
        raise KeyError(kind)
    return (BY_KIND[kind],)


def sheet_by_name(name: str) -> Sheet | None:
    key = fold(name)
    return next((s for s in SHEETS if fold(s.name) == key or s.kind == key), None)
