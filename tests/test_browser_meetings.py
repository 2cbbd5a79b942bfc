"""A meeting through the pages in Debian's chromium (Playwright): the clerk records it (one
refusal first, with its Vietnamese reason), marks attendance, approves the minutes and downloads
them; then the member's own account opens its page on a 375 px phone (screenshot in
<var dir>/screenshots/member/, as the persona journeys put theirs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from grassroots.accounts.models import Role, User
from grassroots.meetings.models import Meeting

from .meetings_world import build
from .test_browser import CHROMIUM, IN_CI, page  # noqa: F401  (the page fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not IN_CI, reason="/usr/bin/chromium is not installed"
    ),
]
PASSWORD = "Mật-khẩu-dài-2026"


@pytest.fixture(autouse=True)
def _allow_sync_orm_under_playwright(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def login(page, base, username):  # noqa: F811
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


@pytest.mark.django_db(transaction=True)
def test_record_mark_approve_download_and_the_members_phone(live_server, page):  # noqa: F811
    w = build()
    User.objects.create_user("bithu", password=PASSWORD, scope=w["G1"], role=Role.CLERK)
    User.objects.create_user(
        "dangvien", password=PASSWORD, scope=w["C1"], role=Role.MEMBER, member=w["probationary"]
    )
    base = live_server.url
    login(page, base, "bithu")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/meetings/units/C1/")
    page.click("#record")
    assert "Học tập và làm theo" in page.input_value("#id_agenda")
    values = {"date": "05/03/2019", "start": "19:00", "end": "18:00", "place": "Nhà văn hóa thôn Một",
              "chair": "An Văn Chính", "secretary": "Bùi Thị Dự", "conclusions": "Thống nhất"}  # fmt: skip
    for name, value in values.items():
        page.fill(f"#id_{name}", value)
    with page.expect_navigation():  # the refused form's answer, not the page mid-navigation
        page.click("form.form button[type=submit]")
    assert "Giờ kết thúc phải sau giờ bắt đầu" in page.content()
    assert not Meeting.objects.exists()
    page.fill("#id_end", "21:00")
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/attendance/")
    page.select_option(f"select[name=mark_{w['probationary'].pk}]", "excused")
    page.fill(f"input[name=reason_{w['probationary'].pk}]", "Ốm")
    page.check(f"input[name=mark_{w['exempt'].pk}]")
    page.click("#save-attendance")
    page.wait_for_url("**/meetings/*/")
    assert "Bùi Thị Dự — Vắng có lý do (Ốm)" in page.locator("#absent").inner_text()
    page.click("#approve")
    page.wait_for_selector("text=Biên bản đã thông qua, đã khóa")
    with page.expect_download() as download:
        page.click("#minutes-docx")
    assert download.value.suggested_filename.endswith(".docx")
    with page.expect_download() as download:
        page.click("#minutes-pdf")
    path = download.value.path()
    assert Path(path).read_bytes().startswith(b"%PDF")
    meeting = Meeting.objects.get()
    assert meeting.approved and (meeting.present, meeting.expected) == (2, 3)

    page.context.clear_cookies()
    page.set_viewport_size({"width": 375, "height": 800})
    login(page, base, "dangvien")
    page.wait_for_url("**/meetings/mine/")
    page.goto(f"{base}/meetings/mine/?year=2019")
    cards = page.locator("#my-meetings li.card")
    assert cards.count() == 1 and "Vắng có lý do (Ốm)" in cards.first.inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways at 375 px ({width} px)"
    shots = Path(settings.VAR_DIR) / "screenshots" / "member"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "meetings_375.png"), full_page=True)
    page.goto(f"{base}/tree/")
    assert (
        "Tài khoản đảng viên chỉ xem được trang của mình" in page.content() or "403" in page.title()
    )
