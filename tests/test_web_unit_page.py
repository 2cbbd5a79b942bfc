"""The organization page at scale: children counted from the ledger, children and members paginated
without a COUNT(*) over the membership (docs/performance.md, issue 3)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.accounts.models import Role, User
from grassroots.figures.queries import figures, members_at_query
from grassroots.members.models import EventKind
from grassroots.organizations import services as orgs
from grassroots.organizations.models import GrassrootsType, Kind
from grassroots.restructure import services as restructure

from .factories import SYSTEM, admit, d, event, unit

pytestmark = pytest.mark.django_db

DATES = (
    "2006-06-01",
    "2011-12-31",
    "2012-01-01",
    "2013-06-01",
    "2014-01-01",
    "2017-01-01",
    "2020-01-01",
)


@pytest.fixture
def tree():
    """A merger (G2 into C1), a move (G1 from D1 to D2), a dissolution (C2), transfers, a death."""
    P = unit("P", Kind.PROVINCE)
    D1 = unit("D1", Kind.DISTRICT, P)
    D2 = unit("D2", Kind.DISTRICT, P)
    G1 = unit("G1", Kind.GRASSROOTS_COMMITTEE, D1)
    C1 = unit("C1", Kind.SUBORDINATE_CELL, G1)
    C2 = unit("C2", Kind.SUBORDINATE_CELL, G1)
    G2 = unit("G2", Kind.GRASSROOTS_CELL, D1, type=GrassrootsType.AGENCY)
    G3 = unit("G3", Kind.GRASSROOTS_COMMITTEE, D2)
    C3 = unit("C3", Kind.SUBORDINATE_CELL, G3)
    a = admit(C1, "2005-03-01")
    b = admit(G2, "2005-06-01")
    c = admit(C2, "2006-01-10")
    admit(C3, "2007-05-05")
    admit(C1, "2009-09-01")
    event(a, EventKind.OFFICIAL)
    event(b, EventKind.OFFICIAL)
    restructure.unit_merge(actor=SYSTEM, sources=[G2], target=C1, date=d("2012-01-01"))
    event(a, EventKind.TRANSFER, "2013-01-01", C3)
    orgs.unit_move(actor=SYSTEM, unit=G1, new_parent=D2, date=d("2014-01-01"))
    event(c, EventKind.TRANSFER, "2016-01-01", C1)
    restructure.unit_dissolve(actor=SYSTEM, unit=C2, date=d("2016-02-01"))
    event(a, EventKind.DEATH, "2018-03-01")
    admin = User.objects.create_user("admin_p", password="x", scope=P, role=Role.ADMIN)
    return {**locals()}


@pytest.mark.parametrize("code", ["P", "D1", "D2", "G1", "G3"])
def test_children_counts_are_each_childs_figure(client, tree, code):
    client.force_login(tree["admin"])
    units = {
        u.code: u for u in (tree[k] for k in ("P", "D1", "D2", "G1", "G2", "G3", "C1", "C2", "C3"))
    }
    for day in DATES:
        response = client.get(f"/units/{code}/?at={day}")
        assert response.status_code == 200
        for row in response.context.get("children", []):
            child = units[row["code"]]
            assert row["members"] == figures(child, d(day)).members, (code, day, row["code"])
            assert row["members"] == members_at_query(child, d(day)).count()


def test_children_table_is_paginated(client, tree, monkeypatch):
    from grassroots.web import views

    monkeypatch.setattr(views, "CHILDREN_PAGE_SIZE", 1)
    client.force_login(tree["admin"])
    first = client.get("/units/P/?at=2010-01-01")
    second = client.get("/units/P/?at=2010-01-01&cpage=2")
    assert [r["code"] for r in first.context["children"]] == ["D1"]
    assert [r["code"] for r in second.context["children"]] == ["D2"]
    assert "cpage=2" in first.content.decode() and "Trang 1 / 2" in first.content.decode()
    # The members on the first child's row are still its own figure.
    assert first.context["children"][0]["members"] == figures(tree["D1"], d("2010-01-01")).members


def test_member_list_takes_its_total_from_the_ledger(client, tree):
    client.force_login(tree["admin"])
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/units/G1/?at=2010-01-01")
    assert [m["name"] for m in response.context["member_rows"]]  # listed
    assert response.context["page"].paginator.count == figures(tree["G1"], d("2010-01-01")).members
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert not [sql for sql in counts if "members_memberstint" in sql], counts


def test_path_and_children_stay_inside_the_scope(client, tree):
    clerk = User.objects.create_user("clerk_d1", password="x", scope=tree["D1"], role=Role.CLERK)
    client.force_login(clerk)
    response = client.get("/units/G1/?at=2010-01-01")
    assert [v.unit.code for v in response.context["path"]] == ["D1"]  # not the province above
    assert [r["code"] for r in response.context["children"]] == ["C1", "C2"]
    tree_page = client.get("/tree/D1/?at=2010-01-01")
    assert sorted(r["code"] for r in tree_page.context["children"]) == ["G1", "G2"]
    # After G1 moved to D2 (2014) it is outside the clerk's scope on that day.
    assert not client.get("/units/G1/?at=2015-01-01").context["visible"]
