"""`grassroots units` and `grassroots figures` (issue 2 point 8)."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from grassroots.members.models import EventKind
from grassroots.organizations.models import Kind
from grassroots.territory.models import CellArrangement, Population, Village, VillageVersion

from .factories import admit, d, event, unit

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def small():
    P = unit("P", Kind.PROVINCE, name="Tỉnh Thử")
    D = unit("D", Kind.DISTRICT, P, name="Huyện Thử")
    G = unit("G", Kind.GRASSROOTS_CELL, D, name="Chi bộ xã A")
    admit(G, "2005-01-10")
    m = admit(G, "2006-01-10")
    event(m, EventKind.OFFICIAL)
    event(m, EventKind.DEATH, "2015-05-05")
    for i, arrangement in enumerate(
        [CellArrangement.OWN, CellArrangement.JOINT, CellArrangement.NONE]
    ):
        village = Village.objects.create(code=f"V{i}", name=f"Thôn {i}", kind="thon")
        VillageVersion.objects.create(
            village=village, valid_from=d("2000-01-01"), unit=G, arrangement=arrangement
        )
    Population.objects.create(unit=D, year=2014, population=40)
    return P, D, G


def test_units_json_lists_the_tree_as_of_a_date(small):
    rows = json.loads(run("units", "--at", "2010-01-01", "--json"))
    assert [r["code"] for r in rows] == ["P", "D", "G"]
    assert rows[2] == {
        "code": "G",
        "name": "Chi bộ xã A",
        "kind": "grassroots_cell",
        "type": "commune",
        "parent": "D",
    }
    assert json.loads(run("units", "--at", "1999-01-01", "--json")) == []
    assert [
        r["code"] for r in json.loads(run("units", "--at", "2010-01-01", "--under", "D", "--json"))
    ] == ["D", "G"]


def test_figures_json_has_the_documented_keys(small):
    data = json.loads(
        run("figures", "--unit", "d", "--at", "2015-06-01", "--since", "2014-01-01", "--json")
    )
    assert data["unit"] == {"code": "D", "name": "Huyện Thử", "kind": "district"}
    assert (data["members"], data["official_members"], data["probationary_members"]) == (1, 0, 1)
    assert (data["population"], data["members_pct_population"]) == (40, 2.5)
    assert (
        data["villages"],
        data["villages_own_cell"],
        data["villages_joint_cell"],
        data["villages_no_cell"],
    ) == (3, 1, 1, 1)
    assert (
        data["since"]["members"] == 2
        and data["since"]["died"] == 1
        and data["since"]["net_change"] == -1
    )
    for key in (
        "grassroots_organizations",
        "grassroots_committees",
        "grassroots_cells",
        "subordinate_organizations",
        "exempt_members",
    ):
        assert key in data
    for key in (
        "date",
        "grassroots_organizations",
        "subordinate_organizations",
        "admitted",
        "readmitted",
        "transferred_in",
        "transferred_out",
        "expelled",
        "removed",
        "left",
    ):
        assert key in data["since"]


def test_figures_text_uses_vietnamese_numbers(small):
    text = run("figures", "--unit", "D", "--at", "2010-01-01")
    assert "Đảng viên" in text and "ngày 01/01/2010" in text


def test_unknown_unit_and_bad_date_are_refused(small):
    with pytest.raises(CommandError, match="Không có tổ chức"):
        run("figures", "--unit", "XX", "--at", "2010-01-01")
    with pytest.raises(CommandError, match="Ngày không hợp lệ"):
        run("figures", "--unit", "P", "--at", "31/02/2010")


@pytest.mark.django_db
def test_reindex_rebuilds_derived_data():
    from grassroots.figures.models import FigureCheckpoint
    from grassroots.members.models import MemberNameKey

    province = unit("RP", Kind.PROVINCE)
    cell = unit("RC", Kind.GRASSROOTS_CELL, province)
    admit(cell, "2005-03-01", full_name="Nguyễn Văn Ấn")
    keys = set(MemberNameKey.objects.values_list("place_id", "key", "member_id"))
    assert keys
    MemberNameKey.objects.all().delete()
    out = StringIO()
    call_command("reindex", "--names", stdout=out)
    assert set(MemberNameKey.objects.values_list("place_id", "key", "member_id")) == keys
    assert "chỉ mục tìm theo tên: 3 dòng" in out.getvalue()
    call_command("reindex", "--checkpoints", "--names", stdout=StringIO())
    assert FigureCheckpoint.objects.count() == 0  # a short history needs no checkpoints
