"""The cadres pages: committee as of a date and by term, course register, enrolment from a
member search and results, the standards gap list and its export, the member page's section."""

import io

import openpyxl
import pytest
from django.test import Client

from grassroots.accounts.models import Role, User
from grassroots.cadres import services as cadres
from grassroots.cadres.models import Course, Enrolment, Qualification

from .cadres_world import hold, term, world
from .factories import SYSTEM, d

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    w = world()
    w.clerk = User.objects.create_user("clerk_p", password="x-Passw0rd!", scope=w.p,
                                       role=Role.CLERK)  # fmt: skip
    w.other = User.objects.create_user("clerk_x", password="x-Passw0rd!", scope=w.x,
                                       role=Role.CLERK)  # fmt: skip
    t = term(w.g, "2010-06-01", congress_date=d("2010-05-20"), delegates=120)
    hold(t, w.a)
    hold(t, w.b, "deputy")
    return w


def test_committee_as_of_a_date_and_by_term(w):
    c = Client()
    c.force_login(w.clerk)
    page = c.get("/cadres/units/G/?at=01/01/2012").content.decode()
    assert w.a.full_name in page and "Phó Bí thư" in page and "2010–2015" in page
    assert "Còn khuyết" in page  # one deputy and five committee seats
    assert (
        w.a.full_name
        not in c.get("/cadres/units/G/?at=01/01/2009")
        .content.decode()
        .split("Lịch sử theo nhiệm kỳ")[0]
    )
    other = Client()
    other.force_login(w.other)
    assert other.get("/cadres/units/G/").status_code == 404


def test_open_a_course_enrol_from_the_member_search_complete_and_close_the_gap(w):
    c = Client()
    c.force_login(w.clerk)
    r = c.post("/cadres/units/P/courses/new/", {
        "code": "TC-01", "name": "Trung cấp lý luận chính trị", "kind": "training",
        "subject": "theory", "start": "01/03/2012", "end": "01/03/2013",
        "grants": "theory:intermediate",
    })  # fmt: skip
    course = Course.objects.get(code="TC-01")
    assert r.status_code == 302 and r["Location"] == f"/cadres/courses/{course.pk}/"
    r = c.post(f"/cadres/courses/{course.pk}/enrol/", {"member": w.a.profile_number}, follow=True)
    assert "Đã ghi danh" in r.content.decode()
    r = c.post(f"/cadres/courses/{course.pk}/enrol/", {"member": w.a.profile_number,
                                                       "enrolled_on": "02/03/2013"}, follow=True)  # fmt: skip
    assert "nằm ngoài thời gian của lớp" in r.content.decode()
    r = c.post(f"/cadres/courses/{course.pk}/enrol/", {"member": w.a.profile_number}, follow=True)
    assert "đã có trong danh sách lớp" in r.content.decode()
    gaps = c.get("/cadres/units/P/standards/?at=01/06/2012").content.decode()
    assert "TC-01 (đến 01/03/2013)" in gaps and "Lý luận chính trị: cần Trung cấp" in gaps
    enrolment = Enrolment.objects.get()
    c.post(f"/cadres/courses/{course.pk}/result/", {"enrolment": [enrolment.pk],
                                                    "result": "completed"})  # fmt: skip
    assert Qualification.objects.get(member=w.a).level == "intermediate"
    after = c.get("/cadres/units/P/standards/?at=01/03/2013").content.decode()
    row = [line for line in after.splitlines() if w.a.full_name in line]
    assert not any("Lý luận chính trị" in line for line in row)
    member_page = c.get(f"/members/{w.a.pk}/").content.decode()
    assert "Chức danh, trình độ, đào tạo" in member_page and "TC-01" in member_page
    assert "Lý luận chính trị: Trung cấp" in member_page


def test_gap_list_export(w):
    cadres.qualification_add(actor=SYSTEM, member=w.a, kind="theory", level="elementary",
                             obtained_on=d("2005-01-01"))  # fmt: skip
    c = Client()
    c.force_login(w.clerk)
    r = c.get("/cadres/units/P/standards.xlsx?at=2012-01-01")
    assert r.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.values)
    assert rows[0][0] == "Mã tổ chức"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    names = {row[3] for row in rows[1:]}
    assert names == {w.a.full_name, w.b.full_name}
