"""Recording events through the web forms: services do the rules, their messages land next to
the field they name, roles gate the writes (issue 2 §7, issue 4)."""

import re

import pytest

from grassroots.accounts.models import Role, User
from grassroots.audit.models import AuditRecord, Source
from grassroots.members.models import EventKind, Member, MemberEvent
from grassroots.members.queries import revision
from grassroots.members.services import member_update_profile
from grassroots.organizations.models import Unit
from grassroots.organizations.queries import children_at, version_at

from .factories import SYSTEM, d
from .web_world import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


def login(client, user):
    client.force_login(user)
    return client


def field_errors(response, field: str) -> str:
    """The error text rendered right next to `field` (inside the field's own block)."""
    html = response.content.decode()
    match = re.search(
        rf'<div class="field has-error" id="field-{field}">(.*?)</div>\s*</div>', html, re.S
    )
    return re.sub(r"<[^>]+>", " ", match.group(1)) if match else ""


def top_errors(response) -> str:
    html = response.content.decode()
    match = re.search(r'<div class="errors-top" role="alert">(.*?)</div>', html, re.S)
    return re.sub(r"<[^>]+>", " ", match.group(1)) if match else ""


def test_transfer_through_the_form(client, world):
    an = world["an"]
    login(client, world["clerk"])
    form = client.get(f"/members/{an.pk}/events/transfer/")
    assert form.status_code == 200 and 'name="unit_code"' in form.content.decode()
    response = client.post(
        f"/members/{an.pk}/events/transfer/",
        {
            "date": "01/03/2015",
            "unit_code": "c2",
            "decision_number": "15-QĐ/ĐU",
            "expected_version": revision(an),
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/members/{an.pk}/"
    transfer = MemberEvent.objects.get(member=an, kind=EventKind.TRANSFER)
    assert (transfer.date, transfer.unit.code, transfer.decision_number) == (
        d("2015-03-01"),
        "C2",
        "15-QĐ/ĐU",
    )
    record = AuditRecord.objects.get(object_type="memberevent", object_id=str(transfer.pk))
    assert (record.actor, record.source) == (world["clerk"], Source.UI)


def test_service_error_is_shown_next_to_its_field(client, world):
    an = world["an"]
    login(client, world["clerk"])
    # Transferring to the cell the member is already in: the lifecycle refuses on "unit".
    response = client.post(
        f"/members/{an.pk}/events/transfer/",
        {"date": "01/03/2015", "unit_code": "C1", "expected_version": revision(an)},
    )
    assert response.status_code == 200
    assert "trùng với chi bộ đang sinh hoạt" in field_errors(response, "unit_code")
    assert top_errors(response) == ""
    # A date before admission: the message sits next to the date.
    response = client.post(
        f"/members/{an.pk}/events/exemption/",
        {"date": "01/01/2001", "expected_version": revision(an)},
    )
    assert "chưa là đảng viên" in field_errors(response, "date")
    assert not MemberEvent.objects.filter(
        member=an, kind__in=[EventKind.TRANSFER, EventKind.EXEMPTION]
    ).exists()


def test_a_cell_outside_the_scope_reads_as_unknown(client, world):
    an = world["an"]
    response = login(client, world["clerk"]).post(
        f"/members/{an.pk}/events/transfer/",
        {"date": "01/03/2015", "unit_code": "C3", "expected_version": revision(an)},
    )
    assert "Không tìm thấy tổ chức có mã C3" in field_errors(response, "unit_code")
    missing = login(client, world["clerk"]).post(
        f"/members/{an.pk}/events/transfer/",
        {"date": "01/03/2015", "unit_code": "ZZ9", "expected_version": revision(an)},
    )
    assert field_errors(missing, "unit_code").replace("ZZ9", "C3") == field_errors(
        response, "unit_code"
    )


def test_dates_are_typed_dd_mm_yyyy(client, world):
    an = world["an"]
    response = login(client, world["clerk"]).post(
        f"/members/{an.pk}/events/death/", {"date": "2018-13-45", "expected_version": revision(an)}
    )
    assert field_errors(response, "date")
    response = client.post(
        f"/members/{an.pk}/events/death/", {"date": "05/04/2018", "expected_version": revision(an)}
    )
    assert response.status_code == 302
    assert MemberEvent.objects.get(member=an, kind=EventKind.DEATH).date == d("2018-04-05")


def test_official_recognition_defaults_to_probation_end(client, world):
    binh = world["binh"]
    response = login(client, world["clerk"]).post(
        f"/members/{binh.pk}/events/official/", {"expected_version": revision(binh)}
    )
    assert response.status_code == 302
    assert MemberEvent.objects.get(member=binh, kind=EventKind.OFFICIAL).date == d("2013-06-01")


def test_discipline_form_error(client, world):
    binh = world["binh"]  # probationary: cannot be dismissed
    response = login(client, world["clerk"]).post(
        f"/members/{binh.pk}/events/discipline/",
        {"date": "01/01/2013", "discipline_form": "dismissal", "expected_version": revision(binh)},
    )
    assert "dự bị" in field_errors(response, "discipline_form")


def test_profile_edit_and_concurrent_edit_refused(client, world):
    an = world["an"]
    login(client, world["clerk"])
    form = client.get(f"/members/{an.pk}/edit/")
    assert f'name="expected_version" value="{revision(an)}"' in form.content.decode()
    post = {
        "full_name": "Nguyễn Văn Ấn",
        "gender": "M",
        "birth_date": "01/01/1970",
        "ethnicity": "Tày",
        "profile_number": an.profile_number,
        "expected_version": revision(an),
    }
    # Someone else saves first.
    member_update_profile(
        actor=SYSTEM, member=an, expected_version=revision(an), occupation="Nông dân"
    )
    response = client.post(f"/members/{an.pk}/edit/", post)
    assert response.status_code == 200
    assert "vừa được người khác cập nhật" in top_errors(response)
    assert Member.objects.get(pk=an.pk).ethnicity == "Kinh"
    # After reloading, the save goes through.
    post["expected_version"] = revision(Member.objects.get(pk=an.pk))
    assert client.post(f"/members/{an.pk}/edit/", post).status_code == 302
    assert Member.objects.get(pk=an.pk).ethnicity == "Tày"


def test_profile_field_error(client, world):
    an = world["an"]
    response = login(client, world["clerk"]).post(
        f"/members/{an.pk}/edit/",
        {
            "full_name": "Nguyễn Văn Ấn",
            "gender": "M",
            "birth_date": "01/01/1970",
            "ethnicity": "Kinh",
            "profile_number": an.profile_number,
            "card_number": "12AB",
            "expected_version": revision(an),
        },
    )
    assert "8 chữ số" in field_errors(response, "card_number")


def test_admit_a_member(client, world):
    login(client, world["clerk"])
    response = client.post(
        "/units/C2/admit/",
        {
            "full_name": "Hoàng  Thị Ánh",
            "gender": "F",
            "birth_date": "02/03/1995",
            "ethnicity": "Nùng",
            "profile_number": "123456LS",
            "ceremony_date": "19/05/2020",
            "decision_date": "10/05/2020",
        },
    )
    assert response.status_code == 302
    member = Member.objects.get(profile_number="123456LS")
    assert member.full_name == "Hoàng Thị Ánh"
    assert member.events.get().unit.code == "C2"


def test_void_and_correct_an_event(client, world):
    an = world["an"]
    login(client, world["clerk"])
    client.post(
        f"/members/{an.pk}/events/exemption/",
        {"date": "01/01/2015", "expected_version": revision(an)},
    )
    exemption = MemberEvent.objects.get(member=an, kind=EventKind.EXEMPTION)
    no_reason = client.post(
        f"/events/{exemption.pk}/correct/", {"date": "01/02/2015", "reason": ""}
    )
    assert field_errors(no_reason, "reason")
    fixed = client.post(
        f"/events/{exemption.pk}/correct/", {"date": "01/02/2015", "reason": "Sai ngày"}
    )
    assert fixed.status_code == 302
    exemption.refresh_from_db()
    assert exemption.voided_at and exemption.corrected_by.date == d("2015-02-01")
    assert (
        client.post(
            f"/events/{exemption.corrected_by.pk}/void/", {"reason": "Không có quyết định"}
        ).status_code
        == 302
    )
    body = client.get(f"/members/{an.pk}/").content.decode()
    assert (
        body.count('class="voided"') == 2 and "Sai ngày" in body and "Không có quyết định" in body
    )


def test_viewer_cannot_write(client, world):
    viewer = User.objects.create_user("viewer_d1", scope=world["D1"], role=Role.VIEWER)
    login(client, viewer)
    an = world["an"]
    assert client.get(f"/members/{an.pk}/").status_code == 200
    assert "Ghi sự kiện mới" not in client.get(f"/members/{an.pk}/").content.decode()
    assert client.get(f"/members/{an.pk}/events/transfer/").status_code == 403
    assert client.get(f"/members/{an.pk}/edit/").status_code == 403


def test_clerk_cannot_restructure_but_approver_can(client, world):
    login(client, world["clerk"])
    assert client.get("/units/G1/rename/").status_code == 403
    login(client, world["admin"])
    response = client.post(
        "/units/G1/rename/", {"name": "Đảng bộ xã Ấn Lạc Mới", "date": "01/07/2025"}
    )
    assert response.status_code == 302
    assert version_at(world["G1"], d("2025-07-01")).name == "Đảng bộ xã Ấn Lạc Mới"
    assert version_at(world["G1"], d("2025-06-30")).name == "Đảng bộ xã Ấn Lạc"
    history = client.get("/units/G1/").content.decode()  # the page shows who changed what
    assert "Đổi tên" in history and "admin_p (Giao diện web)" in history
    assert "tên: Đảng bộ xã Ấn Lạc → Đảng bộ xã Ấn Lạc Mới" in history


def test_organization_forms(client, world):
    login(client, world["admin"])
    post = client.post
    assert (
        post(
            "/units/G1/establish/",
            {
                "code": "C4",
                "name": "Chi bộ thôn Mới",
                "kind": "subordinate_cell",
                "date": "01/01/2021",
                "decision_number": "9-QĐ",
            },
        ).status_code
        == 302
    )
    assert Unit.objects.get(code="C4").changes.get().decision_number == "9-QĐ"
    # A kind that cannot sit under the parent: the message lands on the parent field.
    bad_move = post("/units/C4/move/", {"parent_code": "D2", "date": "01/01/2022"})
    assert "không thể trực thuộc" in field_errors(bad_move, "parent_code")
    assert post("/units/C4/move/", {"parent_code": "G2", "date": "01/01/2022"}).status_code == 302
    assert version_at(world["G2"], d("2022-01-02")) and [
        v.unit.code for v in children_at(world["G2"], d("2022-01-02"))
    ] == ["C3", "C4"]
    assert post("/units/C4/merge/", {"target_code": "C3", "date": "01/01/2023"}).status_code == 302
    assert Unit.objects.get(code="C4").ended == d("2023-01-01")
    split = post(
        "/units/C2/split/", {"parts": "C2A; Chi bộ A\nC2B; Chi bộ B", "date": "01/01/2024"}
    )
    assert split.status_code == 302 and Unit.objects.get(code="C2").ended == d("2024-01-01")
    assert post("/units/C2B/dissolve/", {"date": "01/06/2024"}).status_code == 302
    refused = post("/units/G1/dissolve/", {"date": "01/06/2024"})
    assert "còn tổ chức trực thuộc" in field_errors(refused, "date")
    kind = post("/units/C2A/change_kind/", {"kind": "grassroots_committee", "date": "01/07/2024"})
    assert field_errors(kind, "kind") or top_errors(kind)


def test_profile_offers_the_coded_lists_and_keeps_a_value_outside_them(client, world):
    # Issue 18: the category fields offer the statistics' coded lists; a typed value outside
    # them is saved as typed (and counted as "Chưa phân loại"), never dropped.
    an = world["an"]
    login(client, world["clerk"])
    page = client.get(f"/members/{an.pk}/edit/").content.decode()
    assert 'list="list-theory_level"' in page
    assert '<datalist id="list-theory_level"><option value="Cao cấp, cử nhân">' in page
    assert '<option value="Nông dân">' in page
    post = {
        "full_name": "Nguyễn Văn Ấn",
        "gender": "M",
        "birth_date": "01/01/1970",
        "ethnicity": "Kinh",
        "profile_number": an.profile_number,
        "occupation": "Thợ thủ công mỹ nghệ",
        "expected_version": revision(an),
    }
    assert client.post(f"/members/{an.pk}/edit/", post).status_code == 302
    assert Member.objects.get(pk=an.pk).occupation == "Thợ thủ công mỹ nghệ"
