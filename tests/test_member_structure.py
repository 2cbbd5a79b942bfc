"""Member structure statistics (issue 18, domain.md §4.1): every breakdown sums to the member
total of the figures, free-text fields are coded with unmapped values reported, not dropped."""

import json

import pytest
from django.core.management import CommandError, call_command

from grassroots.figures.queries import figures
from grassroots.members import categories
from grassroots.members.structure import (
    DIMENSIONS,
    UnknownDimension,
    _member_structure_by_row,
    _years,
    member_structure,
)

from .factories import admit, d, event
from .web_world import make_world

pytestmark = pytest.mark.django_db
AT = d("2013-01-01")


@pytest.fixture
def world():
    w = make_world()
    admit(w["C3"], "2011-02-01", occupation="Thợ săn", expertise="Đại học Y", ethnicity="Tày")
    admit(w["C1"], "2010-02-01", occupation="Nông dân", education="9/12", religion="Phật giáo")
    old = admit(w["C3"], "2000-06-01", birth_date=d("1940-05-05"), theory_level="Cao cấp")
    event(old, "official", "2001-06-01")
    return w


def test_every_dimension_sums_to_the_member_total(world):
    total = figures(world["P"], AT).members
    assert total == 6
    for dimension in DIMENSIONS:
        s = member_structure(world["P"], AT, [dimension], children=True)
        assert s.total == sum(s.cells.values()) == total, dimension
        assert sum(t for _u, _n, t, _c in s.children) == total, dimension
        assert [u.code for u, *_ in s.children] == ["D1", "D2"]


def test_two_dimensions_crossed(world):
    s = member_structure(world["P"], AT, ["gender", "age"])
    assert sum(s.cells.values()) == 6
    assert s.cells[("Nữ", "41–50")] == 1  # Trần Thị Bình, born 1970
    assert s.cells[("Nam", "> 70")] == 1  # born 1940
    seniority = member_structure(world["P"], AT, ["seniority"])
    assert seniority.cells[("10–19 năm",)] == 1  # admitted 2000
    assert seniority.cells[("< 10 năm",)] == 5


def test_free_text_is_coded_and_unmapped_values_are_reported(world):
    s = member_structure(world["P"], AT, ["occupation"])
    assert s.cells[("Nông dân",)] == 1 and s.cells[("Chưa phân loại",)] == 1
    assert s.unmapped["occupation"] == {"Thợ săn": 1}
    assert member_structure(world["P"], AT, ["expertise"]).cells[("Đại học",)] == 1
    assert member_structure(world["P"], AT, ["education"]).cells[("Trung học cơ sở",)] == 1
    assert member_structure(world["P"], AT, ["theory_level"]).cells[("Cao cấp, cử nhân",)] == 1
    groups = member_structure(world["P"], AT, ["ethnic_group"]).cells
    assert groups[("Dân tộc thiểu số",)] == 1 and groups[("Kinh",)] == 5


def test_a_commission_configures_its_own_list(world, tmp_path, settings):
    path = tmp_path / "cats.json"
    path.write_text(
        json.dumps(
            {"occupation": [["hunter", "Săn bắn", ["tho san"]], ["rest", "Khác", ["", "nong"]]]}
        ),
        encoding="utf-8",
    )
    settings.MEMBER_CATEGORIES_FILE = str(path)
    categories.reload()
    try:
        s = member_structure(world["P"], AT, ["occupation"])
        assert (
            s.cells[("Săn bắn",)] == 1 and s.cells[("Khác",)] == 5 and not s.unmapped["occupation"]
        )
    finally:
        settings.MEMBER_CATEGORIES_FILE = ""
        categories.reload()


def test_refusals(world):
    with pytest.raises(UnknownDimension):
        member_structure(world["P"], AT, ["shoe_size"])
    with pytest.raises(UnknownDimension):
        member_structure(world["P"], AT, ["gender", "age", "religion"])
    with pytest.raises(CommandError, match="phạm vi"):
        call_command(
            "statistics",
            "members",
            "--unit",
            "P",
            "--at",
            "2013-01-01",
            "--by",
            "gender",
            "--user",
            "clerk_d1",
        )


def test_cli_json(world, capsys):
    call_command(
        "statistics",
        "members",
        "--unit",
        "P",
        "--at",
        "2013-01-01",
        "--by",
        "gender,status",
        "--children",
        "--json",
    )
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 6 and sum(c["count"] for c in data["cells"]) == 6
    assert {c["code"] for c in data["children"]} == {"D1", "D2"}


def _same(a, b):
    assert (a.total, a.cells, a.unmapped) == (b.total, b.cells, b.unmapped)
    assert [(u.code, t, c) for u, _n, t, c in a.children] == [
        (u.code, t, c) for u, _n, t, c in b.children
    ]


def test_the_grouped_count_equals_the_member_by_member_reference(world):
    """member_structure counts by GROUP BY; `_member_structure_by_row` counts one row per member
    (the slow, obviously right way): the same cells, children and unmapped values."""
    for day in (AT, d("2010-06-01"), d("2011-02-01")):
        for dimension in DIMENSIONS:
            for by in ([dimension], [dimension, "gender"] if dimension != "gender" else ["age"]):
                _same(
                    member_structure(world["P"], day, by, children=True),
                    _member_structure_by_row(world["P"], day, by, children=True),
                )


def test_age_bands_turn_on_the_birthday(world):
    """≤ 30 until the day before the 31st birthday; born 29/02, a year older on 01/03 in a year
    without 29/02 (`_years`): the SQL band of the grouped count agrees."""
    on_day = admit(world["C1"], "2012-01-01", birth_date=d("1982-01-01"))
    leap = admit(world["C1"], "2012-01-01", birth_date=d("1984-02-29"))
    before = member_structure(world["C1"], d("2012-12-31"), ["age"]).cells
    assert before[("≤ 30",)] == 2
    assert member_structure(world["C1"], d("2013-01-01"), ["age"]).cells[("≤ 30",)] == 1
    assert _years(on_day.birth_date, d("2013-01-01")) == 31
    assert _years(leap.birth_date, d("2015-02-28")) == 30
    assert _years(leap.birth_date, d("2015-03-01")) == 31
    cells = {}
    for day in ("2015-02-28", "2015-03-01"):
        cells[day] = member_structure(world["C1"], d(day), ["age"]).cells
        assert cells[day] == _member_structure_by_row(world["C1"], d(day), ["age"]).cells
    assert cells["2015-02-28"][("≤ 30",)] - cells["2015-03-01"][("≤ 30",)] == 1
