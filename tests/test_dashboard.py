"""The home page as the scope's dashboard (issue 11: a greeting and three links; accounts of
abolished organizations landed on empty pages)."""

import base64
import datetime as dt

import pytest

from .test_access import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def test_figures_today_and_a_year_ago_with_trend_charts(client, w):
    client.force_login(w["admin_p"])
    response = client.get("/")
    rows = {r.label: r for r in response.context["figure_rows"]}
    # Today (2026): Lê Văn Sau admitted on 10/01/2026; a year before he was not a member yet.
    assert rows["Đảng viên"].change == "+1"
    body = response.content.decode()
    assert "Xu hướng" in body and body.count('src="data:image/svg+xml;base64,') == 2
    svg = base64.b64decode(response.context["charts"][0][1].split(",", 1)[1]).decode()
    assert svg.lstrip().startswith("<?xml") and "Đảng viên" in svg


def test_ended_scope_lands_on_its_last_day(client, w):
    client.force_login(w["clerk_d1"])  # district dissolved on 01/07/2025
    response = client.get("/")
    body = response.content.decode()
    assert response.context["ended"] and "30/06/2025" in body
    assert "/tree/D1/?at=2025-06-30" in body
    rows = {r.label: r for r in response.context["figure_rows"]}
    assert rows["Đảng viên"].now == "1"  # not the "0 / 0" of a day it no longer existed
    # The tree and the organization page, opened without a date, show that last day too.
    tree = client.get("/tree/D1/")
    assert (
        tree.context["at"].isoformat() == "2025-06-30" and "Đảng bộ xã Một" in tree.content.decode()
    )
    unit = client.get("/units/D1/")
    assert unit.context["visible"] and unit.context["at"].isoformat() == "2025-06-30"
    # Given a date, the pages keep it.
    assert client.get("/tree/D1/?at=2026-01-01").context["at"].isoformat() == "2026-01-01"


def test_ended_scope_links_to_where_its_work_went(client, w):
    from grassroots.accounts.models import Role, User
    from grassroots.organizations.models import Kind
    from grassroots.restructure.services import unit_merge

    from .factories import SYSTEM, d, unit

    # D1 was abolished; its commune G1 went under the province: the clerk is pointed to G1.
    client.force_login(w["clerk_d1"])
    assert client.get("/").context["successors"] == [("G1", "Đảng bộ xã Một")]
    # A cell merged into another cell of the same commune: the commune's viewer sees the target.
    c2 = unit("C2", Kind.SUBORDINATE_CELL, w["G1"], name="Chi bộ thôn Hai")
    unit_merge(actor=SYSTEM, sources=[w["C1"]], target=c2, date=d("2026-03-01"))
    viewer = User.objects.create_user("viewer_c1", scope=w["C1"], role=Role.VIEWER)
    client.force_login(viewer)
    assert client.get("/").context["successors"] == []  # C2 never lay inside C1: not offered
    viewer.scope = w["G1"]
    viewer.save()
    assert client.get("/").context["ended"] is False


def test_organization_page_offers_its_export(client, w):
    client.force_login(w["viewer_g1"])
    body = client.get("/units/G1/?at=2024-01-01").content.decode()
    url = "/excel/export/organizations/?unit=G1&amp;at=01/01/2024"
    assert url in body
    response = client.get(url.replace("&amp;", "&"))
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')


def test_rating_shares_by_year_next_to_the_trends(client):
    """Issue 11 §7: the home page shows the shares of each rating level over the years, from the
    assessments' own count (the results page's figures), not a second count."""
    from grassroots.assessments import queries as ratings
    from grassroots.web.dashboard import rating_shares

    from .test_assessment_helpers import build_tree, decide, open_round, user

    t = build_tree()
    rnd = open_round(t["P"], 2019)
    decide(rnd, "tot", unit=t["G1"])
    decide(rnd, "khong_hoan_thanh", unit=t["G2"])
    decide(rnd, "xuat_sac", unit=t["G3"])
    years, series = rating_shares(t["P"], 2010, dt.date(2026, 3, 1))
    assert years == [2019]
    shares = {label: values[0] for label, values in series.items()}
    assert shares == {
        "Hoàn thành xuất sắc nhiệm vụ": 33.33,
        "Hoàn thành tốt nhiệm vụ": 33.33,
        "Hoàn thành nhiệm vụ": 0.0,
        "Không hoàn thành nhiệm vụ": 33.33,
    }
    pct = dict(
        (lv.label, float(p)) for lv, _n, p in ratings.summary(t["P"], 2019).grassroots.rows()
    )
    assert pct == shares  # one fact, one count: the results page's shares
    # The year is not over on 30/06/2019: its ratings are not yet a year's result.
    assert rating_shares(t["P"], 2010, dt.date(2019, 6, 30)) == ([], {})
    client.force_login(user(t["P"]))
    response = client.get("/")
    titles = [title for title, _image in response.context["charts"]]
    assert "Xếp loại tổ chức cơ sở đảng qua các năm" in titles
    svg = base64.b64decode(response.context["charts"][-1][1].split(",", 1)[1]).decode()
    assert "2019" in svg and "Hoàn thành xuất sắc nhiệm vụ" in svg


def test_no_ratings_no_rating_chart(client, w):
    client.force_login(w["admin_p"])
    titles = [title for title, _image in client.get("/").context["charts"]]
    assert titles == ["Đảng viên qua các năm", "Tổ chức cơ sở đảng qua các năm"]
