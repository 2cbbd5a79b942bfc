"""The main journey in a real browser: Debian's chromium driven by Playwright (never a downloaded
browser). Log in, browse the tree, change the date, open a member, record a transfer, search."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from grassroots.excel import schema

from .excel_helpers import headers, member_row, workbook
from .platform_site import Site
from .web_world import PASSWORD

WORLD = """
import json
from tests.web_world import make_world
world = make_world()
print(json.dumps({"an": world["an"].pk}))
"""


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() == "true"

pytestmark = [
    pytest.mark.browser,
    # In CI the browser must be there: the test then runs and fails loudly if it is missing.
    pytest.mark.skipif(
        not CHROMIUM.exists() and not IN_CI, reason="/usr/bin/chromium is not installed"
    ),
]


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()


@pytest.fixture
def site(tmp_path):
    """What `python3 dev.py start` runs: gunicorn + WhiteNoise and the task worker, on their own
    database (SQLite file, or PostgreSQL when the suite runs there)."""
    site = Site(tmp_path / "site", "browser")
    site.world = site.python(WORLD)
    site.url = site.start_server()
    site.start_worker()
    yield site
    site.stop()


def test_main_journey(site, page):
    world, base = site.world, site.url

    # Log in as the district clerk.
    page.goto(f"{base}/")
    assert "/login/" in page.url
    page.fill("#id_username", "clerk_d1")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    assert "Huyện Đình Một" in page.content()

    # Browse the tree: the district's grassroots organization, then expand it.
    page.click("text=Xem cây tổ chức")
    page.click("a.expand:has-text('Đảng bộ xã Ấn Lạc')")
    page.wait_for_url("**/tree/G1/**")
    assert page.locator("text=Chi bộ thôn Khe Mò").count() == 1

    # Change the date: in 2008 the second cell did not exist yet.
    page.fill("#at", "01/01/2008")
    page.click("form.dates button")
    page.wait_for_url(re.compile(r"at=01%2F01%2F2008"))
    assert page.locator("text=Chi bộ thôn Khe Mò").count() == 0
    assert page.locator("text=Chi bộ thôn Bản Chắt").count() == 1

    # Open the cell's page and a member from its list.
    page.click("tr:has-text('Chi bộ thôn Bản Chắt') >> text=Chi tiết")
    page.wait_for_url("**/units/C1/**")
    page.click("text=Nguyễn Văn Ấn")
    page.wait_for_url(f"**/members/{world['an']}/")
    assert "Đình Lập" in page.content()

    # Record a transfer to the other cell.
    page.click("ul.actions >> text=Chuyển sinh hoạt chính thức")
    page.fill("#id_date", "01/03/2015")
    page.fill("#id_unit_code", "C2")
    page.fill("#id_decision_number", "15-QĐ/ĐU")
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"**/members/{world['an']}/")
    assert page.locator("ul.messages").inner_text().startswith("Đã ghi")
    row = page.locator("table.timeline tr:has-text('Chuyển sinh hoạt chính thức')")
    assert "01/03/2015" in row.inner_text()
    assert "Chi bộ thôn Khe Mò" in row.inner_text()

    # Search without diacritics.
    page.click("header >> text=Tìm đảng viên")
    page.fill("#q", "nguyen van an")
    page.click("form.search button")
    assert page.locator("table.list >> text=Nguyễn Văn Ấn").count() == 1

    # Import a member from Excel: the worker checks the file, then imports it once confirmed.
    path = workbook(
        site.var / "new.xlsx",
        {
            schema.MEMBERS.name: [
                headers(schema.MEMBERS),
                member_row("000888LS", "Hoàng Văn Nhập", "C1"),
            ]
        },
    )
    page.goto(f"{base}/excel/")
    page.set_input_files("#id_file", path)
    page.click("button:has-text('Tải lên và kiểm tra')")
    page.wait_for_selector("button:has-text('Xác nhận nhập')", timeout=180_000)
    page.click("button:has-text('Xác nhận nhập')")
    page.wait_for_selector("text=Đã nhập xong", timeout=180_000)
    page.goto(f"{base}/members/?q=hoang+van+nhap")
    page.fill("#q", "hoang van nhap")
    page.click("form.search button")
    assert page.locator("table.list >> text=Hoàng Văn Nhập").count() == 1

    shots = os.environ.get("GRASSROOTS_SCREENSHOTS")
    if shots:
        page.goto(f"{base}/units/D1/?at=2020-01-01&since=2010-01-01")
        page.screenshot(path=f"{shots}/unit.png", full_page=True)
        page.goto(f"{base}/members/{world['an']}/")
        page.screenshot(path=f"{shots}/member.png", full_page=True)
        page.goto(f"{base}/members/{world['an']}/events/transfer/")
        page.fill("#id_date", "01/04/2015")
        page.fill("#id_unit_code", "C2")
        page.click("form.form button[type=submit]")
        page.screenshot(path=f"{shots}/form_error.png", full_page=True)
