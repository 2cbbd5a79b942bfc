"""Vietnamese alphabetical order (issue 11: "Bình Gia" came before "Bắc Sơn"): in Python
(`core.text.sort_key`) and in the database (ICU on PostgreSQL, a "vi" collation on SQLite)."""

import datetime as dt

import pytest

from grassroots.accounts.models import Role, User
from grassroots.core.text import sort_key, vietnamese
from grassroots.members.models import Member
from grassroots.organizations.models import Kind
from grassroots.organizations.queries import children_at

from .factories import admit, unit

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


PEOPLE = ["Bình Gia", "Bắc Sơn", "Đào Văn An", "Dương Văn Ba", "Ân Thị Hoa", "An Văn Hải"]
PEOPLE_ORDER = ["An Văn Hải", "Ân Thị Hoa", "Bắc Sơn", "Bình Gia", "Dương Văn Ba", "Đào Văn An"]


@pytest.fixture
def people():
    province = unit("P", Kind.PROVINCE, name="Tỉnh")
    commune = unit("G", Kind.GRASSROOTS_COMMITTEE, province, name="Xã")
    cell = unit("C", Kind.SUBORDINATE_CELL, commune, name="Chi bộ")
    for name in PEOPLE:
        admit(cell, "2010-01-01", full_name=name)
    admin = User.objects.create_user("admin_p", password="x", scope=province, role=Role.ADMIN)
    return {"cell": cell, "admin": admin}


def _in_page_order(html: str, names: list[str]) -> list[str]:
    return sorted(names, key=html.index)


def test_member_lists_are_in_vietnamese_order(client, people):
    """The organization page's member list, the database's own order on either engine (ICU
    collation created by migration on PostgreSQL, the folded sort key on SQLite)."""
    assert [m.full_name for m in Member.objects.order_by(vietnamese("full_name"))] == PEOPLE_ORDER
    client.force_login(people["admin"])
    html = client.get("/units/C/").content.decode()
    assert _in_page_order(html, PEOPLE) == PEOPLE_ORDER


def test_search_results_are_in_vietnamese_order_within_a_rank(client, people):
    client.force_login(people["admin"])
    html = client.get("/members/", {"q": "van"}).content.decode()
    # "van" begins a word in four names, none of which begins with it: one rank, name order.
    shown = [n for n in PEOPLE_ORDER if "Văn" in n]
    assert _in_page_order(html, shown) == shown


def test_sqlite_sort_function_orders_like_the_collation():
    """SQLite sorts by `vi_key(name)` (one Python call per row) instead of `COLLATE vi` (two per
    comparison): the same order on many generated names, ties, empty and NULL names included."""
    import random
    import sqlite3

    from grassroots.core.text import _compare, _sql_key

    rng = random.Random(7)
    syllables = ["nguyễn", "văn", "an", "ấn", "anh", "thị", "đỗ", "do", "lò", "bắc", "bình", "ư"]
    syllables += ["u", "ơ", "o", "ă", "â", "a", "hoàng", "trần", "lý", "vi", "Á", "à", "A"]
    names = [" ".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))) for _ in range(3000)]
    names += ["", None, "x\x00y", "Nguyen Van An", "Nguyễn Văn An", "Nguyễn Văn An"]
    db = sqlite3.connect(":memory:")
    db.create_collation("vi", _compare)
    db.create_function("vi_key", 1, _sql_key, deterministic=True)
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
    db.executemany("INSERT INTO t (name) VALUES (?)", [(n,) for n in names])
    by_collation = db.execute("SELECT id FROM t ORDER BY name COLLATE vi, id").fetchall()
    by_key = db.execute("SELECT id FROM t ORDER BY vi_key(name), id").fetchall()
    assert by_key == by_collation
    wrong = db.execute("SELECT id FROM t ORDER BY name, id").fetchall()
    assert wrong != by_collation  # the test can fail: code-point order differs
