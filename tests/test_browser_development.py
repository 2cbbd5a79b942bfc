"""One candidate from proposal to official member through the pages, in Debian's chromium
(Playwright): propose, every step's form (one refused with its Vietnamese reason), the ceremony
that admits through the registry, recognition, and the member's record at the end."""

from __future__ import annotations

import pytest

from grassroots.accounts.models import Role, User
from grassroots.members.models import Member

from .development_world import world
from .test_browser import CHROMIUM, IN_CI, page  # noqa: F401  (the page fixture)
from .web_world import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not IN_CI, reason="/usr/bin/chromium is not installed"
    ),
]


@pytest.fixture(autouse=True)
def _allow_sync_orm_under_playwright(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def fill_and_save(tab, values: dict[str, str]) -> None:
    for name, value in values.items():
        selector = f"#id_{name}"
        if tab.locator(f"select{selector}").count():
            tab.select_option(selector, value)
        else:
            tab.fill(selector, value)
    tab.click("form.form button[type=submit]")


@pytest.mark.django_db(transaction=True)
def test_candidate_to_official_member(live_server, page):  # noqa: F811
    w = world()
    User.objects.create_user("bithu", password=PASSWORD, scope=w.g, role=Role.CLERK)
    base = live_server.url
    page.goto(f"{base}/login/")
    page.fill("#id_username", "bithu")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/development/units/C1/")
    page.click("text=Thêm quần chúng ưu tú")
    fill_and_save(page, {
        "full_name": "Nông Thị Mai", "gender": "F", "birth_date": "15/05/2000",
        "ethnicity": "Nùng", "proposed_on": "10/01/2024", "source": "youth_union",
        "helper_number": w.a.profile_number,
    })  # fmt: skip
    page.wait_for_url("**/development/candidates/*/")
    file_url = page.url

    def step(label: str, values: dict[str, str]) -> None:
        page.goto(file_url)
        page.click(f"ul.actions a:has-text('{label}')")
        fill_and_save(page, values)

    step("Giấy chứng nhận", {"date": "01/02/2024", "course": "Lớp NTVĐ", "issuing_body": "TTCT"})
    step("Đơn xin vào Đảng", {"date": "06/02/2024"})
    step("Lý lịch người xin vào Đảng", {"date": "07/02/2024"})
    # A probationary member cannot introduce: refused with the reason, nothing written.
    step("Giới thiệu người vào Đảng", {
        "date": "08/02/2024", "introducer_1": w.a.profile_number,
        "introducer_2": w.probationer.profile_number,
    })  # fmt: skip
    assert (
        "không phải đảng viên chính thức"
        in page.locator(".field-errors, .errors-top").first.inner_text()
    )
    fill_and_save(page, {"introducer_2": w.b.profile_number})
    page.wait_for_url(file_url)
    step("Thẩm tra lý lịch", {"date": "21/02/2024", "passed": "1"})
    step("Chi bộ xét, biểu quyết", {"date": "26/02/2024", "votes_for": "2"})
    step("Đảng ủy cơ sở đề nghị", {"date": "02/03/2024", "document_number": "5-NQ/ĐU"})
    step("Quyết định kết nạp", {
        "date": "12/03/2024", "document_number": "12-QĐ/ĐU", "issuing_body": "Đảng ủy G",
    })  # fmt: skip
    step("Lễ kết nạp", {"date": "22/03/2024", "profile_number": "888888UT"})
    page.wait_for_url(file_url)
    step("Công nhận đảng viên chính thức", {"date": "25/03/2025", "document_number": "9-QĐ/ĐU"})
    page.wait_for_url(file_url)
    assert "Công nhận đảng viên chính thức" in page.inner_text("body")

    page.click("text=Hồ sơ đảng viên")
    page.wait_for_url("**/members/*/")
    body = page.inner_text("main") if page.locator("main").count() else page.inner_text("body")
    assert "Nông Thị Mai" in body and "Đảng viên chính thức" in body
    assert "12-QĐ/ĐU, 12/03/2024" in body  # the decision recorded by the pipeline
    member = Member.objects.get(profile_number="888888UT")
    assert member.stints.order_by("-start").first().status == "official"
