"""Programme pages: adopt a yearly programme, add items (one linking a directives document, one
refused), open a case for an item, and the progress as of any day."""

from __future__ import annotations

import pytest
from django.test import Client

from grassroots.accounts.models import Role, User
from grassroots.directives import services as dirs
from grassroots.inspection.models import Case, Programme, ProgrammeItem

from .factories import SYSTEM, d
from .inspection_world import world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    w = world()
    w.nq = dirs.document_register(
        actor=SYSTEM, kind="nghi_quyet", symbol="22-NQ/TW", date=d("2008-02-02"),
        title="Nghị quyết về tổ chức cơ sở đảng",
    )  # fmt: skip
    user = User.objects.create_user("kiemtra", password="x", scope=w.d, role=Role.CLERK,
                                    can_inspect=True)  # fmt: skip
    w.client = Client()
    w.client.force_login(user)
    return w


def test_adopt_add_items_open_a_case_and_follow_progress(w):
    c = w.client
    answer = c.post("/inspection/units/D/programmes/new/", {
        "organ": "inspection_commission", "year": "2024", "adopted_on": "05/01/2024",
        "number": "01-CTr/UBKT",
    })  # fmt: skip
    programme = Programme.objects.get(unit=w.d, year=2024)
    assert answer.status_code == 302 and answer["Location"].endswith(f"/{programme.pk}/")
    # The same committee's second programme for the year is refused, nothing written.
    again = c.post("/inspection/units/D/programmes/new/", {
        "organ": "inspection_commission", "year": "2024", "adopted_on": "06/01/2024",
    })  # fmt: skip
    assert again.status_code == 200 and "đã có chương trình" in again.content.decode()
    assert Programme.objects.count() == 1
    url = f"/inspection/programmes/{programme.pk}/items/new/"
    item = {"kind": "thematic_supervision", "subject": "Thực hiện Nghị quyết 22",
            "document_symbol": "22-NQ/TW", "target_unit_code": "G", "start": "01/03/2024",
            "end": "30/06/2024", "team": "Tổ giám sát số 1"}  # fmt: skip
    assert c.post(url, item).status_code == 302
    first = ProgrammeItem.objects.get()
    assert first.document == w.nq and first.target_unit == w.g
    refused = c.post(url, item | {"start": "01/03/2025", "end": "30/06/2025"})
    assert refused.status_code == 200 and "trong năm 2024" in refused.content.decode()
    unknown = c.post(url, item | {"document_symbol": "99-NQ/TW"})
    assert (
        unknown.status_code == 200 and "Không tìm thấy văn bản 99-NQ/TW" in unknown.content.decode()
    )
    assert c.post(url, item | {"document_symbol": "", "subject": "Thu nộp đảng phí",
                               "start": "01/09/2024", "end": "30/11/2024"}).status_code == 302  # fmt: skip
    assert ProgrammeItem.objects.count() == 2

    page = c.get(f"/inspection/programmes/{programme.pk}/?date=01/02/2024").content.decode()
    assert page.count("Chưa đến hạn") >= 2 and "(22-NQ/TW)" in page
    # The target is named as people know it, the code only beside it.
    assert w.g.versions.first().name in page
    # A case opened for the first item, from the programme page's link (prefilled).
    new = c.get(f"/inspection/units/D/cases/new/?item={first.pk}").content.decode()
    assert "Thực hiện Nghị quyết 22" in new
    data = {"kind": "thematic_supervision", "title": "Thực hiện Nghị quyết 22",
            "subject_unit_code": "G", "body_code": "D", "organ": "inspection_commission",
            "opened_on": "01/03/2024", "period_start": "01/01/2023", "period_end": "29/02/2024"}  # fmt: skip
    assert c.post(f"/inspection/units/D/cases/new/?item={first.pk}", data).status_code == 302
    case = Case.objects.get(programme_item=first)
    rows = lambda day: c.get(f"/inspection/programmes/{programme.pk}/?date={day}").content.decode()  # noqa: E731
    assert "Đang thực hiện" in rows("01/04/2024")
    assert "Quá hạn, chưa kết luận" in rows("01/07/2024")
    c.post(f"/inspection/cases/{case.pk}/conclude/", {
        "concluded_on": "20/06/2024", "conclusion": "no_violation", "findings": "Thực hiện tốt",
    })  # fmt: skip
    assert "Đã kết luận" in rows("01/07/2024") and "Quá hạn" not in rows("01/07/2024")
    assert "Đang thực hiện" in rows("10/06/2024")  # as it stood before the conclusion
