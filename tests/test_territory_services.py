"""Villages and population through the services: each rule refused with its message, dated
arrangement changes reflected in figures() (issue 2 §4, §5)."""

import pytest
from django.core.exceptions import ValidationError

from grassroots.audit.models import AuditRecord
from grassroots.figures.queries import figures
from grassroots.organizations.models import GrassrootsType, Kind
from grassroots.restructure import services as restructure
from grassroots.territory import queries
from grassroots.territory.models import CellArrangement, Population, Village, VillageVersion
from grassroots.territory.services import (
    population_set,
    village_change_arrangement,
    village_create,
    village_end,
    village_move,
)

from .factories import SYSTEM, admit, d, unit

pytestmark = pytest.mark.django_db

OWN, JOINT, NONE = CellArrangement.OWN, CellArrangement.JOINT, CellArrangement.NONE


@pytest.fixture
def w(db):
    P = unit("P", Kind.PROVINCE)
    D1 = unit("D1", Kind.DISTRICT, P)
    G1 = unit("G1", Kind.GRASSROOTS_COMMITTEE, D1, name="Đảng bộ xã Một")
    C1 = unit("C1", Kind.SUBORDINATE_CELL, G1)
    C2 = unit("C2", Kind.SUBORDINATE_CELL, G1, date="2010-01-01")
    G2 = unit("G2", Kind.GRASSROOTS_COMMITTEE, D1)
    C3 = unit("C3", Kind.SUBORDINATE_CELL, G2)
    A1 = unit("A1", Kind.GRASSROOTS_CELL, D1, type=GrassrootsType.AGENCY)
    GC = unit("GC", Kind.GRASSROOTS_CELL, D1)  # a commune whose party organization is one cell
    return locals()


def village(w, code="V1", arrangement=OWN, cell="C1", date="2005-01-01", commune="G1"):
    return village_create(
        actor=SYSTEM,
        code=code,
        name=f"Thôn {code}",
        kind="thon",
        unit=w[commune],
        arrangement=arrangement,
        cell=w[cell] if cell else None,
        date=d(date),
    )


def message(excinfo, field):
    return " ".join(excinfo.value.message_dict[field])


def counts(unit, day):
    f = figures(unit, d(day))
    return f.villages, f.villages_own_cell, f.villages_joint_cell, f.villages_no_cell


def test_create_and_audit(w):
    v = village(w, "v1")
    assert v.code == "V1"
    version = v.versions.get()
    assert (version.unit, version.arrangement, version.cell, version.valid_from) == (
        w["G1"],
        OWN,
        w["C1"],
        d("2005-01-01"),
    )
    audit = AuditRecord.objects.get(object_type="village", object_id=str(v.pk))
    assert audit.action == "create" and audit.changes["arrangement"] == [None, "own"]
    assert audit.changes["cell"] == [None, "C1"]


@pytest.mark.parametrize(
    "kwargs, field, text",
    [
        ({"code": ""}, "code", "Cần nhập mã"),
        ({"name": " "}, "name", "Cần nhập tên"),
        ({"kind": "xom"}, "kind", "không hợp lệ"),
        ({"unit": "A1"}, "unit", "không phải tổ chức cơ sở đảng xã"),
        ({"unit": "C1"}, "unit", "không phải tổ chức cơ sở đảng xã"),
        ({"unit": "D1"}, "unit", "không phải tổ chức cơ sở đảng xã"),
        ({"date": "1999-12-31"}, "unit", "không tồn tại vào ngày 31/12/1999"),
        ({"cell": None}, "cell", "Cần chọn chi bộ của thôn"),
        ({"arrangement": JOINT, "cell": None}, "cell", "Cần chọn chi bộ sinh hoạt ghép"),
        ({"arrangement": NONE}, "cell", "không ghi chi bộ"),
        ({"arrangement": "maybe"}, "arrangement", "không hợp lệ"),
        ({"cell": "C3"}, "cell", "không thuộc tổ chức cơ sở đảng G1"),
        ({"cell": "G1"}, "cell", "không phải là chi bộ"),
        ({"cell": "C2"}, "cell", "C2 không tồn tại vào ngày 01/01/2005"),
    ],
)
def test_create_refusals(w, kwargs, field, text):
    args = {
        "actor": SYSTEM,
        "code": "V1",
        "name": "Thôn Một",
        "kind": "thon",
        "unit": w["G1"],
        "arrangement": OWN,
        "cell": w["C1"],
        "date": d("2005-01-01"),
    }
    for key, value in kwargs.items():
        args[key] = w[value] if key in ("unit", "cell") and value else value
        if key == "date":
            args[key] = d(value)
    with pytest.raises(ValidationError) as excinfo:
        village_create(**args)
    assert text in message(excinfo, field)
    assert not Village.objects.exists() and not VillageVersion.objects.exists()


def test_duplicate_code_and_own_cell_taken(w):
    village(w, "V1")
    with pytest.raises(ValidationError) as excinfo:
        village(w, "v1", cell="C2", date="2011-01-01")
    assert "Mã V1 đã được dùng" in message(excinfo, "code")
    with pytest.raises(ValidationError) as excinfo:
        village(w, "V2", cell="C1")
    assert "đã là chi bộ của Thôn V1" in message(excinfo, "cell")
    # Also when the other village's own period only begins later.
    with pytest.raises(ValidationError) as excinfo:
        village(w, "V2", cell="C1", date="2000-06-01")
    assert "đã là chi bộ của Thôn V1 (V1) từ ngày 01/01/2005" in message(excinfo, "cell")
    # The same cell for a second village is a joint arrangement, which is fine.
    village(w, "V2", arrangement=JOINT, cell="C1")


def test_commune_grassroots_cell_is_its_villages_cell(w):
    v = village(w, "V1", cell="GC", commune="GC")
    assert v.versions.get().cell == w["GC"]


def test_dated_arrangement_changes_move_the_figures(w):
    v1 = village(w, "V1", arrangement=NONE, cell=None)
    v2 = village(w, "V2", arrangement=JOINT, cell="C1")
    village(w, "V3", arrangement=OWN, cell="C1")
    assert counts(w["D1"], "2008-02-02") == (3, 1, 1, 1)
    # V1 gets its own cell from 2012; V2 meets jointly from 2008 on and gets none from 2015.
    village_change_arrangement(
        actor=SYSTEM, village=v1, arrangement=OWN, cell=w["C2"], date=d("2012-03-01")
    )
    village_change_arrangement(actor=SYSTEM, village=v2, arrangement=NONE, date=d("2015-01-01"))
    assert counts(w["G1"], "2012-02-29") == (3, 1, 1, 1)
    assert counts(w["G1"], "2012-03-01") == (3, 2, 1, 0)
    assert counts(w["P"], "2015-01-01") == (3, 2, 0, 1)
    assert counts(w["G2"], "2015-01-01") == (0, 0, 0, 0)
    # A change inside an earlier period splits it; later recorded changes stay.
    village_change_arrangement(
        actor=SYSTEM, village=v2, arrangement=JOINT, cell=w["C2"], date=d("2013-01-01")
    )
    steps = [
        (s.valid_from, s.valid_to, s.arrangement, s.cell_code) for s in queries.village_timeline(v2)
    ]
    assert steps == [
        (d("2005-01-01"), d("2013-01-01"), "joint", "C1"),
        (d("2013-01-01"), d("2015-01-01"), "joint", "C2"),
        (d("2015-01-01"), None, "none", ""),
    ]
    # Back to the original from 2013: the versions join again.
    village_change_arrangement(
        actor=SYSTEM, village=v2, arrangement=JOINT, cell=w["C1"], date=d("2013-01-01")
    )
    assert v2.versions.count() == 2
    rows = queries.villages_at(w["D1"], d("2013-06-01"))
    assert [(r.code, r.arrangement, r.cell_code) for r in rows] == [
        ("V1", "own", "C2"),
        ("V2", "joint", "C1"),
        ("V3", "own", "C1"),
    ]
    assert queries.arrangement_counts(rows) == {"own": 2, "joint": 1, "none": 0}
    audit = AuditRecord.objects.filter(
        object_type="village", object_id=str(v1.pk), action="change_arrangement"
    ).get()
    assert audit.changes["arrangement"] == ["none", "own"] and audit.changes["cell"] == [None, "C2"]


def test_arrangement_refusals(w):
    v = village(w, "V1", date="2005-01-01")
    cases = [
        ({"arrangement": OWN, "cell": w["C1"], "date": d("2006-01-01")}, "arrangement", "trùng"),
        (
            {"arrangement": OWN, "cell": w["C1"], "date": d("2004-12-31")},
            "date",
            "chỉ có trong sổ từ ngày 01/01/2005",
        ),
        ({"arrangement": JOINT, "cell": w["C3"], "date": d("2006-01-01")}, "cell", "không thuộc"),
        ({"arrangement": OWN, "cell": w["C2"], "date": d("2006-01-01")}, "cell", "không tồn tại"),
        (
            {"arrangement": NONE, "cell": w["C1"], "date": d("2006-01-01")},
            "cell",
            "không ghi chi bộ",
        ),
    ]
    for kwargs, field, text in cases:
        with pytest.raises(ValidationError) as excinfo:
            village_change_arrangement(actor=SYSTEM, village=v, **kwargs)
        assert text in message(excinfo, field), kwargs
    village_end(actor=SYSTEM, village=v, date=d("2020-01-01"))
    with pytest.raises(ValidationError) as excinfo:
        village_change_arrangement(actor=SYSTEM, village=v, arrangement=NONE, date=d("2020-01-01"))
    assert "đã kết thúc ngày 01/01/2020" in message(excinfo, "date")
    assert v.versions.count() == 1


def test_a_change_reaching_a_later_version_is_checked_there(w):
    """From 2025 the village belongs to G2 with no cell; a G1 cell cannot follow it there."""
    v = village(w, "V1", arrangement=NONE, cell=None)
    village_move(actor=SYSTEM, village=v, unit=w["G2"], date=d("2025-07-01"))
    with pytest.raises(ValidationError) as excinfo:
        village_change_arrangement(
            actor=SYSTEM, village=v, arrangement=OWN, cell=w["C1"], date=d("2020-01-01")
        )
    assert "không thuộc tổ chức cơ sở đảng G2 vào ngày 01/07/2025" in message(excinfo, "cell")
    assert v.versions.count() == 2


def test_move_after_the_2025_merger(w):
    """G1 merges into G2; its cells move with it, and so do its villages (unit_merge moves them)."""
    v1 = village(w, "V1", arrangement=OWN, cell="C1")
    village(w, "V2", arrangement=NONE, cell=None)
    restructure.unit_merge(actor=SYSTEM, sources=[w["G1"]], target=w["G2"], date=d("2025-07-01"))
    assert counts(w["G2"], "2025-07-01") == (2, 1, 0, 1)
    assert counts(w["G2"], "2025-06-30") == (0, 0, 0, 0)
    assert counts(w["D1"], "2025-07-01") == (2, 1, 0, 1)
    audit = AuditRecord.objects.get(object_type="village", object_id=str(v1.pk), action="move")
    assert audit.changes["unit"] == [w["G1"].pk, w["G2"].pk]


def test_move_refusals(w):
    v = village(w, "V1", arrangement=OWN, cell="C1")
    with pytest.raises(ValidationError) as excinfo:
        village_move(actor=SYSTEM, village=v, unit=w["G1"], date=d("2010-01-01"))
    assert "đang thuộc G1" in message(excinfo, "unit")
    with pytest.raises(ValidationError) as excinfo:
        village_move(actor=SYSTEM, village=v, unit=w["A1"], date=d("2010-01-01"))
    assert "không phải tổ chức cơ sở đảng xã" in message(excinfo, "unit")
    # Its cell C1 stays in G1: record the arrangement change first.
    with pytest.raises(ValidationError) as excinfo:
        village_move(actor=SYSTEM, village=v, unit=w["G2"], date=d("2010-01-01"))
    assert "hãy ghi thay đổi tình trạng chi bộ" in message(excinfo, "unit")
    restructure.unit_dissolve(actor=SYSTEM, unit=w["C3"], date=d("2009-01-01"))
    restructure.unit_dissolve(actor=SYSTEM, unit=w["G2"], date=d("2009-01-01"))
    with pytest.raises(ValidationError) as excinfo:
        village_move(actor=SYSTEM, village=v, unit=w["G2"], date=d("2010-01-01"))
    assert "không tồn tại vào ngày 01/01/2010" in message(excinfo, "unit")
    assert v.versions.count() == 1


def test_end(w):
    v = village(w, "V1", date="2005-01-01")
    village_change_arrangement(
        actor=SYSTEM, village=v, arrangement=JOINT, cell=w["C1"], date=d("2015-01-01")
    )
    with pytest.raises(ValidationError) as excinfo:
        village_end(actor=SYSTEM, village=v, date=d("2005-01-01"))
    assert "phải sau ngày 01/01/2005" in message(excinfo, "date")
    with pytest.raises(ValidationError) as excinfo:
        village_end(actor=SYSTEM, village=v, date=d("2012-01-01"))
    assert "không thể kết thúc trước đó" in message(excinfo, "date")
    village_end(actor=SYSTEM, village=v, date=d("2020-01-01"))
    assert counts(w["G1"], "2019-12-31") == (1, 0, 1, 0)
    assert counts(w["G1"], "2020-01-01") == (0, 0, 0, 0)
    assert queries.village_life(v) == (d("2005-01-01"), d("2020-01-01"))
    with pytest.raises(ValidationError) as excinfo:
        village_end(actor=SYSTEM, village=v, date=d("2021-01-01"))
    assert "đã kết thúc" in message(excinfo, "date")


def test_population_set_and_percentage(w):
    for i in range(3):
        admit(w["C1"], f"2010-0{i + 1}-01")
    population_set(actor=SYSTEM, unit=w["G1"], year=2012, population=40)
    assert figures(w["G1"], d("2015-06-01")).population == 40
    assert figures(w["G1"], d("2015-06-01")).members_pct_population == 7.5
    assert figures(w["G1"], d("2011-12-31")).population is None
    # The district without its own figure sums its communes; with one it uses it.
    population_set(actor=SYSTEM, unit=w["G2"], year=2012, population=60)
    assert figures(w["D1"], d("2015-06-01")).population == 100
    assert figures(w["D1"], d("2015-06-01")).members_pct_population == 3.0
    population_set(actor=SYSTEM, unit=w["D1"], year=2014, population=120)
    assert figures(w["D1"], d("2015-06-01")).members_pct_population == 2.5
    # Correcting a year keeps one row and audits old → new.
    row = population_set(actor=SYSTEM, unit=w["G1"], year=2012, population=50)
    assert Population.objects.filter(unit=w["G1"]).count() == 1 and row.population == 50
    audits = AuditRecord.objects.filter(object_type="population", object_id=str(row.pk))
    assert [(a.action, a.changes["population"]) for a in audits.order_by("id")] == [
        ("create", [None, 40]),
        ("update", [40, 50]),
    ]
    assert figures(w["G1"], d("2015-06-01")).members_pct_population == 6.0
    assert queries.population_by_year(w["G1"]) == [(2012, 50)]


@pytest.mark.parametrize(
    "code, year, value, field, text",
    [
        ("G1", 1899, 10, "year", "Năm phải từ 1900 đến"),  # core/limits.py
        ("G1", 99999, 10, "year", "Năm phải từ 1900 đến"),
        ("G1", 2012, 0, "population", "số nguyên dương"),
        ("G1", 2012, -5, "population", "số nguyên dương"),
        ("G1", 2012, "12", "population", "số nguyên dương"),
        ("G1", 1990, 10, "year", "không tồn tại trong năm 1990"),
        ("A1", 2012, 10, "unit", "dân số chỉ ghi cho"),
        ("C1", 2012, 10, "unit", "dân số chỉ ghi cho"),
    ],
)
def test_population_refusals(w, code, year, value, field, text):
    with pytest.raises(ValidationError) as excinfo:
        population_set(actor=SYSTEM, unit=w[code], year=year, population=value)
    assert text in message(excinfo, field)
    assert not Population.objects.exists()
