"""Every change to villages and population goes through one of these functions.

A village belongs to one commune party organization at a time and its members meet in its own
cell, jointly in another village's cell, or nowhere yet (domain.md §1.2 "chi bộ ghép"). These
are `VillageVersion` rows with half-open validity [valid_from, valid_to), split at the date of a
change the way organizations.services._set_from splits unit versions. Each function validates
(Vietnamese messages, keyed by the argument they concern), writes and records the audit row in
one transaction.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from grassroots.accounts.access import require_writable_unit
from grassroots.audit.services import Actor, for_update, record
from grassroots.core import limits, validity
from grassroots.core.dates import vn
from grassroots.core.text import clean
from grassroots.organizations.models import GrassrootsType, Kind, Unit, UnitVersion
from grassroots.organizations.queries import is_under, on, version_at

from .models import CellArrangement, Population, Village, VillageKind, VillageVersion

CELL_KINDS = (Kind.GRASSROOTS_CELL, Kind.SUBORDINATE_CELL)
COMMUNE_KINDS = (Kind.GRASSROOTS_COMMITTEE, Kind.GRASSROOTS_CELL)
# Population is kept per commune and per district (issue 2 §4); a province may hold its own total.
POPULATION_KINDS = (*COMMUNE_KINDS, Kind.DISTRICT, Kind.PROVINCE)


def _err(message: str, field: str | None = None) -> ValidationError:
    return ValidationError({field: [message]}) if field else ValidationError(message)


# --- checks -----------------------------------------------------------------------------------


def _require_scope(actor: Actor, *units: Unit | None) -> None:
    """Every organization a change touches lies in the acting user's scope today (issue 20 §3):
    the forms check it first, but the service is the door every caller (import, API) goes
    through. The system actor (no user: demo, command line as operator) is not restricted."""
    if actor.user is None:
        return
    for unit in units:
        if unit is not None:
            require_writable_unit(actor.user, unit)


def _check_commune(unit: Unit | None, day: dt.date) -> UnitVersion:
    """Villages belong to a grassroots organization of a commune, ward or town (domain.md §1.4)."""
    if unit is None:
        raise _err("Cần chọn tổ chức cơ sở đảng xã, phường, thị trấn.", "unit")
    version = version_at(unit, day)
    if version is None:
        raise _err(f"Tổ chức {unit.code} không tồn tại vào ngày {vn(day)}.", "unit")
    if version.kind not in COMMUNE_KINDS or version.grassroots_type != GrassrootsType.COMMUNE:
        raise _err(
            f"{version.name} ({unit.code}) không phải tổ chức cơ sở đảng xã, phường, thị trấn; "
            "thôn, bản, tổ dân phố chỉ thuộc tổ chức cơ sở đảng xã, phường, thị trấn.",
            "unit",
        )
    return version


def _check_cell(
    arrangement: str,
    cell: Unit | None,
    commune: Unit,
    day: dt.date,
    village: Village | None = None,
    until: dt.date | None = None,
) -> None:
    """Own or joint needs a cell of the same commune on `day`; 'none' takes no cell.

    [day, until) is the period the arrangement will hold, for the one-own-cell check.
    """
    if arrangement not in CellArrangement.values:
        raise _err("Tình trạng chi bộ không hợp lệ.", "arrangement")
    if arrangement == CellArrangement.NONE:
        if cell is not None:
            raise _err("Thôn chưa có chi bộ thì không ghi chi bộ.", "cell")
        return
    if cell is None:
        label = "chi bộ của thôn" if arrangement == CellArrangement.OWN else "chi bộ sinh hoạt ghép"
        raise _err(f"Cần chọn {label}.", "cell")
    version = version_at(cell, day)
    if version is None:
        raise _err(f"Chi bộ {cell.code} không tồn tại vào ngày {vn(day)}.", "cell")
    if version.kind not in CELL_KINDS:
        raise _err(f"{version.name} ({cell.code}) không phải là chi bộ.", "cell")
    if not is_under(cell.pk, commune.pk, day):
        raise _err(
            f"Chi bộ {cell.code} không thuộc tổ chức cơ sở đảng {commune.code} vào ngày {vn(day)}.",
            "cell",
        )
    if arrangement == CellArrangement.OWN:
        # One cell is the own cell of one village; villages sharing a cell meet jointly.
        taken = VillageVersion.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day),
            cell=cell,
            arrangement=CellArrangement.OWN,
        )
        if until is not None:
            taken = taken.filter(valid_from__lt=until)
        if village is not None:
            taken = taken.exclude(village=village)
        other = taken.select_related("village").first()
        if other is not None:
            raise _err(
                f"Chi bộ {cell.code} đã là chi bộ của {other.village.name} ({other.village.code}) "
                f"từ ngày {vn(max(day, other.valid_from))}; thôn khác sinh hoạt ở chi bộ này là "
                "sinh hoạt ghép.",
                "cell",
            )


def _versions(village: Village) -> list[VillageVersion]:
    return list(village.versions.order_by("valid_from"))


def _life(village: Village) -> tuple[dt.date, dt.date | None]:
    versions = _versions(village)
    return versions[0].valid_from, versions[-1].valid_to


def _check_in_life(village: Village, day: dt.date) -> VillageVersion:
    limits.check_date(day)  # issue 20 §13
    start, end = _life(village)
    if day < start:
        raise _err(f"{village.name} chỉ có trong sổ từ ngày {vn(start)}.", "date")
    if end is not None and day >= end:
        raise _err(f"{village.name} đã kết thúc ngày {vn(end)}.", "date")
    return village.versions.get(on(day))


# --- version splitting ------------------------------------------------------------------------

_TRACKED = ("unit_id", "arrangement", "cell_id")


def _set_from(village: Village, day: dt.date, check, **attrs) -> list[VillageVersion]:
    """Change attributes from `day` until the next recorded change; `check` validates each
    version the change reaches."""
    return validity.set_from(village.versions, day, _TRACKED, check, **attrs)


def _code(unit: Unit | None) -> str | None:
    return unit.code if unit else None


# --- villages ---------------------------------------------------------------------------------


@transaction.atomic
def village_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    kind: str,
    unit: Unit,
    arrangement: str,
    cell: Unit | None = None,
    date: dt.date,
) -> Village:
    code, name = clean(code).upper(), limits.clean_text(name)
    errors = {}
    code_problem = limits.code_problem(code, "Mã thôn, bản, tổ dân phố")
    if code_problem:
        errors["code"] = [code_problem]
    elif Village.objects.filter(code__iexact=code).exists():
        errors["code"] = [f"Mã {code} đã được dùng."]
    if not name:
        errors["name"] = ["Cần nhập tên thôn, bản, tổ dân phố."]
    if kind not in VillageKind.values:
        errors["kind"] = ["Loại (thôn, bản, tổ dân phố) không hợp lệ."]
    if date is None:
        errors["date"] = ["Cần nhập ngày."]
    elif limits.date_problem(date):
        errors["date"] = [limits.date_problem(date)]
    if errors:
        raise ValidationError(errors)
    _require_scope(actor, unit, cell)
    _check_commune(unit, date)
    _check_cell(arrangement, cell, unit, date)
    village = Village.objects.create(code=code, name=name, kind=kind)
    VillageVersion.objects.create(
        village=village, valid_from=date, unit=unit, arrangement=arrangement, cell=cell
    )
    record(
        actor,
        obj=village,
        action="create",
        changes={
            "name": [None, name],
            "kind": [None, kind],
            "date": [None, date],
            "unit": [None, unit.pk],
            "arrangement": [None, arrangement],
            "cell": [None, _code(cell)],
        },
    )
    return village


@transaction.atomic
def village_change_arrangement(
    *,
    actor: Actor,
    village: Village,
    arrangement: str,
    cell: Unit | None = None,
    date: dt.date,
) -> Village:
    """Own cell / joint with another village's cell / no cell, from `date` on."""
    village = for_update(Village.objects).get(pk=village.pk)
    current = _check_in_life(village, date)
    _require_scope(actor, current.unit, cell)
    _check_cell(arrangement, cell, current.unit, date, village, current.valid_to)
    if (current.arrangement, current.cell_id) == (arrangement, cell.pk if cell else None):
        raise _err("Tình trạng chi bộ mới trùng với tình trạng đang có.", "arrangement")

    def check(version: VillageVersion) -> None:
        if version.valid_from != date:  # a later version, possibly in another commune
            _check_cell(
                arrangement, cell, version.unit, version.valid_from, village, version.valid_to
            )

    _set_from(village, date, check, arrangement=arrangement, cell_id=cell.pk if cell else None)
    record(
        actor,
        obj=village,
        action="change_arrangement",
        changes={
            "date": [None, date],
            "arrangement": [current.arrangement, arrangement],
            "cell": [_code(current.cell), _code(cell)],
        },
    )
    return village


@transaction.atomic
def village_move(*, actor: Actor, village: Village, unit: Unit, date: dt.date) -> Village:
    """The village passes to another commune party organization (e.g. the 2025 merger)."""
    village = for_update(Village.objects).get(pk=village.pk)
    current = _check_in_life(village, date)
    _require_scope(actor, current.unit, unit)
    if current.unit_id == unit.pk:
        raise _err(f"{village.name} đang thuộc {unit.code}.", "unit")
    _check_commune(unit, date)

    def check(version: VillageVersion) -> None:
        _check_commune(version.unit, version.valid_from)
        if version.cell_id is not None and not is_under(
            version.cell_id, unit.pk, version.valid_from
        ):
            raise _err(
                f"Chi bộ {version.cell.code} của thôn không thuộc {unit.code} vào ngày "
                f"{vn(version.valid_from)}; hãy ghi thay đổi tình trạng chi bộ trước khi chuyển.",
                "unit",
            )

    _set_from(village, date, check, unit_id=unit.pk)
    record(
        actor,
        obj=village,
        action="move",
        changes={"date": [None, date], "unit": [current.unit_id, unit.pk]},
    )
    return village


@transaction.atomic
def village_end(*, actor: Actor, village: Village, date: dt.date) -> Village:
    """The village is no longer in the register from `date` (merged into another, dissolved)."""
    village = for_update(Village.objects).get(pk=village.pk)
    current = _check_in_life(village, date)
    _require_scope(actor, current.unit)
    if current.valid_from == date and current.valid_from == _life(village)[0]:
        raise _err(
            f"Ngày kết thúc phải sau ngày {vn(date)}, ngày thôn bắt đầu có trong sổ.", "date"
        )
    if village.versions.filter(valid_from__gte=date).exists():
        raise _err(
            f"{village.name} có thay đổi được ghi từ ngày {vn(date)} trở đi; không thể kết thúc trước đó.",
            "date",
        )
    current.valid_to = date
    current.save(update_fields=["valid_to"])
    record(actor, obj=village, action="end", changes={"valid_to": [None, date]})
    return village


# --- population -------------------------------------------------------------------------------


@transaction.atomic
def population_set(*, actor: Actor, unit: Unit, year: int, population: int) -> Population:
    """The population of a commune or district for a year, created or corrected (old→new audited)."""
    errors = {}
    # Ranges: core/limits.py (issue 20 §13, §14: a 30-digit population overflowed the column).
    if limits.year_problem(year):
        errors["year"] = [limits.year_problem(year)]
    if limits.population_problem(population):
        errors["population"] = [limits.population_problem(population)]
    if errors:
        raise ValidationError(errors)
    _require_scope(actor, unit)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    version = (
        UnitVersion.objects.filter(unit=unit, valid_from__lte=last)
        .exclude(valid_to__lte=first)
        .order_by("-valid_from")
        .first()
    )
    if version is None:
        raise _err(f"Tổ chức {unit.code} không tồn tại trong năm {year}.", "year")
    is_commune = version.kind in COMMUNE_KINDS and version.grassroots_type == GrassrootsType.COMMUNE
    if not (is_commune or version.kind in (Kind.DISTRICT, Kind.PROVINCE)):
        raise _err(
            f"{version.name} ({unit.code}) không gắn với địa bàn hành chính; dân số chỉ ghi cho "
            "xã, phường, thị trấn, cấp huyện hoặc tỉnh.",
            "unit",
        )
    row = for_update(Population.objects).filter(unit=unit, year=year).first()
    old = row.population if row else None
    if row is None:
        row = Population.objects.create(unit=unit, year=year, population=population)
        action = "create"
    elif old == population:
        return row
    else:
        row.population = population
        row.save(update_fields=["population"])
        action = "update"
    record(
        actor,
        obj=row,
        action=action,
        object_type="population",
        changes={"unit": [None, unit.pk], "year": [None, year], "population": [old, population]}
        if old is None
        else {"population": [old, population]},
    )
    return row
