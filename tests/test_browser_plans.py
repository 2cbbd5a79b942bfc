"""A restructure plan through the pages in Debian's chromium (Playwright): an approver drafts a
plan (deciding organization chosen with the picker), adds a merger and a change of kind, reads the
preview (figures before → after, members whose cell changes), applies it, and sees the tree and
the figures after. Screenshots in <var dir>/screenshots/plans/."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from grassroots.accounts.models import Role, User
from grassroots.organizations.models import Unit
from grassroots.plans.models import Plan, Status

from . import plan_world as world
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


def pick(page, selector, typed, value):  # noqa: F811
    """Type into a picker input and choose the suggestion whose code is `value`, as a person does."""
    page.fill(selector, "")
    page.type(selector, typed)
    page.locator(f".pick-list li[data-value='{value}']").first.dispatch_event("mousedown")
    assert page.input_value(selector) == value


@pytest.mark.django_db(transaction=True)
def test_draft_preview_apply_a_merger_and_a_change_of_kind(live_server, page):  # noqa: F811
    world.build()
    User.objects.create_user(
        "duyet", password=PASSWORD, scope=Unit.objects.get(code="P"), role=Role.APPROVER
    )
    base = live_server.url
    shots = Path(settings.VAR_DIR) / "screenshots" / "plans"
    shots.mkdir(parents=True, exist_ok=True)
    page.goto(f"{base}/login/")
    page.fill("#id_username", "duyet")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/plans/")
    assert "Chưa có kế hoạch nào." in page.content()
    page.fill("input[name=name]", "Sắp xếp xã huyện D1")
    page.fill("input[name=effective_date]", world.DAY.isoformat())
    pick(page, "input[name=scope]", "Đảng bộ tỉnh", "P")
    page.fill("input[name=decision_number]", "15-QĐ/TU")
    page.click("form[action$='/plans/new/'] button[type=submit]")
    page.wait_for_selector("#add-change")
    plan = Plan.objects.get()

    form = "#add-change"
    page.select_option(f"{form} select[name=action]", "merge")
    pick(page, f"{form} input[name=code]", "P-D1-C1", "P-D1-C1")
    pick(page, f"{form} input[name=target]", "P-D1-C2", "P-D1-C2")
    page.click(f"{form} button[type=submit]")
    page.wait_for_selector("#changes tbody tr")
    page.select_option(f"{form} select[name=action]", "change_kind")
    pick(page, f"{form} input[name=code]", "P-D1-C3", "P-D1-C3")
    page.select_option(f"{form} select[name=kind]", "grassroots_committee")
    page.fill(f"{form} input[name=new_cell_code]", "P-D1-C3-1")
    page.fill(f"{form} input[name=new_cell_name]", "Chi bộ thôn 1")
    page.click(f"{form} button[type=submit]")
    page.wait_for_selector("#no-problems")

    changes = page.locator("#changes tbody").inner_text()
    assert "Sáp nhập" in changes and "Thay đổi cấp tổ chức" in changes
    affected = page.locator("#affected")
    d1 = affected.locator("tr", has_text="P-D1 ").first.inner_text()
    assert "4 → 3" in d1  # the district's grassroots organizations: C1 merged away
    assert "P-D1-C3-1" in affected.inner_text()  # the new cell appears in the preview
    assert "Chi bộ thôn 1" in page.content()  # members whose cell changes name it
    page.screenshot(path=str(shots / "preview.png"), full_page=True)
    assert not Unit.objects.filter(code="P-D1-C3-1").exists()  # the preview wrote nothing

    page.click("#apply")
    page.wait_for_selector("text=Đã thực hiện kế hoạch.")
    assert "#apply" not in page.content() and Plan.objects.get().status == Status.APPLIED
    assert "Đã thực hiện" in page.content()

    # What a person sees after: the district's tree on the day, and the committee's new cell.
    page.goto(f"{base}/tree/P-D1/?at=01/07/2025")
    tree = page.locator("main").inner_text()
    assert "P-D1-C2" in tree and "P-D1-C3" in tree and "P-D1-C1" not in tree
    c2 = page.locator("tr", has_text="P-D1-C2").inner_text()
    assert c2.split("\t")[-2].strip() == "4"  # its 2 members and the merged cell's 2
    assert "Đảng bộ cơ sở" in page.locator("tr", has_text="P-D1-C3").inner_text()
    page.screenshot(path=str(shots / "tree_after.png"), full_page=True)
    page.goto(f"{base}/tree/P-D1-C3/?at=01/07/2025")
    assert "Chi bộ thôn 1" in page.locator("main").inner_text()
    page.goto(f"{base}/units/P-D1-C2/?at=01/07/2025")
    unit_page = page.locator("main").inner_text()
    assert "Tổ chức P-D1-C2" in unit_page
    page.screenshot(path=str(shots / "unit_after.png"), full_page=True)
    page.goto(f"{base}/plans/")
    assert "Sắp xếp xã huyện D1" in page.content() and plan.name in page.content()
