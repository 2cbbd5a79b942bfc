"""grassroots backup FILE: a consistent copy of the whole database, taken while the app runs.

SQLite: the online backup API (sqlite3 Connection.backup) copies a consistent snapshot page by
page; readers and writers keep working (WAL). PostgreSQL: pg_dump in custom format (-Fc), a
consistent snapshot too. `--format json` (or PostgreSQL without pg_dump) writes Django's
portable JSON dump instead, which can also move data from SQLite to PostgreSQL.

Every format leaves the sessions out, the file is 0600 from its creation, and with
GRASSROOTS_BACKUP_KEY set it is encrypted (accounts/backup.py; issue 20 §11).
"""

import os
import sqlite3
from pathlib import Path

from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections

from grassroots.accounts import backup
from grassroots.core.cli import BadArgument, GrassrootsCommand


class Command(GrassrootsCommand):
    help = "Sao lưu toàn bộ cơ sở dữ liệu vào FILE (có thể chạy khi ứng dụng đang hoạt động)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", choices=["native", "json"], default="native")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, file, format, database, **options):
        target = Path(file)
        if target.parent and not target.parent.exists():
            raise BadArgument(f"Thư mục {target.parent} không tồn tại.")
        connection = connections[database]
        vendor = connection.vendor
        tmp = backup.private_file(target.with_name(target.name + ".part"))
        if format == "native" and vendor == "sqlite":
            connection.ensure_connection()
            dest = sqlite3.connect(tmp)
            try:
                connection.connection.backup(dest)
                # No live sessions in a backup; secure_delete overwrites their pages with zeros.
                dest.execute("PRAGMA secure_delete = ON")
                dest.execute("DELETE FROM django_session")
                dest.commit()
            finally:
                dest.close()
            kind = "SQLite (online backup API)"
        elif format == "native" and vendor == "postgresql" and backup.pg_tool("pg_dump"):
            backup.run_pg(
                "pg_dump",
                connection.settings_dict,
                [
                    "--format=custom",
                    "--no-owner",
                    "--exclude-table-data=django_session",
                    f"--file={tmp}",
                ],
            )
            kind = "PostgreSQL (pg_dump, custom format)"
        else:
            if format == "native" and vendor != "sqlite":
                self.stderr.write("Không có pg_dump: dùng bản sao lưu JSON (dumpdata).")
            with open(tmp, "w", encoding="utf-8") as out:  # 0600 already
                call_command(
                    "dumpdata",
                    "--natural-foreign",
                    "--exclude=contenttypes",
                    "--exclude=auth.permission",
                    "--exclude=sessions",
                    "--exclude=members.MemberNameKey",  # derived: restore rebuilds it
                    database=database,
                    stdout=out,
                )
            kind = "JSON (dumpdata)"
        if backup.encryption_wanted():
            sealed = target.with_name(target.name + ".enc.part")
            try:
                backup.encrypt_file(tmp, sealed)
            finally:
                tmp.unlink(missing_ok=True)
            tmp, kind = sealed, f"{kind}, mã hóa ({backup.KEY_ENV})"
        os.replace(tmp, target)
        self.stdout.write(f"Đã sao lưu vào {target} — {kind}, {target.stat().st_size:,} byte.")
