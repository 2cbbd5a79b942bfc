"""Computing the ancestry closure from unit versions. Pure functions over plain tuples."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from grassroots.core.dates import FAR_FUTURE, vn

from .models import ALLOWED_PARENTS, Kind


@dataclass(frozen=True)
class VersionRow:
    unit_id: int
    parent_id: int | None
    valid_from: dt.date
    valid_to: dt.date | None


@dataclass(frozen=True)
class AncestryRow:
    ancestor_id: int
    descendant_id: int
    depth: int
    valid_from: dt.date
    valid_to: dt.date | None


def _merge(intervals: list[tuple[int, dt.date, dt.date]]) -> list[tuple[int, dt.date, dt.date]]:
    """Join touching intervals; the depth kept is the one the merged interval starts with."""
    out: list[list] = []
    for depth, start, end in sorted(intervals, key=lambda x: x[1]):
        if out and start <= out[-1][2]:
            out[-1][2] = max(out[-1][2], end)
        else:
            out.append([depth, start, end])
    return [tuple(x) for x in out]


def compute_ancestry(versions: list[VersionRow]) -> list[AncestryRow]:
    """Closure of the parent relation through time: (ancestor, descendant, maximal interval).

    Ancestorship that continues across a version change (a rename, or a move that keeps the
    same grandparent) stays one interval, so figures see no boundary where nothing changed.
    """
    by_unit: dict[int, list[VersionRow]] = defaultdict(list)
    for version in versions:
        by_unit[version.unit_id].append(version)
    memo: dict[int, dict[int, list[tuple[int, dt.date, dt.date]]]] = {}

    def ancestors(unit_id: int, stack: tuple[int, ...] = ()) -> dict[int, list]:
        if unit_id in memo:
            return memo[unit_id]
        if unit_id in stack:
            raise ValueError(f"cycle through unit {unit_id}")
        found: dict[int, list] = defaultdict(list)
        for version in by_unit.get(unit_id, []):
            start, end = version.valid_from, version.valid_to or FAR_FUTURE
            found[unit_id].append((0, start, end))
            if version.parent_id is None:
                continue
            for anc, spans in ancestors(version.parent_id, stack + (unit_id,)).items():
                for depth, s, e in spans:
                    lo, hi = max(s, start), min(e, end)
                    if lo < hi:
                        found[anc].append((depth + 1, lo, hi))
        memo[unit_id] = {anc: _merge(spans) for anc, spans in found.items()}
        return memo[unit_id]

    rows = []
    for unit_id in by_unit:
        for anc, spans in ancestors(unit_id).items():
            for depth, start, end in spans:
                rows.append(
                    AncestryRow(anc, unit_id, depth, start, None if end == FAR_FUTURE else end)
                )
    return rows


@dataclass(frozen=True)
class KindVersion:
    unit: str
    kind: str
    parent: str | None
    valid_from: dt.date
    valid_to: dt.date | None


def tree_problems(
    versions: list[KindVersion],
    lifetimes: dict[str, tuple[dt.date, dt.date | None]],
    limit: int = 20,
    *,
    existing: list[KindVersion] = (),
) -> list[str]:
    """What the services would refuse in a set of unit versions written in bulk (Vietnamese).

    The same rules as organizations.services: a unit's versions lie inside its life, without
    gaps or overlaps; a parent exists for the whole time a child points to it, and is of a kind
    that may hold the child (ALLOWED_PARENTS, domain.md §1.1).

    `existing`: versions of units already in the database that the new ones point to. They are
    parents to look at, not rows to check (their own parents were checked when they were
    written and are not loaded: issue 20 §16).
    """
    by_unit: dict[str, list[KindVersion]] = defaultdict(list)
    for v in versions:
        by_unit[v.unit].append(v)
    checked = set(by_unit)
    for v in existing:
        if v.unit not in checked:
            by_unit[v.unit].append(v)
    problems: list[str] = []

    def add(text: str) -> None:
        if len(problems) < limit:
            problems.append(text)

    for code, vs in by_unit.items():
        vs.sort(key=lambda v: v.valid_from)
        if code not in checked:
            continue
        start, end = lifetimes[code]
        if vs[0].valid_from != start or (vs[-1].valid_to or FAR_FUTURE) != (end or FAR_FUTURE):
            add(f"{code}: các phiên bản không khớp với ngày thành lập / kết thúc.")
        for a, b in zip(vs, vs[1:], strict=False):
            if a.valid_to != b.valid_from:
                add(
                    f"{code}: các phiên bản bị chồng lấn hoặc đứt quãng ngày {vn(a.valid_to or b.valid_from)}."
                )
    for v in versions:
        if v.parent is None:
            if None not in ALLOWED_PARENTS[Kind(v.kind)]:
                add(f"{v.unit}: {Kind(v.kind).label} phải có tổ chức cấp trên.")
            continue
        parents = [
            p
            for p in by_unit.get(v.parent, [])
            if p.valid_from < (v.valid_to or FAR_FUTURE)
            and v.valid_from < (p.valid_to or FAR_FUTURE)
        ]
        covered = v.valid_from
        for p in parents:
            if p.valid_from > covered:
                break
            if p.kind not in ALLOWED_PARENTS[Kind(v.kind)]:
                add(
                    f"{v.unit}: {Kind(v.kind).label} không thể trực thuộc {Kind(p.kind).label.lower()} {v.parent}."
                )
            covered = max(covered, p.valid_to or FAR_FUTURE)
        if covered < (v.valid_to or FAR_FUTURE):
            add(f"{v.unit}: tổ chức cấp trên {v.parent} không tồn tại vào ngày {vn(covered)}.")
    return problems
