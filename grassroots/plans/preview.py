"""What a plan will do, before it is done: the plan is played in a transaction that is rolled
back (grassroots/restructure/plan.py), and the organizations, members and villages it touches are
read before and after, on the plan's day, with the ordinary queries (figures: every key of
`grassroots figures`, from figures/queries.py; the tree from the versions).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q

from grassroots.assessments.models import Rating
from grassroots.audit.services import Actor
from grassroots.core.rehearsal import rehearsal
from grassroots.core.rows import read_by_ids
from grassroots.derived import maintain
from grassroots.development.models import Candidate
from grassroots.figures.queries import figures_by_unit
from grassroots.members.models import Member
from grassroots.organizations.models import Unit, UnitAncestry, UnitVersion
from grassroots.organizations.queries import on
from grassroots.restructure import plan as engine
from grassroots.territory.models import VillageVersion


class _Rollback(Exception):
    pass


@dataclass
class Preview:
    day: dt.date
    problems: list[engine.Problem] = field(default_factory=list)
    recognized: list[engine.Change] = field(default_factory=list)
    # code → {"code", "before": {...} | None, "after": {...} | None}; each side holds the tree
    # row (name, kind, parent) and the figures' keys.
    affected: list[dict] = field(default_factory=list)
    members: list[dict] = field(default_factory=list)  # number, name, before, after
    villages: list[dict] = field(default_factory=list)  # code, name, before, after
    records: list[dict] = field(default_factory=list)  # what, unit, count

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict:
        return {
            "date": self.day.isoformat(),
            "ok": self.ok,
            "problems": [str(p) for p in self.problems],
            "recognized": [c.label for c in self.recognized],
            "affected": [
                {"code": a["code"], "before": a["before"], "after": a["after"]}
                for a in self.affected
            ],
            "members": self.members,
            "villages": self.villages,
            "records": self.records,
        }


def _named_codes(changes: list[engine.Change]) -> set[str]:
    codes = set()
    for c in changes:
        if c.action != engine.MEMBER_MOVE:
            codes.add(c.code.upper())
        for name in (c.target, c.parent, c.new_cell_code):
            if name:
                codes.add(name.upper())
        codes |= {p.get("code", "").upper() for p in c.parts if p.get("code")}
    return codes


def _units_of(codes: set[str]) -> dict[int, Unit]:
    out = {}
    code_list = sorted(codes)
    for i in range(0, len(code_list), 900):
        for unit in Unit.objects.filter(code__in=code_list[i : i + 900]):
            out[unit.pk] = unit
    return out


def _with_ancestors(units: dict[int, Unit], day: dt.date) -> dict[int, Unit]:
    ids = list(units)
    extra = set()
    for i in range(0, len(ids), 900):
        extra |= set(
            UnitAncestry.objects.filter(on(day), descendant_id__in=ids[i : i + 900]).values_list(
                "ancestor_id", flat=True
            )
        )
    more = {u.pk: u for u in Unit.objects.filter(pk__in=extra - set(units))}
    return {**units, **more}


def _state(units: dict[int, Unit], day: dt.date) -> dict[str, dict | None]:
    versions = {
        v.unit_id: v
        for v in UnitVersion.objects.filter(on(day), unit_id__in=list(units)).select_related(
            "parent"
        )
    }
    # One batch for every affected organization (a province's plan touches hundreds): the same
    # figures as `figures()` one by one (tests/test_figures_by_unit.py), in a fixed number of reads.
    counted = figures_by_unit([u for pk, u in units.items() if pk in versions], day)
    out: dict[str, dict | None] = {}
    for pk, unit in units.items():
        version = versions.get(pk)
        if version is None:
            out[unit.code] = None
            continue
        data = counted[pk].as_json()
        data.pop("unit", None)
        data.pop("at", None)
        out[unit.code] = {
            "name": version.name,
            "kind": version.kind,
            "parent": version.parent.code if version.parent else None,
            **data,
        }
    return out


def _by_member(sql: str, ids, params: list) -> Iterator[tuple]:
    """The rows of `sql` ("IN ({})" for the member ids, then `params`), through a plain cursor
    (`core.rows.read_by_ids`): a province's preview reads the cells and names of every member it
    moves (170,000), and the ORM's handling of each value of an IN list cost more than the read
    (docs/performance.md "Restructure plans", session 10)."""
    return read_by_ids(sql, sorted(ids), params)


def _cells(member_ids: set[int] | None, unit_ids: list[int], day: dt.date) -> dict[int, int]:
    from grassroots.members.models import MemberStint

    if member_ids is not None:
        start, end = map(connection.ops.quote_name, ("start", "end"))
        return dict(
            _by_member(
                f"SELECT member_id, unit_id FROM {MemberStint._meta.db_table} WHERE member_id IN ({{}}) "
                f"AND {start} <= %s AND ({end} IS NULL OR {end} > %s)",
                member_ids,
                [day, day],
            )
        )
    rows = MemberStint.objects.filter(start__lte=day).filter(Q(end__isnull=True) | Q(end__gt=day))
    return dict(rows.filter(unit_id__in=unit_ids).values_list("member_id", "unit_id"))


def _villages(unit_ids: list[int], village_ids: set[int] | None, day: dt.date) -> dict[int, int]:
    rows = VillageVersion.objects.filter(on(day))
    rows = (
        rows.filter(village_id__in=village_ids)
        if village_ids is not None
        else rows.filter(unit_id__in=unit_ids)
    )
    return dict(rows.values_list("village_id", "unit_id"))


def _records(unit_ids: list[int], day: dt.date) -> list[dict]:
    """Dated records attached to the touched organizations that will now roll up elsewhere."""
    out = []
    ratings = Rating.objects.filter(unit_id__in=unit_ids, year__gte=day.year).count()
    if ratings:
        out.append({"what": f"Xếp loại chất lượng từ năm {day.year}", "count": ratings})
    cases = Candidate.objects.filter(cell_id__in=unit_ids).count()
    if cases:
        out.append({"what": "Hồ sơ phát triển đảng viên của các chi bộ", "count": cases})
    return out


def _before(named: set[str], changes: list[engine.Change], day: dt.date, plan_day: dt.date) -> dict:
    """The touched organizations, their members' cells and villages' communes on `day`, and the
    records of the plan's year on (before the plan is played)."""
    units = _with_ancestors(_units_of(named), day)
    touched = [pk for pk, u in units.items() if u.code.upper() in named]
    cells = _cells(None, touched, day)
    moved_numbers = {c.code.upper() for c in changes if c.action == engine.MEMBER_MOVE}
    for pk in Member.objects.filter(profile_number__in=moved_numbers).values_list("pk", flat=True):
        cells.setdefault(pk, None)
    # Members of the touched organizations have their cell already (one stint on a day).
    cells.update(_cells({pk for pk, cell in cells.items() if cell is None}, [], day))
    return {
        "units": units,
        "state": _state(units, day),
        "cells": cells,
        "villages": _villages(touched, None, day),
        "records": _records(touched, plan_day),
    }


def _compare(result: Preview, snap: dict, named: set[str], day: dt.date) -> None:
    """Fill `result` with what differs between the snapshot `snap` and the registry on `day`."""
    before, cells_before, villages_before = snap["state"], snap["cells"], snap["villages"]
    units = {**snap["units"], **_with_ancestors(_units_of(named), day)}
    after = _state(units, day)
    cells_after = _cells(set(cells_before), [], day)
    villages_after = _villages([], set(villages_before), day)
    result.affected = [
        {"code": code, "before": before.get(code), "after": after.get(code)}
        for code in sorted(after, key=lambda c: (c not in before, c))
        if before.get(code) != after.get(code) or code.upper() in named
    ]
    codes = {u.pk: u.code for u in units.values()}
    codes.update(
        dict(
            Unit.objects.filter(pk__in=set(cells_after.values()) - set(codes)).values_list(
                "pk", "code"
            )
        )
    )
    people = {
        pk: (number, name)
        for pk, number, name in _by_member(
            f"SELECT id, profile_number, full_name FROM {Member._meta.db_table} WHERE id IN ({{}})",
            cells_before,
            [],
        )
    }
    result.members = sorted(
        (
            {
                "number": people[pk][0],
                "name": people[pk][1],
                "before": codes.get(cells_before.get(pk)),
                "after": codes.get(cells_after.get(pk)),
            }
            for pk in cells_before
            if cells_before.get(pk) != cells_after.get(pk)
        ),
        key=lambda m: m["number"],
    )
    from grassroots.territory.models import Village

    villages = {
        pk: (code, name)
        for pk, code, name in Village.objects.filter(pk__in=list(villages_before)).values_list(
            "pk", "code", "name"
        )
    }
    result.villages = [
        {
            "code": villages[pk][0],
            "name": villages[pk][1],
            "before": codes.get(villages_before[pk]),
            "after": codes.get(villages_after.get(pk)),
        }
        for pk in sorted(villages_before, key=lambda p: villages[p][0])
        if villages_before[pk] != villages_after.get(pk)
    ]


def rehearse(
    actor: Actor, changes: list[engine.Change], day: dt.date, *, preview: bool = True
) -> Preview:
    """Play the plan and roll it back; return its problems and (if asked) what it changes on the
    latest day of its changes (`day` when it has none)."""
    day = max([c.date for c in changes] or [day])
    result = Preview(day)
    named = _named_codes(changes)
    try:
        # Rolled back below: the name index, the meeting rollups and the placed duties (read by
        # neither the checks nor the preview) are not kept; a check reads no figure either, so it
        # keeps only the closure.
        with (
            transaction.atomic(),
            maintain.derived_discarded(keep_figures=preview),
            rehearsal(),  # nor the moved members' audit records and versions
        ):
            snap = _before(named, changes, day, day) if preview else None
            outcome = engine.play(actor, changes)
            result.problems, result.recognized = outcome.problems, outcome.recognized
            if snap is not None:
                _compare(result, snap, named, day)
                result.records = snap["records"]
            raise _Rollback
    except _Rollback:
        pass
    return result


def look_back(changes: list[engine.Change], day: dt.date) -> Preview:
    """What an applied plan did: the registry the day before its day against its day (the
    changes are in the registry already; nothing is played). Same shape as the preview."""
    day = max([c.date for c in changes] or [day])
    result = Preview(day)
    named = _named_codes(changes)
    snap = _before(named, changes, day - dt.timedelta(days=1), day)
    _compare(result, snap, named, day)
    result.records = snap["records"]
    return result
