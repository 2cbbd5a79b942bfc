"""Pages of the web UI with three personas: province admin, district clerk, outsider (issue 2 §7, issue 4 §2)."""

import pytest
from django.urls import reverse

from grassroots.audit.models import ProfileView
from grassroots.members.models import EventKind

from .factories import event
from .web_world import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


def login(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def test_anonymous_is_sent_to_login(client):
    response = client.get("/units/P/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    page = client.get("/login/")
    assert page.status_code == 200
    assert "Đăng nhập" in text(page)


def test_login_and_logout(client, world):
    response = client.post("/login/", {"username": "clerk_d1", "password": "Grassroots@2026"})
    assert response.status_code == 302 and response["Location"] == reverse("web:home")
    home = client.get("/")
    assert "Huyện Đình Một" in text(home)
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_home_shows_scope_and_tree_link(client, world):
    body = text(login(client, world["clerk"]).get("/"))
    assert "Huyện Đình Một" in body and "D1" in body
    assert reverse("web:tree_unit", args=["D1"]) in body


def test_tree_as_of_a_date(client, world):
    login(client, world["admin"])
    body = text(client.get("/tree/"))  # the scope (province) and its districts
    assert "Huyện Đình Một" in body and "Huyện Hai" in body
    today = text(client.get("/tree/G1/"))
    assert "Chi bộ thôn Khe Mò" in today and "Chi bộ thôn Bản Chắt" in today
    assert "Chi bộ trực thuộc" in today  # kind
    before = text(client.get("/tree/G1/?at=31/12/2009"))  # C2 was established on 2010-01-01
    assert "Chi bộ thôn Khe Mò" not in before
    assert "Chi bộ thôn Bản Chắt" in before
    iso = text(client.get("/tree/G1/?at=2009-12-31"))
    assert "Chi bộ thôn Khe Mò" not in iso
    assert "31/12/2009" in iso


def test_tree_member_counts(client, world):
    body = text(login(client, world["admin"]).get("/tree/D1/?at=2020-01-01"))
    row = body[body.index("Đảng bộ xã Ấn Lạc") :]
    assert '<td class="num">2</td>' in row[: row.index("</tr>")]


def test_bad_date_is_reported_and_today_used(client, world):
    body = text(login(client, world["admin"]).get("/tree/G1/?at=31/02/2020"))
    assert "không hợp lệ" in body
    assert "Chi bộ thôn Khe Mò" in body


def test_clerk_tree_hides_what_is_outside_the_district(client, world):
    login(client, world["clerk"])
    body = text(client.get("/tree/"))
    assert "Đảng bộ xã Ấn Lạc" in body
    assert "Huyện Hai" not in body and "Tỉnh Thử" not in body


def test_unit_page_with_figures_compared(client, world):
    login(client, world["admin"])
    response = client.get("/units/G1/?at=01/01/2020&since=01/01/2010")
    body = text(response)
    assert response.status_code == 200
    assert "Đảng bộ xã Ấn Lạc" in body
    assert "Huyện Đình Một" in body and "Tỉnh Thử" in body  # parent path on that date
    assert "01/01/2010" in body and "01/01/2020" in body
    rows = {r.label: r for r in response.context["figure_rows"]}
    assert (rows["Đảng viên"].then, rows["Đảng viên"].now, rows["Đảng viên"].change) == (
        "1",
        "2",
        "+1",
    )
    assert dict(response.context["flow_rows"])["Kết nạp"] == "1"
    # Members counted there on that date, with links to their pages.
    assert "Nguyễn Văn Ấn" in body and "Trần Thị Bình" in body
    assert reverse("web:member", args=[world["an"].pk]) in body
    # The history of decisions about the organization and its audit trail.
    assert "Thành lập" in body and "Nhật ký ghi chép" in body


def test_unit_page_before_a_member_arrived(client, world):
    response = login(client, world["admin"]).get("/units/C1/?at=2010-01-01")
    assert "Nguyễn Văn Ấn" in text(response)
    assert "Trần Thị Bình" not in text(response)  # admitted in 2012


def test_unit_page_paginates_members(client, world, settings):
    from grassroots.web import views

    views.PAGE_SIZE, old = 1, views.PAGE_SIZE
    try:
        login(client, world["admin"])
        first = client.get("/units/C1/")
        second = client.get("/units/C1/?page=2")
    finally:
        views.PAGE_SIZE = old
    assert len(first.context["member_rows"]) == 1 and len(second.context["member_rows"]) == 1
    assert first.context["member_rows"][0]["name"] != second.context["member_rows"][0]["name"]
    assert "Trang 1 / 2" in text(first)


def test_member_page_profile_timeline_and_view_log(client, world):
    an = world["an"]
    login(client, world["clerk"])
    body = text(client.get(f"/members/{an.pk}/"))
    assert "Nguyễn Văn Ấn" in body and "Đình Lập" in body
    assert "Tuổi đảng" in body and "01/03/2006" in body  # probation end
    assert "Kết nạp" in body and "Công nhận đảng viên chính thức" in body
    assert "Chi bộ thôn Bản Chắt" in body  # current cell
    assert ProfileView.objects.filter(viewer=world["clerk"], member=an).count() == 1


def test_member_page_strikes_through_a_voided_event(client, world):
    from grassroots.members.services import member_void_event

    from .factories import SYSTEM

    an = world["an"]
    wrong = event(an, EventKind.EXEMPTION, "2015-01-01")
    member_void_event(actor=SYSTEM, event=wrong, reason="Nhập nhầm người")
    body = text(login(client, world["clerk"]).get(f"/members/{an.pk}/"))
    row = body[body.index('class="voided"') :]
    assert (
        "Miễn công tác" in row[: row.index("</tr>")]
        and "Nhập nhầm người" in row[: row.index("</tr>")]
    )


def test_search_folds_diacritics(client, world):
    login(client, world["clerk"])
    response = client.get("/members/", {"q": "nguyen van an"})
    names = [m.full_name for m in response.context["page"]]
    assert names == ["Nguyễn Văn Ấn"]
    assert [m.full_name for m in client.get("/members/", {"q": "  VĂN   ấn "}).context["page"]] == [
        "Nguyễn Văn Ấn"
    ]
    assert [m.full_name for m in client.get("/members/", {"q": "tran binh"}).context["page"]] == [
        "Trần Thị Bình"
    ]


def test_search_stays_in_scope(client, world):
    login(client, world["clerk"])
    assert list(client.get("/members/", {"q": "cuong"}).context["page"]) == []
    login(client, world["outsider"])
    assert [
        m.full_name for m in client.get("/members/", {"q": "le van cuong"}).context["page"]
    ] == ["Lê Văn Cường"]
    assert list(client.get("/members/", {"q": "nguyen van an"}).context["page"]) == []


@pytest.mark.parametrize(
    "url",
    [
        "/tree/G1/",
        "/units/G1/",
        "/units/C1/?at=2015-01-01",
        "/units/G1/rename/",
        "/units/C1/admit/",
    ],
)
def test_outsider_gets_404_for_units(client, world, url):
    assert login(client, world["outsider"]).get(url).status_code == 404


def test_outsider_gets_404_for_members_and_events(client, world):
    an = world["an"]
    first = an.events.first()
    login(client, world["outsider"])
    for url in (
        f"/members/{an.pk}/",
        f"/members/{an.pk}/edit/",
        f"/members/{an.pk}/events/transfer/",
        f"/events/{first.pk}/void/",
        f"/events/{first.pk}/correct/",
    ):
        assert client.get(url).status_code == 404, url
    assert not ProfileView.objects.filter(viewer=world["outsider"]).exists()


def test_clerk_cannot_see_the_province_above(client, world):
    login(client, world["clerk"])
    assert client.get("/units/P/").status_code == 404
    assert client.get("/tree/D2/").status_code == 404


def test_numbers_are_formatted_vietnamese(client, world):
    from grassroots.territory.models import Population

    Population.objects.create(unit=world["G1"], year=2020, population=22_471)
    response = login(client, world["admin"]).get("/units/G1/?at=2020-06-01")
    rows = {r.label: r for r in response.context["figure_rows"]}
    assert rows["Dân số"].now == "22.471"
    assert rows["Đảng viên / dân số"].now == "0,0%"


def test_unit_history_masks_units_outside_the_scope(client, world):
    login(client, world["clerk"])
    response = client.get("/units/D1/?at=2020-01-01")
    assert [row.related for row in response.context["changes"]] == ["…"]  # established under P
    assert "trực thuộc: …" in response.context["history"][0].details
    response = login(client, world["admin"]).get("/units/D1/?at=2020-01-01")
    assert [row.related for row in response.context["changes"]] == ["P"]


def test_members_are_listed_from_the_grassroots_level_down(client, world):
    # A province or district page does not sort its whole membership by name
    # (docs/performance.md); it gives the total and points to the grassroots pages and search.
    client.force_login(world["admin"])
    province = client.get("/units/P/?at=2013-01-01").content.decode()
    assert "Nguyễn Văn Ấn" not in province and "Đảng viên ngày 01/01/2013 (3)" in province
    grassroots = client.get("/units/G1/?at=2013-01-01").content.decode()
    assert "Nguyễn Văn Ấn" in grassroots and "Trần Thị Bình" in grassroots
