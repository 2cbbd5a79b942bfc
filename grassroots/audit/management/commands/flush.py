"""Django's `flush`, able to empty the append-only audit tables on SQLite.

On SQLite the audit tables refuse UPDATE and DELETE by trigger (audit migration 0004); flush
empties tables with DELETE, so it lifts the triggers for its own statements and puts them back,
as TRUNCATE gets past the PostgreSQL trigger. Used by a JSON restore and by test teardown."""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import DEFAULT_DB_ALIAS, connections

from grassroots.audit.sqlite_guard import sqlite_audit_triggers_lifted
from grassroots.core.cli import CommandLine


class Command(CommandLine, FlushCommand):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        with sqlite_audit_triggers_lifted(connection):
            return super().handle(**options)
