"""What an app implements to own sheets of the import workbook.

A `Part` checks and writes the rows of its sheets; the framework (excel/importer.py) reads the
file, types every cell by the sheet's columns, runs each part's `check()` in the order of
settings.EXCEL_SHEETS, and, if nothing is wrong, each part's `write()` inside the one
transaction of the import (all or nothing), then `finish()`. A part reports problems with
`self.problem(sheet, row, column, message)` ("Sheet …, dòng N, cột …: …") and counts rows with
`self.report.count(sheet, "created" | "updated" | "unchanged")`.

Parts run in order and may read the parts before them (`self.part(OrganizationsPart)`): members
need the organizations known from the database and the file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from .schema import Sheet

if TYPE_CHECKING:
    from grassroots.audit.services import Actor

    from .importer import Importer, Report

P = TypeVar("P", bound="Part")


@dataclass
class Row:
    """One data row: its number as the user sees it, and its typed values by field."""

    number: int
    values: dict


class Part:
    sheets: tuple[Sheet, ...] = ()

    def __init__(self, importer: Importer) -> None:
        self.importer = importer

    # ---- what the framework asks ----------------------------------------------------------
    def check(self) -> None:
        """Validate the rows of this part's sheets; remember what to write."""

    @property
    def has_writes(self) -> bool:
        return False

    @property
    def service_updates(self) -> bool:
        """Writes made through the ordinary services, whose refusals only show when played:
        a preview then plays the whole import in a transaction that is rolled back."""
        return False

    @property
    def bulk_members(self) -> int:
        """How many members this part will hand to the bulk loader (sizes its indexes)."""
        return 0

    def write(self, actor: Actor, audits: list[tuple]) -> None:
        """Write everything checked (inside the import's transaction); append audit tuples
        made by `self.audit(...)` for rows not written through a service."""

    def release(self) -> None:
        """Drop what was kept for writing (before the ledger rebuild needs the memory)."""

    def finish(self, actor: Actor) -> None:
        """After every part has written and the audit records are in."""

    # ---- helpers ---------------------------------------------------------------------------
    @property
    def user(self):
        return self.importer.user

    @property
    def report(self) -> Report:
        return self.importer.report

    def progress(self, phase: str, done: int, total: int) -> None:
        self.importer.progress(phase, done, total)

    def rows_of(self, sheet: Sheet) -> list[Row]:
        return self.importer.rows.get(sheet.kind, [])

    def part(self, cls: type[P]) -> P:
        return self.importer.part(cls)

    def problem(self, sheet: Sheet, row: int | None, column: str | None, message: str) -> None:
        self.importer.problem(sheet, row, column, message)

    def unmapped_value(self, sheet: Sheet, row: int, column: str, value: str) -> None:
        """A category value that matches no category: imported, and listed in the preview."""
        self.importer.unmapped_value(sheet, row, column, value)

    def field_errors(
        self, sheet: Sheet, row: int, error: ValidationError, columns: dict[str, str]
    ) -> None:
        self.importer.field_errors(sheet, row, error, columns)

    def service(self, sheet: Sheet, row: Row, call: Callable[[], object], columns) -> None:
        """Call a service for one row; its refusal becomes problems on that row."""
        try:
            with transaction.atomic():
                call()
        except ValidationError as exc:
            self.field_errors(sheet, row.number, exc, columns)
        except PermissionDenied as exc:  # the services' own role and scope check
            self.problem(sheet, row.number, None, str(exc))

    def audit(self, actor: Actor, object_type: str, pk, label: str, action: str, changes) -> tuple:
        return self.importer.audit(actor, object_type, pk, label, action, changes)
