"""Nothing lost (issue 4 §4): back up a small registry, restore it into an empty database, and
find the same figures for every year-end, the same trail and the same accounts.

Runs on whichever database the suite uses: SQLite (online backup API) or PostgreSQL (pg_dump
custom format); the portable JSON format is tested on both.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from grassroots.accounts.models import Role, User
from grassroots.audit.models import AuditRecord, ProfileView
from grassroots.audit.services import log_profile_view
from grassroots.figures.queries import figures
from grassroots.members.models import EventKind, Member, MemberEvent, MemberNameKey
from grassroots.organizations import services as orgs
from grassroots.organizations.models import Kind, Unit
from grassroots.restructure import services as restructure

from .factories import SYSTEM, admit, d, event, unit

YEARS = range(2000, 2027)


def build_registry() -> None:
    P = unit("P", Kind.PROVINCE)
    D1 = unit("D1", Kind.DISTRICT, P)
    D2 = unit("D2", Kind.DISTRICT, P)
    G1 = unit("G1", Kind.GRASSROOTS_COMMITTEE, D1, name="Đảng bộ xã Ấn")
    C1 = unit("C1", Kind.SUBORDINATE_CELL, G1)
    G2 = unit("G2", Kind.GRASSROOTS_CELL, D2)
    a = admit(C1, "2003-03-01", full_name="Nguyễn Văn Ấn")
    b = admit(G2, "2004-06-01", full_name="Trần Thị Bình")
    c = admit(C1, "2010-01-10")
    for m in (a, b, c):
        event(m, EventKind.OFFICIAL)
    event(a, EventKind.TRANSFER, "2012-01-01", G2)
    event(b, EventKind.DEATH, "2018-03-01")
    orgs.unit_move(actor=SYSTEM, unit=G1, new_parent=P, date=d("2025-07-01"))
    restructure.unit_merge(actor=SYSTEM, sources=[G2], target=C1, date=d("2025-07-01"))
    restructure.unit_dissolve(actor=SYSTEM, unit=D1, date=d("2025-07-01"))
    admit(C1, "2026-01-10")
    user = User.objects.create_user("admin_p", password="Grassroots@2026", scope=P, role=Role.ADMIN)
    log_profile_view(user=user, member=a, address="10.0.0.1")


def snapshot(precision_ms: bool = False) -> dict:
    """Figures for every organization at every year-end, and the rows that must survive.

    Django's JSON dump keeps timestamps to the millisecond (documented in docs/security.md).
    """

    def t(value):
        return (
            value.replace(microsecond=value.microsecond // 1000 * 1000) if precision_ms else value
        )

    out = {}
    for u in Unit.objects.order_by("code"):
        for year in YEARS:
            out[(u.code, year)] = figures(u, dt.date(year, 12, 31)).as_json()
    out["members"] = sorted(Member.objects.values_list("full_name", "version"))
    out["events"] = MemberEvent.objects.count()
    # The name index is not in the JSON dump (derived): restore builds it again.
    out["name_keys"] = sorted(MemberNameKey.objects.values_list("place_id", "key", "member_id"))
    out["audit"] = [
        (pk, t(at), *rest)
        for pk, at, *rest in AuditRecord.objects.order_by("id").values_list(
            "id", "at", "action", "object_id", "changes"
        )
    ]
    out["views"] = [
        (v, m, t(at))
        for v, m, at in ProfileView.objects.values_list(
            "viewer__username", "member__full_name", "at"
        )
    ]
    out["users"] = list(User.objects.values_list("username", "password", "scope__code", "role"))
    return out


def empty_the_database() -> None:
    """Drop every table: the restore goes into a database with nothing in it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in connection.introspection.table_names(cursor):
                cursor.execute(f'DROP TABLE IF EXISTS "{table}"')
            cursor.execute("PRAGMA foreign_keys = ON")
    assert connection.introspection.table_names() == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["native", "json"])
def test_restore_into_an_empty_database_gives_the_same_figures(tmp_path, fmt, capsys):
    build_registry()
    before = snapshot(precision_ms=fmt == "json")
    assert before[("P", 2019)]["members"] == 2 and before[("G1", 2026)]["members"] == 3
    file = tmp_path / f"grassroots.{fmt}"
    call_command("backup", str(file), format=fmt)
    message = capsys.readouterr().out
    if fmt == "json":
        assert "JSON" in message and file.read_text(encoding="utf-8").lstrip().startswith("[")
    elif connection.vendor == "sqlite":
        assert "SQLite" in message and file.read_bytes().startswith(b"SQLite format 3\x00")
    else:
        assert "pg_dump" in message and file.read_bytes().startswith(b"PGDMP")
    empty_the_database()
    call_command("restore", str(file), interactive=False)
    assert snapshot(precision_ms=fmt == "json") == before
    # The restored database keeps working: new rows get fresh ids, the trail stays append-only.
    admit(Unit.objects.get(code="C1"), "2026-05-01")
    assert AuditRecord.objects.order_by("-id").first().id > before["audit"][-1][0]


@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_is_taken_while_the_app_writes(tmp_path):
    """The online backup API gives a consistent copy while another connection keeps writing."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    live = tmp_path / "live.sqlite3"
    writer = sqlite3.connect(live, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE t (n INTEGER)")
    writer.execute("BEGIN")
    writer.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(1000)])
    reader = sqlite3.connect(live)
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    reader.backup(
        copy
    )  # an uncommitted writer transaction is open: the copy has what was committed
    writer.execute("COMMIT")
    assert copy.execute("SELECT count(*) FROM t").fetchone() == (0,)
    reader.backup(copy)
    assert copy.execute("SELECT count(*) FROM t").fetchone() == (1000,)


def test_restore_refuses_what_is_not_a_backup(tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01not a backup")
    with pytest.raises(CommandError, match="không phải là bản sao lưu"):
        call_command("restore", str(junk), interactive=False)
