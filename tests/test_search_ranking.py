"""Name search as people type (issue 11: "nguyen van" showed only "Nguyễn … Vân" on page 1):
the whole name beginning as typed first, then the words in typed order; rows with today's cell
and status; filters by organization and status."""

import pytest

from grassroots.members.models import EventKind

from .factories import admit, event
from .web_world import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    w = make_world()
    for name in ("Nguyễn Thị Vân", "Nguyễn An Vân", "Lê Nguyễn Văn Hà", "Nguyễn Văn Bảo"):
        admit(w["C2"], "2011-03-01", full_name=name)
    gone = admit(w["C1"], "2011-03-01", full_name="Nguyễn Văn Cũ")
    event(gone, EventKind.DEATH, "2015-01-01")
    return w


def names(response):
    return [r.name for r in response.context["rows"]]


def test_whole_name_prefix_then_typed_order(client, world):
    client.force_login(world["admin"])
    found = names(client.get("/members/", {"q": "nguyen van"}))
    # "Nguyễn Văn …" (alphabetical), then "… Nguyễn Văn …", then the words in another order.
    assert found == [
        "Nguyễn Văn Ấn",
        "Nguyễn Văn Bảo",
        "Nguyễn Văn Cũ",
        "Lê Nguyễn Văn Hà",
        "Nguyễn An Vân",
        "Nguyễn Thị Vân",
    ]


def test_rows_show_todays_cell_and_status(client, world):
    client.force_login(world["admin"])
    rows = {r.name: r for r in client.get("/members/", {"q": "nguyen"}).context["rows"]}
    assert (rows["Nguyễn Văn Ấn"].cell, rows["Nguyễn Văn Ấn"].status) == (
        "Chi bộ thôn Bản Chắt",
        "Chính thức",
    )
    assert rows["Nguyễn Văn Cũ"].status == "–"  # died in 2015: no cell today


def test_filters_by_organization_and_status(client, world):
    client.force_login(world["admin"])
    in_c2 = names(client.get("/members/", {"q": "nguyen", "unit": "C2"}))
    assert sorted(in_c2) == sorted(
        ["Nguyễn Thị Vân", "Nguyễn An Vân", "Lê Nguyễn Văn Hà", "Nguyễn Văn Bảo"]
    )
    official = names(client.get("/members/", {"q": "nguyen", "status": "official"}))
    assert official == ["Nguyễn Văn Ấn"]
    ended = names(client.get("/members/", {"q": "nguyen", "status": "ended", "unit": "G1"}))
    assert ended == ["Nguyễn Văn Cũ"]
    # An organization outside the scope is a 404, as everywhere.
    client.force_login(world["clerk"])
    assert client.get("/members/", {"q": "nguyen", "unit": "G2"}).status_code == 404
