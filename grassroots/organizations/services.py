"""The changes of one organization: establish, rename, move.

Each one validates (Vietnamese messages), records the dated decision (`UnitChange`), changes the
unit versions, has derived data follow (`derived.maintain.TreeSnapshot`: closure, figures ledger,
name index), and writes the audit record, in one transaction. Changes that also move members,
villages or sub-organizations (change of kind, merger, split, dissolution) are use cases that
span domains: `grassroots.restructure.services`, built on the helpers below.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from grassroots.accounts import access
from grassroots.audit.models import AuditRecord
from grassroots.audit.services import Actor, record, unsaved_record
from grassroots.core import limits, validity
from grassroots.core.dates import vn
from grassroots.core.text import clean
from grassroots.derived.maintain import TreeSnapshot

from .models import (
    ALLOWED_PARENTS,
    GRASSROOTS_KINDS,
    ChangeAction,
    GrassrootsType,
    Kind,
    Unit,
    UnitAncestry,
    UnitChange,
    UnitVersion,
)
from .queries import on, version_at


@dataclass(frozen=True)
class Decision:
    """The reference of the decision behind a change (số, ngày, cơ quan ban hành)."""

    number: str = ""
    date: dt.date | None = None
    issuing_body: str = ""


NO_DECISION = Decision()


def _err(message: str, field: str | None = None) -> ValidationError:
    return ValidationError({field: [message]}) if field else ValidationError(message)


def check_alive(unit: Unit, day: dt.date, label: str = "Tổ chức") -> UnitVersion:
    limits.check_date(day)  # issue 20 §13: every change is dated inside the allowed range
    version = version_at(unit, day)
    if version is None:
        if day < unit.established:
            raise _err(
                f"{label} {unit.code} chưa thành lập vào ngày {vn(day)} (thành lập {vn(unit.established)}).",
                "date",
            )
        raise _err(f"{label} {unit.code} đã kết thúc hoạt động ngày {vn(unit.ended)}.", "date")
    return version


def check_parent(kind: str, parent: Unit | None, day: dt.date) -> UnitVersion | None:
    allowed = ALLOWED_PARENTS[Kind(kind)]
    if parent is None:
        if None not in allowed:
            raise _err(f"{Kind(kind).label} phải trực thuộc một tổ chức cấp trên.", "parent")
        return None
    return check_parent_version(kind, parent, version_at(parent, day), day)


def check_parent_version(
    kind: str, parent: Unit, parent_version: UnitVersion | None, day: dt.date
) -> UnitVersion:
    """`check_parent` with the parent's version on the day already read."""
    allowed = ALLOWED_PARENTS[Kind(kind)]
    if parent_version is None:
        raise _err(f"Tổ chức cấp trên {parent.code} không tồn tại vào ngày {vn(day)}.", "parent")
    if parent_version.kind not in allowed:
        raise _err(
            f"{Kind(kind).label} không thể trực thuộc {Kind(parent_version.kind).label.lower()} ({parent.code}).",
            "parent",
        )
    return parent_version


def _later_versions(unit: Unit, day: dt.date) -> list[UnitVersion]:
    return list(unit.versions.filter(valid_from__gt=day).order_by("valid_from"))


_UNIT_TRACKED = ("name", "kind", "grassroots_type", "parent_id")


def set_from(unit: Unit, day: dt.date, **attrs) -> None:
    """Change attributes from `day` until the next recorded change of the same attributes."""
    validity.set_from(unit.versions, day, _UNIT_TRACKED, **attrs)


def end_unit(unit: Unit, day: dt.date) -> None:
    if _later_versions(unit, day):
        raise _err(
            f"{unit.code} có thay đổi được ghi sau ngày {vn(day)}; không thể kết thúc trước đó.",
            "date",
        )
    current = version_at(unit, day)
    current.valid_to = day
    current.save(update_fields=["valid_to"])
    unit.ended = day
    unit.version += 1
    unit.save(update_fields=["ended", "version"])


def log_change(
    actor: Actor,
    unit: Unit,
    action: str,
    day: dt.date,
    decision: Decision,
    note: str = "",
    related: list[Unit] | None = None,
    changes: dict | None = None,
    details: dict | None = None,
) -> UnitChange:
    # Every service logs before committing: a decision dated outside the range rolls it back.
    limits.check_date(decision.date, "decision_date", "Ngày quyết định")
    change = UnitChange.objects.create(
        unit=unit,
        action=action,
        date=day,
        decision_number=limits.clean_text(decision.number),
        decision_date=decision.date,
        issuing_body=limits.clean_text(decision.issuing_body),
        note=note,
        details=details or {},
    )
    if related:
        change.related_units.set(related)
    payload = {"date": [None, day], "decision_number": [None, decision.number], **(changes or {})}
    record(actor, obj=unit, action=action, changes=payload, reason=note)
    return change


def _check_decision(decision: Decision, day: dt.date) -> None:
    limits.check_date(decision.date, "decision_date", "Ngày quyết định")
    if decision.date and decision.date > day + dt.timedelta(days=366):
        raise _err("Ngày quyết định không hợp lệ.", "decision_date")


def children_on(unit: Unit, day: dt.date) -> list[Unit]:
    return [v.unit for v in UnitVersion.objects.filter(on(day), parent=unit).select_related("unit")]


@transaction.atomic
def unit_establish(
    *,
    actor: Actor,
    code: str,
    name: str,
    kind: str,
    date: dt.date,
    parent: Unit | None = None,
    grassroots_type: str = "",
    decision: Decision = NO_DECISION,
    note: str = "",
) -> Unit:
    access.require_unit_write(actor, parent, date)
    code, name = clean(code).upper(), limits.clean_text(name)
    errors = {}
    code_problem = limits.code_problem(code, "Mã tổ chức")
    if code_problem:
        errors["code"] = [code_problem]
    elif Unit.objects.filter(code__iexact=code).exists():
        errors["code"] = [f"Mã {code} đã được dùng."]
    if not name:
        errors["name"] = ["Cần nhập tên tổ chức."]
    date_problem = limits.date_problem(date, "Ngày thành lập")
    if date_problem:
        errors["date"] = [date_problem]
    if kind not in Kind.values:
        errors["kind"] = ["Cấp tổ chức không hợp lệ."]
    if grassroots_type and grassroots_type not in GrassrootsType.values:
        errors["grassroots_type"] = ["Loại hình không hợp lệ."]
    if errors:
        raise ValidationError(errors)
    if kind in GRASSROOTS_KINDS and not grassroots_type:
        raise _err("Cần chọn loại hình tổ chức cơ sở đảng.", "grassroots_type")
    parent_version = check_parent(kind, parent, date)
    if not grassroots_type and parent_version is not None:
        grassroots_type = parent_version.grassroots_type  # cells inherit their committee's type
    _check_decision(decision, date)
    unit = Unit.objects.create(code=code, established=date)
    UnitVersion.objects.create(
        unit=unit,
        valid_from=date,
        name=name,
        kind=kind,
        grassroots_type=grassroots_type,
        parent=parent,
    )
    TreeSnapshot.new([unit.pk]).refresh()
    log_change(
        actor,
        unit,
        ChangeAction.ESTABLISH,
        date,
        decision,
        note,
        [parent] if parent else None,
        {
            "name": [None, name],
            "kind": [None, kind],
            "parent": [None, parent.code if parent else None],
        },
    )
    return unit


@transaction.atomic
def unit_rename(
    *,
    actor: Actor,
    unit: Unit,
    name: str,
    date: dt.date,
    decision: Decision = NO_DECISION,
    note: str = "",
) -> Unit:
    access.require_unit_write(actor, unit, date)
    name = limits.clean_text(name)
    if not name:
        raise _err("Cần nhập tên mới.", "name")
    current = check_alive(unit, date)
    if current.name == name:
        raise _err("Tên mới trùng với tên hiện tại.", "name")
    set_from(unit, date, name=name)
    bump_version(unit)
    log_change(
        actor,
        unit,
        ChangeAction.RENAME,
        date,
        decision,
        note,
        changes={"name": [current.name, name]},
    )
    return unit


def bump_version(unit: Unit) -> None:
    Unit.objects.filter(pk=unit.pk).update(version=unit.version + 1)
    unit.version += 1


def _check_no_cycle(unit: Unit, new_parent: Unit, day: dt.date) -> None:
    if new_parent.pk == unit.pk:
        raise _err("Một tổ chức không thể trực thuộc chính nó.", "parent")
    loops = UnitAncestry.objects.filter(
        validity.reaching(day), ancestor=unit, descendant=new_parent
    )
    if loops.exists():
        raise _err(
            f"{new_parent.code} đang trực thuộc {unit.code}: không thể tạo vòng lặp trong cây tổ chức.",
            "parent",
        )


@transaction.atomic
def unit_move(
    *,
    actor: Actor,
    unit: Unit,
    new_parent: Unit,
    date: dt.date,
    decision: Decision = NO_DECISION,
    note: str = "",
) -> Unit:
    access.require_unit_write(actor, unit, date)
    access.require_unit_write(actor, new_parent, date)
    current = check_alive(unit, date)
    if current.parent_id == new_parent.pk:
        raise _err(f"{unit.code} đã trực thuộc {new_parent.code}.", "parent")
    _check_no_cycle(unit, new_parent, date)
    check_parent(current.kind, new_parent, date)
    snap = TreeSnapshot.take([unit.pk])
    set_from(unit, date, parent=new_parent)
    snap.refresh()
    bump_version(unit)
    log_change(
        actor,
        unit,
        ChangeAction.MOVE,
        date,
        decision,
        note,
        [new_parent],
        {"parent": [current.parent.code if current.parent else None, new_parent.code]},
    )
    return unit


@dataclass(frozen=True)
class Move:
    """One move of a day's many (`units_move_many`): `unit` to under `new_parent`."""

    unit: Unit
    new_parent: Unit
    decision: Decision = NO_DECISION
    note: str = ""


@transaction.atomic
def units_move_many(*, actor: Actor, moves: list[Move], date: dt.date) -> None:
    """A day's moves, each exactly what `unit_move` makes of it (the same checks and messages,
    versions, closure, ledger, name keys, `UnitChange`, audit record and unit version;
    tests/test_units_move_many.py), written at once: the day's versions read in one query, one
    tree refresh for all (`TreeSnapshot`: the ledger is a sum over stints and units, so one
    refresh for disjoint subtrees moves it as one per unit would), the records appended together.

    A province's 2025 plan moves thousands of chi bộ with their merged đảng bộ; one `unit_move`
    each spent most of the plan's time on per-move overhead (docs/performance.md "Restructure
    plans", session 16). Moves that touch one another (a unit moved twice, a unit or a new parent
    under another moved unit on the day or later) depend on their order: they are made one by one, in the
    order given, as `unit_move` would."""
    if not moves:
        return
    ids = [m.unit.pk for m in moves]
    if len(set(ids)) != len(ids) or _touching(moves, date):
        for m in moves:
            unit_move(
                actor=actor,
                unit=m.unit,
                new_parent=m.new_parent,
                date=date,
                decision=m.decision,
                note=m.note,
            )
        return
    limits.check_date(date)
    current = {
        v.unit_id: v
        for v in UnitVersion.objects.filter(on(date), unit_id__in=ids).select_related("parent")
    }
    parents = {
        v.unit_id: v
        for v in UnitVersion.objects.filter(on(date), unit_id__in={m.new_parent.pk for m in moves})
    }
    periods = access.write_periods(actor, {*ids, *(m.new_parent.pk for m in moves)})
    # unit_move's checks, in its order, against what was read at once. Its loop check has
    # nothing to find here: a new parent under a moved unit (or the unit itself), on the day or
    # later, made the moves `_touching`.
    for m in moves:
        access.require_unit_write(actor, m.unit, date, periods=periods)
        access.require_unit_write(actor, m.new_parent, date, periods=periods)
        version = current.get(m.unit.pk) or check_alive(m.unit, date)
        if version.parent_id == m.new_parent.pk:
            raise _err(f"{m.unit.code} đã trực thuộc {m.new_parent.code}.", "parent")
        check_parent_version(version.kind, m.new_parent, parents.get(m.new_parent.pk), date)
    for decision in {m.decision for m in moves}:
        limits.check_date(decision.date, "decision_date", "Ngày quyết định")
    snap = TreeSnapshot.take(ids)
    plain = [
        m
        for m in moves
        if current[m.unit.pk].valid_from < date and current[m.unit.pk].valid_to is None
    ]
    # The common case, the open version split at the day (what `set_from` does to it: the two
    # halves differ in parent, so nothing coalesces); any other shape goes through `set_from`.
    UnitVersion.objects.filter(pk__in=[current[m.unit.pk].pk for m in plain]).update(valid_to=date)
    fields = [f.attname for f in UnitVersion._meta.concrete_fields if not f.primary_key]
    UnitVersion.objects.bulk_create(
        [
            UnitVersion(
                **{
                    **{name: getattr(current[m.unit.pk], name) for name in fields},
                    "valid_from": date,
                    "valid_to": None,
                    "parent_id": m.new_parent.pk,
                }
            )
            for m in plain
        ]
    )
    done = {m.unit.pk for m in plain}
    for m in moves:
        if m.unit.pk not in done:
            set_from(m.unit, date, parent=m.new_parent)
    snap.refresh()
    Unit.objects.filter(pk__in=ids).update(version=F("version") + 1)
    for m in moves:
        m.unit.version += 1
    _log_moves(actor, moves, current, date)


def _code(unit: Unit | None) -> str | None:
    return unit.code if unit else None


def _touching(moves: list[Move], day: dt.date) -> bool:
    """Whether the order of `moves` could matter: a new parent is itself moved, or a moved unit
    or a new parent lies under a moved unit on the day or later (one move could then change
    what another's checks read: a loop closed by the two together, a scope)."""
    ids = {m.unit.pk for m in moves}
    involved = ids | {m.new_parent.pk for m in moves}
    if any(m.new_parent.pk in ids for m in moves):
        return True
    return (
        UnitAncestry.objects.filter(
            validity.reaching(day), ancestor_id__in=ids, descendant_id__in=involved
        )
        .exclude(descendant_id=F("ancestor_id"))
        .exists()
    )


def _log_moves(actor, moves, current, day) -> None:
    """`log_change` of each move (ChangeAction.MOVE), written in three statements."""
    changes = UnitChange.objects.bulk_create(
        [
            UnitChange(
                unit=m.unit,
                action=ChangeAction.MOVE,
                date=day,
                decision_number=limits.clean_text(m.decision.number),
                decision_date=m.decision.date,
                issuing_body=limits.clean_text(m.decision.issuing_body),
                note=m.note,
                details={},
            )
            for m in moves
        ]
    )
    UnitChange.related_units.through.objects.bulk_create(
        [
            UnitChange.related_units.through(unitchange_id=c.pk, unit_id=m.new_parent.pk)
            for c, m in zip(changes, moves, strict=True)
        ]
    )
    latest: dict[int, str] = {}  # str(unit): the name of its latest version
    for unit_id, name in (
        UnitVersion.objects.filter(unit_id__in=[m.unit.pk for m in moves])
        .order_by("unit_id", "valid_from")
        .values_list("unit_id", "name")
    ):
        latest[unit_id] = name
    AuditRecord.objects.bulk_create(
        [
            unsaved_record(
                actor,
                obj=m.unit,
                action=ChangeAction.MOVE,
                changes={
                    "date": [None, day],
                    "decision_number": [None, m.decision.number],
                    "parent": [_code(current[m.unit.pk].parent), m.new_parent.code],
                },
                reason=m.note,
                label=f"{latest[m.unit.pk]} ({m.unit.code})",
            )
            for m in moves
        ]
    )
