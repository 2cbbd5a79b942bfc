"""Helpers shared by `grassroots backup` and `grassroots restore` (docs/security.md "Backup and
restore").

A backup is the whole registry — personal data of every member, password hashes, the trail — so
it is written 0600, never holds live sessions (a session key taken from a backup would log in
without password or TOTP, issue 20 §11), and is encrypted when GRASSROOTS_BACKUP_KEY is set.
A restore checks the file completely before touching the database and then replaces the data in
one transaction, so a bad file changes nothing (issue 20 §6).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import struct
import subprocess
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import CommandError

KEY_ENV = "GRASSROOTS_BACKUP_KEY"
ENCRYPTED_MAGIC = b"GRASSROOTS-FERNET-1\n"
CHUNK = 16 * 1024 * 1024
# Tables (SQLite, pg_dump) and models (JSON) without which a file is not one of our backups.
REQUIRED_TABLES = (
    "django_migrations",
    "accounts_user",
    "organizations_unit",
    "organizations_unitversion",
    "members_member",
    "members_memberevent",
    "audit_auditrecord",
)
OUR_APPS = (
    "accounts",
    "audit",
    "organizations",
    "members",
    "territory",
    "figures",
    "assessments",
    "excel",
)


def detect(path: str) -> str:
    """'encrypted', 'sqlite', 'pg_dump' or 'json', from the file's first bytes."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(ENCRYPTED_MAGIC))
    except OSError as exc:
        raise CommandError(f"Không đọc được {path}: {exc.strerror}") from None
    if head.startswith(ENCRYPTED_MAGIC):
        return "encrypted"
    if head.startswith(b"SQLite format 3\x00"):
        return "sqlite"
    if head.startswith(b"PGDMP"):
        return "pg_dump"
    if head.lstrip()[:1] in (b"[", b"{"):
        return "json"
    raise CommandError(f"{path} không phải là bản sao lưu của Grassroots.")


def private_file(path: Path) -> Path:
    """Create (or truncate) `path` readable by the owner only, before anything is written."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)  # an existing file keeps its old mode through O_CREAT
    return path


# --- encryption (Fernet from `cryptography`, in chunks: a backup can be gigabytes) -----------


def _fernet(key: str | None = None):
    from cryptography.fernet import Fernet

    key = key or os.environ.get(KEY_ENV, "")
    if not key:
        raise CommandError(
            f"Bản sao lưu được mã hóa: đặt khóa trong biến môi trường {KEY_ENV} để khôi phục."
        )
    try:
        return Fernet(key.encode())
    except ValueError:
        raise CommandError(
            f"{KEY_ENV} không phải là khóa Fernet hợp lệ (32 byte, base64 URL-safe)."
        ) from None


def encryption_wanted() -> bool:
    return bool(os.environ.get(KEY_ENV))


def encrypt_file(source: Path, target: Path) -> None:
    """Each chunk is a Fernet token (AES-128-CBC + HMAC-SHA256) over (index, last?, data), so
    chunks cannot be dropped, reordered or cut off without the restore noticing."""
    fernet = _fernet()
    private_file(target)
    with open(source, "rb") as src, open(target, "wb") as out:
        out.write(ENCRYPTED_MAGIC)
        index, data = 0, src.read(CHUNK)
        while True:
            following = src.read(CHUNK)
            token = fernet.encrypt(struct.pack(">QB", index, 0 if following else 1) + data)
            out.write(struct.pack(">I", len(token)) + token)
            if not following:
                break
            index, data = index + 1, following


def decrypt_file(source: Path, target: Path) -> None:
    from cryptography.fernet import InvalidToken

    fernet = _fernet()
    broken = CommandError(
        "Không giải mã được bản sao lưu: khóa không đúng, hoặc tệp bị hỏng hay không đầy đủ."
    )
    private_file(target)
    with open(source, "rb") as src, open(target, "wb") as out:
        src.read(len(ENCRYPTED_MAGIC))
        expected, last = 0, False
        while not last:
            size = src.read(4)
            if len(size) != 4:
                raise broken
            token = src.read(struct.unpack(">I", size)[0])
            try:
                plain = fernet.decrypt(token)
            except InvalidToken:
                raise broken from None
            index, last = struct.unpack(">QB", plain[:9])
            if index != expected:
                raise broken
            out.write(plain[9:])
            expected += 1
        if src.read(1):
            raise broken


# --- checks before anything is replaced ---------------------------------------------------


def _not_ours(path) -> CommandError:
    return CommandError(f"{path} không phải là bản sao lưu của Grassroots: không khôi phục.")


def _known_migrations() -> set[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def _check_migrations(path, applied: set[tuple[str, str]]) -> None:
    ours = {(app, name) for app, name in applied if app in OUR_APPS}
    if not ours:
        raise _not_ours(path)
    unknown = sorted(ours - _known_migrations())
    if unknown:
        raise CommandError(
            f"{path} được tạo bởi phiên bản mới hơn của Grassroots (có migration "
            f"{unknown[0][0]}.{unknown[0][1]}): hãy cập nhật phần mềm trước khi khôi phục."
        )


def check_sqlite(path) -> None:
    """integrity_check, our tables and migrations — before the live database is touched."""
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            integrity = source.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {
                row[0]
                for row in source.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            applied = set()
            if "django_migrations" in tables:
                applied = set(source.execute("SELECT app, name FROM django_migrations"))
        finally:
            source.close()
    except sqlite3.DatabaseError:
        integrity = "unreadable"
    if integrity != "ok":
        raise CommandError(
            f"Tệp SQLite {path} bị hỏng (integrity_check thất bại): không khôi phục."
        )
    if set(REQUIRED_TABLES) - tables:
        raise _not_ours(path)
    _check_migrations(path, applied)


def check_json(path) -> None:
    """Parses the whole file (a cut-off file does not parse) and checks every object is one of
    our models."""
    from django.apps import apps

    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (ValueError, UnicodeDecodeError):
        raise CommandError(
            f"Tệp JSON {path} bị hỏng hoặc không đầy đủ (bị cắt ngang?): không khôi phục."
        ) from None
    if not isinstance(data, list) or not all(
        isinstance(item, dict) and isinstance(item.get("model"), str) and "fields" in item
        for item in data
    ):
        raise _not_ours(path)
    labels = {item["model"].lower() for item in data}
    known = {model._meta.label_lower for model in apps.get_models()}
    if labels - known or not {"accounts.user", "organizations.unit"} <= labels:
        raise _not_ours(path)


def check_pg_dump(path) -> None:
    if not pg_tool("pg_restore"):
        raise CommandError("Không tìm thấy pg_restore.")
    result = subprocess.run(
        [pg_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True
    )
    if result.returncode != 0:
        raise CommandError(f"Tệp pg_dump {path} bị hỏng: không khôi phục.")
    entries = {
        line.split()[-2]
        for line in result.stdout.splitlines()
        if " TABLE DATA " in line and not line.startswith(";")
    }
    if set(REQUIRED_TABLES) - entries:
        raise _not_ours(path)


@contextmanager
def plain_copy(path: str, workdir: Path):
    """The backup as a plain file with its kind: itself, or its decrypted copy (0600, removed
    afterwards). A JSON dump is handed over with a .json name, which loaddata needs."""
    kind = detect(path)
    made: Path | None = None
    try:
        if kind == "encrypted":
            workdir.mkdir(parents=True, exist_ok=True)
            made = workdir / f"{Path(path).name}.decrypted"
            decrypt_file(Path(path), made)
            kind = detect(str(made))
            path = str(made)
        if kind == "json" and not path.endswith(".json"):
            workdir.mkdir(parents=True, exist_ok=True)
            named = workdir / f"{Path(path).name}.json"
            named.unlink(missing_ok=True)
            if made is not None:
                made.rename(named)
            else:
                named.symlink_to(Path(path).resolve())
            made, path = named, str(named)
        yield path, kind
    finally:
        if made is not None:
            made.unlink(missing_ok=True)


# --- PostgreSQL tools ---------------------------------------------------------------------


def pg_tool(name: str) -> str | None:
    return shutil.which(name)


def run_pg(tool: str, settings_dict: dict, args: list[str]) -> None:
    """Run pg_dump / pg_restore against the Django database, the password in the environment."""
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    command = [pg_tool(tool) or tool]
    if settings_dict.get("HOST"):
        command.append(f"--host={settings_dict['HOST']}")
    if settings_dict.get("PORT"):
        command.append(f"--port={settings_dict['PORT']}")
    if settings_dict.get("USER"):
        command.append(f"--username={settings_dict['USER']}")
    command += ["--no-password", f"--dbname={settings_dict['NAME']}", *args]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or [""])[-1][:300]
        raise CommandError(f"{tool} thất bại, dữ liệu không thay đổi: {last}")
