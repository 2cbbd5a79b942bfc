"""The import format's building blocks and the registry of sheets.

A sheet is declared by the app that owns its data (`organizations/sheets.py`,
`members/sheets.py`, `territory/sheets.py`): its title, columns (header, type, required, code
list), natural key, help and examples, and a `Part` (excel/parts.py) that checks and writes its
rows. `settings.EXCEL_SHEETS` lists those modules in order (the order of the sheets in a
workbook, and of the checks and writes). Templates, the reader, the importer, the import-format
export and docs/import.md all read the registry, so they cannot drift apart; this module imports
no domain app (the apps import it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import import_module

from django.conf import settings
from django.utils import translation

from grassroots.core.text import fold

TEXT, DATE, INT, CODE = "text", "date", "int", "code"


@dataclass(frozen=True)
class Codes:
    """A coded field: stored value ↔ Vietnamese label. Either is accepted on import, any case."""

    name: str
    choices: tuple[tuple[str, str], ...]

    def labels(self) -> list[str]:
        return [label for _, label in self.choices]

    def label(self, value: str) -> str:
        return dict(self.choices).get(value, value)

    def lookup(self) -> dict[str, str]:
        table = {}
        for value, label in self.choices:
            table[fold(value)] = value
            table[fold(label)] = value
        return table


def codes(name: str, choices, exclude: tuple[str, ...] = ()) -> Codes:
    """A code list from a model's choices, labelled in Vietnamese."""
    with translation.override("vi"):
        return Codes(name, tuple((str(v), str(label)) for v, label in choices if v not in exclude))


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    type: str = TEXT
    required: bool = False
    codes: Codes | None = None
    help: str = ""
    width: int = 16


@dataclass(frozen=True)
class Sheet:
    kind: str  # the KIND of `grassroots template KIND`
    name: str  # the sheet's title in the workbook
    columns: tuple[Column, ...]
    key: str  # how a row is identified (docs)
    help: str = ""
    examples: tuple[tuple, ...] = field(default=())

    def column(self, field_name: str) -> Column:
        return next(c for c in self.columns if c.field == field_name)

    def header(self, field_name: str) -> str:
        return self.column(field_name).header


# Decision columns shared by several sheets (organizations, changes, events).
DECISION = (
    Column(
        "decision_number", "Số quyết định", help="Số của quyết định (ví dụ 125-QĐ/TU).", width=16
    ),
    Column("decision_date", "Ngày quyết định", DATE, width=14),
    Column("issuing_body", "Cơ quan ban hành", width=24),
)


# ---- the registry -----------------------------------------------------------------------


@cache
def modules() -> tuple:
    """The sheet modules of settings.EXCEL_SHEETS, imported once, in order."""
    return tuple(import_module(path) for path in settings.EXCEL_SHEETS)


def parts() -> tuple:
    """The Part classes, in order."""
    return tuple(module.PART for module in modules())


@cache
def sheets() -> tuple[Sheet, ...]:
    return tuple(sheet for part in parts() for sheet in part.sheets)


def by_kind() -> dict[str, Sheet]:
    return {s.kind: s for s in sheets()}


def all_codes() -> tuple[Codes, ...]:
    """Every code list, in the order the sheets first use them (the "Danh mục" sheet)."""
    found: dict[str, Codes] = {}
    for sheet in sheets():
        for column in sheet.columns:
            if column.codes is not None:
                found.setdefault(column.codes.name, column.codes)
    return tuple(found.values())


ALIASES = {
    "organization-changes": "changes",
    "organization_changes": "changes",
    "member-events": "events",
    "member_events": "events",
}


def kind_names() -> list[str]:
    return [s.kind for s in sheets()] + ["all"]


def sheets_for(kind: str) -> tuple[Sheet, ...]:
    kind = ALIASES.get(kind, kind)
    if kind == "all":
        return sheets()
    if kind not in by_kind():
        raise KeyError(kind)
    return (by_kind()[kind],)


def sheet_by_name(name: str) -> Sheet | None:
    key = fold(name)
    return next((s for s in sheets() if fold(s.name) == key or s.kind == key), None)


def __getattr__(name: str):
    """`schema.SHEETS`, `schema.KIND_NAMES`, `schema.ALL_CODES` and each registered sheet by its
    kind in capitals (`schema.MEMBERS`), read from the registry when first asked for."""
    if name == "SHEETS":
        return sheets()
    if name == "KIND_NAMES":
        return kind_names()
    if name == "ALL_CODES":
        return all_codes()
    if name.isupper() and not name.startswith("_"):
        found = by_kind().get(name.lower())
        if found is not None:
            return found
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
