"""A clerk's week in a real browser, per persona (issue 11 "Done when"): Debian's chromium driven by
Playwright. The personas are those of the access tests (tests/test_access.py): the province
administrator, the clerk of a district dissolved on 01/07/2025 (like the demo's canbo_dinhlap) and
the viewer of one commune (like xem_xa). Each walks the weekly journeys and the test asserts what
a person sees; screenshots at 1366 and 375 px go to <var dir>/screenshots/<persona>/.

The member export is a worker's job: here the test plays the worker (`export_jobs.run`) while
the page waits, shows its progress and then offers the file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from grassroots.assessments import services as assessment_services
from grassroots.bulkload.loader import BulkLoader, EventSpec, MemberSpec
from grassroots.excel import export_jobs
from grassroots.excel.models import ExportJob
from grassroots.members.models import EventKind

from .factories import SYSTEM
from .test_access import PASSWORD, build_world
from .test_browser import CHROMIUM, CHROMIUM_ARGS, IN_CI

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not IN_CI, reason="/usr/bin/chromium is not installed"
    ),
]
WIDTHS = (1366, 375)
SHEET_MEMBERS = 1_000


@pytest.fixture(autouse=True)
def _allow_sync_orm_under_playwright(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _world() -> dict:
    w = build_world()
    # A commune of a thousand members: its 2024 rating sheet has 1,003 rows (G1, C1, Trần Thị
    # Trong and the thousand).
    loader = BulkLoader()
    d = dt.date.fromisoformat
    for i in range(SHEET_MEMBERS):
        loader.add_member(
            MemberSpec(
                {
                    "full_name": f"Hoàng Văn Số {i:04d}",
                    "gender": "M",
                    "birth_date": d("1980-01-01"),
                    "profile_number": f"{900000 + i:06d}LS",
                },
                [
                    EventSpec(EventKind.ADMISSION, d("2010-05-01"), "C1", d("2010-04-20")),
                    EventSpec(EventKind.OFFICIAL, d("2011-05-01")),
                ],
            )
        )
    loader.finish(label="browser test")
    w["round"] = assessment_services.round_open(actor=SYSTEM, unit=w["P"], year=2024)
    return w


class Person:
    """One persona's browser tab, with a screenshot helper at both widths."""

    def __init__(self, browser, base: str, username: str):
        self.context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.base = base
        self.shots = Path(settings.VAR_DIR) / "screenshots" / username
        self.shots.mkdir(parents=True, exist_ok=True)
        self.page.goto(f"{base}/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(f"{base}/")

    def go(self, path: str):
        return self.page.goto(self.base + path)

    def text(self) -> str:
        return self.page.inner_text("main")

    def shoot(self, name: str) -> None:
        """Screenshots at both widths; at 375 px nothing may scroll sideways."""
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": 900})
            self.page.screenshot(path=str(self.shots / f"{name}-{width}.png"), full_page=True)
            if width == 375:
                overflow = self.page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0, f"{name}: {overflow}px sideways scroll at 375 px"
        self.page.set_viewport_size({"width": 1366, "height": 900})

    def close(self) -> None:
        self.context.close()


@pytest.mark.django_db(transaction=True)
def test_weekly_journeys_per_persona(live_server, browser):
    w = _world()
    base = live_server.url

    # --- the province administrator --------------------------------------------------------
    admin = Person(browser, base, "admin_p")
    page = admin.page
    # The dashboard: today against a year ago, and the trend charts.
    assert "Xu hướng" in admin.text() and page.locator(".charts img").count() == 2
    admin.shoot("home")
    # The tree as of a date.
    admin.go("/tree/P/?at=01/01/2020")
    assert "Đảng bộ huyện Một" in admin.text()
    admin.shoot("tree")
    # Two dates compared: every row has both, and the children table too.
    admin.go("/units/G1/?at=01/01/2020&since=01/01/2009")
    figures = page.locator("table").first.inner_text()
    assert "Chính thức" in figures and "01/01/2009" in figures
    children = page.locator("table.list").first.inner_text()
    assert "Đảng viên 01/01/2009" in children and "+1.000" in children
    admin.shoot("unit-compare")
    # Search and open a member: typed order first, with today's cell and status.
    admin.go("/members/?q=tran trong")
    row = page.locator("table.list tbody tr").first
    assert "Trần Thị Trong" in row.inner_text() and "Chi bộ thôn Một" in row.inner_text()
    admin.shoot("search")
    row.locator("a").click()
    page.wait_for_url(f"**/members/{w['inside'].pk}/")
    admin.shoot("member")
    # Record a transfer, choosing the target cell with the picker (typed without diacritics).
    page.click("ul.actions >> text=Chuyển sinh hoạt chính thức")
    page.fill("#id_date", "01/03/2026")
    page.type("#id_unit_code", "chi bo xa hai", delay=20)
    option = page.locator(".pick-list li[data-value='G2']")
    option.wait_for()
    assert "Chi bộ xã Hai" in option.inner_text()
    admin.shoot("transfer-picker")
    option.click()
    assert page.input_value("#id_unit_code") == "G2"
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"**/members/{w['inside'].pk}/")
    assert page.locator("ul.messages").inner_text().startswith("Đã ghi")
    assert "Chi bộ xã Hai" in page.locator("table.timeline").inner_text()
    # The 1,003-row rating sheet: every page filled and saved (100 rows a page).
    sheet = f"/assessments/rounds/{w['round'].pk}/G1/"
    admin.go(sheet)
    assert "Trang 1 / 11" in admin.text()
    admin.shoot("sheet")
    saved = 0
    for number in range(1, 12):
        admin.go(f"{sheet}?page={number}")
        page.select_option("select[name=step]", "self")
        page.evaluate(
            """() => document.querySelectorAll("select[name^='level_']").forEach(s => {
                 s.value = s.querySelector("option[value='tot']") ? "tot" : s.options[1].value; })"""
        )
        page.click("text=Ghi các dòng đã chọn")
        page.wait_for_load_state()
        message = page.locator("ul.messages").inner_text()
        assert message.startswith("Đã ghi"), message
        saved += int(message.split()[2].replace(".", ""))
    assert saved == SHEET_MEMBERS + 3  # and Trần Thị Trong, G1, C1
    # Export: the organization list of the province as a workbook.
    admin.go("/excel/")
    page.fill("#id_unit", "P")
    with page.expect_download() as download:
        page.click("#excel-export button[type=submit]")
    assert download.value.suggested_filename.startswith("organizations-P")
    # Export with progress: the commune's member list is made in the background.
    page.select_option("#id_what", "members")
    page.fill("#id_unit", "G1")
    page.click("#excel-export button[type=submit]")
    page.wait_for_url("**/excel/exports/*/")
    assert "Đang chờ" in admin.text() and page.locator("#excel-progress").is_visible()
    admin.shoot("export-progress")
    job = ExportJob.objects.get(user=w["admin_p"])
    # The worker's part, played here. The live server shares this thread's in-memory SQLite
    # connection: the page's status polls are held back meanwhile (a poll served during the
    # run once lost its session), and retried by the page afterwards.
    page.route("**/status.json", lambda route: route.abort())
    export_jobs.run(job.pk)
    page.unroute("**/status.json")
    job.refresh_from_db()
    assert job.rows >= SHEET_MEMBERS
    link = page.locator("#export-download")
    link.wait_for()  # the page polls its status and reloads when the file is made
    assert "Đã xuất xong" in admin.text()
    assert f"{job.rows:,}".replace(",", ".") + " đảng viên" in admin.text()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.startswith("danh-sach-dang-vien-G1-")
    assert Path(download.value.path()).read_bytes()[:2] == b"PK"  # an xlsx (a zip)
    # Every error page in Vietnamese, with a way home.
    admin.go("/khong-co-trang-nay/")
    assert "Không tìm thấy trang" in admin.text() and "Về trang chủ" in admin.text()
    admin.shoot("error-404")
    admin.close()

    # --- the clerk of the dissolved district -----------------------------------------------
    clerk = Person(browser, base, "clerk_d1")
    page = clerk.page
    # The dissolved district lands on its last day, with a link to its commune now.
    assert "30/06/2025" in clerk.text() and "Đảng bộ xã Một" in clerk.text()
    clerk.shoot("home")
    clerk.go("/tree/D1/?at=01/01/2024")
    assert "Đảng bộ xã Một" in clerk.text()
    clerk.shoot("tree")
    clerk.go("/units/D1/?at=01/01/2024&since=01/01/2015")
    assert "01/01/2015" in page.locator("table").first.inner_text()
    clerk.go(f"/members/{w['inside'].pk}/")
    assert "Trần Thị Trong" in clerk.text()
    # History only: no edit or event buttons, and the address typed anyway is a Vietnamese 403.
    assert page.locator("text=Sửa hồ sơ").count() == 0
    assert page.locator("a[href*='/events/']").count() == 0
    clerk.shoot("member-read-only")
    clerk.go(f"/members/{w['inside'].pk}/edit/")
    assert "Không có quyền thực hiện" in clerk.text() and "chỉ xem được lịch sử" in clerk.text()
    clerk.shoot("error-403")
    clerk.close()

    # --- the commune's viewer --------------------------------------------------------------
    viewer = Person(browser, base, "viewer_g1")
    page = viewer.page
    viewer.go("/members/?q=hoang van so 0001")
    assert "Hoàng Văn Số 0001" in page.locator("table.list").inner_text()
    viewer.go(sheet)
    assert page.locator("select[name^='level_']").count() == 0  # a viewer only reads
    assert "Ghi các dòng đã chọn" not in viewer.text()
    viewer.shoot("sheet-read-only")
    viewer.go("/units/GQ/")
    assert "Không tìm thấy tổ chức" in viewer.text()
    viewer.close()
