"""A split from Excel (issue 12: "from Excel (the organization-changes sheet becomes a plan)"): a
"Chia tách" row names its parts, the parts' rows of "Tổ chức đảng" describe them, members go by
"Chuyển theo sắp xếp tổ chức" rows and sub-organizations by "Chuyển trực thuộc" rows into the
parts — in any row order — and the result equals the same split made through the service."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from openpyxl import load_workbook

from grassroots.accounts.models import User
from grassroots.excel import exporter
from grassroots.excel.workbooks import write_xlsx
from grassroots.members.sheets import EVENTS
from grassroots.organizations.models import Kind, Unit
from grassroots.organizations.queries import version_at
from grassroots.organizations.sheets import CHANGES, ORGANIZATIONS
from grassroots.plans.models import Plan
from grassroots.restructure import services as restructure

from . import plan_world as world
from .excel_helpers import headers, workbook
from .factories import SYSTEM

pytestmark = pytest.mark.django_db

DAY = world.DAY
COMMUNE = "Xã, phường, thị trấn, đặc khu"
DISTRICT = "Đảng bộ cấp huyện, trực thuộc tỉnh"


def _row(sheet, **values) -> list:
    return [values.get(c.field, "") for c in sheet.columns]


def split_workbook(path, built, parts="P-DA; P-DB", with_b=True) -> str:
    """District P-D1 split in two: communes 1–2 go to P-DA by explicit rows, commune 3 to P-DB,
    commune 4 is not named (it goes to the first part). Cell P-D2-C1 split in two: its second
    member goes to P-D2-C1B by a restructure row, the first is not named (first part)."""
    orgs = [
        _row(ORGANIZATIONS, code="P-DA", name="Đảng bộ huyện A", kind=DISTRICT, parent="P",
             established=DAY),
        _row(ORGANIZATIONS, code="P-D2-C1A", name="Chi bộ xã Một A", kind="Chi bộ cơ sở",
             grassroots_type=COMMUNE, parent="P-D2", established=DAY),
        _row(ORGANIZATIONS, code="P-D2-C1B", name="Chi bộ xã Một B", kind="Chi bộ cơ sở",
             grassroots_type=COMMUNE, parent="P-D2", established=DAY),
    ]  # fmt: skip
    if with_b:
        orgs.insert(
            0,
            _row(ORGANIZATIONS, code="P-DB", name="Đảng bộ huyện B", kind=DISTRICT, parent="P",
                 established=DAY),
        )  # fmt: skip
    changes = [
        _row(CHANGES, code="P-D1-C3", action="Chuyển trực thuộc", date=DAY, parent="P-DB"),
        _row(CHANGES, code="P-D2-C1", action="Chia tách", date=DAY, parts="P-D2-C1A; P-D2-C1B",
             decision_number="07-QĐ/TU"),
        _row(CHANGES, code="P-D1-C1", action="Chuyển trực thuộc", date=DAY, parent="P-DA"),
        _row(CHANGES, code="P-D1", action="Chia tách", date=DAY, parts=parts,
             decision_number="07-QĐ/TU"),
        _row(CHANGES, code="P-D1-C2", action="Chuyển trực thuộc", date=DAY, parent="P-DA"),
    ]  # fmt: skip
    moved = built["members"]["P-D2-C1"][1]
    events = [
        _row(EVENTS, profile_number=moved.profile_number, kind="Chuyển theo sắp xếp tổ chức",
             date=DAY, unit="P-D2-C1B"),
    ]  # fmt: skip
    return workbook(
        path,
        {
            CHANGES.name: [headers(CHANGES), *changes],
            EVENTS.name: [headers(EVENTS), *events],
            ORGANIZATIONS.name: [headers(ORGANIZATIONS), *orgs],
        },
    )


def by_the_service(built) -> None:
    """The same two splits made through `restructure.unit_split`, as a clerk's form does."""
    get = Unit.objects.get
    restructure.unit_split(
        actor=SYSTEM,
        unit=get(code="P-D1"),
        parts=[
            restructure.SplitPart("P-DA", "Đảng bộ huyện A", Kind.DISTRICT),
            restructure.SplitPart("P-DB", "Đảng bộ huyện B", Kind.DISTRICT),
        ],
        date=DAY,
        assign={},
        assign_children={get(code="P-D1-C3").pk: "P-DB"},
    )
    restructure.unit_split(
        actor=SYSTEM,
        unit=get(code="P-D2-C1"),
        parts=[
            restructure.SplitPart("P-D2-C1A", "Chi bộ xã Một A", Kind.GRASSROOTS_CELL, "commune"),
            restructure.SplitPart("P-D2-C1B", "Chi bộ xã Một B", Kind.GRASSROOTS_CELL, "commune"),
        ],
        date=DAY,
        assign={built["members"]["P-D2-C1"][1].pk: "P-D2-C1B"},
        assign_children={},
    )


class _Undo(Exception):
    pass


def test_split_from_a_workbook_in_any_order_equals_the_service(tmp_path):
    built = world.build()
    path = split_workbook(tmp_path / "split.xlsx", built)
    days = (DAY, dt.date(2026, 1, 1))
    try:
        with transaction.atomic():
            by_the_service(built)
            expected = world.figures_of_all(days)
            raise _Undo
    except _Undo:
        pass
    call_command("plan", "apply", path)
    assert world.figures_of_all(days) == expected
    parent = {
        c: version_at(Unit.objects.get(code=c), DAY).parent.code
        for c in ("P-D1-C1", "P-D1-C2", "P-D1-C3", "P-D1-C4")
    }
    assert parent == {"P-D1-C1": "P-DA", "P-D1-C2": "P-DA", "P-D1-C3": "P-DB", "P-D1-C4": "P-DA"}
    first, second = built["members"]["P-D2-C1"]
    assert first.stints.get(end__isnull=True).unit.code == "P-D2-C1A"
    assert second.stints.get(end__isnull=True).unit.code == "P-D2-C1B"
    # one restructure event per member: the explicit row was the split's own move
    assert second.events.filter(kind="restructure").count() == 1
    assert not Unit.objects.get(code="P-D1").exists_on(DAY)

    # The export writes the parts, so the file can be read again as the same plan.
    root = User.objects.create_superuser("root", password="Grassroots@2026")
    out = io.BytesIO()
    write_xlsx(exporter.import_format_export(root, Unit.objects.get(code="P"), SYSTEM), out)
    ws = load_workbook(io.BytesIO(out.getvalue()))[CHANGES.name]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    header = next(r for r in rows if CHANGES.header("parts") in r)
    col = header.index(CHANGES.header("parts"))
    split = next(r for r in rows if r[0] == "P-D1" and r[1] == "Chia tách")
    assert split[col] == "P-DA; P-DB"


def test_split_part_without_its_organization_row_is_refused_and_nothing_written(tmp_path, capsys):
    built = world.build()
    path = split_workbook(tmp_path / "split.xlsx", built, with_b=False)
    with pytest.raises(CommandError) as failed:
        call_command("plan", "apply", path)
    assert failed.value.returncode == 1
    err = capsys.readouterr().err
    assert "Mã các tổ chức tách ra" in err and "P-DB chưa có dòng ở sheet Tổ chức đảng" in err
    assert Plan.objects.count() == 0 and not Unit.objects.filter(code="P-DA").exists()


def test_split_with_one_part_is_refused_naming_the_row(tmp_path, capsys):
    built = world.build()
    path = split_workbook(tmp_path / "split.xlsx", built, parts="P-DA")
    with pytest.raises(CommandError):
        call_command("plan", "apply", path)
    err = capsys.readouterr().err
    assert "dòng 5" in err and "Chia tách cần ít nhất hai tổ chức mới" in err
    assert Unit.objects.get(code="P-D1").exists_on(DAY)
