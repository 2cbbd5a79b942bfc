"""The excel app is the framework only (issue 10): it imports no domain app, and a sheet is
added by its own module plus one line in settings.EXCEL_SHEETS."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from grassroots.excel import schema
from grassroots.excel.importer import Importer
from grassroots.excel.workbooks import template_workbook

from .excel_helpers import workbook
from .factories import SYSTEM

FRAMEWORK = [
    "schema",
    "parts",
    "importer",
    "reader",
    "cells",
    "limits",
    "injection",
    "workbooks",
    "jobs",
    "tasks",
    "models",
]
# core helpers, the audit trail, and the worker infrastructure (ops: heartbeats) — no domain app
ALLOWED = ("grassroots.excel", "grassroots.core", "grassroots.audit", "grassroots.ops")


def test_the_framework_imports_no_domain_app():
    root = Path(schema.__file__).parent
    for name in FRAMEWORK:
        tree = ast.parse((root / f"{name}.py").read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.level == 0
                and node.module.startswith("grassroots")
            ):
                assert node.module.startswith(ALLOWED), f"excel/{name}.py imports {node.module}"


def test_the_registry_follows_settings():
    assert [s.kind for s in schema.SHEETS] == [
        "organizations",
        "changes",
        "members",
        "events",
        "villages",
        "population",
        "candidates",
        "candidate_steps",
        "cadre_terms",
        "cadre_posts",
        "qualifications",
        "courses",
        "enrolments",
        "meetings",
        "meeting_marks",
        "meeting_quality",
        "inspection_cases",
        "inspection_decisions",
        "inspection_suspensions",
        "directives",
        "directive_requirements",
    ]
    assert (
        schema.MEMBERS.name == "Đảng viên" and schema.sheet_by_name("dân số") is schema.POPULATION
    )


@pytest.fixture
def with_notes(settings):
    settings.EXCEL_SHEETS = [*settings.EXCEL_SHEETS, "tests.excel_extra_sheet"]
    schema.modules.cache_clear()
    schema.sheets.cache_clear()
    yield
    schema.modules.cache_clear()
    schema.sheets.cache_clear()


@pytest.mark.django_db
def test_a_new_module_adds_a_sheet_with_one_registration(with_notes, tmp_path):
    from tests.excel_extra_sheet import NotesPart

    assert schema.sheet_by_name("Ghi chú").kind == "notes"
    assert "Ghi chú" in template_workbook("all").sheetnames
    path = workbook(
        tmp_path / "n.xlsx", {"Ghi chú": [["Số", "Nội dung"], [1, "một"], [-2, "âm"], ["x", ""]]}
    )
    report = Importer(path).run(actor=SYSTEM)
    assert report.messages() == [
        "Sheet Ghi chú, dòng 3, cột Số: số phải dương.",
        "Sheet Ghi chú, dòng 4, cột Số: “x” không phải là số nguyên.",
    ]
    assert NotesPart.seen == [{"number": 1, "text": "một"}]
