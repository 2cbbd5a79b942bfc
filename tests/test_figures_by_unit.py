"""`figures_by_unit` (the review report's per-child read) equals `figures()` unit by unit, on a
generated tree with villages and population added through the services."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.exceptions import ValidationError

from grassroots.figures.queries import figures, figures_by_unit
from grassroots.organizations.models import (
    GRASSROOTS_KINDS,
    GrassrootsType,
    Kind,
    Unit,
    UnitVersion,
)
from grassroots.organizations.queries import children_at
from grassroots.territory.models import CellArrangement
from grassroots.territory.services import population_set, village_create

from .factories import SYSTEM

pytestmark = pytest.mark.django_db


def _villages_and_population(rng: random.Random) -> None:
    """Villages (own / joint / none cell) and population of some generated communes."""
    communes = list(
        UnitVersion.objects.filter(
            kind__in=GRASSROOTS_KINDS, grassroots_type=GrassrootsType.COMMUNE
        ).select_related("unit")
    )
    n = 0
    for version in rng.sample(communes, min(25, len(communes))):
        day = version.valid_from + dt.timedelta(days=rng.randint(0, 400))
        cells = [c.unit for c in children_at(version.unit, day)]
        choices = [(CellArrangement.NONE, None)]
        if cells:
            choices += [(CellArrangement.OWN, rng.choice(cells)), (CellArrangement.JOINT, cells[0])]
        for arrangement, cell in choices:
            n += 1
            try:
                village_create(
                    actor=SYSTEM, code=f"V{n}", name=f"Thôn {n}", kind="thon",
                    unit=version.unit, arrangement=arrangement, cell=cell, date=day,
                )  # fmt: skip
            except ValidationError:
                continue  # a cell already the own cell of another village, or not alive then
        for year in (day.year, day.year + 5):
            try:
                population_set(actor=SYSTEM, unit=version.unit, year=year,
                               population=rng.randint(2000, 9000))  # fmt: skip
            except ValidationError:
                continue  # the commune did not exist that year
    district = UnitVersion.objects.filter(kind=Kind.DISTRICT).first()
    population_set(actor=SYSTEM, unit=district.unit, year=2010, population=123_456)


def test_figures_by_unit_equals_figures_unit_by_unit():
    from grassroots.scale.runs import generate

    generate(1500, seed=7)
    rng = random.Random(3)
    _villages_and_population(rng)
    all_units = list(Unit.objects.all())
    seen = {"villages": 0, "population": 0, "flows": 0, "not_alive": 0}
    for _ in range(15):
        units = rng.sample(all_units, min(30, len(all_units)))
        at = dt.date(rng.randint(1995, 2026), rng.randint(1, 12), rng.randint(1, 28))
        since = at - dt.timedelta(days=rng.randint(0, 6000))
        for day_since in (since, None):
            batch = figures_by_unit(units, at, day_since)
            assert set(batch) == {u.pk for u in units}
            for u in units:
                alone = figures(u, at, day_since)
                assert batch[u.pk] == alone, (u.code, at, day_since)
                seen["villages"] += alone.villages > 0
                seen["population"] += alone.population is not None
                seen["flows"] += bool(alone.since and alone.since.admitted)
                seen["not_alive"] += (
                    not UnitVersion.objects.filter(unit=u, valid_from__lte=at)
                    .exclude(valid_to__lte=at)
                    .exists()
                )
    # the comparison covered villages, population, flows and units not alive on the day
    assert all(n >= 5 for n in seen.values()), seen
    with pytest.raises(ValueError):
        figures_by_unit(all_units[:2], dt.date(2020, 1, 1), dt.date(2021, 1, 1))


def test_ledger_by_unit_days_equals_one_read_per_day():
    """The meetings' cell-months due read the ledger once for all due days
    (`ledger_by_unit_days`): the same sums as `ledger_by_unit` day by day, across years (the
    checkpoints) and for organizations without rows."""
    from grassroots.figures.models import LEDGER_FIELDS
    from grassroots.figures.queries import ledger_by_unit, ledger_by_unit_days
    from grassroots.scale.runs import generate

    generate(600, seed=7)
    rng = random.Random(4)
    all_units = list(Unit.objects.values_list("id", flat=True))
    moved = 0
    for _ in range(6):
        ids = rng.sample(all_units, min(700, len(all_units)))
        first = dt.date(rng.randint(1990, 2025), rng.randint(1, 12), rng.randint(1, 28))
        days = [first + dt.timedelta(days=rng.randint(0, 900)) for _ in range(12)] + [first]
        for columns in (LEDGER_FIELDS, ("grassroots_cells", "subordinate_cells")):
            batch = ledger_by_unit_days(ids, days, columns)
            assert set(batch) == set(days)
            for day in days:
                assert batch[day] == ledger_by_unit(ids, day, columns), (day, columns)
            moved += batch[max(days)] != batch[first]
    assert moved >= 3


def test_stocks_on_days_equal_figures():
    """The dashboard's trend charts read only the ledger (`stocks_on_days`): the same members,
    official members, grassroots committees and cells as `figures()` on each day."""
    from grassroots.figures.queries import stocks_on_days
    from grassroots.scale.runs import generate

    generate(600, seed=11)
    rng = random.Random(5)
    units = rng.sample(list(Unit.objects.all()), 25)
    changed = 0
    for unit in units:
        days = sorted(dt.date(rng.randint(1995, 2026), 12, 31) for _ in range(8))
        days.append(dt.date(2026, rng.randint(1, 11), rng.randint(1, 28)))
        rows = stocks_on_days(unit, days)
        expected = [figures(unit, day) for day in days]
        assert [
            (r["members"], r["official"], r["grassroots_committees"], r["grassroots_cells"])
            for r in rows
        ] == [
            (f.members, f.official_members, f.grassroots_committees, f.grassroots_cells)
            for f in expected
        ], unit.code
        changed += len({f.members for f in expected}) > 1
    assert changed >= 5
