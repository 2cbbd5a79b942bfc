"""A slow, obviously-correct computation of the figures straight from the raw facts.

It walks the tree as of each day through `UnitVersion.parent` (no closure, no ledger) and
replays each member's events day by day. Tests compare it with the fast path.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from grassroots.members import lifecycle
from grassroots.members.models import EventKind, Member, Status
from grassroots.members.services import as_ev
from grassroots.organizations.models import Kind, UnitVersion

ONE = dt.timedelta(days=1)


def _versions():
    return list(UnitVersion.objects.all())


def subtree(root_id: int, day: dt.date, versions) -> set[int]:
    alive = [
        v for v in versions if v.valid_from <= day and (v.valid_to is None or day < v.valid_to)
    ]
    if not any(v.unit_id == root_id for v in alive):
        return set()
    children: dict[int, list[int]] = {}
    for v in alive:
        children.setdefault(v.parent_id, []).append(v.unit_id)
    found, todo = set(), [root_id]
    while todo:
        current = todo.pop()
        found.add(current)
        todo += children.get(current, [])
    return found


def _state(events, day):
    return lifecycle.final_state([e for e in events if e.date <= day])


def reference(unit, at: dt.date, since: dt.date | None = None) -> dict:
    versions = _versions()
    tree_at = subtree(unit.pk, at, versions)
    kinds = Counter(
        v.kind
        for v in versions
        if v.unit_id in tree_at and v.valid_from <= at and (v.valid_to is None or at < v.valid_to)
    )
    out = {
        "grassroots_committees": kinds[Kind.GRASSROOTS_COMMITTEE],
        "grassroots_cells": kinds[Kind.GRASSROOTS_CELL],
        "partial_committees": kinds[Kind.PARTIAL_COMMITTEE],
        "subordinate_cells": kinds[Kind.SUBORDINATE_CELL],
        "members": 0,
        "official": 0,
        "probationary": 0,
        "exempt": 0,
    }
    histories = {
        m.pk: [as_ev(e) for e in m.events.filter(voided_at__isnull=True)]
        for m in Member.objects.all()
    }
    for events in histories.values():
        state = _state(events, at)
        if state.phase == "member" and state.unit_id in tree_at:
            out["members"] += 1
            out["official" if state.status == Status.OFFICIAL else "probationary"] += 1
            out["exempt"] += state.exempt
    if since is None:
        return out
    flows = Counter()
    boundaries = {v.valid_from for v in versions} | {v.valid_to for v in versions if v.valid_to}
    trees: dict[dt.date, set[int]] = {}

    def tree(day):
        if day not in trees:
            trees[day] = subtree(unit.pk, day, versions)
        return trees[day]

    for events in histories.values():
        days = sorted({e.date for e in events} | boundaries)
        for day in days:
            if not (since < day <= at):
                continue
            before, after = _state(events, day - ONE), _state(events, day)
            was = before.phase == "member" and before.unit_id in tree(day - ONE)
            now = after.phase == "member" and after.unit_id in tree(day)
            kinds_today = {e.kind for e in events if e.date == day}
            if EventKind.OFFICIAL in kinds_today and now:
                flows["recognized"] += 1
            if not was and now:
                if EventKind.ADMISSION in kinds_today:
                    flows["admitted"] += 1
                elif EventKind.READMISSION in kinds_today:
                    flows["readmitted"] += 1
                elif kinds_today & {EventKind.TRANSFER, EventKind.TRANSFER_IN}:
                    flows["transferred_in"] += 1
                else:
                    flows["restructured_in"] += 1
            elif was and not now:
                names = {
                    EventKind.DEATH: "died",
                    EventKind.EXPULSION: "expelled",
                    EventKind.REMOVAL: "removed",
                    EventKind.LEAVING: "left",
                }
                ended = [names[k] for k in kinds_today if k in names]
                if ended:
                    flows[ended[0]] += 1
                elif kinds_today & {EventKind.TRANSFER, EventKind.TRANSFER_OUT}:
                    flows["transferred_out"] += 1
                else:
                    flows["restructured_out"] += 1
    for name in (
        "admitted",
        "readmitted",
        "recognized",
        "transferred_in",
        "transferred_out",
        "restructured_in",
        "restructured_out",
        "died",
        "expelled",
        "removed",
        "left",
    ):
        out[name] = flows[name]
    return out


def fast(unit, at, since=None) -> dict:
    """The fast path's numbers in the reference's vocabulary."""
    from grassroots.figures.queries import ledger_at, ledger_between

    if since is None:
        data = ledger_at(unit.pk, at)
        return {
            k: data[k]
            for k in (
                "grassroots_committees",
                "grassroots_cells",
                "partial_committees",
                "subordinate_cells",
                "members",
                "official",
                "probationary",
                "exempt",
            )
        }
    now, _then, flows = ledger_between(unit.pk, since, at)
    return {**now, **flows}
