"""Assessment pages and the rating sheet workbook: scope (404), role/authority (403), Excel
round trip all or nothing."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from grassroots.accounts.models import Role
from grassroots.assessments.models import Rating
from grassroots.members.models import EventKind

from .factories import event
from .test_assessment_helpers import build_tree, decide, members, open_round, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client):
    t = build_tree()
    people = members(t["C11"], 5) + members(t["C12"], 1)
    rnd = open_round(t["P"], 2019)
    return t, people, rnd


def login(client, u):
    client.force_login(u)
    return client


def test_sheet_scope_and_roles(client, world):
    t, people, rnd = world
    url = reverse("assessments:sheet", args=[rnd.pk, "G1"])
    assert login(client, user(t["D2"], Role.VIEWER)).get(url).status_code == 404
    page = login(client, user(t["G1"], Role.VIEWER)).get(url)
    assert page.status_code == 200
    assert people[0].full_name in page.content.decode()
    save = reverse("assessments:sheet_save", args=[rnd.pk, "G1"])
    assert (
        client.post(
            save, {"step": "proposal", f"level_m_{people[0].profile_number}": "tot"}
        ).status_code
        == 403
    )
    # A cell clerk proposes; the G1 approver decides for members (đảng ủy cơ sở), not for G1 itself.
    login(client, user(t["C11"], Role.CLERK)).post(
        reverse("assessments:sheet_save", args=[rnd.pk, "C11"]),
        {"step": "proposal", f"level_m_{people[0].profile_number}": "tot"},
    )
    assert Rating.objects.filter(step="proposal", member=people[0]).exists()
    login(client, user(t["G1"]))
    assert client.post(save, {"step": "decision", "level_o_G1": "tot"}).status_code == 403
    response = client.post(
        save, {"step": "decision", f"level_m_{people[0].profile_number}": "xuat_sac"}, follow=True
    )
    assert "Tổ chức cơ sở G1:" not in response.content.decode()  # 5 undecided could still be "good"
    assert Rating.objects.filter(step="decision", member=people[0], level__code="xuat_sac").exists()


def test_results_page_and_plan(client, world):
    t, people, rnd = world
    decide(rnd, "khong_hoan_thanh", unit=t["G2"])
    decide(rnd, "tot", unit=t["G1"])
    event(people[5], EventKind.EXEMPTION, "2019-10-01")
    login(client, user(t["D1"], Role.CLERK))
    page = client.get(reverse("assessments:results", args=["D1"]) + "?year=2019")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Được miễn công tác và sinh hoạt đảng: 1" in body
    assert "50,00%" in body and "Quy định 132-QĐ/TW" in body and "Tổ chức G2" in body
    client.post(
        reverse("assessments:plan", args=["G2", 2019]),
        {"measures": "Kiện toàn chi ủy", "deadline": "30/06/2020", "from": "D1"},
    )
    assert (
        "Kiện toàn chi ủy"
        in client.get(reverse("assessments:results", args=["D1"]) + "?year=2019").content.decode()
    )
    assert (
        login(client, user(t["D2"])).get(reverse("assessments:results", args=["D1"])).status_code
        == 404
    )


def test_schemes_page_flags_unconfirmed_rules(client, world):
    t, _, _ = world
    body = (
        login(client, user(t["P"], Role.VIEWER))
        .get(reverse("assessments:schemes"))
        .content.decode()
    )
    assert (
        "Trong sạch, vững mạnh" in body
        and "chưa đối chiếu văn bản" in body
        and "Quy định 366-QĐ/TW" in body
    )


def _fill(data: bytes, levels: dict[str, str]) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Xếp loại"]
    for row in ws.iter_rows(min_row=5):
        if row[1].value in levels:
            row[7].value = levels[row[1].value]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_excel_round_trip_all_or_nothing(client, world):
    t, people, rnd = world
    login(client, user(t["D1"]))
    data = client.get(reverse("assessments:export", args=[rnd.pk, "G1"])).content
    ws = load_workbook(io.BytesIO(data))["Xếp loại"]
    codes = [r[1] for r in ws.iter_rows(min_row=5, values_only=True)]
    assert codes[:3] == ["C11", "C12", "G1"] and len(codes) == 9
    url = reverse("assessments:import", args=[rnd.pk, "G1"])
    # Two excellent for four good breaks the 20% cap: nothing is written.
    bad = {p.profile_number: "tot" for p in people[2:]} | {
        people[0].profile_number: "xuat_sac",
        people[1].profile_number: "Hoàn thành xuất sắc nhiệm vụ",
    }
    response = client.post(
        url, {"step": "decision", "file": _upload(_fill(data, bad))}, follow=True
    )
    assert "Tổ chức cơ sở G1: 2 đảng viên" in response.content.decode()
    assert not Rating.objects.exists()
    typo = {people[0].profile_number: "rất tốt"}
    response = client.post(
        url, {"step": "decision", "file": _upload(_fill(data, typo))}, follow=True
    )
    assert (
        "cột Mức xếp loại: “rất tốt” không có trong Quy định 132-QĐ/TW" in response.content.decode()
    )
    good = bad | {people[1].profile_number: "tot", "G1": "tot"}
    response = client.post(
        url, {"step": "decision", "file": _upload(_fill(data, good))}, follow=True
    )
    assert "Đã nhập 7 kết quả" in response.content.decode()
    assert Rating.objects.filter(step="decision").count() == 7
    response = client.post(
        url, {"step": "decision", "file": _upload(b"not a workbook")}, follow=True
    )
    assert "không phải là bảng tính" in response.content.decode()


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("phieu.xlsx", data)


def test_results_page_query_count_does_not_grow_with_the_tree(
    client, world, django_assert_max_num_queries
):
    t, people, rnd = world
    login(client, user(t["P"], Role.VIEWER))
    url = reverse("assessments:results", args=["P"]) + "?year=2019"
    with django_assert_max_num_queries(60):
        client.get(url)
    more = members(t["C31"], 20)
    for code in ("G1", "G2", "G3", "C11", "C12", "C31"):
        decide(rnd, "tot", unit=t[code])
    for m in people + more:
        decide(rnd, "tot", member=m)
    with django_assert_max_num_queries(60):
        assert client.get(url).status_code == 200


def test_consolidation_plan_only_for_the_lowest_level(world):
    from django.core.exceptions import ValidationError

    from grassroots.assessments import follow_up
    from grassroots.audit.models import AuditRecord

    from .factories import SYSTEM, d

    t, _, rnd = world
    decide(rnd, "hoan_thanh", unit=t["G2"])
    with pytest.raises(
        ValidationError, match="dành cho tổ chức xếp loại Không hoàn thành nhiệm vụ"
    ):
        follow_up.consolidation_plan_save(actor=SYSTEM, unit=t["G2"], year=2019, measures="x")
    with pytest.raises(ValidationError, match="chưa có quyết định xếp loại năm 2018"):
        follow_up.consolidation_plan_save(actor=SYSTEM, unit=t["G2"], year=2018, measures="x")
    decide(rnd, "khong_hoan_thanh", unit=t["G2"], note="Mất đoàn kết")
    with pytest.raises(ValidationError, match="Thời hạn phải sau ngày 31/12/2019"):
        follow_up.consolidation_plan_save(
            actor=SYSTEM, unit=t["G2"], year=2019, measures="x", deadline=d("2019-12-01")
        )
    plan = follow_up.consolidation_plan_save(
        actor=SYSTEM, unit=t["G2"], year=2019, measures="Kiện toàn chi ủy"
    )
    follow_up.consolidation_plan_save(
        actor=SYSTEM, unit=t["G2"], year=2019, measures="Kiện toàn chi ủy; cử cán bộ dự"
    )
    plan.refresh_from_db()
    assert plan.measures.endswith("cử cán bộ dự")
    assert AuditRecord.objects.filter(object_type="consolidationplan").count() == 2


def test_voided_organization_discipline_no_longer_bars(world):
    from grassroots.assessments import follow_up

    from .factories import SYSTEM, d

    t, _, rnd = world
    rec = follow_up.organization_discipline_record(
        actor=SYSTEM, unit=t["G3"], target="organization", form="warning", date=d("2019-03-01")
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Tổ chức bị kỷ luật trong năm 2019"):
        decide(rnd, "tot", unit=t["G3"])
    follow_up.organization_discipline_void(actor=SYSTEM, discipline=rec, reason="Nhầm tổ chức")
    decide(rnd, "tot", unit=t["G3"])


def test_index_lists_a_round_only_where_its_unit_was_at_the_year_end(client):
    """Issue 20 §4 on the index too: G2 moved from D1 to D2 in 2021; its 2019 round belongs to
    D1's history, so D2 (which only ever held G2 later) does not see it listed."""
    from grassroots.organizations.services import unit_move

    from .factories import SYSTEM, d

    t = build_tree()
    rnd = open_round(t["G2"], 2019)
    unit_move(actor=SYSTEM, unit=t["G2"], new_parent=t["D2"], date=d("2021-03-01"))
    listed = login(client, user(t["D1"], Role.VIEWER)).get(reverse("assessments:index"))
    assert rnd in listed.context["rounds"]
    listed = login(client, user(t["D2"], Role.VIEWER)).get(reverse("assessments:index"))
    assert rnd not in listed.context["rounds"]
    # The round's page agrees (the year-end check of the round pages).
    page = client.get(reverse("assessments:sheet", args=[rnd.pk, "G2"]))
    assert page.status_code == 404
