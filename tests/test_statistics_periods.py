"""The statistics page's other tables (issue 18, domain.md §4.1): organization structure by kind
and grassroots type, admissions and reductions by category for a period — each breakdown sums
to the figures' total, per child too; the same from `grassroots statistics` and the page."""

import datetime as dt
import json
import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from grassroots.figures.queries import END_FLOWS, START_FLOWS, figures, flow_stints
from grassroots.members.structure import (
    FLOW_DIMENSIONS,
    UnknownDimension,
    flow_structure,
    organization_structure,
)
from grassroots.organizations.models import GRASSROOTS_KINDS, SUBORDINATE_KINDS, Kind
from grassroots.restructure.services import unit_dissolve

from .factories import SYSTEM, admit, d, event, unit
from .web_world import make_world

pytestmark = pytest.mark.django_db
SINCE, AT = d("2009-01-01"), d("2013-01-01")


@pytest.fixture
def world():
    w = make_world()
    admit(w["C3"], "2011-02-01", occupation="Thợ săn", ethnicity="Tày", gender="F")
    admit(w["C1"], "2010-02-01", occupation="Nông dân", education="9/12", religion="Phật giáo")
    extra = unit("C4", Kind.SUBORDINATE_CELL, w["G2"], date="2011-05-01", name="Chi bộ Bốn")
    admit(extra, "2011-06-01", full_name="Phạm Văn Dũng")
    gone = unit("C5", Kind.SUBORDINATE_CELL, w["G2"], date="2001-01-01", name="Chi bộ Năm")
    unit_dissolve(actor=SYSTEM, unit=gone, date=d("2012-03-01"))
    event(w["cuong"], "death", "2012-09-09")
    return w


def _flows(f, names):
    return sum(getattr(f.since, n) for n in names)


def test_admissions_and_reductions_sum_to_the_figures_flows(world):
    p = world["P"]
    f = figures(p, AT, SINCE)
    for period, names in (("admissions", START_FLOWS), ("reductions", END_FLOWS)):
        total = _flows(f, names)
        assert total > 0, period
        for dimension in FLOW_DIMENSIONS:
            s = flow_structure(p, SINCE, AT, period, [dimension], children=True)
            assert s.total == sum(s.cells.values()) == total, (period, dimension)
            assert sum(t for _u, _n, t, _c in s.children) == total, (period, dimension)
        # each child's row is the child's own figures
        s = flow_structure(p, SINCE, AT, period, ["flow"], children=True)
        for u, _name, t, _cells in s.children:
            assert t == _flows(figures(u, AT, SINCE), names), (period, u.code)
    crossed = flow_structure(p, SINCE, AT, "admissions", ["gender", "occupation"])
    assert sum(crossed.cells.values()) == f.since.admitted + f.since.readmitted
    women = sum(n for (g, _o), n in crossed.cells.items() if g == "Nữ")
    assert women >= 1


def test_period_refusals(world):
    with pytest.raises(UnknownDimension):
        flow_structure(world["P"], SINCE, AT, "admissions", ["seniority"])
    with pytest.raises(UnknownDimension):
        flow_structure(world["P"], AT, SINCE, "admissions", ["gender"])
    with pytest.raises(UnknownDimension):
        flow_structure(world["P"], SINCE, AT, "arrivals", ["gender"])


def test_organization_structure_sums_to_the_ledger(world):
    p = world["P"]
    f = figures(p, AT)
    s = organization_structure(p, AT, ["kind", "grassroots_type"], children=True)
    assert s.total == sum(s.cells.values())
    by_kind = organization_structure(p, AT, ["kind"])
    counts = {key[0]: n for key, n in by_kind.cells.items()}
    assert sum(counts.get(str(k.label), 0) for k in GRASSROOTS_KINDS) == f.grassroots_organizations
    assert (
        sum(counts.get(str(k.label), 0) for k in SUBORDINATE_KINDS) == f.subordinate_organizations
    )
    assert sum(t for _u, _n, t, _c in s.children) == s.total
    assert [u.code for u, *_ in s.children] == ["D1", "D2"]


def test_flows_equal_the_registry_on_generated_data():
    from grassroots.organizations.models import Unit, UnitVersion
    from grassroots.scale.runs import generate

    generate(600, seed=7)
    rng = random.Random(3)
    ids = list(UnitVersion.objects.values_list("unit_id", flat=True).distinct())
    checked = 0
    for u in Unit.objects.in_bulk(rng.sample(ids, min(25, len(ids)))).values():
        since = dt.date(rng.randint(1970, 2025), rng.randint(1, 12), 1)
        at = since + dt.timedelta(days=rng.randint(30, 8000))
        f = figures(u, at, since)
        for flow in (*START_FLOWS, *END_FLOWS):
            expected = getattr(f.since, flow)
            assert flow_stints(u, since, at, flow).count() == expected, (u.code, flow, since, at)
            checked += expected > 0
    assert checked >= 10


def test_cli_and_page(world):
    out = StringIO()
    call_command(
        "statistics", "admissions", "--unit=P", "--since=2009-01-01", "--at=2013-01-01",
        "--by=flow,gender", "--children", "--json", stdout=out,
    )  # fmt: skip
    data = json.loads(out.getvalue())
    f = figures(world["P"], AT, SINCE)
    assert data["total"] == f.since.admitted + f.since.readmitted
    assert data["since"] == "2009-01-01" and data["flows"] == ["admitted", "readmitted"]
    out = StringIO()
    call_command("statistics", "organizations", "--unit=P", "--at=2013-01-01", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["by"] == ["kind", "grassroots_type"] and data["total"] == sum(
        c["count"] for c in data["cells"]
    )
    with pytest.raises(CommandError):
        call_command(
            "statistics", "reductions", "--unit=P", "--since=2009-01-01", "--at=2013-01-01",
            "--by=seniority",
        )  # fmt: skip
    client = Client()
    client.force_login(world["admin"])
    for what in ("members", "organizations", "admissions", "reductions"):
        page = client.get(
            "/reports/statistics/",
            {"unit": "P", "what": what, "since": "2009-01-01", "at": "2013-01-01", "by": "gender"},
        )
        assert page.status_code == 200, what
    page = client.get(
        "/reports/statistics/",
        {"unit": "P", "what": "reductions", "since": "2009-01-01", "at": "2013-01-01",
         "by": "flow"},
    )  # fmt: skip
    assert "Từ trần" in page.content.decode()
    assert client.get("/reports/statistics/", {"unit": "P", "what": "x"}).status_code == 404
