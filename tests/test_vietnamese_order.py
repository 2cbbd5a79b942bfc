"""Vietnamese alphabetical order (issue 11: "Bình Gia" came before "Bắc Sơn"): in Python
(`core.text.sort_key`) and in the database (ICU on PostgreSQL, a "vi" collation on SQLite)."""

import datetime as dt

import pytest

from grassroots.core.text import sort_key
from grassroots.organizations.models import Kind
from grassroots.organizations.queries import children_at

from .factories import unit

pytestmark = pytest.mark.django_db

NAMES = ["Bình Gia", "Bắc Sơn", "Cao Lộc", "Đình Lập", "Dương Xá", "Văn Quan", "Ân Thi", "An Lạc"]
EXPECTED = [
    "An Lạc",
    "Ân Thi",
    "Bắc Sơn",
    "Bình Gia",
    "Cao Lộc",
    "Dương Xá",
    "Đình Lập",
    "Văn Quan",
]


def test_sort_key_is_the_dictionary_order():
    assert sorted(NAMES, key=sort_key) == EXPECTED
    assert sorted(NAMES) != EXPECTED  # code-point order puts Ă, Â, Đ after Z


def test_children_are_listed_in_vietnamese_order():
    province = unit("P", Kind.PROVINCE, name="Tỉnh")
    for i, name in enumerate(NAMES):
        unit(f"D{i}", Kind.DISTRICT, province, name=name)
    listed = [v.name for v in children_at(province, dt.date(2020, 1, 1))]
    assert listed == EXPECTED
