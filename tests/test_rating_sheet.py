"""The rating sheet as a clerk uses it (issue 11): any size saves (a page of rows at a time, under
Django's field limit), read-only once approved (the server refuses too), actions offered only to
those allowed, Vietnamese level names in the workbook's drop-down, every upload error at once."""

import io
import re

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from grassroots.accounts.models import Role
from grassroots.assessments import approval, views
from grassroots.assessments.models import Rating

from .factories import SYSTEM
from .test_assessment_helpers import build_tree, decide, members, open_round, user
from .test_assessment_pages import _fill, _upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    t = build_tree()
    people = members(t["C11"], 5) + members(t["C12"], 1)
    rnd = open_round(t["P"], 2019)
    return t, people, rnd


def _field_names(body: str) -> list[str]:
    start = body.index('action="/assessments/rounds/')
    form = body[start : body.index("</form>", start)]
    return re.findall(r'name="([^"]+)"', form)


def test_a_page_of_the_sheet_stays_under_the_field_limit():
    # 7 fields a row (level, score, 4 facts, note) + step, page and the CSRF token.
    assert views.SHEET_PAGE_SIZE * 7 + 3 < settings.DATA_UPLOAD_MAX_NUMBER_FIELDS


def test_sheet_is_paginated_and_each_page_saves(client, world, monkeypatch):
    t, people, rnd = world
    monkeypatch.setattr(views, "SHEET_PAGE_SIZE", 4)
    client.force_login(user(t["G1"], Role.CLERK))
    url = reverse("assessments:sheet", args=[rnd.pk, "G1"])
    first = client.get(url).content.decode()
    second = client.get(url + "?page=2").content.decode()
    on_first = [n for n in _field_names(first) if n.startswith("level_")]
    on_second = [n for n in _field_names(second) if n.startswith("level_")]
    assert len(on_first) == 4 and len(on_second) == 4  # 3 organizations + 6 members = 9 rows
    assert not set(on_first) & set(on_second)
    assert "Trang 1 / 3" in first
    member_field = next(n for n in on_second if n.startswith("level_m_"))
    response = client.post(
        reverse("assessments:sheet_save", args=[rnd.pk, "G1"]),
        {"step": "self", "page": "2", member_field: "tot"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?page=2")
    assert Rating.objects.filter(step="self", member__profile_number=member_field[8:]).exists()


def test_locked_sheet_is_read_only_and_the_server_refuses(client, world):
    t, people, rnd = world
    for code in ("C11", "C12", "G1"):
        decide(rnd, "tot", unit=t[code])
    for m in people:
        decide(rnd, "tot", member=m)
    approval.round_approve(actor=SYSTEM, round=rnd, unit=t["G1"])
    client.force_login(user(t["G1"], Role.APPROVER))
    url = reverse("assessments:sheet", args=[rnd.pk, "G1"])
    body = client.get(url).content.decode()
    assert "phiếu chỉ để xem" in body
    assert "sheet_save" not in body and "/save/" not in body and "<select" not in body
    assert "/import/" not in body
    before = Rating.objects.count()
    response = client.post(
        reverse("assessments:sheet_save", args=[rnd.pk, "G1"]),
        {"step": "self", f"level_m_{people[0].profile_number}": "xuat_sac"},
        follow=True,
    )
    assert "đã khóa" in response.content.decode()
    assert Rating.objects.count() == before


def test_actions_offered_only_to_those_allowed(client, world):
    t, _, rnd = world
    url = reverse("assessments:sheet", args=[rnd.pk, "G1"])
    client.force_login(user(t["G1"], Role.VIEWER))
    body = client.get(url).content.decode()
    assert "/save/" not in body and "/approve/" not in body and "/send-back/" not in body
    assert "/export.xlsx" not in body
    # G1's own approver may rate but not approve G1: that is D1's (its superior's) power.
    client.force_login(user(t["G1"], Role.APPROVER))
    body = client.get(url).content.decode()
    assert "/save/" in body and "/approve/" not in body
    client.force_login(user(t["D1"], Role.APPROVER))
    body = client.get(url).content.decode()
    assert "/approve/" in body and "/send-back/" in body


def test_workbook_drop_down_offers_vietnamese_level_names(client, world):
    t, _, rnd = world
    client.force_login(user(t["D1"]))
    data = client.get(reverse("assessments:export", args=[rnd.pk, "G1"])).content
    wb = load_workbook(io.BytesIO(data))
    validation = wb["Xếp loại"].data_validations.dataValidation[0]
    assert validation.formula1.startswith("'Mức'!$F$2")
    offered = [row[5] for row in wb["Mức"].iter_rows(min_row=2, values_only=True) if row[5]]
    assert "Hoàn thành xuất sắc nhiệm vụ" in offered and "xuat_sac" not in offered
    assert "Phiếu xếp loại chất lượng năm 2019 – Tổ chức G1" in wb["Xếp loại"]["A1"].value


def test_upload_reports_every_problem_at_once(client, world):
    t, people, rnd = world
    client.force_login(user(t["D1"]))
    data = client.get(reverse("assessments:export", args=[rnd.pk, "G1"])).content
    # One unreadable level (read problem) and a cap breach (service rule) in the same upload.
    levels = {p.profile_number: "Hoàn thành xuất sắc nhiệm vụ" for p in people[:3]}
    levels[people[3].profile_number] = "rất tốt"
    response = client.post(
        reverse("assessments:import", args=[rnd.pk, "G1"]),
        {"step": "decision", "file": _upload(_fill(data, levels))},
        follow=True,
    )
    body = response.content.decode()
    assert "“rất tốt” không có trong" in body
    assert "Tổ chức cơ sở G1: 3 đảng viên" in body
    assert not Rating.objects.exists()


def test_regulations_page_has_no_developer_text(client, world):
    t, _, _ = world
    client.force_login(user(t["P"], Role.VIEWER))
    body = client.get(reverse("assessments:schemes")).content.decode()
    for text in ("domain.md", "UNCONFIRMED", "excellent_cap_pct", "True", "False", "xuat_sac"):
        assert text not in body, text
    assert "chưa đối chiếu văn bản" in body and "QĐ 366 Điều 11" in body


def test_plain_source_and_value():
    from grassroots.assessments.presenters import plain_source, plain_value

    assert plain_source("HD 21-HD/BTCTW (2019), domain.md §3.2") == "HD 21-HD/BTCTW (2019)"
    assert plain_source("[UNCONFIRMED] theo QĐ 124 (domain.md §3.4, §7.3)") == "theo QĐ 124"
    assert plain_source("domain.md §3.4: thực tiễn, [UNCONFIRMED]") == "thực tiễn"
    assert plain_source("QĐ 24 §1.1; QĐ 294 (domain-processes.md §4)") == "QĐ 24 §1.1; QĐ 294"
    assert plain_source("domain.md §2.2 (Vote)") == ""
    assert plain_source("HD 06-HD/TW (domain-processes.md §0) [UNCONFIRMED]") == "HD 06-HD/TW"
    assert plain_source("domain-processes.md §2.4. Lý luận chính trị") == "Lý luận chính trị"
    assert plain_value(True) == "Có" and plain_value(20) == "20" and plain_value("07-01") == "01/07"
