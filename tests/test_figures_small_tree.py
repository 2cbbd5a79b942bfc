"""Figures on a small hand-made tree with known answers (issue 2, "Done means").

Between 2010 and 2020: a merger (G2 into C1), a move (G1 from D1 to D2), a dissolution (C2),
and member a transfers, is exempted and dies.
"""

import pytest

from grassroots.figures.queries import figures
from grassroots.members.models import EventKind
from grassroots.organizations import services as orgs
from grassroots.organizations.models import GrassrootsType, Kind
from grassroots.restructure import services as restructure

from .factories import SYSTEM, admit, d, event, unit
from .reference import fast, reference

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    P = unit("P", Kind.PROVINCE)
    D1 = unit("D1", Kind.DISTRICT, P)
    D2 = unit("D2", Kind.DISTRICT, P)
    G1 = unit("G1", Kind.GRASSROOTS_COMMITTEE, D1)
    C1 = unit("C1", Kind.SUBORDINATE_CELL, G1)
    C2 = unit("C2", Kind.SUBORDINATE_CELL, G1)
    G2 = unit("G2", Kind.GRASSROOTS_CELL, D1, type=GrassrootsType.AGENCY)
    G3 = unit("G3", Kind.GRASSROOTS_COMMITTEE, D2)
    C3 = unit("C3", Kind.SUBORDINATE_CELL, G3)
    a = admit(C1, "2005-03-01", full_name="Nguyễn Văn Ấn")
    b = admit(G2, "2005-06-01")
    c = admit(C2, "2006-01-10")
    e = admit(C3, "2007-05-05")
    f = admit(C1, "2009-09-01")
    for m in (a, b, c, e):
        event(m, EventKind.OFFICIAL)
    # Between the two dates.
    event(f, EventKind.OFFICIAL)  # 2010-09-01
    restructure.unit_merge(actor=SYSTEM, sources=[G2], target=C1, date=d("2012-01-01"))
    event(a, EventKind.TRANSFER, "2013-01-01", C3)
    orgs.unit_move(actor=SYSTEM, unit=G1, new_parent=D2, date=d("2014-01-01"))
    event(a, EventKind.EXEMPTION, "2015-06-01")
    event(c, EventKind.TRANSFER, "2016-01-01", C1)
    restructure.unit_dissolve(actor=SYSTEM, unit=C2, date=d("2016-02-01"))
    event(a, EventKind.DEATH, "2018-03-01")
    admit(C3, "2019-01-01")
    return locals()


def test_province_figures_across_restructures(tree):
    fig = figures(tree["P"], d("2020-01-01"), since=d("2010-01-01"))
    assert (fig.members, fig.official_members, fig.probationary_members, fig.exempt_members) == (
        5,
        4,
        1,
        0,
    )
    assert (fig.grassroots_organizations, fig.grassroots_committees, fig.grassroots_cells) == (
        2,
        2,
        0,
    )
    assert fig.subordinate_organizations == 2
    s = fig.since
    assert (s.members, s.grassroots_organizations, s.subordinate_organizations) == (5, 3, 3)
    assert (s.admitted, s.recognized, s.died, s.net_change) == (1, 1, 1, 0)
    # Moves inside the province are not transfers for the province.
    assert (s.transferred_in, s.transferred_out, s.restructured_in, s.restructured_out) == (
        0,
        0,
        0,
        0,
    )


def test_district_that_lost_everything(tree):
    fig = figures(tree["D1"], d("2020-01-01"), since=d("2010-01-01"))
    assert (fig.members, fig.grassroots_organizations, fig.subordinate_organizations) == (0, 0, 0)
    s = fig.since
    assert (s.members, s.grassroots_organizations, s.subordinate_organizations) == (4, 2, 2)
    assert (s.recognized, s.transferred_out, s.restructured_out, s.restructured_in) == (1, 1, 3, 0)
    assert s.net_change == -4


def test_district_that_gained(tree):
    fig = figures(tree["D2"], d("2020-01-01"), since=d("2010-01-01"))
    assert (fig.members, fig.official_members, fig.probationary_members) == (5, 4, 1)
    assert (fig.grassroots_organizations, fig.subordinate_organizations) == (2, 2)
    s = fig.since
    assert s.members == 1
    assert (s.transferred_in, s.restructured_in, s.died, s.admitted, s.recognized) == (
        1,
        3,
        1,
        1,
        0,
    )
    assert s.net_change == 4


def test_grassroots_committee_keeps_its_own_history_through_a_move(tree):
    fig = figures(tree["G1"], d("2020-01-01"), since=d("2010-01-01"))
    assert (fig.members, fig.grassroots_organizations, fig.subordinate_organizations) == (3, 1, 1)
    s = fig.since
    assert (s.members, s.subordinate_organizations) == (3, 2)
    assert (s.restructured_in, s.transferred_out, s.transferred_in, s.recognized) == (1, 1, 0, 1)
    assert s.net_change == 0


def test_exempt_member_counted_until_death(tree):
    assert figures(tree["C3"], d("2016-01-01")).exempt_members == 1
    assert figures(tree["C3"], d("2016-01-01")).members == 2
    assert figures(tree["C3"], d("2018-03-01")).members == 1  # died that day


@pytest.mark.parametrize("code", ["P", "D1", "D2", "G1", "G2", "G3", "C1", "C2", "C3"])
def test_fast_path_equals_reference_on_many_dates(tree, code):
    target = tree[code]
    dates = [
        d(x)
        for x in (
            "2004-12-31",
            "2005-06-01",
            "2010-01-01",
            "2012-01-01",
            "2013-01-01",
            "2014-01-01",
            "2015-12-31",
            "2016-02-01",
            "2018-03-01",
            "2020-01-01",
        )
    ]
    for i, at in enumerate(dates):
        assert fast(target, at) == reference(target, at), (code, at)
        for since in dates[:i]:
            assert fast(target, at, since) == reference(target, at, since), (code, since, at)
