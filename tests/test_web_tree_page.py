"""The tree page at scale: children paginated like the organization page (issue 3), 100 a page
(`cpage`), counts from the ledger for the page shown only."""

import pytest

from grassroots.accounts.models import Role, User
from grassroots.figures.queries import figures
from grassroots.organizations.models import Kind

from .factories import admit, d, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def province():
    P = unit("P", Kind.PROVINCE)
    D1 = unit("D1", Kind.DISTRICT, P)
    D2 = unit("D2", Kind.DISTRICT, P)
    D3 = unit("D3", Kind.DISTRICT, P)
    G1 = unit("G1", Kind.GRASSROOTS_CELL, D1)
    G2 = unit("G2", Kind.GRASSROOTS_CELL, D2)
    G3 = unit("G3", Kind.GRASSROOTS_CELL, D3)
    admit(G1, "2005-03-01")
    admit(G2, "2005-03-01")
    admit(G2, "2006-03-01")
    admit(G3, "2007-03-01")
    admin = User.objects.create_user("admin_p", password="x", scope=P, role=Role.ADMIN)
    return {**locals()}


def test_tree_children_are_paginated(client, province, monkeypatch):
    from grassroots.web import views

    monkeypatch.setattr(views, "CHILDREN_PAGE_SIZE", 2)
    client.force_login(province["admin"])
    first = client.get("/tree/P/?at=2010-01-01")
    second = client.get("/tree/P/?at=2010-01-01&cpage=2")
    assert [r["code"] for r in first.context["children"]] == ["D1", "D2"]
    assert [r["code"] for r in second.context["children"]] == ["D3"]
    body = first.content.decode()
    assert "Trang 1 / 2" in body and "cpage=2" in body and "at=2010-01-01" in body
    assert "Trang 2 / 2" in second.content.decode()
    for page in (first, second):
        for row in page.context["children"]:
            assert row["members"] == figures(province[row["code"]], d("2010-01-01")).members
            assert row["has_children"]
    # Past the last page: the last page, as on the organization page.
    assert [r["code"] for r in client.get("/tree/P/?cpage=9").context["children"]] == ["D3"]


def test_tree_page_of_a_scoped_account_counts_only_its_scope(client, province, monkeypatch):
    from grassroots.web import views

    monkeypatch.setattr(views, "CHILDREN_PAGE_SIZE", 2)
    clerk = User.objects.create_user(
        "clerk_d2", password="x", scope=province["D2"], role=Role.CLERK
    )
    client.force_login(clerk)
    page = client.get("/tree/?at=2010-01-01")  # the scope itself
    assert [r["code"] for r in page.context["children"]] == ["G2"]
    assert page.context["children"][0]["members"] == 2
    assert "Trang" not in page.content.decode()  # one page: no page links
    assert client.get("/tree/P/").status_code == 404


def test_top_of_the_tree_is_paginated_too(client, province):
    root = User.objects.create_superuser("root", password="x")
    client.force_login(root)
    page = client.get("/tree/?at=2010-01-01")
    assert [r["code"] for r in page.context["children"]] == ["P"]
    assert page.context["children_page"].paginator.count == 1
