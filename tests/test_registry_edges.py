"""Issue 12's registry edge cases 1–5: each was refused (or wrongly accepted) before and is
handled now. Units and members are made through the services; files go through the importer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from grassroots.excel.importer import Importer
from grassroots.members.models import EventKind, Member
from grassroots.members.sheets import EVENTS
from grassroots.organizations.models import Kind, Unit
from grassroots.organizations.queries import version_at
from grassroots.organizations.sheets import CHANGES, ORGANIZATIONS
from grassroots.restructure import services as restructure

from .excel_helpers import headers, workbook
from .factories import SYSTEM, admit, event, unit

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 7, 1)
KIND_LABELS = {k.value: str(k.label) for k in Kind}
ACTION_LABELS = {
    "rename": "Đổi tên",
    "move": "Chuyển trực thuộc",
    "change_kind": "Thay đổi cấp tổ chức",
    "merge": "Sáp nhập",
    "dissolve": "Giải thể",
}


@pytest.fixture
def tree():
    p = unit("P", Kind.PROVINCE)
    d = unit("P-D", Kind.DISTRICT, p)
    c1 = unit("P-C1", Kind.GRASSROOTS_CELL, d)
    c2 = unit("P-C2", Kind.GRASSROOTS_CELL, d)
    members = [admit(c1, "2010-05-01", profile_number=f"00000{i}PP") for i in (1, 2)]
    return {"P": p, "D": d, "C1": c1, "C2": c2, "members": members}


def change(code, action, day=DAY, **values) -> list:
    values = {
        "code": code,
        "action": ACTION_LABELS[action],
        "date": day,
        **values,
    }
    if "kind" in values:
        values["kind"] = KIND_LABELS[values["kind"]]
    return [values.get(c.field, "") for c in CHANGES.columns]


def move(number, target, day=DAY) -> list:
    values = {
        "profile_number": number,
        "kind": "Chuyển theo sắp xếp tổ chức",
        "date": day,
        "unit": target,
    }
    return [values.get(c.field, "") for c in EVENTS.columns]


def run(path, changes=(), events=(), organizations=()):
    sheets = {CHANGES.name: [headers(CHANGES), *changes]}
    if events:
        sheets[EVENTS.name] = [headers(EVENTS), *events]
    if organizations:
        sheets[ORGANIZATIONS.name] = [headers(ORGANIZATIONS), *organizations]
    return Importer(workbook(path, sheets)).run(actor=SYSTEM)


# 1. A stint is checked against the unit's kind for its whole length -----------------------
def test_backdated_admission_into_a_unit_that_later_became_a_committee_is_refused(tree):
    grown = unit("P-C3", Kind.GRASSROOTS_CELL, tree["D"])
    restructure.unit_change_kind(
        actor=SYSTEM, unit=grown, kind=Kind.GRASSROOTS_COMMITTEE, date=dt.date(2020, 1, 1)
    )
    with pytest.raises(ValidationError, match="không phải là chi bộ vào ngày 01/01/2020"):
        admit(grown, "2012-05-01")


def test_kind_change_before_members_arrive_is_refused(tree):
    with pytest.raises(ValidationError, match="đến sinh hoạt sau ngày thay đổi"):
        restructure.unit_change_kind(
            actor=SYSTEM,
            unit=tree["C1"],
            kind=Kind.GRASSROOTS_COMMITTEE,
            date=dt.date(2005, 1, 1),
            new_cell_code="P-C1-1",
        )


def test_kind_change_moves_a_member_whose_later_stints_only_change_status(tree):
    """A member here on the day, recognized and exempted later, is the same stay: it moves into
    the new cell with every later stint (was refused as "arriving after the day")."""
    from grassroots.members.models import MemberStint

    member = admit(tree["C1"], "2024-09-01")  # probationary on the day, recognized after it
    event(member, EventKind.OFFICIAL, "2025-09-01")
    event(member, EventKind.EXEMPTION, "2025-10-01")
    restructure.unit_change_kind(
        actor=SYSTEM,
        unit=tree["C1"],
        kind=Kind.GRASSROOTS_COMMITTEE,
        date=DAY,
        new_cell_code="P-C1-1",
    )
    cell = Unit.objects.get(code="P-C1-1")
    later = MemberStint.objects.filter(member=member, start__gte=DAY).order_by("start")
    assert [(s.unit_id, s.start, s.exempt) for s in later] == [
        (cell.pk, DAY, False),
        (cell.pk, dt.date(2025, 9, 1), False),
        (cell.pk, dt.date(2025, 10, 1), True),
    ]
    assert not MemberStint.objects.filter(unit=tree["C1"], end__isnull=True).exists()


def test_kind_change_refused_when_a_member_transfers_in_after_the_day(tree):
    member = admit(tree["C2"], "2012-05-01")
    event(member, EventKind.TRANSFER, "2025-09-01", unit=tree["C1"])
    with pytest.raises(ValidationError, match="đến sinh hoạt sau ngày thay đổi"):
        restructure.unit_change_kind(
            actor=SYSTEM,
            unit=tree["C1"],
            kind=Kind.GRASSROOTS_COMMITTEE,
            date=DAY,
            new_cell_code="P-C1-1",
        )


def test_import_cannot_leave_members_directly_in_a_committee(tmp_path):
    from .excel_helpers import member_row

    sheets = {
        ORGANIZATIONS.name: [
            headers(ORGANIZATIONS),
            ["Q", "Đảng bộ tỉnh Q", "Đảng bộ tỉnh", "", "", dt.date(2000, 1, 1)],
            ["Q-D", "Huyện", KIND_LABELS[Kind.DISTRICT], "", "Q", dt.date(2000, 1, 1)],
            [
                "Q-C",
                "Xã",
                KIND_LABELS[Kind.GRASSROOTS_CELL],
                "Xã, phường, thị trấn, đặc khu",
                "Q-D",
                dt.date(2000, 1, 1),
            ],
        ],
        CHANGES.name: [
            headers(CHANGES),
            change("Q-C", "change_kind", dt.date(2020, 1, 1), kind=Kind.GRASSROOTS_COMMITTEE),
        ],
        "Đảng viên": [
            headers(__import__("grassroots.members.sheets", fromlist=["MEMBERS"]).MEMBERS),
            member_row(unit="Q-C", admitted="19/05/2010", decided="10/05/2010"),
        ],
    }
    report = Importer(workbook(tmp_path / "f.xlsx", sheets)).run(actor=SYSTEM)
    assert not report.written
    assert any("không phải là chi bộ vào ngày 01/01/2020" in m for m in report.messages())


# 2. A cell dissolved in the file that moves its members out ---------------------------------
def test_cell_dissolved_in_the_file_that_moves_its_members_out(tree, tmp_path):
    events = [move(m.profile_number, "P-C2") for m in tree["members"]]
    report = run(tmp_path / "f.xlsx", [change("P-C1", "dissolve")], events)
    assert report.written, report.messages()
    assert Unit.objects.get(code="P-C1").ended == DAY
    for m in tree["members"]:
        assert m.stints.get(end__isnull=True).unit.code == "P-C2"


# 3. A merger with the restructure rows the export writes for it ----------------------------
def test_merger_with_its_own_restructure_rows_records_each_move_once(tree, tmp_path):
    events = [move(m.profile_number, "P-C2") for m in tree["members"]]
    report = run(tmp_path / "f.xlsx", [change("P-C1", "merge", target="P-C2")], events)
    assert report.written, report.messages()
    for m in tree["members"]:
        assert m.events.filter(kind=EventKind.RESTRUCTURE).count() == 1


# 4. A kind change of a cell with members, and a new sub-cell under it in the same file ------
def test_kind_change_with_receiving_cell_and_a_new_subcell(tree, tmp_path):
    organizations = [
        ["P-C1-B", "Chi bộ thôn B", KIND_LABELS[Kind.SUBORDINATE_CELL], "", "P-C1", DAY],
    ]
    rows = [
        change(
            "P-C1",
            "change_kind",
            kind=Kind.GRASSROOTS_COMMITTEE,
            new_cell_code="P-C1-A",
            new_cell_name="Chi bộ thôn A",
        )
    ]
    events = [move(tree["members"][1].profile_number, "P-C1-B")]
    report = run(tmp_path / "f.xlsx", rows, events, organizations)
    assert report.written, report.messages()
    assert version_at(tree["C1"], DAY).kind == Kind.GRASSROOTS_COMMITTEE
    cells = {m.pk: m.stints.get(end__isnull=True).unit.code for m in Member.objects.all()}
    assert cells == {tree["members"][0].pk: "P-C1-A", tree["members"][1].pk: "P-C1-B"}


def test_kind_change_refusal_points_at_the_receiving_cell_column(tree, tmp_path):
    rows = [change("P-C1", "change_kind", kind=Kind.GRASSROOTS_COMMITTEE)]
    report = run(tmp_path / "f.xlsx", rows)
    assert not report.written
    problem = report.problems[0]
    assert problem.column == "Mã chi bộ nhận đảng viên", report.messages()


# 5. Same-day rows of existing organizations in any order -------------------------------------
def test_same_day_rows_in_any_order(tree, tmp_path):
    rows = [
        change("P-D", "dissolve"),
        change("P-C1", "rename", name="Chi bộ xã Mới"),
        change("P-C1", "move", parent="P"),
        change("P-C2", "move", parent="P"),
    ]
    report = run(tmp_path / "f.xlsx", rows)
    assert report.written, report.messages()
    assert Unit.objects.get(code="P-D").ended == DAY
    version = version_at(tree["C1"], DAY)
    assert (version.name, version.parent.code) == ("Chi bộ xã Mới", "P")


# 9. docs/import.md says what the import does ---------------------------------------------
def test_import_docs_list_every_column_of_the_registry_sheets_with_its_help():
    from pathlib import Path

    from grassroots.members.sheets import MEMBERS

    text = (Path(__file__).resolve().parent.parent / "docs" / "import.md").read_text()
    for sheet in (ORGANIZATIONS, CHANGES, MEMBERS, EVENTS):
        section = text.split(f"### Sheet “{sheet.name}”")[1].split("\n### ")[0]
        assert sheet.help in section
        for column in sheet.columns:
            line = next(
                (x for x in section.splitlines() if x.startswith(f"| {column.header} |")), None
            )
            assert line is not None, (sheet.name, column.header)
            if column.help:
                assert column.help in line, (sheet.name, column.header)
    assert "does not check it" not in text  # the admission age is checked (lifecycle)
    assert "stays probationary" in text.replace("(dự bị) ", "")
