"""Comparing two dates on an organization's page (issue 11: the earlier column was filled for 3
of 15 rows and the children table showed only the later date)."""

import pytest

from .web_world import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


def test_every_figure_row_has_both_dates(client, world):
    client.force_login(world["admin"])
    response = client.get("/units/G1/?at=01/01/2020&since=01/01/2010")
    rows = {r.label: r for r in response.context["figure_rows"]}
    assert all(r.then != "" for r in rows.values())
    assert (rows["Chính thức"].then, rows["Chính thức"].now) == ("1", "1")
    assert (rows["Dự bị"].then, rows["Dự bị"].now, rows["Dự bị"].change) == ("0", "1", "+1")
    assert rows["Thôn, bản, tổ dân phố"].change == "0"


def test_children_table_compares_too(client, world):
    client.force_login(world["admin"])
    response = client.get("/units/G1/?at=01/01/2020&since=01/01/2009")
    children = {c["code"]: c for c in response.context["children"]}
    assert (children["C1"]["members_then"], children["C1"]["members"]) == (1, 2)
    assert children["C1"]["change"] == 1
    assert children["C2"]["members_then"] == 0  # established 01/01/2010
    body = response.content.decode()
    assert "Đảng viên 01/01/2009" in body and "Đảng viên 01/01/2020" in body
    # Without a compared date the table has one column, as before.
    response = client.get("/units/G1/?at=01/01/2020")
    assert response.context["children"][0]["members_then"] is None
    assert "Đảng viên 01/01/2020" not in response.content.decode()


def test_established_date_reads_as_a_date_in_english(client, world):
    client.force_login(world["admin"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/units/G1/").content.decode()
    assert "Established on" in body and "Establish 0" not in body
