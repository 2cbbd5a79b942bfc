"""Coded lists for the member profile's free-text category fields, for statistics.

The profile stores education, professional level, political theory and occupation as the
clerk typed them. The standard statistics (domain.md §4.1, the BTCTW report forms) count them
in fixed categories, so each field has an ordered list of categories and the rules that map a
typed value to one: a value matches a category when its folded text equals, or starts with,
one of the category's folded keys. A value that matches nothing is *unmapped*: it is counted
in its own "Chưa phân loại" cell and listed (`unmapped_values`), never dropped, so every
breakdown still sums to the member total.

The defaults below follow the BTCTW categories. A commission configures its own by pointing
GRASSROOTS_MEMBER_CATEGORIES at a JSON file {field: [[code, label, [keys...]], ...]} that
replaces the lists of the fields it names.

Each member stores the code of each field (`Member.<field>_code`, `code_columns`), written by
the member writers and the bulk loader, so the statistics group by a short code instead of
classifying every typed text. `CategoryCoding` records the lists the stored codes follow
(`fingerprint`); when a commission changes its lists, `codes_current` is false for the changed
fields and the statistics classify the typed text (slower, same counts) until
`grassroots categories --recode` (derived.member_codes.recode) re-codes the members.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache, lru_cache

from django.conf import settings
from django.db.models import Count

from grassroots.core.text import fold

from .models import CategoryCoding, Member

UNMAPPED = "unmapped"
UNMAPPED_LABEL = "Chưa phân loại"


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    keys: tuple[str, ...]  # folded; "" matches an empty value


DEFAULTS: dict[str, list[tuple[str, str, list[str]]]] = {
    # Giáo dục phổ thông: "12/12", "9/12" (12-year system), "10/10", "7/10" (old 10-year system)
    "education": [
        ("primary", "Tiểu học", ["5/12", "4/10", "tieu hoc", "1/", "2/", "3/", "4/", "5/"]),
        (
            "lower_secondary",
            "Trung học cơ sở",
            ["6/", "7/", "8/", "9/", "thcs", "trung hoc co so"],
        ),
        (
            "upper_secondary",
            "Trung học phổ thông",
            ["10/", "11/", "12/", "thpt", "trung hoc pho thong"],
        ),
        ("none", "Chưa ghi", [""]),
    ],
    # Chuyên môn, nghiệp vụ: the highest degree, typed with its field ("Đại học Y")
    "expertise": [
        ("doctor", "Tiến sĩ", ["tien si", "ts."]),
        ("master", "Thạc sĩ", ["thac si", "ths"]),
        ("university", "Đại học", ["dai hoc", "cu nhan", "ky su", "bac si"]),
        ("college", "Cao đẳng", ["cao dang"]),
        ("intermediate", "Trung cấp", ["trung cap"]),
        ("elementary", "Sơ cấp", ["so cap"]),
        ("none", "Chưa qua đào tạo", ["", "khong", "chua qua dao tao"]),
    ],
    "theory_level": [
        ("senior", "Cao cấp, cử nhân", ["cao cap", "cu nhan"]),
        ("intermediate", "Trung cấp", ["trung cap"]),
        ("elementary", "Sơ cấp", ["so cap"]),
        ("none", "Chưa qua đào tạo", ["", "khong", "chua"]),
    ],
    # Nghề nghiệp, grouped as the BTCTW member statistics do
    "occupation": [
        ("worker", "Công nhân", ["cong nhan"]),
        ("farmer", "Nông dân", ["nong dan", "lam nghiep", "ngu dan"]),
        (
            "official",
            "Cán bộ, công chức, viên chức",
            ["can bo", "cong chuc", "vien chuc", "giao vien", "bac si", "y si", "dieu duong"],
        ),
        ("armed", "Lực lượng vũ trang", ["quan nhan", "cong an", "bo doi", "si quan"]),
        (
            "business",
            "Doanh nghiệp, kinh doanh",
            ["nhan vien", "ky su", "ke toan", "buon ban", "kinh doanh", "chu doanh nghiep"],
        ),
        ("student", "Học sinh, sinh viên", ["hoc sinh", "sinh vien"]),
        ("retired", "Hưu trí", ["huu tri", "nghi huu"]),
        ("other", "Lao động khác", ["lao dong tu do", "lao dong", "noi tro"]),
        ("none", "Chưa ghi", [""]),
    ],
}
FIELDS = tuple(DEFAULTS)


@cache
def _configured() -> dict[str, list[Category]]:
    lists = dict(DEFAULTS)
    path = getattr(settings, "MEMBER_CATEGORIES_FILE", "")
    if path:
        with open(path, encoding="utf-8") as handle:
            lists |= json.load(handle)
    return {
        name: [Category(code, label, tuple(fold(k) for k in keys)) for code, label, keys in rows]
        for name, rows in lists.items()
    }


def categories(field: str) -> list[Category]:
    return _configured()[field]


def classify(field: str, value: str | None) -> str:
    """The code of the category `value` belongs to, or UNMAPPED."""
    return _classify(field, value or "")


@lru_cache(maxsize=65_536)
def _classify(field: str, value: str) -> str:
    # Cached: a province's 170,000 members type a few hundred distinct values per field.
    text = fold(value)
    for category in _configured()[field]:
        for key in category.keys:
            if text == key or (key and text.startswith(key)):
                return category.code
    return UNMAPPED


def code_column(field: str) -> str:
    return f"{field}_code"


def code_columns(profile) -> dict[str, str]:
    """The stored codes of a profile (a mapping or a Member): {"education_code": ..., ...}."""
    get = profile.get if isinstance(profile, dict) else lambda f, d="": getattr(profile, f, d)
    return {code_column(f): classify(f, get(f, "")) for f in FIELDS}


def fingerprint(field: str) -> str:
    """A digest of the field's configured list: codes, order of matching and keys."""
    rows = [[c.code, list(c.keys)] for c in _configured()[field]]
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()


def codes_current(fields) -> bool:
    """Whether the members' stored codes of these fields follow today's configured lists."""
    fields = [f for f in fields if f in FIELDS]
    if not fields:
        return True
    stored = dict(
        CategoryCoding.objects.filter(field__in=fields).values_list("field", "fingerprint")
    )
    return all(stored.get(f) == fingerprint(f) for f in fields)


def stored_unmapped(field: str) -> list[tuple[str, int]]:
    """(typed value, members) of the members whose stored code of `field` is UNMAPPED, most
    members first: what the coded lists do not cover yet."""
    rows = (
        Member.objects.filter(**{code_column(field): UNMAPPED})
        .values_list(field)
        .annotate(n=Count("id"))
        .order_by("-n", field)
    )
    return list(rows)


def reload() -> None:
    """Forget the cached lists (after the configuration file changed; tests)."""
    _configured.cache_clear()
    _classify.cache_clear()
