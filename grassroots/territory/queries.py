"""Reads of villages and population. Views, CLI, exports and the API come here.

Counts agree with figures.queries.villages_at: the same subtree (UnitAncestry on the date) and
the same village versions on the date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from grassroots.organizations.models import Unit, UnitAncestry, UnitVersion
from grassroots.organizations.queries import on, subtree_ids

from .models import CellArrangement, Population, Village, VillageKind, VillageVersion


@dataclass(frozen=True)
class VillageRow:
    pk: int
    code: str
    name: str
    kind: str
    arrangement: str
    arrangement_label: str
    unit_code: str
    unit_name: str
    cell_code: str
    cell_name: str
    since: dt.date  # start of the version in force on the date


def village_versions_at(unit: Unit | int, at: dt.date) -> QuerySet:
    """Village versions in force on `at` for villages of the organization's subtree on `at`,
    by commune code and village name."""
    return (
        VillageVersion.objects.filter(on(at), unit_id__in=subtree_ids(unit, at))
        .select_related("village", "unit", "cell")
        .order_by("unit__code", "village__name", "village__code")
    )


def _names(unit_ids: set[int], at: dt.date) -> dict[int, str]:
    """Names on `at`; the nearest name for a unit that did not exist that day."""
    names = dict(
        UnitVersion.objects.filter(on(at), unit_id__in=unit_ids).values_list("unit_id", "name")
    )
    missing = unit_ids - set(names)
    if missing:
        for unit_id, name in (
            UnitVersion.objects.filter(unit_id__in=missing)
            .order_by("valid_from")
            .values_list("unit_id", "name")
        ):
            names[unit_id] = name
    return names


def village_rows(versions, at: dt.date) -> list[VillageRow]:
    """Rows for these versions (one page of `village_versions_at`), with names as of `at`."""
    versions = list(versions)
    names = _names({v.unit_id for v in versions} | {v.cell_id for v in versions if v.cell_id}, at)
    return [
        VillageRow(
            pk=v.village_id,
            code=v.village.code,
            name=v.village.name,
            kind=VillageKind(v.village.kind).label,
            arrangement=v.arrangement,
            arrangement_label=CellArrangement(v.arrangement).label,
            unit_code=v.unit.code,
            unit_name=names.get(v.unit_id, ""),
            cell_code=v.cell.code if v.cell else "",
            cell_name=names.get(v.cell_id, "") if v.cell_id else "",
            since=v.valid_from,
        )
        for v in versions
    ]


def villages_at(unit: Unit | int, at: dt.date) -> list[VillageRow]:
    """The villages of an organization as of `at`, with arrangement and cell."""
    return village_rows(village_versions_at(unit, at), at)


def arrangement_counts(rows: list[VillageRow]) -> dict[str, int]:
    counts = dict.fromkeys(CellArrangement.values, 0)
    for row in rows:
        counts[row.arrangement] += 1
    return counts


@dataclass(frozen=True)
class VillageStep:
    valid_from: dt.date
    valid_to: dt.date | None
    unit_code: str
    arrangement: str
    arrangement_label: str
    cell_code: str


def village_timeline(village: Village) -> list[VillageStep]:
    """The village's versions in order: which commune, which arrangement, which cell, when."""
    return [
        VillageStep(
            v.valid_from,
            v.valid_to,
            v.unit.code,
            v.arrangement,
            CellArrangement(v.arrangement).label,
            v.cell.code if v.cell else "",
        )
        for v in village.versions.select_related("unit", "cell").order_by("valid_from")
    ]


def village_life(village: Village) -> tuple[dt.date, dt.date | None]:
    """First day in the register and the day it ended (None while it lasts)."""
    versions = list(village.versions.order_by("valid_from").values_list("valid_from", "valid_to"))
    return versions[0][0], versions[-1][1]


def find_village(code: str) -> Village | None:
    return Village.objects.filter(code__iexact=code.strip()).first()


def population_by_year(unit: Unit | int) -> list[tuple[int, int]]:
    """(year, population) recorded for the organization itself, oldest first."""
    unit_id = unit.pk if isinstance(unit, Unit) else unit
    return list(
        Population.objects.filter(unit_id=unit_id)
        .order_by("year")
        .values_list("year", "population")
    )


def village_of_unit(unit: Unit, code: str) -> Village | None:
    """The village with this code if it ever belonged to the organization's subtree."""
    ever_under = UnitAncestry.objects.filter(ancestor=unit).values("descendant_id")
    return (
        Village.objects.filter(code__iexact=code.strip(), versions__unit_id__in=ever_under)
        .distinct()
        .first()
    )


def village_elsewhere_on(village: Village, unit: Unit, day: dt.date) -> bool:
    """Whether on `day` the village belongs to a commune outside the organization's subtree."""
    return village.versions.filter(on(day)).exclude(unit_id__in=subtree_ids(unit, day)).exists()
