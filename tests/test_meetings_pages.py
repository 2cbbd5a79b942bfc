"""The meeting pages end to end over HTTP: a clerk records a meeting, marks attendance,
approves and downloads the minutes; a member's own account sees its meetings only; an
administrator creates that account."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client

from grassroots.accounts.models import Role, User
from grassroots.meetings.models import Attendance, Meeting

from .meetings_world import build

pytestmark = pytest.mark.django_db
PASSWORD = "Mật-khẩu-dài-2026"


@pytest.fixture
def w():
    world = build()
    world["clerk"] = User.objects.create_user(
        "canbo_g1", password=PASSWORD, scope=world["G1"], role=Role.CLERK
    )
    world["admin"] = User.objects.create_user(
        "quantri_p", password=PASSWORD, scope=world["P"], role=Role.ADMIN
    )
    return world


def _docx_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("word/document.xml").decode()


def test_clerk_records_marks_approves_and_downloads(w):
    client = Client()
    client.force_login(w["clerk"])
    page = client.get("/meetings/units/C1/new/").content.decode()
    assert "Học tập và làm theo tư tưởng" in page  # the standard agenda offered
    bad = client.post(
        "/meetings/units/C1/new/",
        {"kind": "regular", "date": "05/03/2019", "start": "10:00", "end": "09:00"},
    )
    assert "Giờ kết thúc phải sau giờ bắt đầu" in bad.content.decode()
    assert not Meeting.objects.exists()
    response = client.post(
        "/meetings/units/C1/new/",
        {"kind": "regular", "date": "05/03/2019", "start": "08:00", "end": "10:00",
         "place": "Nhà văn hóa thôn Một", "chair": "An Văn Chính", "secretary": "Bùi Thị Dự",
         "agenda": "Học tập Nghị quyết", "conclusions": "Thống nhất", "votes_for": "3"},
    )  # fmt: skip
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"].endswith("/attendance/")
    form = client.get(f"/meetings/{meeting.pk}/attendance/").content.decode()
    assert "Bùi Thị Dự" in form and "Lý Văn Khác" not in form
    client.post(
        f"/meetings/{meeting.pk}/attendance/",
        {f"mark_{w['probationary'].pk}": "excused", f"reason_{w['probationary'].pk}": "Ốm",
         f"mark_{w['guest'].pk}": "unexcused", f"mark_{w['exempt'].pk}": "present"},
    )  # fmt: skip
    meeting.refresh_from_db()
    assert (meeting.present, meeting.expected, meeting.absent_unexcused) == (1, 3, 1)
    assert Attendance.objects.count() == 3
    client.post(f"/meetings/{meeting.pk}/approve/")
    meeting.refresh_from_db()
    assert meeting.approved
    locked = client.post(f"/meetings/{meeting.pk}/attendance/", {})
    assert "đã được thông qua và khóa" in locked.content.decode()
    assert Attendance.objects.count() == 3
    docx = client.get(f"/meetings/{meeting.pk}/minutes.docx")
    text = _docx_text(docx.content)
    for expected in ("BIÊN BẢN", "Vắng có lý do: 1", "Bùi Thị Dự (Ốm)", "Hà Thị Đến", "Thống nhất"):
        assert expected in text, expected
    pdf = client.get(f"/meetings/{meeting.pk}/minutes.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    book = client.get("/meetings/units/G1/?year=2019").content.decode()
    assert "05/03/2019" in book and "Chi bộ thôn Hai" in book  # C2 missed every month


def test_member_account_sees_its_own_meetings_only(w):
    admin = Client()
    admin.force_login(w["admin"])
    response = admin.post(
        "/accounts/new/",
        {"username": "dangvien_an", "role": "member", "scope": "", "password": PASSWORD,
         "member_number": w["official"].profile_number},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    account = User.objects.get(username="dangvien_an")
    assert account.member == w["official"] and account.scope == w["C1"]
    missing = admin.post(
        "/accounts/new/",
        {"username": "dangvien_x", "role": "member", "password": PASSWORD},
    )
    assert "cần số lý lịch" in missing.content.decode()
    clerk = Client()
    clerk.force_login(w["clerk"])
    for day in ("05/03/2019", "05/04/2019"):
        clerk.post(
            "/meetings/units/C1/new/",
            {
                "kind": "regular",
                "date": day,
                "start": "08:00",
                "end": "10:00",
                "place": "Nhà văn hóa",
            },
        )
    first = Meeting.objects.get(date="2019-03-05")
    clerk.post(f"/meetings/{first.pk}/attendance/", {f"mark_{w['official'].pk}": "unexcused"})
    clerk.post("/meetings/units/C2/new/", {"kind": "regular", "date": "06/04/2019",
                                           "start": "08:00", "end": "10:00", "place": "Thôn Hai"})  # fmt: skip
    member = Client()
    member.force_login(account)
    assert member.get("/").status_code == 302
    page = member.get("/meetings/mine/?year=2019").content.decode()
    assert "An Văn Chính" in page and "Vắng không lý do" in page and "Có mặt" in page
    assert "Thôn Hai" not in page  # another cell's meeting
    for url in ("/tree/", f"/members/{w['official'].pk}/", "/meetings/units/C1/",
                f"/meetings/{first.pk}/", "/reports/", "/excel/"):  # fmt: skip
        assert member.get(url).status_code == 403, url
