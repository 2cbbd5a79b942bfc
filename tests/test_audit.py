"""The audit trail (issue 4 §3): written by every service in the same transaction, for
organizations, members, events, accounts and logins; append-only; SQLite and PostgreSQL alike
(run this file with DATABASE_URL pointing at PostgreSQL for the second)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client

from grassroots.accounts import services as accounts
from grassroots.accounts.models import Role, User
from grassroots.audit import queries
from grassroots.audit.models import AuditRecord, ProfileView, Source
from grassroots.audit.services import Actor, log_profile_view
from grassroots.members import services as members
from grassroots.members.models import Member
from grassroots.organizations import services as orgs
from grassroots.organizations.models import Kind, Unit
from grassroots.restructure import services as restructure

from .factories import admit, d, unit

pytestmark = pytest.mark.django_db
PASSWORD = "Grassroots@2026"


@pytest.fixture
def tree():
    P = unit("P", Kind.PROVINCE)
    D1 = unit("D1", Kind.DISTRICT, P)
    G1 = unit("G1", Kind.GRASSROOTS_CELL, D1)
    admin = User.objects.create_user("admin_p", password=PASSWORD, scope=P, role=Role.ADMIN)
    return {
        "P": P,
        "D1": D1,
        "G1": G1,
        "admin": admin,
        "clerk": Actor(admin, Source.UI, "10.1.2.3"),
    }


def actions(**match) -> list[str]:
    return list(AuditRecord.objects.filter(**match).order_by("id").values_list("action", flat=True))


def test_every_service_leaves_who_what_when_where(tree):
    actor = tree["clerk"]
    G2 = orgs.unit_establish(
        actor=actor,
        code="G2",
        name="Chi bộ Hai",
        kind=Kind.GRASSROOTS_CELL,
        date=d("2001-01-01"),
        parent=tree["D1"],
        grassroots_type="agency",
    )
    orgs.unit_rename(actor=actor, unit=G2, name="Chi bộ Hai mới", date=d("2002-01-01"))
    m = members.member_admit(
        actor=actor,
        unit=tree["G1"],
        ceremony_date=d("2005-01-01"),
        decision_date=d("2004-12-20"),
        full_name="Nguyễn Văn Ấn",
        gender="M",
        birth_date=d("1980-01-01"),
        profile_number="000001LS",
    )
    members.member_update_profile(actor=actor, member=m, residence="Lạng Sơn", reason="bổ sung")
    transfer = members.member_transfer(actor=actor, member=m, to_unit=G2, date=d("2006-01-01"))
    members.member_correct_event(
        actor=actor, event=transfer, reason="nhầm ngày", date=d("2006-02-01")
    )
    restructure.unit_merge(actor=actor, sources=[G2], target=tree["G1"], date=d("2010-01-01"))
    assert actions(object_type="unit", object_id=str(G2.pk)) == ["establish", "rename", "merge"]
    assert actions(object_type="member", object_id=str(m.pk)) == ["create", "update"]
    assert actions(object_type="memberevent")[:3] == ["create", "create", "correct"]
    row = AuditRecord.objects.get(object_type="member", action="update")
    assert (row.actor, row.actor_name, row.source, row.address) == (
        tree["admin"],
        "admin_p",
        "ui",
        "10.1.2.3",
    )
    assert row.changes == {"residence": ["", "Lạng Sơn"]} and row.reason == "bổ sung"
    correction = AuditRecord.objects.get(action="correct")
    assert correction.reason == "nhầm ngày" and correction.changes["date"] == [
        "2006-01-01",
        "2006-02-01",
    ]
    # The member page's history: profile and events together, newest first.
    assert [r.action for r in queries.member_history(m)][-2:] == ["create", "create"]


@pytest.mark.parametrize(
    "module, call",
    [
        (
            members,
            lambda t: members.member_admit(
                actor=t["clerk"],
                unit=t["G1"],
                ceremony_date=d("2005-01-01"),
                decision_date=d("2004-12-20"),
                full_name="A",
                gender="M",
                birth_date=d("1980-01-01"),
                profile_number="000009LS",
            ),
        ),
        (
            orgs,
            lambda t: orgs.unit_rename(
                actor=t["clerk"], unit=t["G1"], name="Tên mới", date=d("2003-01-01")
            ),
        ),
        (
            accounts,
            lambda t: accounts.account_create(
                actor=t["clerk"], username="moi", password=PASSWORD, scope=t["G1"]
            ),
        ),
    ],
    ids=["member", "organization", "account"],
)
def test_a_service_that_fails_after_auditing_leaves_no_trace(tree, module, call, monkeypatch):
    """The audit row and the change commit together or not at all (same transaction)."""
    real_record = module.record

    def record_then_fail(*args, **kwargs):
        real_record(*args, **kwargs)
        assert AuditRecord.objects.filter(action=kwargs["action"]).exists()  # it was written...
        raise RuntimeError("disk full")

    monkeypatch.setattr(module, "record", record_then_fail)
    before = (
        AuditRecord.objects.count(),
        Member.objects.count(),
        User.objects.count(),
        list(Unit.objects.get(code="G1").versions.values_list("name", flat=True)),
    )
    with pytest.raises(RuntimeError):
        call(tree)
    after = (
        AuditRecord.objects.count(),
        Member.objects.count(),
        User.objects.count(),
        list(Unit.objects.get(code="G1").versions.values_list("name", flat=True)),
    )
    assert after == before  # ...and rolled back with the change


def test_a_refused_change_writes_nothing(tree):
    before = AuditRecord.objects.count()
    with pytest.raises(ValidationError):
        orgs.unit_rename(
            actor=tree["clerk"], unit=tree["G1"], name="X", date=d("1990-01-01")
        )  # before it existed
    assert AuditRecord.objects.count() == before


def test_the_trail_cannot_be_edited_or_deleted(tree):
    m = admit(tree["G1"], "2005-01-01")
    log_profile_view(user=tree["admin"], member=m, address="10.0.0.1")
    row = AuditRecord.objects.first()
    view = ProfileView.objects.get()
    for obj in (row, view):
        obj.address = "forged"
        model = type(obj)
        attempts = [
            obj.save,
            obj.delete,
            lambda model=model, obj=obj: model.objects.filter(pk=obj.pk).update(address="forged"),
            lambda model=model, obj=obj: model.objects.filter(pk=obj.pk).delete(),
            lambda model=model, obj=obj: model.objects.bulk_update([obj], ["address"]),
        ]
        for attempt in attempts:
            # Each attempt in its own savepoint, as a request would be in its own transaction.
            with pytest.raises(PermissionError), transaction.atomic():
                attempt()
    row.refresh_from_db()
    view.refresh_from_db()
    assert row.address == "" and view.address == "10.0.0.1"


def test_account_changes_are_audited(tree):
    admin = tree["clerk"]
    user = accounts.account_create(
        actor=admin, username="thu_ky", password=PASSWORD, scope=tree["G1"], role=Role.CLERK
    )
    accounts.account_update(actor=admin, account=user, role=Role.APPROVER, reason="phân công mới")
    accounts.account_update(actor=admin, account=user, is_active=False)
    accounts.account_update(actor=admin, account=user, is_active=True)
    accounts.account_update(actor=admin, account=user, email="tk@example.vn")
    accounts.account_set_password(actor=admin, account=user, password="Another#Pass2026")
    rows = list(
        AuditRecord.objects.filter(object_type="account", object_id=str(user.pk)).order_by("id")
    )
    assert [r.action for r in rows] == [
        "create",
        "role_change",
        "lock",
        "unlock",
        "update",
        "password",
    ]
    assert rows[0].changes["role"] == [None, "clerk"] and rows[0].changes["scope"] == [
        None,
        str(tree["G1"].pk),
    ]
    assert rows[1].changes == {"role": ["clerk", "approver"]} and rows[1].reason == "phân công mới"
    assert rows[2].changes == {"is_active": [True, False]}
    assert all("Another" not in str(r.changes) and "pbkdf" not in str(r.changes) for r in rows)
    assert {r.actor_name for r in rows} == {"admin_p"}


def test_logins_and_failed_logins_are_audited(tree):
    client = Client(REMOTE_ADDR="10.9.9.9")
    assert client.post("/login/", {"username": "admin_p", "password": "wrong"}).status_code == 200
    assert client.post("/login/", {"username": "nobody", "password": "wrong"}).status_code == 200
    assert client.post("/login/", {"username": "admin_p", "password": PASSWORD}).status_code == 302
    client.post("/logout/")
    rows = list(AuditRecord.objects.filter(object_type__in=["login", "account"]).order_by("id"))
    assert [(r.action, r.address) for r in rows] == [
        ("login_failed", "10.9.9.9"),
        ("login_failed", "10.9.9.9"),
        ("login", "10.9.9.9"),
        ("logout", "10.9.9.9"),
    ]
    assert rows[0].changes == {"username": [None, "admin_p"]} and rows[1].changes == {
        "username": [None, "nobody"]
    }
    assert rows[2].actor == tree["admin"] and rows[0].actor is None
    assert all("wrong" not in str(r.changes) for r in rows)


def test_administrator_lists_profile_views_in_scope_only(tree):
    Q = unit("Q", Kind.PROVINCE)
    GQ = unit("GQ", Kind.GRASSROOTS_CELL, Q)
    mine, theirs = (
        admit(tree["G1"], "2005-01-01", full_name="Hồ Sơ Trong"),
        admit(GQ, "2005-01-01", full_name="Hồ Sơ Ngoài"),
    )
    other = User.objects.create_user("admin_q", password=PASSWORD, scope=Q, role=Role.ADMIN)
    viewer = User.objects.create_user("xem", password=PASSWORD, scope=tree["G1"], role=Role.VIEWER)
    client = Client()
    client.force_login(viewer)
    assert client.get(f"/members/{mine.pk}/").status_code == 200  # the member page logs the view
    log_profile_view(user=other, member=theirs)
    client.force_login(tree["admin"])
    page = client.get("/accounts/profile-views/").content.decode()
    assert "Hồ Sơ Trong" in page and "xem" in page and "Hồ Sơ Ngoài" not in page
    client.force_login(viewer)
    assert client.get("/accounts/profile-views/").status_code == 403


def test_the_database_itself_refuses_changes_to_the_trail(tree):
    # A trigger on PostgreSQL (audit/0002) and, since issue 20 §19, on SQLite (audit/0004).
    from django.db import DatabaseError, connection

    member = admit(tree["G1"], "2005-01-01")
    row = AuditRecord.objects.first()
    view = ProfileView.objects.create(viewer=tree["admin"], member=member)
    for sql, pk in (
        ("UPDATE audit_auditrecord SET reason = 'forged' WHERE id = %s", row.pk),
        ("DELETE FROM audit_auditrecord WHERE id = %s", row.pk),
        ("UPDATE audit_profileview SET address = 'x' WHERE id = %s", view.pk),
        ("DELETE FROM audit_profileview WHERE id = %s", view.pk),
    ):
        with (
            pytest.raises(DatabaseError, match="cannot be changed or deleted"),
            transaction.atomic(),
        ):
            with connection.cursor() as cursor:
                cursor.execute(sql, [pk])
    assert AuditRecord.objects.filter(pk=row.pk, reason="").exists()
    assert ProfileView.objects.filter(pk=view.pk, address="").exists()


def test_profile_view_log_costs_the_same_for_any_number_of_views(
    tree, django_assert_max_num_queries
):
    """One count and one page of rows (issue 11 §9: the log took 2 s on the demo province when
    it listed every member of the scope to test each view)."""
    GQ = unit("GQ", Kind.GRASSROOTS_CELL, unit("Q", Kind.PROVINCE))
    theirs = admit(GQ, "2005-01-01", full_name="Hồ Sơ Ngoài")
    viewer = User.objects.create_user("xem", password=PASSWORD, scope=tree["G1"], role=Role.VIEWER)
    for _ in range(30):
        log_profile_view(user=viewer, member=admit(tree["G1"], "2005-01-01"))
    # An account the administrator manages, on a member outside the administrator's scope.
    log_profile_view(user=viewer, member=theirs)
    client = Client()
    client.force_login(tree["admin"])
    with django_assert_max_num_queries(8):
        page = client.get("/accounts/profile-views/").content.decode()
    assert page.count("<td>xem</td>") == 30 and "Hồ Sơ Ngoài" not in page


def test_history_rows_name_fields_and_choices_in_the_active_language(tree):
    """The labels are built once per object type and language (web.presenters._labels): the
    same records read in Vietnamese, then in English, each in its own words."""
    from django.utils import translation

    from grassroots.audit.services import record
    from grassroots.web.presenters import audit_rows

    p = Unit.objects.get(code="P")
    record(
        Actor.system(),
        obj=p,
        action="export",
        changes={"export": [None, "sổ văn bản"], "format": [None, "xlsx"], "rows": [None, 26]},
        object_type="unit",
    )
    record(
        Actor.system(),
        obj=p,
        action="change_kind",
        changes={"kind": ["district", "province"]},
        object_type="unit",
    )
    records = [AuditRecord.objects.get(action=a) for a in ("export", "change_kind")]
    with translation.override("vi"):
        vi = audit_rows(records)
    with translation.override("en"):
        en = audit_rows(records)
    assert vi[0].details == "xuất: sổ văn bản; định dạng: xlsx; số dòng: 26"
    assert "format: xlsx" in en[0].details and "định dạng" not in en[0].details
    # Stored choices shown by their labels.
    assert "Đảng bộ cấp huyện, trực thuộc tỉnh → Đảng bộ tỉnh" in vi[1].details
