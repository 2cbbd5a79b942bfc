"""Organization tree rules (issue 2 point 2; domain.md §1)."""

import pytest
from django.core.exceptions import ValidationError

from grassroots.audit.models import AuditRecord
from grassroots.figures.queries import figures
from grassroots.members.models import EventKind
from grassroots.organizations import services as orgs
from grassroots.organizations.models import Kind, UnitChange
from grassroots.organizations.queries import unit_rows, version_at
from grassroots.restructure import services as restructure

from .factories import SYSTEM, admit, d, event, unit
from .reference import fast, reference

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    P = unit("P", Kind.PROVINCE)
    D = unit("D", Kind.DISTRICT, P)
    D2 = unit("D2", Kind.DISTRICT, P)
    G = unit("G", Kind.GRASSROOTS_COMMITTEE, D)
    C = unit("C", Kind.SUBORDINATE_CELL, G)
    return P, D, D2, G, C


def test_kind_must_fit_under_its_parent(tree):
    P, D, _, G, C = tree
    with pytest.raises(ValidationError, match="không thể trực thuộc"):
        unit("X", Kind.SUBORDINATE_CELL, D)
    with pytest.raises(ValidationError, match="không thể trực thuộc"):
        orgs.unit_move(actor=SYSTEM, unit=C, new_parent=P, date=d("2010-01-01"))


def test_cycles_are_refused(tree):
    P, D, _, G, _ = tree
    with pytest.raises(ValidationError):
        orgs.unit_move(actor=SYSTEM, unit=D, new_parent=G, date=d("2010-01-01"))
    with pytest.raises(ValidationError, match="vòng lặp"):
        orgs._check_no_cycle(D, G, d("2010-01-01"))
    with pytest.raises(ValidationError, match="chính nó"):
        orgs.unit_move(actor=SYSTEM, unit=G, new_parent=G, date=d("2010-01-01"))


def test_changes_outside_the_lifetime_are_refused(tree):
    _, D, D2, G, C = tree
    with pytest.raises(ValidationError, match="chưa thành lập"):
        orgs.unit_rename(actor=SYSTEM, unit=G, name="Mới", date=d("1999-01-01"))
    restructure.unit_dissolve(actor=SYSTEM, unit=C, date=d("2010-01-01"))
    with pytest.raises(ValidationError, match="kết thúc"):
        orgs.unit_rename(actor=SYSTEM, unit=C, name="Mới", date=d("2011-01-01"))


def test_rename_and_move_are_dated(tree):
    P, D, D2, G, _ = tree
    orgs.unit_rename(
        actor=SYSTEM,
        unit=G,
        name="Đảng bộ xã Mới",
        date=d("2010-01-01"),
        decision=orgs.Decision("12-QĐ/HU", d("2009-12-20"), "Huyện ủy D"),
    )
    orgs.unit_move(actor=SYSTEM, unit=G, new_parent=D2, date=d("2015-01-01"))
    assert version_at(G, d("2009-12-31")).name == "Tổ chức G"
    assert version_at(G, d("2012-01-01")).name == "Đảng bộ xã Mới"
    assert (
        version_at(G, d("2014-12-31")).parent == D and version_at(G, d("2015-01-01")).parent == D2
    )
    change = UnitChange.objects.get(unit=G, action="rename")
    assert (change.decision_number, change.issuing_body) == ("12-QĐ/HU", "Huyện ủy D")
    assert AuditRecord.objects.filter(
        object_type="unit", object_id=str(G.pk), action="move"
    ).exists()
    assert [r.code for r in unit_rows(d("2016-01-01"), D2)] == ["D2", "G", "C"]


def test_back_dated_rename_stops_at_the_next_rename(tree):
    _, _, _, G, _ = tree
    orgs.unit_rename(actor=SYSTEM, unit=G, name="Tên 2015", date=d("2015-01-01"))
    orgs.unit_rename(actor=SYSTEM, unit=G, name="Tên 2010", date=d("2010-01-01"))
    assert version_at(G, d("2012-01-01")).name == "Tên 2010"
    assert version_at(G, d("2016-01-01")).name == "Tên 2015"


def test_grassroots_cell_grows_into_committee(tree):
    P, D, _, _, _ = tree
    cell = unit("CB", Kind.GRASSROOTS_CELL, D)
    m = admit(cell, "2005-01-01")
    with pytest.raises(ValidationError, match="chi bộ trực thuộc"):
        restructure.unit_change_kind(
            actor=SYSTEM, unit=cell, kind=Kind.GRASSROOTS_COMMITTEE, date=d("2012-01-01")
        )
    restructure.unit_change_kind(
        actor=SYSTEM,
        unit=cell,
        kind=Kind.GRASSROOTS_COMMITTEE,
        date=d("2012-01-01"),
        new_cell_code="CB-1",
        new_cell_name="Chi bộ 1",
    )
    fig = figures(cell, d("2012-06-01"))
    assert (
        fig.grassroots_committees,
        fig.grassroots_cells,
        fig.subordinate_cells,
        fig.members,
    ) == (1, 0, 1, 1)
    assert figures(cell, d("2011-06-01")).grassroots_cells == 1
    assert m.stints.order_by("-start").first().unit.code == "CB-1"
    for at in (d("2011-06-01"), d("2012-06-01")):
        assert fast(P, at, d("2010-01-01")) == reference(P, at, d("2010-01-01"))


def test_split_distributes_members_and_cells(tree):
    P, D, _, G, C = tree
    C2 = unit("C2", Kind.SUBORDINATE_CELL, G)
    a = admit(C, "2005-01-01")
    cell = unit("CB", Kind.GRASSROOTS_CELL, D)
    x, y = admit(cell, "2005-01-01"), admit(cell, "2005-02-01")
    parts = [
        restructure.SplitPart("N1", "Chi bộ Bắc", Kind.GRASSROOTS_CELL),
        restructure.SplitPart("N2", "Chi bộ Nam", Kind.GRASSROOTS_CELL),
    ]
    restructure.unit_split(
        actor=SYSTEM, unit=cell, parts=parts, date=d("2012-01-01"), assign={y.pk: "N2"}
    )
    n1, n2 = (figures(orgs.Unit.objects.get(code=c), d("2012-06-01")).members for c in ("N1", "N2"))
    assert (n1, n2) == (1, 1)
    assert figures(D, d("2012-06-01")).grassroots_organizations == 3  # G, N1, N2
    assert fast(D, d("2012-06-01"), d("2011-01-01")) == reference(
        D, d("2012-06-01"), d("2011-01-01")
    )
    assert a and x and C2


def test_dissolve_refused_while_members_or_children_remain(tree):
    _, _, _, G, C = tree
    m = admit(C, "2005-01-01")
    with pytest.raises(ValidationError, match="đảng viên"):
        restructure.unit_dissolve(actor=SYSTEM, unit=C, date=d("2010-01-01"))
    with pytest.raises(ValidationError, match="trực thuộc"):
        restructure.unit_dissolve(actor=SYSTEM, unit=G, date=d("2010-01-01"))
    event(m, EventKind.TRANSFER_OUT, "2009-12-01")
    restructure.unit_dissolve(actor=SYSTEM, unit=C, date=d("2010-01-01"))
    with pytest.raises(ValidationError, match="không tồn tại"):
        event(m, EventKind.TRANSFER_IN, "2011-01-01", C)


def test_duplicate_codes_and_missing_fields(tree):
    P, *_ = tree
    with pytest.raises(ValidationError) as exc:
        orgs.unit_establish(
            actor=SYSTEM, code="g", name="", kind=Kind.DISTRICT, date=d("2001-01-01"), parent=P
        )
    assert set(exc.value.message_dict) == {"code", "name"}
