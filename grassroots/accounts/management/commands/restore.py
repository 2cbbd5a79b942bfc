"""grassroots restore FILE: replace the whole database with a backup made by `grassroots backup`.

The format is read from the file itself: an SQLite database, a pg_dump custom archive, or a JSON
dump. Everything in the current database is replaced; the command asks first unless --noinput.
"""

import sqlite3

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from grassroots.accounts import backup
from grassroots.derived import name_index as search_index


class Command(BaseCommand):
    help = "Khôi phục cơ sở dữ liệu từ một bản sao lưu (thay thế toàn bộ dữ liệu hiện có)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, file, interactive, database, **options):
        kind = backup.detect(file)
        connection = connections[database]
        if interactive:
            answer = input(
                f"Toàn bộ dữ liệu của {connection.settings_dict['NAME']} sẽ bị thay thế. Gõ 'yes' để tiếp tục: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Đã hủy.")
        if kind == "sqlite":
            if connection.vendor != "sqlite":
                raise CommandError(
                    "Bản sao lưu SQLite chỉ khôi phục vào SQLite; hãy sao lưu với --format json."
                )
            connection.ensure_connection()
            source = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
            try:
                source.backup(connection.connection)
            finally:
                source.close()
        elif kind == "pg_dump":
            if connection.vendor != "postgresql":
                raise CommandError(
                    "Bản sao lưu pg_dump chỉ khôi phục vào PostgreSQL; hãy sao lưu với --format json."
                )
            if not backup.pg_tool("pg_restore"):
                raise CommandError("Không tìm thấy pg_restore.")
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
                    file,
                ],
            )
        else:
            call_command("migrate", database=database, interactive=False, verbosity=0)
            call_command("flush", database=database, interactive=False, verbosity=0)
            call_command("loaddata", file, database=database, verbosity=0)
            with transaction.atomic(using=database):
                search_index.rebuild()  # derived data, left out of JSON backups
        self.stdout.write(f"Đã khôi phục từ {file} ({kind}).")
