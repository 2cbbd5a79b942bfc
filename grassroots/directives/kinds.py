"""What the register knows about Party documents (domain-processes.md §1): the kinds it keeps,
the abbreviations their numbers carry, the levels a requirement may name and the audiences of a
study. Plain data read by models, services, forms and sheets; no database."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from grassroots.core.text import clean
from grassroots.organizations.models import Kind as UnitKind


# QĐ 399-QĐ/TW (9/1/2026) lists the kinds; the abbreviations are those seen in real numbers
# (domain-processes.md §1.4; the official HD 36 table is [UNCONFIRMED]). "QĐ" is shared by quy định
# and quyết định, so the kind is stored apart from the symbol.
@dataclass(frozen=True)
class DocKind:
    code: str
    label: str
    abbreviations: tuple[str, ...]
    review: bool = False  # a báo cáo sơ kết / tổng kết reviews the document it names


DOC_KINDS: dict[str, DocKind] = {
    k.code: k
    for k in (
        DocKind("nghi_quyet", _("Nghị quyết"), ("NQ",)),
        DocKind("chi_thi", _("Chỉ thị"), ("CT",)),
        DocKind("ket_luan", _("Kết luận"), ("KL",)),
        DocKind("quy_dinh", _("Quy định"), ("QĐ", "QĐi")),
        DocKind("quyet_dinh", _("Quyết định"), ("QĐ",)),
        DocKind("huong_dan", _("Hướng dẫn"), ("HD",)),
        DocKind("ke_hoach", _("Kế hoạch"), ("KH",)),
        DocKind("chuong_trinh", _("Chương trình hành động"), ("CTr",)),
        DocKind("de_an", _("Đề án"), ("ĐA",)),
        DocKind("so_ket", _("Báo cáo sơ kết"), ("BC",), review=True),
        DocKind("tong_ket", _("Báo cáo tổng kết"), ("BC",), review=True),
        DocKind("cong_van", _("Công văn"), ("CV",)),
    )
}
KIND_CHOICES = [(k.code, k.label) for k in DOC_KINDS.values()]
# Kinds that count as "the level's own implementing document" when a requirement names none.
PLAN_KINDS = ("nghi_quyet", "chi_thi", "ke_hoach", "chuong_trinh", "de_an", "huong_dan")

# Central bodies that issue without being an organization of the tree (§1.4 "Issuers seen").
CENTRAL_BODIES = {
    "TW": _("Ban Chấp hành Trung ương, Bộ Chính trị, Ban Bí thư"),
    "VPTW": _("Văn phòng Trung ương Đảng"),
    "BTCTW": _("Ban Tổ chức Trung ương"),
    "UBKTTW": _("Ủy ban Kiểm tra Trung ương"),
    "BTGTW": _("Ban Tuyên giáo Trung ương"),
    "BTGDVTW": _("Ban Tuyên giáo và Dân vận Trung ương"),
}


# The levels a requirement may name, as kinds of organization (domain.md §1.1).
@dataclass(frozen=True)
class Level:
    code: str
    label: str
    unit_kinds: tuple[str, ...]


LEVELS: dict[str, Level] = {
    lv.code: lv
    for lv in (
        Level("province", _("Đảng bộ tỉnh, thành phố"), (UnitKind.PROVINCE,)),
        Level("district", _("Cấp huyện và tương đương"), (UnitKind.DISTRICT,)),
        Level(
            "grassroots",
            _("Tổ chức cơ sở đảng"),
            (UnitKind.GRASSROOTS_COMMITTEE, UnitKind.GRASSROOTS_CELL),
        ),
        Level("partial", _("Đảng bộ bộ phận"), (UnitKind.PARTIAL_COMMITTEE,)),
        Level("cell", _("Chi bộ"), (UnitKind.GRASSROOTS_CELL, UnitKind.SUBORDINATE_CELL)),
    )
}
LEVEL_CHOICES = [(lv.code, lv.label) for lv in LEVELS.values()]

ACTION_CHOICES = [
    ("study", _("Học tập, quán triệt")),
    ("issue", _("Ban hành văn bản thực hiện")),
    ("report", _("Báo cáo sơ kết, tổng kết")),
]
AUDIENCE_CHOICES = [
    ("committee", _("Cấp ủy viên")),
    ("cadres", _("Cán bộ chủ chốt")),
    ("members", _("Toàn thể đảng viên")),
]

# "Số 22-NQ/TW", "11-NQ/ĐUK", "08-QĐi/TW", "01-CTr/TU", "24-BS/UBKTTU" (HD 36 §II.1.3).
_SYMBOL = re.compile(
    r"^(?:số\s*)?0*(?P<number>\d{1,6})\s*[-‑–]\s*(?P<abbr>[A-Za-zĐđ]{1,6})\s*/\s*"
    r"(?P<issuer>[A-Za-zĐđ0-9]{1,12})$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Symbol:
    number: int
    abbreviation: str
    issuer_mark: str

    def __str__(self) -> str:
        return f"{self.number}-{self.abbreviation}/{self.issuer_mark}"


def _canonical(abbr: str) -> str:
    for kind in DOC_KINDS.values():
        for known in kind.abbreviations:
            if known.upper() == abbr.upper():
                return known
    return abbr.upper()


def parse_symbol(text: str) -> Symbol | None:
    """The number and symbol as offices write them, or None when it does not read as one."""
    match = _SYMBOL.match(clean(text))
    if not match or int(match["number"]) == 0:
        return None
    return Symbol(int(match["number"]), _canonical(match["abbr"]), match["issuer"].upper())


def kind_label(code: str) -> str:
    kind = DOC_KINDS.get(code)
    return str(kind.label) if kind else code
