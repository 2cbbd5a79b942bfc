"""Round trip: export a province in the import format, import it into an empty registry, and
get the same figures at every year-end; importing the same file again changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from grassroots.audit.models import AuditRecord
from grassroots.figures.queries import figures
from grassroots.members.models import EventKind, Member, MemberEvent
from grassroots.organizations import services as orgs
from grassroots.organizations.models import Kind, Unit
from grassroots.restructure import services as restructure
from grassroots.territory.models import (
    CellArrangement,
    Population,
    Village,
    VillageKind,
    VillageVersion,
)

from .excel_helpers import wipe_registry
from .factories import SYSTEM, admit, d, event, unit

pytestmark = pytest.mark.django_db(transaction=False)

YEAR_ENDS = [dt.date(y, 12, 31) for y in range(2000, dt.date.today().year)] + [dt.date.today()]


def build_province():
    p = unit("LS", Kind.PROVINCE, name="Đảng bộ tỉnh Lạng Sơn")
    d1 = unit("D1", Kind.DISTRICT, p, name="Đảng bộ huyện Đình Lập")
    d2 = unit("D2", Kind.DISTRICT, p, name="Đảng bộ huyện Lộc Bình")
    g1 = unit("G1", Kind.GRASSROOTS_CELL, d1, name="Chi bộ xã Bắc Xa")
    g2 = unit("G2", Kind.GRASSROOTS_CELL, d1, name="Chi bộ xã Bính Xá")
    g3 = unit(
        "G3", Kind.GRASSROOTS_COMMITTEE, d2, name="Đảng bộ Công ty Than", type="enterprise_state"
    )
    s1 = unit("S1", Kind.SUBORDINATE_CELL, g3, name="Chi bộ Phân xưởng 1")
    s2 = unit("S2", Kind.SUBORDINATE_CELL, g3, date="2005-01-01", name="Chi bộ Phân xưởng 2")

    a = admit(g1, "2001-03-01", full_name="Hoàng Văn Ấn")
    event(a, EventKind.OFFICIAL, "2002-03-01")
    event(a, EventKind.TRANSFER, "2008-05-01", unit=s1)
    event(a, EventKind.EXEMPTION, "2012-01-01")
    event(a, EventKind.DEATH, "2020-02-02")
    b = admit(g2, "2003-06-10", full_name="Lương Thị Bình", gender="F")
    event(b, EventKind.OFFICIAL, "2004-06-10")
    c = admit(s1, "2004-01-01", full_name="Vi Văn Cường")
    event(c, EventKind.OFFICIAL, "2005-01-01")
    event(c, EventKind.TRANSFER, "2010-01-01", unit=g2)
    e = admit(s2, "2006-06-06", full_name="Nông Thị Én", gender="F")
    event(e, EventKind.OFFICIAL, "2007-06-06")
    event(e, EventKind.TEMP_ATTACH, "2009-01-01", unit=g1)
    event(e, EventKind.TEMP_RETURN, "2010-01-01")
    f = admit(g1, "2016-04-04", full_name="Mã Văn Phúc")
    event(f, EventKind.REMOVAL, "2016-10-10")

    orgs.unit_rename(
        actor=SYSTEM, unit=g3, name="Đảng bộ Công ty Than Na Dương", date=d("2012-03-01")
    )
    restructure.unit_merge(
        actor=SYSTEM,
        sources=[g2],
        target=g1,
        date=d("2015-01-01"),
        decision=orgs.Decision("99-QĐ/HU", d("2014-12-20"), "Huyện ủy Đình Lập"),
    )
    orgs.unit_move(actor=SYSTEM, unit=g1, new_parent=d2, date=d("2018-01-01"))
    event(e, EventKind.TRANSFER, "2019-03-01", unit=s1)
    restructure.unit_dissolve(actor=SYSTEM, unit=s2, date=d("2019-06-01"))
    event(b, EventKind.TRANSFER_OUT, "2021-05-05", place="Tỉnh Cao Bằng")
    for cell in (g1, g3):
        orgs.unit_move(actor=SYSTEM, unit=cell, new_parent=p, date=d("2025-07-01"))
    for district in (d1, d2):
        restructure.unit_dissolve(actor=SYSTEM, unit=district, date=d("2025-07-01"))

    village = Village.objects.create(code="BX-01", name="Thôn Bản Chuông", kind=VillageKind.THON)
    VillageVersion.objects.create(
        village=village,
        valid_from=d("2000-01-01"),
        valid_to=d("2010-01-01"),
        unit=g1,
        arrangement=CellArrangement.JOINT,
        cell=g1,
    )
    VillageVersion.objects.create(
        village=village, valid_from=d("2010-01-01"), unit=g1, arrangement=CellArrangement.OWN
    )
    Population.objects.create(unit=g1, year=2008, population=4210)
    Population.objects.create(unit=g1, year=2019, population=4500)
    Population.objects.create(unit=d1, year=2019, population=25000)


def snapshot() -> dict:
    out = {}
    for u in Unit.objects.all():
        for at in YEAR_ENDS:
            data = figures(u, at).as_json()
            out[(u.code, at)] = data
        out[(u.code, "since")] = figures(u, YEAR_ENDS[-1], dt.date(2005, 1, 1)).as_json()
    return out


def test_export_then_import_into_empty_registry_gives_identical_figures(tmp_path):
    build_province()
    before = snapshot()
    events_before = MemberEvent.objects.filter(voided_at__isnull=True).count()
    path = tmp_path / "ls.xlsx"
    call_command("export", "workbook", str(path), unit="LS")
    wipe_registry()
    assert Unit.objects.count() == 0
    call_command("import", str(path), no_progress=True)
    assert Member.objects.count() == 5
    assert MemberEvent.objects.count() == events_before
    after = snapshot()
    assert set(after) == set(before)
    for key in before:
        assert after[key] == before[key], key
    assert (
        AuditRecord.objects.filter(source="import", object_type="member", action="create").count()
        == 5
    )

    # Importing the same file again changes nothing and writes nothing.
    audit_count = AuditRecord.objects.count()
    call_command("import", str(path), no_progress=True)
    assert AuditRecord.objects.count() == audit_count
    assert snapshot() == before


def test_reimport_into_the_source_registry_changes_nothing(tmp_path):
    build_province()
    before = snapshot()
    path = tmp_path / "ls.xlsx"
    call_command("export", "workbook", str(path), unit="LS")
    audit_count = AuditRecord.objects.count()
    from grassroots.excel.importer import Importer

    report = Importer(path).run(actor=SYSTEM)
    assert report.ok, report.messages()
    assert not report.written
    assert all(c["created"] == 0 and c["updated"] == 0 for c in report.counts.values()), (
        report.counts
    )
    assert AuditRecord.objects.count() == audit_count
    assert snapshot() == before


@pytest.mark.django_db(
    transaction=True
)  # the demo builder sets SQLite pragmas outside a transaction
def test_demo_round_trip_if_the_demo_builder_exists(tmp_path):
    demo = pytest.importorskip("grassroots.demo.build")
    if not hasattr(demo, "build_demo"):
        pytest.skip("build_demo not available yet")
    demo.build_demo(seed=7, scale=0.05)
    root = Unit.objects.get(code="LS")
    ats = YEAR_ENDS[::3] + [YEAR_ENDS[-1]]
    before = {(u.code, at): figures(u, at).as_json() for u in Unit.objects.all() for at in ats}
    path = tmp_path / "demo.xlsx"
    call_command("export", "workbook", str(path), unit=root.code)
    wipe_registry()
    from grassroots.excel.importer import Importer

    report = Importer(path).run(actor=SYSTEM)
    if not report.ok:
        pytest.fail(
            "the demo's export is refused by the import rules:\n"
            + "\n".join(report.messages()[:20])
        )
    after = {(u.code, at): figures(u, at).as_json() for u in Unit.objects.all() for at in ats}
    assert after == before
