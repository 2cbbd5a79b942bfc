"""A directive down the tree through the pages, in Debian's chromium (Playwright): the province's
clerk registers a plan requiring every district to issue its programme (one refusal first, with
its Vietnamese reason), the tracker shows nobody has; a district's clerk registers its programme
implementing the plan and records its committee's study; the tracker changes. Screenshots in
<var dir>/screenshots/directives/."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from grassroots.accounts.models import Role, User
from grassroots.directives.models import Document, StudySession

from .directives_world import world
from .test_browser import CHROMIUM, IN_CI, page  # noqa: F401  (the page fixture)
from .test_browser_development import fill_and_save
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


def login(tab, base, username):
    tab.context.clear_cookies()
    tab.goto(f"{base}/login/")
    tab.fill("#id_username", username)
    tab.fill("#id_password", PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_url(f"{base}/")


def figure(tab, selector: str) -> str:
    return tab.locator(selector).inner_text().strip()


@pytest.mark.django_db(transaction=True)
def test_register_implement_study_and_the_tracker_changes(live_server, page):  # noqa: F811
    w = world()
    User.objects.create_user("vanthu_tinh", password=PASSWORD, scope=w.p, role=Role.CLERK)
    User.objects.create_user("vanthu_huyen", password=PASSWORD, scope=w.d1, role=Role.CLERK)
    base = live_server.url
    shots = Path(settings.VAR_DIR) / "screenshots" / "directives"
    shots.mkdir(parents=True, exist_ok=True)

    login(page, base, "vanthu_tinh")
    page.goto(f"{base}/directives/units/P/new/")
    values = {
        "kind": "ke_hoach", "symbol": "30-KH/TU", "date": "15/03/2008",
        "title": "Kế hoạch thực hiện Nghị quyết về tổ chức cơ sở đảng",
        "level": "district", "action": "issue", "doc_kind": "chuong_trinh",
        "deadline": "01/03/2008",
    }  # fmt: skip
    fill_and_save(page, values)
    assert "Thời hạn 01/03/2008 trước ngày ban hành 15/03/2008" in page.content()
    assert not Document.objects.exists()
    fill_and_save(page, {"deadline": "30/06/2008"})
    page.wait_for_url("**/directives/documents/*/")
    plan = Document.objects.get(symbol="30-KH/TU")
    tracker = f"{base}/directives/documents/{plan.pk}/cascade/P/?at=2008-07-15"
    page.goto(tracker)
    assert figure(page, "#plans-issued") == "0" and figure(page, "#study-sessions") == "0"
    assert page.locator("#cascade-tree tr.st-late").count() == 4  # D1, D2, D3, D5: overdue
    page.screenshot(path=str(shots / "tracker_before.png"), full_page=True)

    login(page, base, "vanthu_huyen")
    page.goto(f"{base}/directives/units/D1/new/")
    fill_and_save(
        page,
        {"kind": "chuong_trinh", "symbol": "05-CTr/HU", "date": "20/05/2008",
         "title": "Chương trình hành động của Huyện Một", "parent": "30-KH/TU"},
    )  # fmt: skip
    page.wait_for_url("**/directives/documents/*/")
    assert "30-KH/TU" in page.content()
    page.goto(f"{base}/directives/documents/{plan.pk}/")
    page.fill("#id_unit_code", "D1")
    page.fill("#id_date", "10/05/2008")
    page.select_option("#id_audience", "committee")
    page.fill("#id_expected", "31")
    page.fill("#id_attended", "29")
    page.click("#study-form button[type=submit]")
    page.wait_for_selector("text=Đã ghi buổi học tập")
    assert StudySession.objects.filter(unit=w.d1, attended=29).exists()

    login(page, base, "vanthu_tinh")
    page.goto(tracker)
    assert figure(page, "#plans-issued") == "1" and figure(page, "#study-sessions") == "1"
    assert page.locator("#cascade-tree tr.st-late").count() == 3
    row = page.locator("#cascade-tree tr", has_text="D1 — Huyện Một")
    assert "st-done" in row.get_attribute("class") and "5-CTr/HU" in row.inner_text()
    page.screenshot(path=str(shots / "tracker_after.png"), full_page=True)
