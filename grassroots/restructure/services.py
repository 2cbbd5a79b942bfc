"""Restructuring: changes of the tree that carry members, villages and sub-organizations along.

A change of kind that needs a new cell for the members, a merger, a split and a dissolution span
three domains: the organization's own change (`organizations.services`), the members' restructure
events (`members.services.members_restructure`, one bulk write per cell) and the villages of a merged commune
(`territory.services.village_move`). They live here, above all three, so that no domain's
services reach into another's. Each runs in one transaction (the services it calls join it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q

from grassroots.accounts import access
from grassroots.audit.services import Actor
from grassroots.derived.maintain import TreeSnapshot
from grassroots.members.models import MemberStint, Reason
from grassroots.members.services import members_restructure
from grassroots.organizations.models import (
    MEMBER_KINDS,
    ChangeAction,
    GrassrootsType,
    Kind,
    Unit,
    UnitAncestry,
    UnitVersion,
)
from grassroots.organizations.queries import on
from grassroots.organizations.services import (
    NO_DECISION,
    Decision,
    Move,
    bump_version,
    check_alive,
    check_parent,
    check_parent_version,
    children_on,
    end_unit,
    log_change,
    set_from,
    unit_establish,
    units_move_many,
)
from grassroots.territory.models import VillageVersion
from grassroots.territory.services import village_move

# Stints that continue a stay in the same cell (a change of status or exemption), not arrivals.
CONTINUING = (Reason.STATUS, Reason.RECOGNIZED)


def _err(message: str, field: str | None = None) -> ValidationError:
    return ValidationError({field: [message]}) if field else ValidationError(message)


def _stints_on(unit: Unit, day: dt.date):
    return MemberStint.objects.filter(unit=unit, start__lte=day).filter(
        Q(end__isnull=True) | Q(end__gt=day)
    )


def _has_members(unit: Unit, day: dt.date) -> bool:
    return _stints_on(unit, day).exists()


@transaction.atomic
def unit_change_kind(
    *,
    actor: Actor,
    unit: Unit,
    kind: str,
    date: dt.date,
    decision: Decision = NO_DECISION,
    note: str = "",
    new_cell_code: str = "",
    new_cell_name: str = "",
) -> Unit:
    """E.g. a chi bộ cơ sở growing into a đảng bộ cơ sở. Its members then need a cell of their
    own under it: give `new_cell_code`/`new_cell_name` and they are moved there on the same day."""
    access.require_unit_write(actor, unit, date)
    current = check_alive(unit, date)
    if kind not in Kind.values or kind == current.kind:
        raise _err("Cấp tổ chức mới không hợp lệ hoặc không thay đổi.", "kind")
    check_parent(kind, current.parent, date)
    members_here = _has_members(unit, date)
    if (
        kind not in MEMBER_KINDS
        and MemberStint.objects.filter(unit=unit, start__gt=date)
        .exclude(start_reason__in=CONTINUING)
        .exists()
    ):
        # Members who arrive after the day would sit directly in a đảng bộ (issue 12 edge case 1).
        # A later stint of someone already here (recognized, exempted, back from exemption) is
        # the same stay: it moves with them into the new cell below.
        raise _err(
            "Tổ chức có đảng viên đến sinh hoạt sau ngày thay đổi: hãy ghi họ vào chi bộ trực "
            "thuộc mới, hoặc chọn ngày thay đổi sau ngày họ đến.",
            "date",
        )
    if kind not in MEMBER_KINDS and members_here and not new_cell_code:
        raise _err(
            "Tổ chức đang có đảng viên sinh hoạt trực tiếp: cần lập chi bộ trực thuộc để chuyển đảng viên sang.",
            "new_cell_code",
        )
    if kind in MEMBER_KINDS and children_on(unit, date):
        raise _err("Tổ chức còn tổ chức trực thuộc: hãy chuyển hoặc giải thể chúng trước.", "kind")
    snap = TreeSnapshot.take([unit.pk])
    set_from(unit, date, kind=kind)
    snap.refresh()
    bump_version(unit)
    log_change(
        actor,
        unit,
        ChangeAction.CHANGE_KIND,
        date,
        decision,
        note,
        changes={"kind": [current.kind, kind]},
    )
    if kind not in MEMBER_KINDS and members_here:
        cell = unit_establish(
            actor=actor,
            code=new_cell_code,
            name=new_cell_name or new_cell_code,
            kind=Kind.SUBORDINATE_CELL,
            date=date,
            parent=unit,
            decision=decision,
        )
        _move_members(actor, unit, cell, date)
    return unit


def _member_ids_in(unit: Unit, day: dt.date) -> list[int]:
    return sorted(set(_stints_on(unit, day).values_list("member_id", flat=True)))


def _move_members(actor: Actor, source: Unit, target: Unit, day: dt.date) -> int:
    """Every member of `source` on `day` to `target`: one bulk write (members_restructure)."""
    ids = _member_ids_in(source, day)
    members_restructure(
        actor=actor,
        moves=dict.fromkeys(ids, target),
        date=day,
        note=f"Theo sắp xếp tổ chức: {source.code} → {target.code}",
        confirm_future=True,  # the organization change's own date: decided, not typed
    )
    return len(ids)


@transaction.atomic
def unit_merge(
    *,
    actor: Actor,
    sources: list[Unit],
    target: Unit,
    date: dt.date,
    decision: Decision = NO_DECISION,
    note: str = "",
) -> Unit:
    """Merge sources into target on `date`: their sub-organizations move under the target, their
    members move to the target (which must then be a cell), and the sources end."""
    for unit in [target, *sources]:
        access.require_unit_write(actor, unit, date)
    target_version = check_alive(target, date, "Tổ chức nhận sáp nhập")
    if not sources:
        raise _err("Cần chọn ít nhất một tổ chức bị sáp nhập.", "sources")
    for source in sources:
        _check_merger(source, target, target_version, date)
    for source in sources:
        _move_members(actor, source, target, date)
        _merge_children(actor, [Merger(source, target, decision)], date)
        _move_villages(actor, source, target, target_version, date)
        snap = TreeSnapshot.take([source.pk])
        end_unit(source, date)
        snap.refresh()
        _log_merger(actor, source, target, date, decision, note)
    return target


def _check_merger(source: Unit, target: Unit, target_version: UnitVersion, date: dt.date) -> None:
    """What a merger of `source` into `target` (alive, `target_version` on the day) needs."""
    if source.pk == target.pk:
        raise _err("Không thể sáp nhập một tổ chức vào chính nó.", "sources")
    check_alive(source, date)
    if UnitAncestry.objects.filter(on(date), ancestor=source, descendant=target).exists():
        raise _err(f"{target.code} đang trực thuộc {source.code}: không thể sáp nhập.", "target")
    if _has_members(source, date) and target_version.kind not in MEMBER_KINDS:
        raise _err(
            f"{source.code} có đảng viên sinh hoạt trực tiếp nhưng {target.code} không phải là chi bộ.",
            "target",
        )
    # The sub-organizations' versions on the day in one read (they move under the target).
    for version in UnitVersion.objects.filter(on(date), parent=source):
        check_parent_version(version.kind, target, target_version, date)


def _merge_children(actor: Actor, mergers: list[Merger], date: dt.date) -> None:
    """The merged units' sub-organizations move under their targets, all in one write
    (`units_move_many`: each move what `unit_move` makes of it)."""
    into = {m.source.pk: m for m in mergers}
    moves = []
    for v in UnitVersion.objects.filter(on(date), parent_id__in=list(into)).select_related("unit"):
        m = into[v.parent_id]
        note = f"Theo sáp nhập {m.source.code} vào {m.target.code}"
        moves.append(Move(v.unit, m.target, m.decision, note))
    units_move_many(actor=actor, moves=moves, date=date)


def _log_merger(
    actor: Actor, source: Unit, target: Unit, date: dt.date, decision: Decision, note: str
) -> None:
    log_change(
        actor,
        source,
        ChangeAction.MERGE,
        date,
        decision,
        note,
        [target],
        {"merged_into": [None, target.code]},
    )


@dataclass(frozen=True)
class Merger:
    """One merger of a day's many (`unit_merge_many`): `source` into `target`."""

    source: Unit
    target: Unit
    decision: Decision = NO_DECISION
    note: str = ""


@transaction.atomic
def unit_merge_many(*, actor: Actor, mergers: list[Merger], date: dt.date) -> None:
    """A day's mergers, each exactly what `unit_merge(sources=[source], target=target)` makes
    of it (the same checks, events, stints, versions, closure, ledger, villages, sub-organizations
    and audit records; tests/test_plan_mergers_bulk.py), written at once: one member move for
    all their members (`members_restructure`, each event noting its own cells) and one tree
    refresh for all the merged units (`TreeSnapshot`: the ledger is a sum over stints and units,
    so one refresh for all moves it as one per merger would).

    A province's 2025 plan merges hundreds of cells on one day; one merger at a time spent most
    of its time on per-merger overhead (docs/performance.md "Restructure plans", session 10).

    Only for mergers that do not touch one another, so that their order cannot matter: distinct
    sources, no target itself merged, no source or target under another source on the day.
    The members' histories are checked as if every merged unit had already ended
    (`members_restructure(ending=…)`), never more leniently than one merger at a time. Anything
    refused refuses the whole (nothing written): the plan (restructure.plan) then plays the
    mergers one by one, which names each problem as before."""
    if not mergers:
        return
    source_ids = {m.source.pk for m in mergers}
    involved = source_ids | {m.target.pk for m in mergers}
    if len(source_ids) != len(mergers) or any(m.target.pk in source_ids for m in mergers):
        raise _err("Các sáp nhập liên quan đến nhau: cần thực hiện lần lượt.")
    if (
        UnitAncestry.objects.filter(
            on(date), ancestor_id__in=source_ids, descendant_id__in=involved
        )
        .exclude(descendant_id=F("ancestor_id"))
        .exists()
    ):
        raise _err("Các sáp nhập liên quan đến nhau: cần thực hiện lần lượt.")
    versions: dict[int, UnitVersion] = {}
    for m in mergers:
        access.require_unit_write(actor, m.target, date)
        access.require_unit_write(actor, m.source, date)
        if m.target.pk not in versions:
            versions[m.target.pk] = check_alive(m.target, date, "Tổ chức nhận sáp nhập")
        _check_merger(m.source, m.target, versions[m.target.pk], date)
    into = {m.source.pk: m for m in mergers}
    moves: dict[int, Unit] = {}
    notes: dict[int, str] = {}
    for member_id, unit_id in (
        MemberStint.objects.filter(unit_id__in=source_ids, start__lte=date)
        .filter(Q(end__isnull=True) | Q(end__gt=date))
        .values_list("member_id", "unit_id")
    ):
        m = into[unit_id]
        moves[member_id] = m.target
        # The note `_move_members` gives a single merger's events.
        notes[member_id] = f"Theo sắp xếp tổ chức: {m.source.code} → {m.target.code}"
    members_restructure(
        actor=actor,
        moves=moves,
        date=date,
        notes=notes,
        ending=source_ids,
        confirm_future=True,  # the mergers' own date: decided, not typed
    )
    _merge_children(actor, mergers, date)
    for m in mergers:
        _move_villages(actor, m.source, m.target, versions[m.target.pk], date)
    snap = TreeSnapshot.take(source_ids)
    for m in mergers:
        end_unit(m.source, date)
    snap.refresh()
    for m in mergers:
        _log_merger(actor, m.source, m.target, date, m.decision, m.note)


def _move_villages(
    actor: Actor, source: Unit, target: Unit, target_version: UnitVersion, day: dt.date
) -> None:
    """A merged commune's villages pass to the commune that absorbs it (domain.md §1.3, 2025)."""
    if target_version.grassroots_type != GrassrootsType.COMMUNE:
        return
    for version in VillageVersion.objects.filter(on(day), unit=source).select_related("village"):
        village_move(actor=actor, village=version.village, unit=target, date=day)


@dataclass(frozen=True)
class SplitPart:
    code: str
    name: str
    kind: str
    grassroots_type: str = ""


@transaction.atomic
def unit_split(
    *,
    actor: Actor,
    unit: Unit,
    parts: list[SplitPart],
    date: dt.date,
    assign: dict[int, str] | None = None,
    decision: Decision = NO_DECISION,
    note: str = "",
    assign_children: dict[int, str] | None = None,
) -> list[Unit]:
    """Split `unit` into new organizations under the same parent. `assign` maps the id of each
    member of the unit to the code of the part that takes it, `assign_children` the id of each
    sub-organization (without it, sub-organizations are looked up in `assign` too, as before:
    member and unit ids are different sequences, so keep them apart); whatever is not assigned
    goes to the first part. The unit ends on `date`."""
    access.require_unit_write(actor, unit, date)
    current = check_alive(unit, date)
    if len(parts) < 2:
        raise _err("Chia tách cần ít nhất hai tổ chức mới.", "parts")
    assign = assign or {}
    children_assign = assign if assign_children is None else assign_children
    codes = {p.code.upper() for p in parts}
    bad = {v for v in [*assign.values(), *children_assign.values()] if v.upper() not in codes}
    if bad:
        raise _err(f"Mã tổ chức mới không có trong danh sách: {', '.join(sorted(bad))}.", "assign")
    new_units = {}
    for part in parts:
        new_units[part.code.upper()] = unit_establish(
            actor=actor,
            code=part.code,
            name=part.name,
            kind=part.kind,
            date=date,
            parent=current.parent,
            grassroots_type=part.grassroots_type or current.grassroots_type,
            decision=decision,
            note=f"Chia tách từ {unit.code}",
        )
    first = new_units[parts[0].code.upper()]
    members_restructure(
        actor=actor,
        moves={
            pk: new_units.get(assign.get(pk, "").upper(), first)
            for pk in _member_ids_in(unit, date)
        },
        date=date,
        note=f"Theo chia tách {unit.code}",
        confirm_future=True,  # the split's own date: decided, not typed
    )
    units_move_many(
        actor=actor,
        moves=[
            Move(
                child,
                new_units.get(children_assign.get(child.pk, "").upper(), first),
                decision,
                f"Theo chia tách {unit.code}",
            )
            for child in children_on(unit, date)
        ],
        date=date,
    )
    snap = TreeSnapshot.take([unit.pk])
    end_unit(unit, date)
    snap.refresh()
    log_change(
        actor,
        unit,
        ChangeAction.SPLIT,
        date,
        decision,
        note,
        list(new_units.values()),
        {"split_into": [None, sorted(new_units)]},
        # The parts in the decision's order: the first takes what was not assigned, and an
        # export writes them in this order (excel/exporter.py), to be played again as a plan.
        details={"split_into": [p.code for p in parts]},
    )
    return list(new_units.values())


@transaction.atomic
def unit_dissolve(
    *, actor: Actor, unit: Unit, date: dt.date, decision: Decision = NO_DECISION, note: str = ""
) -> Unit:
    access.require_unit_write(actor, unit, date)
    check_alive(unit, date)
    if children_on(unit, date):
        raise _err(
            "Tổ chức còn tổ chức trực thuộc: hãy chuyển, sáp nhập hoặc giải thể chúng trước.",
            "date",
        )
    if _has_members(unit, date):
        raise _err(
            "Tổ chức còn đảng viên sinh hoạt: hãy chuyển sinh hoạt cho đảng viên trước.", "date"
        )
    snap = TreeSnapshot.take([unit.pk])
    end_unit(unit, date)
    snap.refresh()
    log_change(actor, unit, ChangeAction.DISSOLVE, date, decision, note)
    return unit
