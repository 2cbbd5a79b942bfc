"""Importing into a registry that already has the records: updates go through the services."""

from __future__ import annotations

import datetime as dt

import pytest

from grassroots.audit.models import AuditRecord
from grassroots.excel import schema
from grassroots.excel.importer import Importer
from grassroots.members.models import EventKind, Member
from grassroots.organizations.models import Unit
from grassroots.organizations.queries import version_at

from .excel_helpers import basic, headers, member_row, workbook
from .factories import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(tmp_path):
    report = Importer(basic(tmp_path / "first.xlsx")).run(actor=SYSTEM)
    assert report.written, report.messages()
    return tmp_path


def test_changed_profile_and_new_events_are_applied_through_services(loaded):
    row = member_row(name="Nguyễn Văn An")
    row[13] = "12345678"  # card number now known
    path = basic(
        loaded / "second.xlsx",
        members=[row],
        events=[
            [
                "000001LS",
                "Công nhận đảng viên chính thức",
                "19/05/2006",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
            [
                "000001LS",
                "Chuyển sinh hoạt chính thức",
                "01/01/2012",
                "LS-C2",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
        ],
    )
    preview = Importer(path).run(actor=SYSTEM, dry_run=True)
    assert preview.ok and not preview.written
    assert preview.counts["Đảng viên"] == {"created": 0, "updated": 1, "unchanged": 0}
    assert preview.counts["Sự kiện đảng viên"]["updated"] == 2
    assert Member.objects.get().card_number == ""
    report = Importer(path).run(actor=SYSTEM)
    assert report.written, report.messages()
    member = Member.objects.get()
    assert member.card_number == "12345678"
    assert [e.kind for e in member.events.order_by("date")] == [
        EventKind.ADMISSION,
        EventKind.OFFICIAL,
        EventKind.TRANSFER,
    ]
    assert member.stints.get(end__isnull=True).unit.code == "LS-C2"
    assert AuditRecord.objects.filter(object_type="memberevent", source="system").count() == 2
    again = Importer(path).run(actor=SYSTEM)
    assert not again.written and again.counts["Sự kiện đảng viên"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
    }


def test_an_update_refused_by_a_service_rolls_everything_back(loaded):
    # The member is still in LS-C1, so LS-C1 cannot be dissolved: the service says so.
    path = workbook(
        loaded / "third.xlsx",
        {
            schema.CHANGES.name: [
                headers(schema.CHANGES),
                ["LS-C2", "Đổi tên", "01/01/2020", "Chi bộ xã Bính Xá mới"],
                ["LS-C1", "Giải thể", "01/01/2020"],
            ],
        },
    )
    report = Importer(path).run(actor=SYSTEM)
    assert report.messages() == [
        "Sheet Thay đổi tổ chức, dòng 3, cột Ngày hiệu lực: Tổ chức còn đảng viên sinh hoạt: hãy chuyển sinh hoạt "
        "cho đảng viên trước."
    ]
    assert (
        version_at(Unit.objects.get(code="LS-C2"), dt.date(2021, 1, 1)).name == "Chi bộ xã Bính Xá"
    )


def test_a_new_change_on_an_existing_organization(loaded):
    path = workbook(
        loaded / "fourth.xlsx",
        {
            schema.CHANGES.name: [
                headers(schema.CHANGES),
                ["ls-c2", "rename", "01/01/2020", "Chi bộ xã Bính Xá mới"],
            ],
        },
    )
    assert Importer(path).run(actor=SYSTEM).written
    assert (
        version_at(Unit.objects.get(code="LS-C2"), dt.date(2021, 1, 1)).name
        == "Chi bộ xã Bính Xá mới"
    )
    assert not Importer(path).run(actor=SYSTEM).written  # already there


def test_an_organization_row_that_contradicts_the_registry(loaded):
    rows = [
        [c if c != "Chi bộ xã Bắc Xa" else "Tên khác" for c in r]
        for r in basic.__globals__["ORG_ROWS"]
    ]
    path = workbook(
        loaded / "fifth.xlsx", {schema.ORGANIZATIONS.name: [headers(schema.ORGANIZATIONS), *rows]}
    )
    assert Importer(path).run(actor=SYSTEM).messages() == [
        "Sheet Tổ chức đảng, dòng 4, cột Tên tổ chức: tổ chức LS-C1 đã có trong hệ thống với giá trị "
        "“Chi bộ xã Bắc Xa”. Thay đổi về sau hãy ghi ở sheet Thay đổi tổ chức."
    ]
