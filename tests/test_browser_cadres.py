"""A course through the pages, in Debian's chromium (Playwright): open a trung cấp course, enrol
the commune secretary from the member search, complete it, and see the standards gap close."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from grassroots.accounts.models import Role, User
from grassroots.cadres import services as cadres

from .cadres_world import hold, term, world
from .factories import SYSTEM, d
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


@pytest.mark.django_db(transaction=True)
def test_enrol_complete_and_the_gap_closes(live_server, page):  # noqa: F811
    w = world()
    hold(term(w.g, "2010-06-01"), w.a)
    # The secretary meets the standard but for political theory (trung cấp, CHUAN-2004).
    for kind, level in (("education", "upper_secondary"), ("professional", "intermediate")):
        cadres.qualification_add(actor=SYSTEM, member=w.a, kind=kind, level=level,
                                 obtained_on=d("1995-06-30"))  # fmt: skip
    User.objects.create_user("tochuc", password=PASSWORD, scope=w.p, role=Role.CLERK)
    base = live_server.url
    page.goto(f"{base}/login/")
    page.fill("#id_username", "tochuc")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    gaps = f"{base}/cadres/units/P/standards/?at=2013-03-01"
    page.goto(gaps)
    assert page.locator("#below").inner_text() == "1"
    assert "Lý luận chính trị: cần Trung cấp" in page.locator("#gaps").inner_text()

    page.goto(f"{base}/cadres/units/P/courses/")
    form = page.locator("#new-course")
    form.locator("input[name=code]").fill("TC-12")
    form.locator("input[name=name]").fill("Trung cấp lý luận chính trị - hành chính")
    form.locator("select[name=kind]").select_option("training")
    form.locator("select[name=subject]").select_option("theory")
    form.locator("input[name=start]").fill("01/03/2012")
    form.locator("input[name=end]").fill("01/03/2013")
    form.locator("select[name=grants]").select_option("theory:intermediate")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/cadres/courses/*/")

    # Enrol from the member search: type part of the name, pick the suggestion.
    field = page.locator("#enrol input[name=member]")
    field.fill("tran van")
    page.locator("[role=option]", has_text=w.a.full_name).first.click(timeout=15_000)
    page.locator("#enrol button[type=submit]").click()
    # expect() retries until the answer to the POST is shown (not the page it was sent from)
    expect(page.locator("ul.messages")).to_contain_text("Đã ghi danh")
    page.goto(gaps.replace("2013-03-01", "2012-06-01"))
    assert "TC-12 (đến 01/03/2013)" in page.locator("#gaps").inner_text()

    page.go_back()
    page.locator(f"#enrolments input[aria-label='{w.a.full_name}']").check()
    page.locator("#results select[name=result]").select_option("completed")
    page.locator("#results button[type=submit]").click()
    expect(page.locator("ul.messages")).to_contain_text("Đã ghi kết quả cho 1 học viên")

    page.goto(gaps)
    assert page.locator("#below").inner_text() == "0"
    assert page.locator("#meeting").inner_text() == "1"
    shots = os.environ.get("GRASSROOTS_SCREENSHOTS")
    if shots:
        page.screenshot(path=f"{shots}/cadres_standards.png", full_page=True)
    page.goto(f"{base}/members/{w.a.pk}/")
    assert "Lý luận chính trị: Trung cấp" in page.locator("#current-qualifications").inner_text()
