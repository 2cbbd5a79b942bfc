"""Every change to the organization tree goes through one of these functions.

Each one validates (Vietnamese messages), records the dated decision (`UnitChange`), changes the
unit versions, rebuilds the ancestry closure of the affected subtree and moves the figures
ledger from the old shape to the new one, and writes the audit record, in one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from grassroots.audit.services import Actor, record
from grassroots.core import validity
from grassroots.core.dates import vn
from grassroots.core.text import clean
from grassroots.figures.ledger import TreeSnapshot

from .closure import rebuild_closure
from .models import (
    ALLOWED_PARENTS,
    GRASSROOTS_KINDS,
    MEMBER_KINDS,
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


def _check_alive(unit: Unit, day: dt.date, label: str = "Tổ chức") -> UnitVersion:
    version = version_at(unit, day)
    if version is None:
        if day < unit.established:
            raise _err(
                f"{label} {unit.code} chưa thành lập vào ngày {vn(day)} (thành lập {vn(unit.established)}).",
                "date",
            )
        raise _err(f"{label} {unit.code} đã kết thúc hoạt động ngày {vn(unit.ended)}.", "date")
    return version


def _check_parent(kind: str, parent: Unit | None, day: dt.date) -> UnitVersion | None:
    allowed = ALLOWED_PARENTS[Kind(kind)]
    if parent is None:
        if None not in allowed:
            raise _err(f"{Kind(kind).label} phải trực thuộc một tổ chức cấp trên.", "parent")
        return None
    parent_version = version_at(parent, day)
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


def _set_from(unit: Unit, day: dt.date, **attrs) -> None:
    """Change attributes from `day` until the next recorded change of the same attributes."""
    validity.set_from(unit.versions, day, _UNIT_TRACKED, **attrs)


def _end(unit: Unit, day: dt.date) -> None:
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


def _log(
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
    change = UnitChange.objects.create(
        unit=unit,
        action=action,
        date=day,
        decision_number=clean(decision.number),
        decision_date=decision.date,
        issuing_body=clean(decision.issuing_body),
        note=note,
        details=details or {},
    )
    if related:
        change.related_units.set(related)
    payload = {"date": [None, day], "decision_number": [None, decision.number], **(changes or {})}
    record(actor, obj=unit, action=action, changes=payload, reason=note)
    return change


def _check_decision(decision: Decision, day: dt.date) -> None:
    if decision.date and decision.date > day + dt.timedelta(days=366):
        raise _err("Ngày quyết định không hợp lệ.", "decision_date")


def _stints_on(unit: Unit, day: dt.date):
    from django.db.models import Q

    from grassroots.members.models import MemberStint

    return MemberStint.objects.filter(unit=unit, start__lte=day).filter(
        Q(end__isnull=True) | Q(end__gt=day)
    )


def _members_in(unit: Unit, day: dt.date):
    from grassroots.members.models import Member

    return Member.objects.filter(pk__in=_stints_on(unit, day).values("member_id")).order_by("pk")


def _has_members(unit: Unit, day: dt.date) -> bool:
    return _stints_on(unit, day).exists()


def _children(unit: Unit, day: dt.date) -> list[Unit]:
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
    code, name = clean(code).upper(), clean(name)
    errors = {}
    if not code:
        errors["code"] = ["Cần nhập mã tổ chức."]
    elif Unit.objects.filter(code__iexact=code).exists():
        errors["code"] = [f"Mã {code} đã được dùng."]
    if not name:
        errors["name"] = ["Cần nhập tên tổ chức."]
    if kind not in Kind.values:
        errors["kind"] = ["Cấp tổ chức không hợp lệ."]
    if grassroots_type and grassroots_type not in GrassrootsType.values:
        errors["grassroots_type"] = ["Loại hình không hợp lệ."]
    if errors:
        raise ValidationError(errors)
    if kind in GRASSROOTS_KINDS and not grassroots_type:
        raise _err("Cần chọn loại hình tổ chức cơ sở đảng.", "grassroots_type")
    parent_version = _check_parent(kind, parent, date)
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
    _log(
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
    name = clean(name)
    if not name:
        raise _err("Cần nhập tên mới.", "name")
    current = _check_alive(unit, date)
    if current.name == name:
        raise _err("Tên mới trùng với tên hiện tại.", "name")
    _set_from(unit, date, name=name)
    _bump(unit)
    _log(
        actor,
        unit,
        ChangeAction.RENAME,
        date,
        decision,
        note,
        changes={"name": [current.name, name]},
    )
    return unit


def _bump(unit: Unit) -> None:
    Unit.objects.filter(pk=unit.pk).update(version=unit.version + 1)
    unit.version += 1


def _check_no_cycle(unit: Unit, new_parent: Unit, day: dt.date) -> None:
    from django.db.models import Q

    if new_parent.pk == unit.pk:
        raise _err("Một tổ chức không thể trực thuộc chính nó.", "parent")
    loops = UnitAncestry.objects.filter(ancestor=unit, descendant=new_parent).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day)
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
    current = _check_alive(unit, date)
    if current.parent_id == new_parent.pk:
        raise _err(f"{unit.code} đã trực thuộc {new_parent.code}.", "parent")
    _check_no_cycle(unit, new_parent, date)
    _check_parent(current.kind, new_parent, date)
    snap = TreeSnapshot.take([unit.pk])
    _set_from(unit, date, parent=new_parent)
    snap.refresh()
    _bump(unit)
    _log(
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
    current = _check_alive(unit, date)
    if kind not in Kind.values or kind == current.kind:
        raise _err("Cấp tổ chức mới không hợp lệ hoặc không thay đổi.", "kind")
    _check_parent(kind, current.parent, date)
    members_here = _has_members(unit, date)
    if kind not in MEMBER_KINDS and members_here and not new_cell_code:
        raise _err(
            "Tổ chức đang có đảng viên sinh hoạt trực tiếp: cần lập chi bộ trực thuộc để chuyển đảng viên sang.",
            "new_cell_code",
        )
    if kind in MEMBER_KINDS and _children(unit, date):
        raise _err("Tổ chức còn tổ chức trực thuộc: hãy chuyển hoặc giải thể chúng trước.", "kind")
    snap = TreeSnapshot.take([unit.pk])
    _set_from(unit, date, kind=kind)
    snap.refresh()
    _bump(unit)
    _log(
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


def _move_members(actor: Actor, source: Unit, target: Unit, day: dt.date) -> int:
    from grassroots.members.models import EventKind
    from grassroots.members.services import member_record_event

    moved = 0
    for member in _members_in(source, day):
        member_record_event(
            actor=actor,
            member=member,
            kind=EventKind.RESTRUCTURE,
            date=day,
            unit=target,
            note=f"Theo sắp xếp tổ chức: {source.code} → {target.code}",
        )
        moved += 1
    return moved


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
    target_version = _check_alive(target, date, "Tổ chức nhận sáp nhập")
    if not sources:
        raise _err("Cần chọn ít nhất một tổ chức bị sáp nhập.", "sources")
    for source in sources:
        if source.pk == target.pk:
            raise _err("Không thể sáp nhập một tổ chức vào chính nó.", "sources")
        _check_alive(source, date)
        if UnitAncestry.objects.filter(on(date), ancestor=source, descendant=target).exists():
            raise _err(
                f"{target.code} đang trực thuộc {source.code}: không thể sáp nhập.", "target"
            )
        if _has_members(source, date) and target_version.kind not in MEMBER_KINDS:
            raise _err(
                f"{source.code} có đảng viên sinh hoạt trực tiếp nhưng {target.code} không phải là chi bộ.",
                "target",
            )
        for child in _children(source, date):
            _check_parent(version_at(child, date).kind, target, date)
    for source in sources:
        _move_members(actor, source, target, date)
        for child in _children(source, date):
            unit_move(
                actor=actor,
                unit=child,
                new_parent=target,
                date=date,
                decision=decision,
                note=f"Theo sáp nhập {source.code} vào {target.code}",
            )
        _move_villages(actor, source, target, target_version, date)
        snap = TreeSnapshot.take([source.pk])
        _end(source, date)
        snap.refresh()
        _log(
            actor,
            source,
            ChangeAction.MERGE,
            date,
            decision,
            note,
            [target],
            {"merged_into": [None, target.code]},
        )
    return target


def _move_villages(
    actor: Actor, source: Unit, target: Unit, target_version: UnitVersion, day: dt.date
) -> None:
    """A merged commune's villages pass to the commune that absorbs it (domain.md §1.3, 2025)."""
    from grassroots.territory.models import VillageVersion
    from grassroots.territory.services import village_move

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
) -> list[Unit]:
    """Split `unit` into new organizations under the same parent. `assign` maps the id of each
    sub-organization and member of the unit to the code of the part that takes it; whatever is
    not assigned goes to the first part. The unit ends on `date`."""
    current = _check_alive(unit, date)
    if len(parts) < 2:
        raise _err("Chia tách cần ít nhất hai tổ chức mới.", "parts")
    assign = assign or {}
    codes = {p.code.upper() for p in parts}
    bad = {v for v in assign.values() if v.upper() not in codes}
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
    from grassroots.members.models import EventKind
    from grassroots.members.services import member_record_event

    for member in _members_in(unit, date):
        target = new_units.get(assign.get(member.pk, "").upper(), first)
        member_record_event(
            actor=actor,
            member=member,
            kind=EventKind.RESTRUCTURE,
            date=date,
            unit=target,
            note=f"Theo chia tách {unit.code}",
        )
    for child in _children(unit, date):
        target = new_units.get(assign.get(child.pk, "").upper(), first)
        unit_move(
            actor=actor,
            unit=child,
            new_parent=target,
            date=date,
            decision=decision,
            note=f"Theo chia tách {unit.code}",
        )
    snap = TreeSnapshot.take([unit.pk])
    _end(unit, date)
    snap.refresh()
    _log(
        actor,
        unit,
        ChangeAction.SPLIT,
        date,
        decision,
        note,
        list(new_units.values()),
        {"split_into": [None, sorted(new_units)]},
    )
    return list(new_units.values())


@transaction.atomic
def unit_dissolve(
    *, actor: Actor, unit: Unit, date: dt.date, decision: Decision = NO_DECISION, note: str = ""
) -> Unit:
    _check_alive(unit, date)
    if _children(unit, date):
        raise _err(
            "Tổ chức còn tổ chức trực thuộc: hãy chuyển, sáp nhập hoặc giải thể chúng trước.",
            "date",
        )
    if _has_members(unit, date):
        raise _err(
            "Tổ chức còn đảng viên sinh hoạt: hãy chuyển sinh hoạt cho đảng viên trước.", "date"
        )
    snap = TreeSnapshot.take([unit.pk])
    _end(unit, date)
    snap.refresh()
    _log(actor, unit, ChangeAction.DISSOLVE, date, decision, note)
    return unit


def rebuild_all(progress=None) -> None:
    """Recompute closure, ledger and name index from the versions and stints (after a bulk load)."""
    from grassroots.figures.ledger import rebuild
    from grassroots.members import search_index

    with transaction.atomic():
        rebuild_closure(None)
        rebuild(None, progress=progress)
        search_index.rebuild()
