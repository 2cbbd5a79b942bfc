"""Backups that hold no live sessions and a restore that never empties the database (issue 20
§6, §11): every bad file is refused with one Vietnamese line before anything is touched, a
failing restore changes nothing, backups are 0600, optionally encrypted, and a restore ends
every session."""

from __future__ import annotations

import json
import sqlite3
import stat

import pytest
from cryptography.fernet import Fernet
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from grassroots.accounts import backup
from grassroots.accounts.models import Role, User
from grassroots.members.models import Member
from grassroots.organizations.models import Kind, Unit

from .factories import admit, unit

PASSWORD = "Grassroots@2026"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def registry():
    P = unit("P", Kind.PROVINCE)
    G = unit("G", Kind.GRASSROOTS_CELL, P)
    admit(G, "2005-01-01", full_name="Nguyễn Văn Còn")
    User.objects.create_user("admin_p", password=PASSWORD, scope=P, role=Role.ADMIN)


def state():
    return (Unit.objects.count(), Member.objects.count(), User.objects.count())


def refused(path, match):
    before = state()
    with pytest.raises(CommandError) as exc:
        call_command("restore", str(path), interactive=False)
    message = str(exc.value)
    assert match in message and "\n" not in message, message
    assert state() == before == (2, 1, 1)  # nothing emptied
    return message


def test_bad_files_are_refused_before_anything_is_replaced(registry, tmp_path):
    good = tmp_path / "good.json"
    call_command("backup", str(good), format="json")
    text = good.read_text(encoding="utf-8")
    truncated = tmp_path / "truncated.json"
    truncated.write_text(text[: len(text) // 2], encoding="utf-8")
    refused(truncated, "bị hỏng hoặc không đầy đủ")
    other_app = tmp_path / "other.json"
    other_app.write_text(json.dumps([{"model": "blog.post", "pk": 1, "fields": {}}]))
    refused(other_app, "không phải là bản sao lưu của Grassroots")
    sqlite = connection.vendor == "sqlite"
    not_sqlite_of_ours = tmp_path / "any.sqlite3"
    with sqlite3.connect(not_sqlite_of_ours) as db:
        db.execute("CREATE TABLE t (n INTEGER)")
    refused(not_sqlite_of_ours, "không phải là bản sao lưu" if sqlite else "chỉ khôi phục vào")
    corrupt = tmp_path / "corrupt.sqlite3"
    corrupt.write_bytes(b"SQLite format 3\x00" + b"\x10\x00\x01\x01" + b"\xff" * 5000)
    refused(corrupt, "bị hỏng" if sqlite else "chỉ khôi phục vào")
    corrupt_dump = tmp_path / "corrupt.dump"
    corrupt_dump.write_bytes(b"PGDMP" + b"\x01\x0e\x00" + b"\xee" * 5000)
    refused(corrupt_dump, "chỉ khôi phục vào" if sqlite else "bị hỏng")


def test_a_restore_that_fails_while_loading_changes_nothing(registry, tmp_path):
    good = tmp_path / "good.json"
    call_command("backup", str(good), format="json")
    data = json.loads(good.read_text(encoding="utf-8"))
    # Our models, a well-formed file, but a row that cannot be loaded (a member event pointing
    # at a member that is not there): the flush already ran when loaddata fails.
    event = next(item for item in data if item["model"] == "members.memberevent")
    event["fields"]["member"] = 999_999
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data), encoding="utf-8")
    refused(broken, "Khôi phục thất bại, dữ liệu không thay đổi")
    assert Member.objects.get().full_name == "Nguyễn Văn Còn"


def test_backups_hold_no_sessions_are_private_and_a_restore_ends_sessions(registry, tmp_path):
    client = Client()
    assert client.post("/login/", {"username": "admin_p", "password": PASSWORD}).status_code == 302
    assert Session.objects.exists()
    path = tmp_path / "native.bak"
    call_command("backup", str(path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    if connection.vendor == "sqlite":
        with sqlite3.connect(path) as db:
            assert db.execute("SELECT count(*) FROM django_session").fetchone() == (0,)
        assert client.session.session_key.encode() not in path.read_bytes()
    else:
        listing = backup.subprocess.run(
            [backup.pg_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True
        ).stdout
        assert "TABLE DATA public django_session" not in listing
    json_path = tmp_path / "portable.json"
    call_command("backup", str(json_path), format="json")
    assert stat.S_IMODE(json_path.stat().st_mode) == 0o600
    assert '"sessions.session"' not in json_path.read_text(encoding="utf-8")
    assert client.get("/").status_code == 200
    call_command("restore", str(path), interactive=False)
    assert not Session.objects.exists()
    assert client.get("/").status_code == 302  # signed out by the restore


def test_encrypted_backups_need_the_key(registry, tmp_path, monkeypatch):
    key = Fernet.generate_key().decode()
    monkeypatch.setenv(backup.KEY_ENV, key)
    path = tmp_path / "sealed.bak"
    call_command("backup", str(path), format="json")
    raw = path.read_bytes()
    assert raw.startswith(backup.ENCRYPTED_MAGIC) and "Nguyễn Văn Còn".encode() not in raw
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    monkeypatch.setenv(backup.KEY_ENV, Fernet.generate_key().decode())
    refused(path, "Không giải mã được")
    monkeypatch.delenv(backup.KEY_ENV)
    refused(path, backup.KEY_ENV)
    cut = tmp_path / "cut.bak"
    cut.write_bytes(raw[:-10])
    monkeypatch.setenv(backup.KEY_ENV, key)
    refused(cut, "Không giải mã được")
    Member.objects.update(full_name="Đã sửa")
    call_command("restore", str(path), interactive=False)
    assert Member.objects.get().full_name == "Nguyễn Văn Còn"
    assert not list((tmp_path).glob("*.decrypted"))
