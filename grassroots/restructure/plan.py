"""A restructure plan played as a whole: many changes of the tree and the member moves they imply,
applied in dependency order through the services of this package and of the domains.

Nothing here re-implements a rule: each change is one call of the ordinary service
(`organizations.services.unit_establish/rename/move`, `restructure.services.unit_change_kind/
unit_merge/unit_split/unit_dissolve`, `members.services.member_record_event`), so a plan is
refused for exactly the reasons a clerk's form would be. What this module adds:

* **Dependency order, not file order.** Changes are played by date, then by phase (`PHASES`):
  new organizations first, then renames, kinds that grow (a cell becoming a committee), the
  explicit member moves, moves of sub-organizations, mergers, splits, kinds that shrink, and
  dissolutions last, so members and sub-organizations leave before their cell or parent ends.
  A change refused because something it needs comes later (a new sub-cell under a cell that
  becomes a committee in the same plan) is tried again after every change that could go: the
  plan is played to a fixpoint, each try in its own savepoint.
* **One fact once.** A member move that a merger, a split or a change of kind of the same plan
  already makes (the restructure rows an export writes for a merger, say) is recognized as that
  move and not recorded twice; a new chi bộ trực thuộc established under an organization whose
  kind grows the same day becomes the cell that receives its members.
* **Every problem at once.** What is still refused at the fixpoint is reported, each problem
  naming its change (and the caller's reference: the Excel row, the plan line).

`play` runs inside the caller's transaction: the caller commits (apply) or rolls back (check,
preview). The plan's own records live in the `plans` app.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from grassroots.audit.services import Actor
from grassroots.core.dates import vn
from grassroots.derived import maintain
from grassroots.members.models import EventKind, Member, MemberStint
from grassroots.members.services import member_record_event, members_restructure
from grassroots.organizations import services as orgs
from grassroots.organizations.models import MEMBER_KINDS, ChangeAction, Kind, Unit, UnitVersion
from grassroots.organizations.queries import on

from . import services as restructure

MEMBER_MOVE = "member_move"
ACTIONS = {
    ChangeAction.ESTABLISH: "Thành lập",
    ChangeAction.RENAME: "Đổi tên",
    ChangeAction.MOVE: "Chuyển trực thuộc",
    ChangeAction.CHANGE_KIND: "Thay đổi cấp tổ chức",
    ChangeAction.MERGE: "Sáp nhập",
    ChangeAction.SPLIT: "Chia tách",
    ChangeAction.DISSOLVE: "Giải thể",
    MEMBER_MOVE: "Chuyển đảng viên theo sắp xếp",
}
# The order in which a day's changes are played (see the module docstring).
PHASES = {
    ChangeAction.ESTABLISH: 0,
    ChangeAction.RENAME: 1,
    "grow": 2,
    MEMBER_MOVE: 3,
    ChangeAction.MOVE: 4,
    ChangeAction.MERGE: 5,
    ChangeAction.SPLIT: 6,
    "shrink": 7,
    ChangeAction.DISSOLVE: 8,
}


@dataclass
class Change:
    """One change of a plan. Units are named by code (a plan may establish them); a member move
    names the member by profile number in `code` and the receiving cell in `target`."""

    action: str
    code: str
    date: dt.date
    name: str = ""
    kind: str = ""
    grassroots_type: str = ""
    parent: str = ""
    target: str = ""
    new_cell_code: str = ""
    new_cell_name: str = ""
    parts: list[dict] = field(default_factory=list)  # split: code, name, kind, grassroots_type
    assign: dict[str, str] = field(default_factory=dict)  # split: member number / unit code → part
    decision: orgs.Decision = orgs.NO_DECISION
    note: str = ""
    ref: Any = None  # the caller's handle: Excel row, plan line
    where: str = ""  # how the caller names it in messages ("dòng 12")
    position: int = 0

    @property
    def label(self) -> str:
        what = ACTIONS.get(self.action, self.action)
        if self.action == MEMBER_MOVE:
            text = f"{what} {self.code} → {self.target}"
        elif self.action == ChangeAction.MERGE:
            text = f"{what} {self.code} vào {self.target}"
        else:
            text = f"{what} {self.code}"
        return f"{self.where}: {text}" if self.where else text

    def phase(self) -> int:
        if self.action == ChangeAction.CHANGE_KIND:
            return PHASES["grow" if self.kind not in MEMBER_KINDS else "shrink"]
        return PHASES.get(self.action, 9)


@dataclass
class Problem:
    change: Change | None
    field: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.change.label}: {self.message}" if self.change else self.message

    def as_json(self) -> dict:
        return {
            "change": self.change.label if self.change else None,
            "where": self.change.where if self.change else None,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class Outcome:
    problems: list[Problem]
    applied: list[Change]
    recognized: list[Change]  # explicit moves that another change of the plan already makes


def _decision(v: dict) -> orgs.Decision:
    return orgs.Decision(
        v.get("decision_number", ""), v.get("decision_date"), v.get("issuing_body", "")
    )


def change_from_values(v: dict, code: str, ref: Any = None, where: str = "") -> Change:
    """A change from a row of the import format's "Thay đổi tổ chức" (its field names)."""
    return Change(
        action=v["action"],
        code=code,
        date=v["date"],
        name=v.get("name", ""),
        kind=v.get("kind", ""),
        grassroots_type=v.get("grassroots_type", ""),
        parent=v.get("parent", ""),
        target=v.get("target", ""),
        new_cell_code=v.get("new_cell_code", ""),
        new_cell_name=v.get("new_cell_name", ""),
        decision=_decision(v),
        note=v.get("note", ""),
        ref=ref,
        where=where,
    )


def move_from_values(v: dict, ref: Any = None, where: str = "") -> Change:
    """A member move from a "Chuyển theo sắp xếp tổ chức" row of "Sự kiện đảng viên"."""
    return Change(
        action=MEMBER_MOVE,
        code=v["profile_number"],
        date=v["date"],
        target=v.get("unit", ""),
        decision=_decision(v),
        note=v.get("note", ""),
        ref=ref,
        where=where,
    )


def _unit(code: str, field_name: str) -> Unit:
    unit = Unit.objects.filter(code__iexact=(code or "").strip()).first()
    if unit is None:
        raise ValidationError({field_name: [f"không có tổ chức mã {code or '(trống)'}."]})
    return unit


def _member(number: str) -> Member:
    member = Member.objects.filter(profile_number__iexact=(number or "").strip()).first()
    if member is None:
        raise ValidationError({"code": [f"không có đảng viên số lý lịch {number}."]})
    return member


def cell_on(member_ids: list[int], day: dt.date) -> dict[int, int]:
    """The cell that counts each member on `day` (members outside the system are left out)."""
    rows = MemberStint.objects.filter(member_id__in=member_ids, start__lte=day).filter(
        Q(end__isnull=True) | Q(end__gt=day)
    )
    return dict(rows.values_list("member_id", "unit_id"))


def _apply(actor: Actor, c: Change) -> None:
    common = {"actor": actor, "date": c.date, "decision": c.decision, "note": c.note}
    if c.action == ChangeAction.ESTABLISH:
        parent = _unit(c.parent, "parent") if c.parent else None
        orgs.unit_establish(
            code=c.code,
            name=c.name,
            kind=c.kind,
            parent=parent,
            grassroots_type=c.grassroots_type,
            **common,
        )
    elif c.action == ChangeAction.RENAME:
        orgs.unit_rename(unit=_unit(c.code, "code"), name=c.name, **common)
    elif c.action == ChangeAction.MOVE:
        orgs.unit_move(unit=_unit(c.code, "code"), new_parent=_unit(c.parent, "parent"), **common)
    elif c.action == ChangeAction.CHANGE_KIND:
        restructure.unit_change_kind(
            unit=_unit(c.code, "code"),
            kind=c.kind,
            new_cell_code=c.new_cell_code,
            new_cell_name=c.new_cell_name,
            **common,
        )
    elif c.action == ChangeAction.MERGE:
        restructure.unit_merge(
            sources=[_unit(c.code, "code")], target=_unit(c.target, "target"), **common
        )
    elif c.action == ChangeAction.SPLIT:
        _split(actor, c, common)
    elif c.action == ChangeAction.DISSOLVE:
        restructure.unit_dissolve(unit=_unit(c.code, "code"), **common)
    elif c.action == MEMBER_MOVE:
        member_record_event(
            actor=actor,
            member=_member(c.code),
            kind=EventKind.RESTRUCTURE,
            date=c.date,
            unit=_unit(c.target, "target"),
            decision_number=c.decision.number,
            decision_date=c.decision.date,
            issuing_body=c.decision.issuing_body,
            note=c.note,
            confirm_future=True,  # a plan applied ahead of its effective day (issue 12)
        )
    else:
        raise ValidationError({"action": [f"Thay đổi “{c.action}” không hợp lệ."]})


def _split(actor: Actor, c: Change, common: dict) -> None:
    unit = _unit(c.code, "code")
    parts = [
        restructure.SplitPart(
            code=p.get("code", ""),
            name=p.get("name", "") or p.get("code", ""),
            kind=p.get("kind", ""),
            grassroots_type=p.get("grassroots_type", ""),
        )
        for p in c.parts
    ]
    members, children = {}, {}
    for key, part in c.assign.items():
        found = Member.objects.filter(profile_number__iexact=key).values_list("pk", flat=True)
        if found:
            members[found[0]] = part
            continue
        child = Unit.objects.filter(code__iexact=key).values_list("pk", flat=True)
        if not child:
            raise ValidationError(
                {"assign": [f"không có đảng viên hay tổ chức “{key}” để phân chia."]}
            )
        children[child[0]] = part
    restructure.unit_split(
        unit=unit, parts=parts, assign=members, assign_children=children, **common
    )


def _messages(exc: ValidationError) -> list[tuple[str | None, str]]:
    if hasattr(exc, "error_dict"):
        return [
            (None if name == "__all__" else name, message)
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [(None, message) for message in exc.messages]


def _same_facts(changes: list[Change]) -> tuple[list[Change], list[Change]]:
    """Fold the changes that state a fact another change already makes (module docstring):
    returns (changes to play, explicit member moves recognized as part of another change)."""
    ends: dict[tuple[str, dt.date], Change] = {}
    grows: dict[tuple[str, dt.date], Change] = {}
    for c in changes:
        if c.action in (ChangeAction.MERGE, ChangeAction.SPLIT):
            ends[(c.code.upper(), c.date)] = c
        elif c.action == ChangeAction.CHANGE_KIND and c.kind not in MEMBER_KINDS:
            grows[(c.code.upper(), c.date)] = c
    # A new chi bộ trực thuộc under a unit growing the same day receives its members.
    keep: list[Change] = []
    for c in changes:
        grow = grows.get(((c.parent or "").upper(), c.date))
        if (
            c.action == ChangeAction.ESTABLISH
            and c.kind == Kind.SUBORDINATE_CELL
            and grow is not None
            and not grow.new_cell_code
        ):
            grow.new_cell_code, grow.new_cell_name = c.code, c.name
            continue
        keep.append(c)
    keep, folded = _split_children(keep, ends)
    moves = [c for c in keep if c.action == MEMBER_MOVE]
    if not moves or not (ends or grows):
        return keep, folded
    numbers = {c.code.upper() for c in moves}
    members = dict(
        (number.upper(), pk)
        for pk, number in Member.objects.filter(profile_number__in=numbers).values_list(
            "pk", "profile_number"
        )
    )
    codes = dict(
        (pk, code.upper())
        for pk, code in Unit.objects.filter(code__in=[k[0] for k in (*ends, *grows)]).values_list(
            "pk", "code"
        )
    )
    recognized: list[Change] = []
    by_day: dict[dt.date, dict[int, int]] = {}
    out: list[Change] = []
    for c in keep:
        if c.action != MEMBER_MOVE or c.code.upper() not in members:
            out.append(c)
            continue
        pk = members[c.code.upper()]
        day_before = c.date - dt.timedelta(days=1)
        cells = by_day.get(c.date)
        if cells is None:
            wanted = [
                members[m.code.upper()]
                for m in moves
                if m.date == c.date and m.code.upper() in members
            ]
            cells = by_day[c.date] = cell_on(wanted, day_before)
        source = codes.get(cells.get(pk))
        end = ends.get((source, c.date)) if source else None
        grow = grows.get((source, c.date)) if source else None
        target = c.target.upper()
        if end is not None and end.action == ChangeAction.MERGE and end.target.upper() == target:
            recognized.append(c)
            continue
        if end is not None and end.action == ChangeAction.SPLIT:
            if target in {p.get("code", "").upper() for p in end.parts}:
                end.assign.setdefault(c.code.upper(), target)
                recognized.append(c)
                continue
        if grow is not None and (grow.new_cell_code or "").upper() == target:
            recognized.append(c)
            continue
        out.append(c)
    return out, folded + recognized


def _split_children(
    changes: list[Change], ends: dict[tuple[str, dt.date], Change]
) -> tuple[list[Change], list[Change]]:
    """A "Chuyển trực thuộc" of a sub-organization of a split unit into one of its parts, the
    same day, is that sub-organization's assignment in the split (the part does not exist before
    the split establishes it): folded into the split, not played on its own."""
    parts = {
        (p.get("code", "").upper(), day): split
        for (_, day), split in ends.items()
        if split.action == ChangeAction.SPLIT
        for p in split.parts
    }
    if not parts:
        return changes, []
    keep, folded = [], []
    for c in changes:
        split = (
            parts.get(((c.parent or "").upper(), c.date)) if c.action == ChangeAction.MOVE else None
        )
        if (
            split is not None
            and _parent_code(c.code, c.date - dt.timedelta(days=1)) == split.code.upper()
        ):
            split.assign.setdefault(c.code.upper(), c.parent.upper())
            folded.append(c)
        else:
            keep.append(c)
    return keep, folded


def _parent_code(code: str, day: dt.date) -> str:
    version = (
        UnitVersion.objects.filter(on(day), unit__code__iexact=code)
        .select_related("parent")
        .first()
    )
    return version.parent.code.upper() if version and version.parent else ""


def _move_group(pending: list[Change], i: int) -> list[Change]:
    """The explicit member moves from pending[i] on that can be written as one bulk move: the
    same day and decision, each member once (a second row for a member is played after the
    first, one by one). Empty when pending[i] starts no group of two or more."""
    first = pending[i]
    if first.action != MEMBER_MOVE:
        return []
    key = (first.date, first.decision, first.note)
    group, numbers = [], set()
    for c in pending[i:]:
        number = (c.code or "").strip().upper()
        if c.action != MEMBER_MOVE or (c.date, c.decision, c.note) != key or number in numbers:
            break
        numbers.add(number)
        group.append(c)
    return group if len(group) > 1 else []


def _try_moves(actor: Actor, group: list[Change]) -> bool:
    """Write a group of explicit member moves as one bulk move (`members_restructure`: the same
    fact, rule by rule, as `member_record_event(kind=RESTRUCTURE)` per member), in its own
    savepoint. False when any of them is refused, nothing written: the caller then plays them
    one by one, so each refused row is named with its own problem, as before."""
    c = group[0]
    numbers = {(m.code or "").strip().upper(): m for m in group}
    targets = {(m.target or "").strip().upper() for m in group}
    members = {
        number.upper(): pk
        for pk, number in Member.objects.filter(profile_number__in=numbers).values_list(
            "pk", "profile_number"
        )
    }
    units = {
        code.upper(): unit for unit in Unit.objects.filter(code__in=targets) for code in [unit.code]
    }
    if len(members) != len(numbers) or len(units) != len(targets):
        return False  # an unknown number or code (or one in another case): named one by one
    try:
        with transaction.atomic():
            members_restructure(
                actor=actor,
                moves={
                    members[n]: units[(m.target or "").strip().upper()] for n, m in numbers.items()
                },
                date=c.date,
                note=c.note,
                decision_number=c.decision.number,
                decision_date=c.decision.date,
                issuing_body=c.decision.issuing_body,
                confirm_future=True,  # a plan applied ahead of its effective day (issue 12)
            )
    except (ValidationError, PermissionDenied):
        return False
    return True


# A group of mergers or of moves of organizations written at once holds at most this many (its
# reads name every unit in one IN list: a province's plan is far below, a country's is not).
GROUP_MAX = 5000


def _merge_group(pending: list[Change], i: int) -> list[Change]:
    """The mergers from pending[i] on that can be tried as one (`unit_merge_many`)."""
    return _day_group(pending, i, ChangeAction.MERGE)


def _unit_move_group(pending: list[Change], i: int) -> list[Change]:
    """The moves of organizations from pending[i] on that can be tried as one
    (`organizations.services.units_move_many`)."""
    return _day_group(pending, i, ChangeAction.MOVE)


def _day_group(pending: list[Change], i: int, action: str) -> list[Change]:
    """The changes of `action` from pending[i] on: the same day, each unit once, at most
    GROUP_MAX. Empty when pending[i] starts no group of two or more."""
    first = pending[i]
    if first.action != action:
        return []
    group, codes = [], set()
    for c in pending[i:]:
        code = (c.code or "").strip().upper()
        if c.action != action or c.date != first.date or code in codes or len(group) == GROUP_MAX:
            break
        codes.add(code)
        group.append(c)
    return group if len(group) > 1 else []


def _try_unit_moves(actor: Actor, group: list[Change]) -> bool:
    """Write a day's moves of organizations at once (`units_move_many`: what `unit_move` makes
    of each, with one tree refresh for all; moves whose order matters made in order), in its own
    savepoint. False when anything is refused, nothing written: the caller then plays them one
    by one, so each problem is named with its move, as before."""
    units = _units_named(group, "parent")
    return units is not None and _in_savepoint(
        lambda: orgs.units_move_many(
            actor=actor,
            moves=[
                orgs.Move(units[_key(c.code)], units[_key(c.parent)], c.decision, c.note)
                for c in group
            ],
            date=group[0].date,
        )
    )


def _try_mergers(actor: Actor, group: list[Change]) -> bool:
    """Write a day's mergers at once (`restructure.unit_merge_many`: what `unit_merge` makes
    of each, with one member move and one tree refresh for all), in its own savepoint. False
    when anything is refused, nothing written: the caller then plays them one by one, so each
    problem is named with its merger, as before."""
    units = _units_named(group, "target")
    return units is not None and _in_savepoint(
        lambda: restructure.unit_merge_many(
            actor=actor,
            mergers=[
                restructure.Merger(units[_key(c.code)], units[_key(c.target)], c.decision, c.note)
                for c in group
            ],
            date=group[0].date,
        )
    )


def _key(code: str | None) -> str:
    return (code or "").strip().upper()


def _units_named(group: list[Change], other: str) -> dict[str, Unit] | None:
    """The organizations a group names (each change's code and its `other` field), by upper
    code; None when one is unknown (or in another case): the changes are then named one by one."""
    codes = {_key(c.code) for c in group} | {_key(getattr(c, other)) for c in group}
    units = {unit.code.upper(): unit for unit in Unit.objects.filter(code__in=codes)}
    return units if len(units) == len(codes) else None


def _in_savepoint(write) -> bool:
    """Run a bulk write in its own savepoint: False, nothing kept, when anything is refused."""
    try:
        with transaction.atomic():
            write()
    except (ValidationError, PermissionDenied):
        return False
    return True


def _play_one(actor: Actor, c: Change) -> list[tuple[str | None, str]] | None:
    """Play one change in its own savepoint: None when applied, else its problems."""
    try:
        with transaction.atomic():
            _apply(actor, c)
    except ValidationError as exc:
        return _messages(exc)
    except PermissionDenied as exc:
        return [(None, str(exc))]
    return None


# Below this size a refused bulk group is played one by one rather than halved again.
ALONE = 4


def _play_group(actor: Actor, group: list[Change], applied: list, refused: dict) -> None:
    """Play a group of explicit moves, of mergers or of moves of organizations (`_move_group`,
    `_merge_group`, `_unit_move_group`) in order:
    as one bulk write when nothing in it is refused; else each half the same way, down to one
    by one. The bulk write states exactly what the changes one by one state, so the outcome is
    that of playing them one by one in order, and a refused change is named alone, while one
    refused row in thousands costs a few halvings rather than thousands of single writes.
    `refused` collects each refused change's problems (by id)."""
    bulk = {
        MEMBER_MOVE: _try_moves,
        ChangeAction.MERGE: _try_mergers,
        ChangeAction.MOVE: _try_unit_moves,
    }[group[0].action]
    if len(group) > 1 and bulk(actor, group):
        applied += group
        return
    if len(group) <= ALONE:
        for c in group:
            problems = _play_one(actor, c)
            if problems is None:
                applied.append(c)
            else:
                refused[id(c)] = problems
        return
    half = len(group) // 2
    _play_group(actor, group[:half], applied, refused)
    _play_group(actor, group[half:], applied, refused)


def play(actor: Actor, changes: list[Change]) -> Outcome:
    """Play the changes in dependency order inside the caller's transaction (module docstring).
    Changes that are still refused at the fixpoint are left unapplied and reported."""
    for i, c in enumerate(changes):
        c.position = c.position or i
    pending, recognized = _same_facts(list(changes))
    pending.sort(key=lambda c: (c.date, c.phase(), c.position))
    last: dict[int, list[tuple[str | None, str]]] = {}
    applied: list[Change] = []
    progress = True
    with maintain.names_batched():  # once for the whole plan, not per change or member
        while pending and progress:
            still: list[Change] = []
            done: set[int] = set()  # ids of changes played in a group this round
            before = len(applied)
            for i, c in enumerate(pending):
                if id(c) in done:
                    continue
                # A day's explicit member moves, its mergers or its moves of organizations are
                # played as a group: in bulk when nothing in it is refused (_play_group).
                group = (
                    _move_group(pending, i)
                    or _merge_group(pending, i)
                    or _unit_move_group(pending, i)
                )
                if group:
                    refused: dict[int, list[tuple[str | None, str]]] = {}
                    _play_group(actor, group, applied, refused)
                    done.update(map(id, group))
                    last.update(refused)
                    still += [g for g in group if id(g) in refused]
                    continue
                problems = _play_one(actor, c)
                if problems is None:
                    applied.append(c)
                else:
                    last[id(c)] = problems
                    still.append(c)
            progress = len(applied) > before
            pending = still
    problems = [
        Problem(c, name, message)
        for c in sorted(pending, key=lambda c: c.position)
        for name, message in last[id(c)]
    ]
    return Outcome(problems, applied, recognized)


def check_dates(changes: list[Change], effective: dt.date | None) -> list[Problem]:
    """A plan has one effective date; a change dated otherwise is named (not silently moved)."""
    if effective is None:
        return []
    return [
        Problem(
            c,
            "date",
            f"ngày hiệu lực {vn(c.date)} khác ngày hiệu lực của kế hoạch ({vn(effective)}).",
        )
        for c in changes
        if c.date != effective
    ]
