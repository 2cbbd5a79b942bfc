"""accounts/access.py at scale: the unit lookup by code and the scope tests on rows already chosen
(issue 3). Same answers as the listing forms, without reading the whole scope or every unit."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from grassroots.accounts import access
from grassroots.accounts.models import Role, User
from grassroots.organizations.models import Unit, UnitVersion

from .factories import d
from .test_access import build_world

pytestmark = pytest.mark.django_db

DAYS = ("1999-12-31", "2000-01-01", "2020-01-01", "2025-06-30", "2025-07-01", "2026-06-01")
PERSONAS = ("admin_p", "clerk_d1", "viewer_g1", "outsider", "root", "unscoped", "inactive")


@pytest.fixture
def w():
    world = build_world()
    world["unscoped"] = User.objects.create_user("unscoped", password="x", role=Role.VIEWER)
    world["inactive"] = User.objects.create_user(
        "inactive", password="x", scope=world["P"], role=Role.ADMIN, is_active=False
    )
    return world


def test_row_tests_keep_the_same_rows_as_the_listing_forms(w):
    for persona in PERSONAS:
        user = w[persona]
        ever = set(access.units_ever_visible(user).values_list("pk", flat=True))
        narrowed = access.only_ever_visible(user, Unit.objects.all())
        assert set(narrowed.values_list("pk", flat=True)) == ever, persona
        for day in map(d, DAYS):
            ids = access.unit_ids_visible_on(user, day)
            versions = UnitVersion.objects.all()
            expected = versions if ids is None else versions.filter(unit_id__in=ids)
            got = access.only_visible_on(user, day, versions)
            assert set(got.values_list("pk", flat=True)) == set(
                expected.values_list("pk", flat=True)
            ), (persona, day)


def test_member_row_test_keeps_the_rows_of_members_visible(w):
    """`only_members_visible` (one probe per row; the course page) keeps exactly the rows
    `member__in=members_visible(user)` keeps, for every persona, members moved and all."""
    from grassroots.members.models import MemberEvent

    rows = MemberEvent.objects.all()
    assert rows.count() > 5
    for persona in PERSONAS:
        user = w[persona]
        expected = rows.filter(member__in=access.members_visible(user))
        got = access.only_members_visible(user, rows)
        assert sorted(got.values_list("pk", flat=True)) == sorted(
            expected.values_list("pk", flat=True)
        ), persona


def _scope_subqueries(ctx, scope: Unit) -> list[str]:
    """Queries that use the scope's closure as `IN (subquery)`: the whole subtree, materialized."""
    mark = f'"ancestor_id" = {scope.pk}'
    return [q["sql"] for q in ctx.captured_queries if mark in q["sql"] and "IN (SELECT" in q["sql"]]


def _case_scans(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if " LIKE " in q["sql"] or "UPPER(" in q["sql"]]


def test_unit_lookup_uses_the_code_index_and_probes_the_scope(w):
    admin = w["admin_p"]
    for code in ("G1", "g1"):  # as stored, and typed in lower case
        with CaptureQueriesContext(connection) as ctx:
            assert access.get_unit_for_user(admin, code) == w["G1"]
        assert not _case_scans(ctx), code
        assert not _scope_subqueries(ctx, w["P"]), code


def test_unit_lookup_still_ignores_case_and_scope_rules(w):
    Unit.objects.filter(pk=w["G2"].pk).update(code="Gx2")  # not written by the services, but legal
    assert access.get_unit_for_user(w["admin_p"], "gX2").pk == w["G2"].pk
    assert access.get_unit_for_user(w["root"], "GX2").pk == w["G2"].pk
    for persona, code in (
        ("clerk_d1", "gx2"),  # D2's organization: never in D1
        ("admin_p", "gq"),  # the other province's canary
        ("outsider", "g1"),
        ("unscoped", "G1"),
        ("inactive", "G1"),
        ("admin_p", "NOPE"),
        ("admin_p", ""),
    ):
        with pytest.raises(Http404):
            access.get_unit_for_user(w[persona], code)
    # A unit that left the scope stays readable by code (its past): D1's clerk and G1.
    assert access.get_unit_for_user(w["clerk_d1"], "g1") == w["G1"]


def test_scoped_pages_probe_the_scope_per_row(client, w):
    """The unit and tree pages of a scoped account never use the scope's subtree as a subquery."""
    client.force_login(w["admin_p"])
    for url in ("/units/g1/?at=2020-01-01", "/tree/D1/?at=2020-01-01", "/tree/?at=2026-06-01"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        assert not _scope_subqueries(ctx, w["P"]), url
        assert not _case_scans(ctx), url
