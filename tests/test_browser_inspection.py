"""A case through the pages in Debian's chromium (Playwright), as an inspection account: open it
on the organization's inspection page, conclude it, record a decision (one refusal first, with
its Vietnamese reason and nothing written), file the member's complaint and annul the decision
on appeal; the registry's discipline event ends voided. Screenshots of each page go to
<var dir>/screenshots/inspection/."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from grassroots.accounts.models import Role, User
from grassroots.inspection.models import Case, Decision

from .inspection_world import world
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


def fill(page, values: dict):  # noqa: F811
    for name, value in values.items():
        selector = f"#id_{name}"
        if page.locator(selector).evaluate("e => e.tagName") == "SELECT":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)


def submit(page):  # noqa: F811
    # Wait for the POST's answer: a refused form answers 200 on the same address, and reading
    # the page while that navigation is under way returned an empty document (a CI run failed so).
    with page.expect_navigation():
        page.click("form.form button[type=submit]")


@pytest.mark.django_db(transaction=True)
def test_a_case_from_opening_to_decision_to_appeal(live_server, page):  # noqa: F811
    w = world()
    User.objects.create_user("kiemtra", password=PASSWORD, scope=w.d, role=Role.CLERK,
                             can_inspect=True)  # fmt: skip
    base = live_server.url
    shots = Path(settings.VAR_DIR) / "screenshots" / "inspection"
    shots.mkdir(parents=True, exist_ok=True)

    def shot(name):
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)

    page.goto(f"{base}/login/")
    page.fill("#id_username", "kiemtra")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/inspection/units/C2/")
    page.click("text=Cuộc kiểm tra, giám sát mới")
    fill(page, {"kind": "violation_signs", "title": "Vi phạm quy định về đảng phí",
                "subject_member_number": w.b.profile_number, "body_code": "D",
                "organ": "inspection_commission", "number": "05-QĐ/UBKT",
                "opened_on": "10/01/2024", "period_start": "01/01/2023",
                "period_end": "31/12/2023", "team": "Đồng chí Hoàng (trưởng đoàn)",
                "content": "Đơn tố cáo của quần chúng"})  # fmt: skip
    shot("1-case-new")
    submit(page)
    page.wait_for_url("**/inspection/cases/*/")
    case = Case.objects.get(title="Vi phạm quy định về đảng phí")
    assert case.unit == w.c2 and "Đơn tố cáo của quần chúng" in page.content()

    page.click("text=Ghi kết luận")
    fill(page, {"concluded_on": "01/02/2024", "conclusion": "violation", "severity": "minor",
                "findings": "Chậm nộp đảng phí 6 tháng"})  # fmt: skip
    submit(page)
    page.wait_for_url(f"**/inspection/cases/{case.pk}/")
    assert "Chậm nộp đảng phí 6 tháng" in page.content()
    shot("2-case-concluded")

    page.click("text=Ghi quyết định kỷ luật")
    decision = {"form": "reprimand", "body_code": "D", "organ": "inspection_commission",
                "number": "07-QĐ/UBKT", "signed_on": "10/02/2024", "announced_on": "09/02/2024",
                "votes_for": "5", "voters": "5"}  # fmt: skip
    fill(page, decision)
    submit(page)
    assert "trước ngày ký" in page.content()
    assert not Decision.objects.filter(case=case).exists()
    shot("3-decision-refused")
    page.fill("#id_announced_on", "12/02/2024")
    submit(page)
    page.wait_for_url("**/inspection/decisions/*/")
    recorded = Decision.objects.get(case=case)
    assert recorded.member_event.discipline_form == "reprimand"
    assert "12/02/2024" in page.content()

    page.click("text=Ghi đơn khiếu nại")
    fill(page, {"filed_on": "01/03/2024", "complainant": "Lê Thị Bình", "body_code": "P",
                "content": "Xin xem xét lại"})  # fmt: skip
    submit(page)
    page.wait_for_url(f"**/inspection/decisions/{recorded.pk}/")
    page.click('a:text-is("Giải quyết")')
    fill(page, {"outcome": "annulled", "decided_on": "01/04/2024", "number": "02-QĐ/UBKTTU",
                "note": "Không đủ căn cứ"})  # fmt: skip
    submit(page)
    page.wait_for_url(f"**/inspection/decisions/{recorded.pk}/")
    assert "Đã xóa ngày 01/04/2024" in page.content()
    shot("4-decision-annulled")
    recorded.refresh_from_db()
    recorded.member_event.refresh_from_db()
    assert recorded.annulled_on is not None and recorded.member_event.voided_at is not None
