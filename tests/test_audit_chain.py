"""The audit trail's hash chain (issue 20 §19): every writer links its records, and
`grassroots audit verify` exits 1 naming the first record that was edited, removed or written
behind the app's back."""

from __future__ import annotations

import time
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from grassroots.audit import chain
from grassroots.audit.models import AuditRecord
from grassroots.audit.services import Actor, append_records, unsaved_record
from grassroots.audit.sqlite_guard import sqlite_audit_triggers_lifted
from grassroots.core.rehearsal import rehearsal
from grassroots.excel.importer import Importer
from grassroots.members.models import EventKind
from grassroots.organizations.models import Kind

from .excel_helpers import basic
from .factories import SYSTEM, admit, event, unit

pytestmark = pytest.mark.django_db


def verify() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def verify_fails() -> str:
    with pytest.raises(CommandError) as exc:
        verify()
    assert exc.value.returncode == 1
    return str(exc.value)


@contextmanager
def behind_the_apps_back():
    """What an attacker with the database file would do: lift the append-only guard."""
    if connection.vendor == "postgresql":
        # A superuser can switch ordinary triggers off for the session.
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
    else:
        with sqlite_audit_triggers_lifted(connection):
            yield


def raw(sql, params=()):
    with behind_the_apps_back(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def trail(tmp_path):
    P = unit("P", Kind.PROVINCE)
    G = unit("G", Kind.GRASSROOTS_CELL, P)
    member = admit(G, "2005-01-01", full_name="Nguyễn Văn Một", profile_number="CHAIN1")
    event(member, EventKind.OFFICIAL)
    # The other writers: bulk_create (assessments) and the importer's bulk insert.
    AuditRecord.objects.bulk_create(
        [unsaved_record(SYSTEM, obj=G, action="note", changes={"n": [None, i]}) for i in range(3)]
    )
    report = Importer(basic(tmp_path / "ok.xlsx")).run(actor=Actor(None, "import"))
    assert report.ok, report.messages()
    return list(AuditRecord.objects.order_by("id"))


def test_every_writer_links_the_chain_and_verify_passes(trail):
    assert all(len(r.chain) == 64 for r in trail)
    assert len({r.chain for r in trail}) == len(trail)
    out = verify()
    assert f"Nhật ký nguyên vẹn: {len(trail)} bản ghi; mã cuối {trail[-1].chain}" in out


def test_an_edited_record_is_named(trail):
    target = trail[3]
    raw("UPDATE audit_auditrecord SET reason = 'sửa lén' WHERE id = %s", [target.pk])
    message = verify_fails()
    assert f"bản ghi #{target.pk} không khớp" in message and "3 bản ghi trước đó" in message


def test_a_deleted_record_breaks_the_next_one(trail):
    raw("DELETE FROM audit_auditrecord WHERE id = %s", [trail[2].pk])
    assert f"bản ghi #{trail[3].pk} không khớp" in verify_fails()


def test_a_record_written_outside_the_app_is_named(trail):
    raw(
        "INSERT INTO audit_auditrecord (at, actor_name, source, address, object_type, object_id,"
        " object_label, action, changes, reason, chain) VALUES (%s, 'x', 'ui', '', 'member', '1',"
        " '', 'update', '{}', '', '')",
        [trail[-1].at],
    )
    assert "thiếu mã chuỗi" in verify_fails()


def test_chaining_stays_cheap():
    # The import writes one record per member: linking must not be what makes it slow.
    from django.utils import timezone

    rows = [
        dict(
            zip(
                chain.FIELDS,
                (
                    timezone.now(),
                    None,
                    "system",
                    "import",
                    "",
                    "member",
                    str(i),
                    f"Nguyễn Văn {i} ({i:06d})",
                    "create",
                    {"profile_number": [None, f"{i:06d}"], "full_name": [None, "A"]},
                    "Nhập Excel",
                ),
                strict=True,
            )
        )
        for i in range(20_000)
    ]
    # CPU time, not the wall clock: on a shared machine the wall clock measures the neighbours
    # (15 s seen at load 25 for what takes ≈ 1 s of CPU).
    started = time.process_time()
    values = list(chain.link(AuditRecord._meta.db_table, rows))
    assert len(values) == 20_000
    assert time.process_time() - started < 5.0  # ≈ 50 µs a record


def test_records_sharing_all_but_their_object_id_hash_as_digest_does():
    """`link` encodes the common content of a bulk writer's records once (changes given as JSON
    text, only the object id differing): the chain values are `digest`'s, record by record."""
    from django.utils import timezone

    at = timezone.now()

    def row(i: int, label: str, changes) -> dict:
        values = (at, None if i % 2 else 7, "hệ thống", "ui", "", "memberevent", i, label)
        return dict(zip(chain.FIELDS, (*values, "create", changes, ""), strict=True))

    text = '{"unit": [null, 12], "note": [null, "Theo sắp xếp: “X” → Y"], "a": {"z": 1, "b": [2]}}'
    rows = [row(i, "Chuyển theo sắp xếp tổ chức", text) for i in range(1, 6)]
    rows += [row(6, "Khác", '{"x": [1, 2]}'), row(7, "Khác", {"x": [1, 2]}), row(8, "", "null")]
    previous = chain._last_chain(AuditRecord._meta.db_table)
    expected = []
    for values in rows:
        previous = chain.digest(previous, values)
        expected.append(previous)
    assert list(chain.link(AuditRecord._meta.db_table, rows)) == expected


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain_on_postgresql():
    # Two connections append at once: the advisory lock makes them link one after the other.
    import threading

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (two real connections; SQLite has one writer at a time)")
    P = unit("P", Kind.PROVINCE)
    cells = [unit(f"G{i}", Kind.GRASSROOTS_CELL, P) for i in range(2)]
    errors = []

    def clerk(cell, start):
        try:
            for n in range(8):
                admit(cell, "2005-01-01", profile_number=f"{start}{n:03d}")
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=clerk, args=(c, f"T{i}")) for i, c in enumerate(cells)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert "Nhật ký nguyên vẹn" in verify()


def test_a_rehearsal_writes_no_bulk_records_and_the_chain_goes_on():
    """Inside a rehearsal (a plan's check or preview, rolled back anyway) the bulk writers'
    records are skipped; outside, they are written and linked as before."""
    row = (None, "system", "system", "", "memberevent", "1", "Sắp xếp tổ chức", "create", "{}", "")
    before = AuditRecord.objects.count()
    with rehearsal():
        append_records([row, row])
    assert AuditRecord.objects.count() == before
    append_records([row, row])
    assert AuditRecord.objects.count() == before + 2
    verify()  # raises (exit 1) if the chain broke
