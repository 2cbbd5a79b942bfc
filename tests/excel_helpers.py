"""Helpers for the Excel tests: write small workbooks, empty the registry."""

from __future__ import annotations

import datetime as dt

from openpyxl import Workbook

from grassroots.excel import schema


def headers(sheet: schema.Sheet) -> list[str]:
    return [c.header for c in sheet.columns]


def workbook(path, sheets: dict[str, list[list]]) -> str:
    """sheets: title → rows (first row = header)."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return str(path)


ORG_ROWS = [
    ["LS", "Đảng bộ tỉnh Lạng Sơn", "Đảng bộ tỉnh", "", "", dt.date(2000, 1, 1)],
    [
        "LS-D",
        "Đảng bộ huyện Đình Lập",
        "Đảng bộ cấp huyện, trực thuộc tỉnh",
        "",
        "LS",
        dt.date(2000, 1, 1),
    ],
    [
        "LS-C1",
        "Chi bộ xã Bắc Xa",
        "Chi bộ cơ sở",
        "Xã, phường, thị trấn, đặc khu",
        "LS-D",
        dt.date(2000, 1, 1),
    ],
    ["LS-C2", "Chi bộ xã Bính Xá", "grassroots_cell", "commune", "ls-d", "01/01/2000"],
]


def member_row(
    number="000001LS",
    name="Nguyễn Văn An",
    unit="LS-C1",
    admitted="19/05/2005",
    decided="10/05/2005",
    birth="15/03/1980",
):
    return [
        number,
        name,
        "Nam",
        birth,
        "Tày",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        unit,
        admitted,
        decided,
        "",
        "",
    ]


def basic(path, members=None, events=None, extra=None) -> str:
    sheets = {
        schema.ORGANIZATIONS.name: [headers(schema.ORGANIZATIONS), *ORG_ROWS],
        schema.MEMBERS.name: [
            headers(schema.MEMBERS),
            *(members if members is not None else [member_row()]),
        ],
    }
    if events is not None:
        sheets[schema.EVENTS.name] = [headers(schema.EVENTS), *events]
    sheets.update(extra or {})
    return workbook(path, sheets)


def wipe_registry() -> None:
    """Empty every registry table (audit records are append-only and stay)."""
    from grassroots.accounts.models import User
    from grassroots.figures.models import FigureDelta
    from grassroots.members.models import Member, MemberEvent, MemberStint
    from grassroots.organizations.models import Unit, UnitAncestry, UnitChange, UnitVersion
    from grassroots.territory.models import Population, Village, VillageVersion

    User.objects.update(scope=None)
    FigureDelta.objects.all().delete()
    MemberStint.objects.all().delete()
    MemberEvent.objects.update(corrected_by=None)
    MemberEvent.objects.all().delete()
    Member.objects.all().delete()
    VillageVersion.objects.all().delete()
    Village.objects.all().delete()
    Population.objects.all().delete()
    UnitChange.objects.all().delete()
    UnitAncestry.objects.all().delete()
    UnitVersion.objects.all().delete()
    Unit.objects.all().delete()
