"""The plan pages: draft a plan of a merger and a change of kind, preview it (figures before →
after), export the preview to Excel, apply it."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from grassroots.accounts.models import Role, User
from grassroots.organizations.models import Kind, Unit
from grassroots.organizations.queries import version_at
from grassroots.plans.models import Plan, Status

from . import plan_world as world

pytestmark = pytest.mark.django_db


@pytest.fixture
def approver(client):
    world.build()
    user = User.objects.create_user(
        "duyet", password="Grassroots@2026", scope=Unit.objects.get(code="P"), role=Role.APPROVER
    )
    client.force_login(user)
    return user


def test_draft_preview_export_apply(client, approver):
    response = client.post(
        "/plans/new/",
        {"name": "Sắp xếp thử", "effective_date": world.DAY.isoformat(), "scope": "P"},
    )
    plan = Plan.objects.get()
    assert response.status_code == 302
    url = f"/plans/{plan.pk}/"
    client.post(url + "changes/", {"action": "merge", "code": "P-D1-C1", "target": "P-D1-C2"})
    client.post(
        url + "changes/",
        {
            "action": "change_kind",
            "code": "P-D1-C3",
            "kind": Kind.GRASSROOTS_COMMITTEE,
            "new_cell_code": "P-D1-C3-1",
            "new_cell_name": "Chi bộ thôn 1",
        },
    )
    page = client.get(url).content.decode()
    assert "Kế hoạch hợp lệ" in page
    assert "P-D1-C3-1" in page and "4 → 3" in page  # D1's grassroots organizations
    # The editor works over the tree of the day before: districts with their communes, each
    # linked to its tree on that day and marked with the plan's changes that name it.
    tree = page.split('id="plan-tree"')[1].split("</details>")[0]
    assert 'href="/tree/P-D1-C1/?at=2025-06-30"' in tree and "P-D3-C4" in tree
    assert "P-D1-C1</span> · Chi bộ cơ sở · <strong>Sáp nhập</strong>" in tree
    assert "Sáp nhập (nhận)" in tree  # P-D1-C2 receives the merger
    data = client.get(url + "preview.xlsx")
    wb = load_workbook(io.BytesIO(data.content))
    rows = list(wb["Tổ chức"].iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "Mã tổ chức")
    d1 = next(r for r in rows if r and r[0] == "P-D1")
    col = header.index("Tổ chức cơ sở đảng (trước)")
    assert (d1[col], d1[col + 1]) == (4, 3)
    assert len(list(wb["Đảng viên đổi chi bộ"].iter_rows())) > 2
    assert Unit.objects.filter(code="P-D1-C3-1").count() == 0  # the preview wrote nothing
    client.post(url + "apply/")
    assert Plan.objects.get().status == Status.APPLIED
    assert 'id="plan-tree"' not in client.get(url).content.decode()  # applied: no editor
    assert version_at(Unit.objects.get(code="P-D1-C3"), world.DAY).kind == Kind.GRASSROOTS_COMMITTEE
    assert not Unit.objects.get(code="P-D1-C1").exists_on(world.DAY)


def test_a_problem_is_shown_and_apply_is_refused(client, approver):
    client.post(
        "/plans/new/",
        {"name": "Sai", "effective_date": world.DAY.isoformat(), "scope": "P"},
    )
    plan = Plan.objects.get()
    url = f"/plans/{plan.pk}/"
    client.post(url + "changes/", {"action": "dissolve", "code": "P-D1"})
    page = client.get(url).content.decode()
    assert "Thay đổi 1: Giải thể P-D1" in page
    client.post(url + "apply/")
    assert Plan.objects.get().status == Status.DRAFT
    assert Unit.objects.get(code="P-D1").ended is None


def test_void_a_change_of_a_draft_then_refused_once_applied(client, approver):
    from grassroots.audit.models import AuditRecord

    client.post(
        "/plans/new/",
        {"name": "Sắp xếp thử", "effective_date": world.DAY.isoformat(), "scope": "P"},
    )
    plan = Plan.objects.get()
    url = f"/plans/{plan.pk}/"
    client.post(url + "changes/", {"action": "merge", "code": "P-D1-C1", "target": "P-D1-C2"})
    client.post(url + "changes/", {"action": "rename", "code": "P-D1-C3", "name": "Chi bộ Đông"})
    wrong = plan.changes.get(action="rename")
    assert f"changes/{wrong.pk}/void/" in client.get(url).content.decode()
    response = client.post(url + f"changes/{wrong.pk}/void/", {"reason": "Nhập nhầm"}, follow=True)
    page = response.content.decode()
    assert "Đã hủy thay đổi: Đổi tên P-D1-C3." in page
    assert "Chi bộ Đông" not in page  # no longer in the plan's changes nor its preview
    wrong.refresh_from_db()
    assert wrong.voided
    audit = AuditRecord.objects.get(object_type="plan", action="void_change")
    assert audit.reason == "Nhập nhầm" and audit.actor == approver
    # Voided already: nothing to void.
    assert client.post(url + f"changes/{wrong.pk}/void/", {}).status_code == 404
    client.post(url + "apply/")
    plan.refresh_from_db()
    assert plan.status == Status.APPLIED
    kept = plan.changes.get(action="merge")
    response = client.post(url + f"changes/{kept.pk}/void/", {}, follow=True)
    kept.refresh_from_db()
    assert not kept.voided
    assert f"changes/{kept.pk}/void/" not in response.content.decode()


def test_edit_a_change_of_a_draft_in_place_then_refused_once_applied(client, approver):
    from grassroots.audit.models import AuditRecord

    client.post(
        "/plans/new/",
        {"name": "Sắp xếp thử", "effective_date": world.DAY.isoformat(), "scope": "P"},
    )
    plan = Plan.objects.get()
    url = f"/plans/{plan.pk}/"
    client.post(url + "changes/", {"action": "rename", "code": "P-D1-C3", "name": "Chi bộ Đông"})
    client.post(url + "changes/", {"action": "merge", "code": "P-D1-C1", "target": "P-D1-C3"})
    wrong = plan.changes.get(action="merge")
    edit = url + f"changes/{wrong.pk}/edit/"
    assert edit in client.get(url).content.decode()
    form = client.get(edit).content.decode()
    assert 'value="P-D1-C3"' in form and '<option value="merge" selected>' in form
    # Refused: a merger needs its target; nothing changes and what was typed stays on the form.
    page = client.post(edit, {"action": "merge", "code": "P-D1-C1", "target": ""}).content.decode()
    assert "Cần nhập giá trị này." in page and 'value="P-D1-C1"' in page
    wrong.refresh_from_db()
    assert wrong.target == "P-D1-C3"
    assert not AuditRecord.objects.filter(action="edit_change").exists()
    response = client.post(
        edit, {"action": "merge", "code": "p-d1-c1", "target": "p-d1-c2"}, follow=True
    )
    assert "Đã sửa thay đổi 2." in response.content.decode()
    wrong.refresh_from_db()
    assert (wrong.position, wrong.target, wrong.code, wrong.voided) == (
        2,
        "P-D1-C2",
        "P-D1-C1",
        False,
    )
    audit = AuditRecord.objects.get(object_type="plan", action="edit_change")
    assert audit.changes["target"] == ["P-D1-C3", "P-D1-C2"] and audit.actor == approver
    assert "code" not in audit.changes  # only what changed
    client.post(url + "apply/")
    plan.refresh_from_db()
    assert plan.status == Status.APPLIED
    assert not Unit.objects.get(code="P-D1-C1").exists_on(world.DAY)
    assert version_at(Unit.objects.get(code="P-D1-C3"), world.DAY).name == "Chi bộ Đông"
    # Applied: the form is gone and a post changes nothing.
    response = client.post(
        edit, {"action": "merge", "code": "P-D1-C1", "target": "P-D1-C3"}, follow=True
    )
    assert "Kế hoạch đã thực hiện không thể sửa." in response.content.decode()
    wrong.refresh_from_db()
    assert wrong.target == "P-D1-C2"


def test_edit_keeps_the_parts_of_a_split_read_from_excel():
    from grassroots.audit.services import Actor
    from grassroots.plans import services

    world.build()
    plan = services.plan_create(
        actor=Actor.system(),
        name="Chia",
        effective_date=world.DAY,
        scope=Unit.objects.get(code="P"),
    )
    parts = [
        {"code": "P-D1-C1-A", "name": "Chi bộ A", "kind": Kind.GRASSROOTS_CELL},
        {"code": "P-D1-C1-B", "name": "Chi bộ B", "kind": Kind.GRASSROOTS_CELL},
    ]
    change = services.plan_add_change(
        actor=Actor.system(), plan=plan, action="split", code="P-D1-C1", parts=parts
    )
    from grassroots.plans.views import _posted_change

    values = _posted_change(
        {"action": "split", "code": "P-D1-C1", "parts": "p-d1-c1-a, P-D1-C1-C"}, change.parts
    )
    services.plan_edit_change(actor=Actor.system(), change=change, action="split", **values)
    change.refresh_from_db()
    assert [(p["code"], p["name"]) for p in change.parts] == [
        ("P-D1-C1-A", "Chi bộ A"),  # kept from the row, not replaced by its code
        ("P-D1-C1-C", "P-D1-C1-C"),
    ]
