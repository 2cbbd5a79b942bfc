"""Error pages in Vietnamese with a way back, and buttons shown only when pressing them is
allowed (issue 11: the clerk of a district dissolved in 2025 saw "Sửa hồ sơ" and 14 event buttons,
each leading to a bare English 403)."""

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from .test_access import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_404_is_vietnamese_and_offers_a_way_back(w):
    client = _client(w["clerk_d1"])
    response = client.get("/khong-co-trang-nay/", HTTP_REFERER="http://testserver/tree/?at=x")
    body = response.content.decode()
    assert response.status_code == 404
    assert "Không tìm thấy trang" in body and "Not Found" not in body
    assert 'href="/tree/?at=x"' in body and "Về trang chủ" in body
    assert 'href="/static/web/app.css"' in body
    # Outside the scope is a 404 too, with the service's own sentence.
    body = client.get(reverse("web:unit", args=["Q"])).content.decode()
    assert "Không tìm thấy tổ chức." in body


def test_way_back_never_points_outside(w):
    client = _client(w["clerk_d1"])
    body = client.get("/khong-co/", HTTP_REFERER="https://evil.example/x").content.decode()
    assert "evil.example" not in body and "Quay lại trang trước" not in body


def test_403_is_vietnamese_with_the_reason(w):
    client = _client(w["clerk_d1"])  # scope dissolved on 01/07/2025: history only
    response = client.get(reverse("web:member_edit", args=[w["inside"].pk]))
    body = response.content.decode()
    assert response.status_code == 403
    assert "Không có quyền thực hiện" in body and "chỉ xem được lịch sử" in body
    assert "Forbidden" not in body


def test_400_and_500_are_vietnamese(w):
    client = _client(w["admin_p"])
    edit = reverse("web:member_edit", args=[w["inside"].pk])
    with override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=2):
        response = client.post(edit, {"a": 1, "b": 2, "c": 3})
    assert response.status_code == 400 and "Yêu cầu không hợp lệ" in response.content.decode()
    from grassroots.web import errors

    response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and "Lỗi máy chủ" in response.content.decode()


def test_csrf_failure_is_vietnamese(w):
    client = Client(enforce_csrf_checks=True)
    client.force_login(w["admin_p"])
    response = client.post(reverse("web:member_edit", args=[w["inside"].pk]), {})
    assert response.status_code == 403 and "Biểu mẫu đã hết hạn" in response.content.decode()


def test_buttons_only_for_what_the_account_may_do(w):
    member = reverse("web:member", args=[w["inside"].pk])
    edit = reverse("web:member_edit", args=[w["inside"].pk])
    # The dissolved district's clerk reads the history but is offered no change.
    body = _client(w["clerk_d1"]).get(member + "").content.decode()
    assert "Trần Thị Trong" in body and edit not in body and "/events/" not in body
    body = _client(w["clerk_d1"]).get(reverse("web:unit", args=["G1"])).content.decode()
    assert reverse("web:member_admit", args=["G1"]) not in body
    # The province administrator is offered them, and they open.
    admin = _client(w["admin_p"])
    body = admin.get(member).content.decode()
    assert edit in body and "/events/" in body
    assert admin.get(edit).status_code == 200
    body = admin.get(reverse("web:unit", args=["G1"])).content.decode()
    assert reverse("web:member_admit", args=["G1"]) in body
    # A viewer sees no action at all.
    body = _client(w["viewer_g1"]).get(member).content.decode()
    assert edit not in body
