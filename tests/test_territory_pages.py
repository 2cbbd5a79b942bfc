"""Villages and population in the browser: listed as of a date with the figures' counts, recorded
through forms by clerks, errors next to the field, scope and roles enforced (issue 2 §4, §7)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.accounts.models import Role, User
from grassroots.audit.models import AuditRecord, Source
from grassroots.figures.queries import figures
from grassroots.organizations.models import Kind
from grassroots.territory.models import CellArrangement, Population, Village
from grassroots.territory.services import village_change_arrangement, village_create

from .factories import SYSTEM, d, unit
from .test_web_forms import field_errors, login, top_errors
from .web_world import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    w = make_world()
    w["viewer"] = User.objects.create_user("viewer_d1", scope=w["D1"], role=Role.VIEWER)

    def add(code, commune, arrangement, cell, date="2005-01-01"):
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

    w["V1"] = add("V1", "G1", CellArrangement.OWN, "C1")
    w["V2"] = add("V2", "G1", CellArrangement.JOINT, "C1")
    w["V3"] = add("V3", "G1", CellArrangement.NONE, None)
    w["VX"] = add("VX", "G2", CellArrangement.OWN, "C3")
    # V3 gets its own cell C2 from 2015.
    village_change_arrangement(
        actor=SYSTEM,
        village=w["V3"],
        arrangement=CellArrangement.OWN,
        cell=w["C2"],
        date=d("2015-01-01"),
    )
    return w


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def count_cell(response, label) -> str:
    match = re.search(rf"<th>{label}</th><td class=\"num\">([^<]*)</td>", response.content.decode())
    return match.group(1) if match else ""


def test_villages_page_as_of_a_date_matches_figures(client, world):
    login(client, world["clerk"])
    assert 'href="/units/G1/villages/?at=' in client.get("/units/G1/").content.decode()
    for day, own, joint, none in (("2010-06-01", 1, 1, 1), ("2016-06-01", 2, 1, 0)):
        response = client.get(f"/units/D1/villages/?at={day}")
        assert response.status_code == 200
        f = figures(world["D1"], d(day))
        assert (f.villages_own_cell, f.villages_joint_cell, f.villages_no_cell) == (
            own,
            joint,
            none,
        )
        assert count_cell(response, "Có chi bộ độc lập") == str(own)
        assert count_cell(response, "Sinh hoạt ghép") == str(joint)
        assert count_cell(response, "Chưa có chi bộ") == str(none)
        assert f"{f.villages} thôn, bản, tổ dân phố" in text(response)
    page = text(client.get("/units/G1/villages/?at=01/06/2016"))
    assert (
        "Thôn V3 Thôn Đảng bộ xã Ấn Lạc Có chi bộ độc lập Chi bộ thôn Khe Mò C2 01/01/2015" in page
    )
    assert "Thôn VX" not in page  # another district's village


def test_villages_list_query_count_does_not_grow(client, world):
    login(client, world["admin"])
    with CaptureQueriesContext(connection) as few:
        client.get("/units/P/villages/?at=2016-06-01")
    for i in range(60):
        village_create(
            actor=SYSTEM,
            code=f"W{i:02d}",
            name=f"Bản {i:02d}",
            kind="ban",
            unit=world["G1"],
            arrangement=CellArrangement.JOINT,
            cell=world["C2"],
            date=d("2012-01-01"),
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get("/units/P/villages/?at=2016-06-01")
    assert len(many) == len(few)
    # 63 villages in G1 (and one in G2): the counts cover all of them, the list is paged by 50.
    page = text(response)
    assert "64 thôn, bản, tổ dân phố" in page and "Trang 1 / 2" in page
    assert count_cell(response, "Sinh hoạt ghép") == "61"
    assert response.content.decode().count('<tr class="arrangement-') == 50
    second = client.get("/units/P/villages/?at=2016-06-01&page=2")
    assert second.content.decode().count('<tr class="arrangement-') == 14


def test_add_a_village_through_the_form(client, world):
    login(client, world["clerk"])
    assert "Thêm thôn, bản, tổ dân phố" in text(client.get("/units/G1/villages/"))
    post = {
        "code": "v9",
        "name": "Bản  Mới",
        "kind": "ban",
        "arrangement": "joint",
        "cell_code": "c2",
        "date": "01/03/2020",
    }
    response = client.post("/units/G1/villages/new/", post)
    assert (
        response.status_code == 302 and response["Location"] == "/units/G1/villages/?at=2020-03-01"
    )
    village = Village.objects.get(code="V9")
    version = village.versions.get()
    assert (village.name, version.unit.code, version.arrangement, version.cell.code) == (
        "Bản Mới",
        "G1",
        "joint",
        "C2",
    )
    record = AuditRecord.objects.get(object_type="village", object_id=str(village.pk))
    assert (record.actor, record.source) == (world["clerk"], Source.UI)


def test_village_form_errors_next_to_fields(client, world):
    login(client, world["clerk"])
    base = {
        "code": "V9",
        "name": "Bản Mới",
        "kind": "ban",
        "arrangement": "own",
        "date": "01/03/2020",
    }
    no_cell = client.post("/units/G1/villages/new/", base)
    assert "Cần chọn chi bộ của thôn" in field_errors(no_cell, "cell_code")
    outside = client.post("/units/G1/villages/new/", {**base, "cell_code": "C3"})
    assert "Không tìm thấy tổ chức có mã C3" in field_errors(outside, "cell_code")
    taken = client.post("/units/G1/villages/new/", {**base, "cell_code": "C1"})
    assert "đã là chi bộ của Thôn V1" in field_errors(taken, "cell_code")
    duplicate = client.post(
        "/units/G1/villages/new/", {**base, "code": "v1", "arrangement": "none"}
    )
    assert "Mã V1 đã được dùng" in field_errors(duplicate, "code")
    bad_date = client.post(
        "/units/G1/villages/new/", {**base, "arrangement": "none", "date": "31/02/2020"}
    )
    assert field_errors(bad_date, "date")
    # A district is not a commune: the refusal has no field of its own, so it sits on top.
    district = client.post("/units/D1/villages/new/", {**base, "arrangement": "none"})
    assert "không phải tổ chức cơ sở đảng xã" in top_errors(district)
    assert not Village.objects.filter(code="V9").exists()
    # For the province admin C3 exists, but it is another commune's cell.
    login(client, world["admin"])
    other = client.post("/units/G1/villages/new/", {**base, "cell_code": "C3"})
    assert "không thuộc tổ chức cơ sở đảng G1" in field_errors(other, "cell_code")


def test_change_arrangement_from_a_date(client, world):
    login(client, world["clerk"])
    form = client.get("/units/G1/villages/V2/arrangement/")
    assert form.status_code == 200 and "Sinh hoạt ghép" in text(form)  # the timeline
    response = client.post(
        "/units/G1/villages/v2/arrangement/", {"arrangement": "none", "date": "01/01/2018"}
    )
    assert response.status_code == 302
    assert (
        figures(world["G1"], d("2017-12-31")).villages_joint_cell,
        figures(world["G1"], d("2018-01-01")).villages_joint_cell,
    ) == (1, 0)
    assert count_cell(client.get("/units/G1/villages/?at=2018-01-01"), "Chưa có chi bộ") == "1"
    wrong = client.post(
        "/units/G1/villages/V2/arrangement/", {"arrangement": "none", "date": "01/01/2001"}
    )
    assert "chỉ có trong sổ từ ngày 01/01/2005" in field_errors(wrong, "date")
    same = client.post(
        "/units/G1/villages/V2/arrangement/", {"arrangement": "none", "date": "01/06/2019"}
    )
    assert "trùng" in field_errors(same, "arrangement")
    # A village of another commune is not reachable through G1, even for the admin.
    login(client, world["admin"])
    assert client.get("/units/G1/villages/VX/arrangement/").status_code == 404


def test_population_page_and_percentage(client, world):
    login(client, world["clerk"])
    page = client.get("/units/G1/population/")
    assert page.status_code == 200 and 'name="population"' in page.content.decode()
    response = client.post("/units/G1/population/", {"year": "2015", "population": "22.471"})
    assert response.status_code == 302
    assert Population.objects.get(unit=world["G1"], year=2015).population == 22471
    assert "22.471" in text(client.get("/units/G1/population/"))
    assert (
        client.post("/units/G1/population/", {"year": "2015", "population": "25000"}).status_code
        == 302
    )
    assert Population.objects.get(unit=world["G1"], year=2015).population == 25000
    record = AuditRecord.objects.filter(object_type="population", action="update").get()
    assert record.changes["population"] == [22471, 25000]
    # Members as % of population on the organization page: 2 members of G1 / 22 people → 9,1%.
    assert (
        client.post("/units/G1/population/", {"year": "2016", "population": "22"}).status_code
        == 302
    )
    assert figures(world["G1"], d("2016-06-01")).members_pct_population == 9.09
    assert figures(world["G1"], d("2015-06-01")).members_pct_population == 0.01
    unit_page = text(client.get("/units/G1/?at=2016-06-01"))
    assert "Dân số 22" in unit_page and "Đảng viên / dân số 9,1%" in unit_page
    errors = client.post("/units/G1/population/", {"year": "1899", "population": "-3"})
    assert field_errors(errors, "year") and field_errors(errors, "population")
    refused = client.post("/units/C1/population/", {"year": "2015", "population": "100"})
    assert "dân số chỉ ghi cho" in top_errors(refused)
    assert Population.objects.count() == 2


def test_scope_and_roles(client, world):
    login(client, world["outsider"])  # clerk of the other district
    for url in (
        "/units/G1/villages/",
        "/units/G1/villages/new/",
        "/units/G1/villages/V1/arrangement/",
        "/units/G1/population/",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post("/units/G1/population/", {"year": "2015", "population": "5"}).status_code == 404
    )
    assert client.get("/units/G2/villages/V1/arrangement/").status_code == 404
    login(client, world["viewer"])
    assert client.get("/units/G1/villages/").status_code == 200
    assert "Thêm thôn" not in text(client.get("/units/G1/villages/"))
    assert "Đổi tình trạng" not in text(client.get("/units/G1/villages/"))
    population = client.get("/units/G1/population/")
    assert population.status_code == 200 and 'name="population"' not in population.content.decode()
    assert (
        client.post("/units/G1/population/", {"year": "2015", "population": "5"}).status_code == 403
    )
    assert client.get("/units/G1/villages/new/").status_code == 403
    assert (
        client.post(
            "/units/G1/villages/V1/arrangement/", {"arrangement": "none", "date": "01/01/2018"}
        ).status_code
        == 403
    )
    assert not Population.objects.exists()


def test_a_date_before_the_unit_existed(client, world):
    """The page as of a date before the unit existed says so instead of listing nothing silently."""
    unit("G9", Kind.GRASSROOTS_COMMITTEE, world["D1"], date="2020-01-01", name="Đảng bộ xã Chín")
    login(client, world["clerk"])
    response = client.get("/units/G9/villages/?at=2019-01-01")
    assert response.status_code == 200 and "không tồn tại hoặc không thuộc phạm vi" in text(
        response
    )
