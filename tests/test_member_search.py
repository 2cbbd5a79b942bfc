"""Name search through the index (members.search_index): what it finds, for whom, kept exact.

The index is a speed device (issue 3: a name search in a province in tens of milliseconds at
national scale); these tests hold it to the plain rule: a member is found when every typed word
begins a word of their name (diacritics and case ignored) and the user may see them
(accounts.access.members_visible).
"""

from __future__ import annotations

import pytest

from grassroots.accounts import access
from grassroots.accounts.models import Role, User
from grassroots.core.text import fold, sort_key
from grassroots.derived import name_index as search_index
from grassroots.members import queries
from grassroots.members import services as members
from grassroots.members.models import EventKind, Member, MemberNameKey
from grassroots.organizations import services as orgs
from grassroots.organizations.models import Kind, Unit

from .factories import SYSTEM, admit, d, event, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def country():
    N = unit("N", Kind.CENTRAL, name="Trung ương")
    P = unit("P", Kind.PROVINCE, N)
    Q = unit("Q", Kind.PROVINCE, N)
    D1 = unit("D1", Kind.DISTRICT, P)
    E1 = unit("E1", Kind.DISTRICT, Q)
    G1 = unit("G1", Kind.GRASSROOTS_CELL, D1)
    G2 = unit("G2", Kind.GRASSROOTS_CELL, D1)
    H1 = unit("H1", Kind.GRASSROOTS_CELL, E1)
    an = admit(G1, "2005-03-01", full_name="Nguyễn Văn Ấn")
    anh = admit(G2, "2006-03-01", full_name="Nguyễn Văn Anh")
    binh = admit(H1, "2007-03-01", full_name="Trần Thị Bình")
    old = admit(G1, "2001-03-01", full_name="Phạm Văn An")
    event(old, EventKind.DEATH, "2010-05-05")
    return locals()


def user(name, scope, role=Role.VIEWER):
    return User.objects.create_user(name, password="Grassroots@2026", scope=scope, role=role)


def names(found) -> list[str]:
    return [m.full_name for m in found.members]


def keys() -> set[tuple[int, str, int]]:
    return set(MemberNameKey.objects.values_list("place_id", "key", "member_id"))


def brute_force(usr, text) -> list[str]:
    """The rule, slowly: every typed word begins a word of the name, among the visible members."""
    typed = fold(text).split()
    return sorted(
        (
            m.full_name
            for m in access.members_visible(usr)
            if all(any(w.startswith(t) for w in m.search_name.split()) for t in typed)
        ),
        key=sort_key,
    )


def test_each_typed_word_begins_a_word_of_the_name(country):
    admin = user("u_n", country["N"], Role.ADMIN)
    # Vietnamese order: "Anh" before "Ấn" (a before â), whatever the tones.
    assert names(access.find_members(admin, "nguyen van an")) == ["Nguyễn Văn Anh", "Nguyễn Văn Ấn"]
    assert names(access.find_members(admin, "NGUYỄN   ấn")) == ["Nguyễn Văn Anh", "Nguyễn Văn Ấn"]
    assert names(access.find_members(admin, "văn anh")) == ["Nguyễn Văn Anh"]
    assert names(access.find_members(admin, "an")) == [
        "Nguyễn Văn Anh",
        "Nguyễn Văn Ấn",
        "Phạm Văn An",
    ]
    assert names(access.find_members(admin, "ngu")) == ["Nguyễn Văn Anh", "Nguyễn Văn Ấn"]
    # Inside a word is not a beginning: "guyen" finds no one.
    assert names(access.find_members(admin, "guyen")) == []
    assert names(access.find_members(admin, "")) == []


def test_the_index_keys_members_by_top_level_organization(country):
    c = country
    assert {(p, k) for p, k, m in keys() if m == c["an"].pk} == {
        (c["P"].pk, "an"),
        (c["P"].pk, "nguyen"),
        (c["P"].pk, "van"),
    }
    assert search_index.places_under(c["G1"].pk) == [c["P"].pk]
    assert search_index.places_under(c["N"].pk) == sorted([c["N"].pk, c["P"].pk, c["Q"].pk])
    assert search_index.all_places() == sorted([c["N"].pk, c["P"].pk, c["Q"].pk])


def test_search_is_limited_to_scope_through_time(country):
    c = country
    in_p, in_q, in_g2 = user("u_p", c["P"]), user("u_q", c["Q"]), user("u_g2", c["G2"])
    assert names(access.find_members(in_q, "nguyen")) == []
    assert names(access.find_members(in_g2, "nguyen")) == ["Nguyễn Văn Anh"]
    # Ấn moves to Q's cell in 2015: Q's users find him now, P's still do (his past there).
    members.member_transfer(actor=SYSTEM, member=c["an"], to_unit=c["H1"], date=d("2015-01-01"))
    assert names(access.find_members(in_q, "nguyen van")) == ["Nguyễn Văn Ấn"]
    assert names(access.find_members(in_p, "nguyen van an")) == ["Nguyễn Văn Anh", "Nguyễn Văn Ấn"]
    assert names(access.find_members(in_g2, "an")) == ["Nguyễn Văn Anh"]


def test_a_tree_change_rekeys_the_members_it_moves(country):
    c = country
    in_q = user("u_q", c["Q"])
    before = keys()
    orgs.unit_rename(actor=SYSTEM, unit=c["D1"], name="Huyện Mới", date=d("2012-01-01"))
    assert keys() == before  # same top-level organization: nothing to do
    orgs.unit_move(actor=SYSTEM, unit=c["D1"], new_parent=c["Q"], date=d("2018-01-01"))
    assert names(access.find_members(in_q, "nguyen van")) == ["Nguyễn Văn Anh", "Nguyễn Văn Ấn"]
    # An, who died in 2010, never was in Q: not keyed there, and not shown.
    assert (c["Q"].pk, "an", c["old"].pk) not in keys()
    assert names(access.find_members(in_q, "pham")) == []
    # The index after the incremental changes is the index a full rebuild gives.
    incremental = keys()
    search_index.rebuild()
    assert keys() == incremental


def test_a_name_change_is_searchable_at_once(country):
    c = country
    admin = user("u_n", c["N"], Role.ADMIN)
    members.member_update_profile(actor=SYSTEM, member=c["binh"], full_name="Trần Thị Bính Mới")
    assert names(access.find_members(admin, "tran thi binh moi")) == ["Trần Thị Bính Mới"]
    assert names(access.find_members(admin, "bình moi")) == ["Trần Thị Bính Mới"]
    members.member_update_profile(actor=SYSTEM, member=c["binh"], full_name="Hoàng Thị Bình")
    assert names(access.find_members(admin, "tran")) == []


def test_identifiers_find_the_member(country):
    c = country
    admin = user("u_n", c["N"], Role.ADMIN)
    number = c["binh"].profile_number
    assert names(access.find_members(admin, number.lower())) == ["Trần Thị Bình"]
    assert names(access.find_members(user("u_p", c["P"]), number)) == []


def test_the_count_stops_at_the_cap(country, monkeypatch):
    monkeypatch.setattr(queries, "COUNT_CAP", 2)
    admin = user("u_n", country["N"], Role.ADMIN)
    found = access.find_members(admin, "van")
    assert (found.count, found.more) == (2, True)
    found = access.find_members(admin, "nguyen van an")
    assert (found.count, found.more) == (2, False)


def test_the_page_says_when_there_are_more(client, country, monkeypatch):
    monkeypatch.setattr(queries, "COUNT_CAP", 2)
    client.force_login(user("u_n", country["N"], Role.ADMIN))
    body = client.get("/members/", {"q": "van"}).content.decode()
    assert "Hơn 2 kết quả" in body


def test_every_scope_finds_exactly_what_the_rule_says(country):
    """Against the slow rule, for a user at every organization and several texts."""
    c = country
    members.member_transfer(actor=SYSTEM, member=c["anh"], to_unit=c["H1"], date=d("2016-01-01"))
    orgs.unit_move(actor=SYSTEM, unit=c["D1"], new_parent=c["Q"], date=d("2019-01-01"))
    # A cell that climbs a level (its depth changes while its province stays ancestor).
    orgs.unit_move(actor=SYSTEM, unit=c["G1"], new_parent=c["P"], date=d("2020-01-01"))
    texts = ["nguyen van an", "an", "van", "tran binh", "pham an", "thi"]
    for i, scope in enumerate(Unit.objects.all()):
        usr = user(f"u{i}", scope)
        for text in texts:
            assert names(access.find_members(usr, text)) == brute_force(usr, text), (
                scope.code,
                text,
            )
    assert Member.objects.count() == 4


def test_a_small_scope_drives_the_search_with_the_same_result(country, monkeypatch):
    """When every word has more keys than the scope has stints (a commune clerk typing "tran"),
    the scope's members drive the search instead of the name index: same members as the rule,
    for every scope and text (COUNT_CAP lowered so that every word counts as common here)."""
    monkeypatch.setattr(queries, "COUNT_CAP", 1)
    c = country
    members.member_transfer(actor=SYSTEM, member=c["anh"], to_unit=c["H1"], date=d("2016-01-01"))
    orgs.unit_move(actor=SYSTEM, unit=c["D1"], new_parent=c["Q"], date=d("2019-01-01"))
    texts = ["nguyen van an", "an", "van", "tran binh", "pham an", "thi", "nguyen"]
    driven_by_scope = 0
    for i, scope in enumerate(Unit.objects.all()):
        usr = user(f"s{i}", scope)
        for text in texts:
            found = queries.search_members(
                access.members_visible(usr), text, access.search_places(usr),
                access.scope_members(usr),
            )  # fmt: skip
            assert sorted(m.full_name for m in found) == sorted(brute_force(usr, text)), (
                scope.code,
                text,
            )
            driven_by_scope += "membernamekey" not in str(found.query)
    assert driven_by_scope > 0
    g2 = user("g2", c["G2"])
    found = queries.search_members(
        access.members_visible(g2), "van", access.search_places(g2), access.scope_members(g2)
    )
    assert "membernamekey" not in str(found.query)
