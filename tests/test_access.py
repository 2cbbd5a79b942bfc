"""accounts/access.py: who sees what, on a small tree that changes in 2025 (issue 4 §2).

The world: province P with districts D1 and D2; commune G1 (cell C1) under D1 until D1 is
dissolved on 2025-07-01, when G1 moves directly under P (domain.md §1.3). Province Q is
another province: its cell and member are canaries that no one scoped in P may ever see.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from grassroots.accounts import access, services
from grassroots.accounts.models import Role, User
from grassroots.audit.services import Actor
from grassroots.members.models import EventKind
from grassroots.organizations import services as orgs
from grassroots.organizations.models import GrassrootsType, Kind
from grassroots.restructure import services as restructure

from .factories import SYSTEM, admit, d, event, unit

pytestmark = pytest.mark.django_db

CANARY_MEMBER = "Canary Ngoài Tỉnh"
CANARY_UNIT = "Chi bộ Canary Ngoài Tỉnh"
PASSWORD = "Grassroots@2026"
# Written on an event after the district was dissolved: its clerk must never see it.
AFTER_MARK = "Ghi chú sau giải thể"


def build_world() -> dict:
    P = unit("P", Kind.PROVINCE, name="Đảng bộ tỉnh Pê")
    D1 = unit("D1", Kind.DISTRICT, P, name="Đảng bộ huyện Một")
    D2 = unit("D2", Kind.DISTRICT, P, name="Đảng bộ huyện Hai")
    G1 = unit("G1", Kind.GRASSROOTS_COMMITTEE, D1, name="Đảng bộ xã Một")
    C1 = unit("C1", Kind.SUBORDINATE_CELL, G1, name="Chi bộ thôn Một")
    G2 = unit("G2", Kind.GRASSROOTS_CELL, D2, name="Chi bộ xã Hai", type=GrassrootsType.AGENCY)
    Q = unit("Q", Kind.PROVINCE, name="Đảng bộ tỉnh Quy")
    GQ = unit("GQ", Kind.GRASSROOTS_CELL, Q, name=CANARY_UNIT)
    inside = admit(C1, "2005-03-01", full_name="Trần Thị Trong")
    event(inside, EventKind.OFFICIAL)
    neighbour = admit(G2, "2006-03-01", full_name="Phạm Văn Bên")
    canary = admit(GQ, "2006-03-01", full_name=CANARY_MEMBER)
    # 2025: the district level is abolished; the commune goes directly under the province.
    orgs.unit_move(actor=SYSTEM, unit=G1, new_parent=P, date=d("2025-07-01"))
    restructure.unit_dissolve(actor=SYSTEM, unit=D1, date=d("2025-07-01"))
    later = admit(C1, "2026-01-10", full_name="Lê Văn Sau")
    exemption = event(inside, EventKind.EXEMPTION, "2026-02-01", note=AFTER_MARK)

    def account(username, scope, role, **extra):
        user = User.objects.create_user(
            username, password=PASSWORD, scope=scope, role=role, **extra
        )
        return user

    return {
        **{k: v for k, v in locals().items() if k not in ("account",)},
        "admin_p": account("admin_p", P, Role.ADMIN),
        "clerk_d1": account("clerk_d1", D1, Role.CLERK),
        "viewer_g1": account("viewer_g1", G1, Role.VIEWER),
        "outsider": account("outsider", Q, Role.ADMIN),
        "root": User.objects.create_superuser("root", password=PASSWORD),
    }


@pytest.fixture
def w():
    return build_world()


def codes(qs):
    return sorted(qs.values_list("code", flat=True))


def names(qs):
    return sorted(qs.values_list("full_name", flat=True))


def test_scope_covers_the_subtree_and_nothing_else(w):
    assert codes(access.units_ever_visible(w["admin_p"])) == ["C1", "D1", "D2", "G1", "G2", "P"]
    assert codes(access.units_ever_visible(w["viewer_g1"])) == ["C1", "G1"]
    assert codes(access.units_ever_visible(w["outsider"])) == ["GQ", "Q"]
    assert len(access.units_ever_visible(w["root"])) == 8
    for persona in ("admin_p", "clerk_d1", "viewer_g1"):
        with pytest.raises(Http404):
            access.get_unit_for_user(w[persona], "GQ")
    with pytest.raises(Http404):
        access.get_unit_for_user(w["clerk_d1"], "G2")


def test_dissolved_district_reads_its_history_up_to_the_dissolution(w):
    clerk = w["clerk_d1"]
    assert codes(access.units_ever_visible(clerk)) == ["C1", "D1", "G1"]
    before = access.versions_visible_on(clerk, d("2025-06-30"))
    assert sorted(before.values_list("unit__code", flat=True)) == ["C1", "D1", "G1"]
    assert not access.versions_visible_on(clerk, d("2025-07-01")).exists()
    assert access.can_see_unit_on(clerk, w["G1"], d("2020-01-01"))
    assert not access.can_see_unit_on(clerk, w["G1"], d("2025-07-01"))
    assert access.visible_period(clerk, w["G1"]) == [(d("2000-01-01"), d("2025-07-01"))]
    # The member who was there is readable, up to the dissolution and nothing after.
    assert names(access.members_visible(clerk)) == ["Trần Thị Trong"]
    assert access.member_periods_visible(clerk, w["inside"]) == [(d("2005-03-01"), d("2025-07-01"))]
    kinds = list(access.member_events_visible(clerk, w["inside"]).values_list("kind", flat=True))
    assert kinds == [EventKind.ADMISSION, EventKind.OFFICIAL]
    # Admitted in 2026, after the district was gone: absent for the district's clerk.
    with pytest.raises(Http404):
        access.get_member_for_user(clerk, w["later"].pk)


def test_the_commune_and_province_keep_seeing_after_2025(w):
    assert names(access.members_visible(w["viewer_g1"])) == ["Lê Văn Sau", "Trần Thị Trong"]
    assert access.member_periods_visible(w["viewer_g1"], w["inside"]) == [(d("2005-03-01"), None)]
    kinds = access.member_events_visible(w["admin_p"], w["inside"]).values_list("kind", flat=True)
    assert EventKind.EXEMPTION in list(kinds)
    assert names(access.members_visible(w["admin_p"])) == [
        "Lê Văn Sau",
        "Phạm Văn Bên",
        "Trần Thị Trong",
    ]
    assert names(access.members_visible(w["outsider"])) == [CANARY_MEMBER]
    assert access.member_periods_visible(w["outsider"], w["inside"]) == []
    assert not access.member_events_visible(w["outsider"], w["inside"]).exists()


def test_member_who_moved_out_is_seen_up_to_the_move(w):
    event(w["neighbour"], EventKind.TRANSFER, "2010-05-01", w["C1"])
    assert access.member_periods_visible(w["viewer_g1"], w["neighbour"]) == [
        (d("2010-05-01"), None)
    ]
    event(w["inside"], EventKind.TRANSFER, "2026-03-01", w["G2"])
    assert access.member_periods_visible(w["viewer_g1"], w["inside"]) == [
        (d("2005-03-01"), d("2026-03-01"))
    ]
    kinds = list(
        access.member_events_visible(w["viewer_g1"], w["inside"]).values_list("kind", flat=True)
    )
    assert kinds[-1] == EventKind.TRANSFER  # the move out itself is part of the readable history


def test_roles_are_ranked_and_checked_after_scope(w):
    with pytest.raises(PermissionDenied):
        access.get_member_for_user(w["viewer_g1"], w["inside"].pk, role=Role.CLERK)
    assert access.get_member_for_user(w["admin_p"], w["inside"].pk, role=Role.CLERK) == w["inside"]
    # Outside the scope is a 404 even when the role would also be missing: absent, not forbidden.
    with pytest.raises(Http404):
        access.get_member_for_user(w["viewer_g1"], w["canary"].pk, role=Role.ADMIN)


def test_inactive_and_anonymous_see_nothing(w):
    from django.contrib.auth.models import AnonymousUser

    w["admin_p"].is_active = False
    for user in (w["admin_p"], AnonymousUser()):
        assert not access.units_ever_visible(user).exists()
        assert not access.members_visible(user).exists()
        assert access.member_periods_visible(user, w["inside"]) == []


def test_administrators_manage_accounts_inside_their_scope_only(w):
    assert sorted(access.accounts_visible(w["admin_p"]).values_list("username", flat=True)) == [
        "admin_p",
        "clerk_d1",
        "viewer_g1",
    ]
    assert list(access.accounts_visible(w["outsider"]).values_list("username", flat=True)) == [
        "outsider"
    ]
    assert not access.accounts_visible(w["clerk_d1"]).exists()
    with pytest.raises(Http404):
        access.get_account_for_user(w["admin_p"], w["outsider"].pk)
    with pytest.raises(Http404):
        access.get_account_for_user(w["admin_p"], w["root"].pk)  # above them
    with pytest.raises(PermissionDenied):
        access.get_account_for_user(w["clerk_d1"], w["clerk_d1"].pk)


def test_account_services_refuse_scopes_and_accounts_outside(w):
    admin = Actor(w["admin_p"], "ui")
    with pytest.raises(ValidationError):
        services.account_create(
            actor=admin, username="x", password=PASSWORD, scope=w["Q"], role=Role.ADMIN
        )
    with pytest.raises(ValidationError):
        services.account_create(
            actor=Actor(w["clerk_d1"], "ui"), username="x", password=PASSWORD, scope=w["C1"]
        )
    with pytest.raises(ValidationError):
        services.account_update(actor=admin, account=w["outsider"], role=Role.VIEWER)
    with pytest.raises(ValidationError):
        services.account_update(actor=admin, account=w["clerk_d1"], scope=w["GQ"])
    with pytest.raises(ValidationError):
        services.account_update(
            actor=admin, account=w["admin_p"], role=Role.VIEWER
        )  # not on oneself
    with pytest.raises(ValidationError):
        services.account_create(actor=admin, username="weak", password="12345", scope=w["C1"])
    made = services.account_create(
        actor=admin, username="thu_ky", password=PASSWORD, scope=w["C1"], role=Role.CLERK
    )
    assert made.check_password(PASSWORD) and made.scope == w["C1"]
    services.account_update(actor=admin, account=made, role=Role.APPROVER, is_active=False)
    made.refresh_from_db()
    assert (made.role, made.is_active) == (Role.APPROVER, False)


def test_the_past_is_read_only(w):
    # The district is gone: its clerk still reads, but writes nothing, even inside its old subtree.
    with pytest.raises(PermissionDenied):
        access.get_unit_for_user(w["clerk_d1"], "C1", role=Role.CLERK)
    with pytest.raises(PermissionDenied):
        access.get_member_for_user(w["clerk_d1"], w["inside"].pk, role=Role.CLERK)
    assert access.get_member_for_user(w["clerk_d1"], w["inside"].pk) == w["inside"]
    # A live scope writes what is in it today...
    clerk_g1 = User.objects.create_user(
        "clerk_g1", password=PASSWORD, scope=w["G1"], role=Role.CLERK
    )
    assert access.get_member_for_user(clerk_g1, w["inside"].pk, role=Role.CLERK) == w["inside"]
    assert access.get_unit_for_user(w["admin_p"], "C1", role=Role.APPROVER) == w["C1"]
    # ...but not a member who has since moved away, nor a unit that left the scope.
    event(w["inside"], EventKind.TRANSFER, "2026-03-01", w["G2"])
    with pytest.raises(PermissionDenied):
        access.get_member_for_user(clerk_g1, w["inside"].pk, role=Role.CLERK)
    assert access.get_member_for_user(clerk_g1, w["inside"].pk) == w["inside"]
    admin_d1 = User.objects.create_user(
        "admin_d1", password=PASSWORD, scope=w["D1"], role=Role.ADMIN
    )
    with pytest.raises(PermissionDenied):
        access.get_unit_for_user(admin_d1, "D1", role=Role.APPROVER)


def test_periods_in_bulk_match_one_by_one(w):
    ids = [w[k].pk for k in ("inside", "later", "neighbour", "canary")]
    for persona in ("admin_p", "clerk_d1", "viewer_g1", "outsider", "root"):
        many = access.member_periods_visible_many(w[persona], ids)
        for pk in ids:
            member = w["inside"].__class__.objects.get(pk=pk)
            assert many.get(pk, []) == access.member_periods_visible(w[persona], member), (
                persona,
                pk,
            )
    periods = access.member_periods_visible(w["clerk_d1"], w["inside"])
    assert access.event_in_periods(d("2025-07-01"), periods) and not access.event_in_periods(
        d("2026-02-01"), periods
    )


def test_a_dissolved_scope_holds_no_write_role(w):
    with pytest.raises(PermissionDenied):
        access.require_role(w["clerk_d1"], Role.CLERK)
    access.require_role(w["clerk_d1"], Role.VIEWER)
    access.require_role(w["admin_p"], Role.ADMIN)
