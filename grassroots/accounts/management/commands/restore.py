"""grassroots restore FILE: replace the whole database with a backup made by `grassroots backup`.

The format is read from the file itself: an SQLite database, a pg_dump custom archive, or a JSON
dump, each possibly encrypted (GRASSROOTS_BACKUP_KEY). The file is checked completely first
(decrypts, parses, integrity_check, our tables and migrations: accounts/backup.py); only then is
the data replaced, in one step that either completes or changes nothing (issue 20 §6):
SQLite's backup API in one step, pg_restore --single-transaction, flush + loaddata in one
transaction. Every session is ended afterwards. Failures are one Vietnamese line, exit 1.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from grassroots.accounts import backup
from grassroots.core.cli import GrassrootsCommand
from grassroots.derived import name_index as search_index


class Command(GrassrootsCommand):
    help = "Khôi phục cơ sở dữ liệu từ một bản sao lưu (thay thế toàn bộ dữ liệu hiện có)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, file, interactive, database, **options):
        connection = connections[database]
        with backup.plain_copy(file, settings.VAR_DIR / "restore") as (plain, kind):
            self._check(plain, kind, connection)
            if interactive:
                answer = input(
                    f"Toàn bộ dữ liệu của {connection.settings_dict['NAME']} sẽ bị thay thế. "
                    "Gõ 'yes' để tiếp tục: "
                )
                if answer.strip().lower() != "yes":
                    raise CommandError("Đã hủy.")
            try:
                self._replace(plain, kind, connection, database)
            except Exception as exc:  # noqa: BLE001 — any failure: one line, no traceback
                # The replacement ran in one transaction: nothing changed.
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
                if "dữ liệu không thay đổi" not in first:
                    first = f"Khôi phục thất bại, dữ liệu không thay đổi: {first}"
                raise CommandError(first) from None
        self.stdout.write(f"Đã khôi phục từ {file} ({kind}).")

    def _check(self, plain: str, kind: str, connection) -> None:
        if kind == "sqlite":
            if connection.vendor != "sqlite":
                raise CommandError(
                    "Bản sao lưu SQLite chỉ khôi phục vào SQLite; hãy sao lưu với --format json."
                )
            backup.check_sqlite(plain)
        elif kind == "pg_dump":
            if connection.vendor != "postgresql":
                raise CommandError(
                    "Bản sao lưu pg_dump chỉ khôi phục vào PostgreSQL; hãy sao lưu với --format json."
                )
            backup.check_pg_dump(plain)
        else:
            backup.check_json(plain)

    def _replace(self, plain: str, kind: str, connection, database: str) -> None:
        if kind == "sqlite":
            import sqlite3

            connection.ensure_connection()
            source = sqlite3.connect(f"file:{plain}?mode=ro", uri=True)
            try:
                source.backup(connection.connection)  # all pages in one step: one transaction
            finally:
                source.close()
        elif kind == "pg_dump":
            connection.close()
            backup.run_pg(
                "pg_restore",
                connection.settings_dict,
                [
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    plain,
                ],
            )
        else:
            call_command("migrate", database=database, interactive=False, verbosity=0)
            with transaction.atomic(using=database):
                call_command("flush", database=database, interactive=False, verbosity=0)
                call_command("loaddata", plain, database=database, verbosity=0)
                search_index.rebuild()  # derived data, left out of JSON backups
        # A backup from an older version gets the newer tables and columns.
        call_command("migrate", database=database, interactive=False, verbosity=0)
        with connection.cursor() as cursor:
            # Nobody stays signed in across a restore (older backups still held sessions).
            cursor.execute("DELETE FROM django_session")
