"""Issue 18 in a real browser (Debian's chromium, Playwright): the province administrator opens
the dashboard, goes to the reports, previews the review report of a period, exports it as PDF
(made by the task worker while the page polls) and downloads it."""

from __future__ import annotations

import os
import subprocess

from .test_browser import page, pytestmark, site  # noqa: F401 — the same harness and skip
from .web_world import PASSWORD


def test_dashboard_then_download_a_review_report(site, page, tmp_path):  # noqa: F811
    base = site.url
    page.goto(f"{base}/")
    page.fill("#id_username", "admin_p")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    assert page.locator(".charts figure img").count() >= 1  # the dashboard's trend charts
    shots = os.environ.get("GRASSROOTS_SCREENSHOTS")
    if shots:
        page.screenshot(path=f"{shots}/dashboard.png", full_page=True)

    page.click("nav >> text=Báo cáo, thống kê")
    page.wait_for_url("**/reports/")
    form = page.locator("form[action$='/reports/review/']")
    form.locator("input[name=unit]").fill("P")
    form.locator("input[name=since]").fill("2009-01-01")
    form.locator("input[name=at]").fill("2013-01-01")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/reports/review/**")
    assert "BÁO CÁO" not in page.title()  # the preview page, not a file
    assert page.locator("textarea[name=summary]").input_value().strip()

    page.click("button[name=format][value=pdf]")
    page.wait_for_url("**/reports/jobs/*/")
    link = page.locator("a:has-text('Tải về')")
    link.wait_for(timeout=60_000)  # the worker makes it; the page reloads when it is done
    with page.expect_download() as download:
        link.click()
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    assert download.value.suggested_filename.endswith(".pdf")
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "BÁO CÁO" in text and "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    # the kept report is listed for its maker
    page.goto(f"{base}/reports/")
    assert page.locator("a:has-text('Tải về')").count() >= 1
