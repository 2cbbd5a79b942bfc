"""Reads of the organization tree as of a date. Views, CLI, API and reports all come here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from grassroots.core.text import fold, sort_key, vietnamese
from grassroots.core.validity import on  # noqa: F401  (re-exported: the tree's date predicate)

from .models import ChangeAction, Kind, Unit, UnitAncestry, UnitChange, UnitVersion


def version_at(unit: Unit | int, day: dt.date) -> UnitVersion | None:
    unit_id = unit.pk if isinstance(unit, Unit) else unit
    return UnitVersion.objects.filter(on(day), unit_id=unit_id).select_related("parent").first()


def latest_version(unit: Unit) -> UnitVersion:
    return unit.versions.order_by("-valid_from").first()


def display_version(unit: Unit, day: dt.date) -> UnitVersion:
    """The version on `day`, or the nearest one when the unit did not exist then."""
    return version_at(unit, day) or (
        unit.versions.filter(valid_from__gt=day).order_by("valid_from").first()
        or latest_version(unit)
    )


def display_versions(unit_ids: list[int], day: dt.date) -> dict[int, UnitVersion]:
    """`display_version` of each of these organizations, from one read of their versions."""
    by_unit: dict[int, list[UnitVersion]] = {pk: [] for pk in unit_ids}
    for v in UnitVersion.objects.filter(unit_id__in=unit_ids).order_by("valid_from"):
        by_unit[v.unit_id].append(v)
    out = {}
    for pk, versions in by_unit.items():
        out[pk] = (
            next(
                (
                    v
                    for v in versions
                    if v.valid_from <= day and (v.valid_to is None or v.valid_to > day)
                ),
                None,
            )
            or next((v for v in versions if v.valid_from > day), None)
            or versions[-1]
        )
    return out


def subtree_ids(unit: Unit | int, day: dt.date) -> QuerySet:
    """Ids of the unit and everything under it on `day` (a subquery, not a list)."""
    unit_id = unit.pk if isinstance(unit, Unit) else unit
    return UnitAncestry.objects.filter(on(day), ancestor_id=unit_id).values("descendant_id")


def versions_at(day: dt.date, under: Unit | None = None) -> QuerySet:
    qs = UnitVersion.objects.filter(on(day)).select_related("unit", "parent")
    if under is not None:
        qs = qs.filter(unit_id__in=subtree_ids(under, day))
    return qs.order_by("unit__code")


def children_at(unit: Unit | None, day: dt.date) -> QuerySet:
    """The organizations directly under `unit` on `day` (the top of the tree for None).

    Ordered by kind and name (Vietnamese alphabetical, core.text.vietnamese), then id: a total order,
    so the list can be paginated.
    """
    parent = {"parent": unit} if unit is not None else {"parent__isnull": True}
    return (
        UnitVersion.objects.filter(on(day), **parent)
        .select_related("unit")
        .order_by("kind", vietnamese("name"), "unit_id")
    )


def ancestors_at(unit: Unit, day: dt.date) -> list[UnitVersion]:
    """Path from the top of the tree down to the unit's parent, on `day`."""
    ids = UnitAncestry.objects.filter(on(day), descendant=unit, depth__gt=0).order_by("-depth")
    path = list(ids.values_list("ancestor_id", flat=True))
    versions = {
        v.unit_id: v
        for v in UnitVersion.objects.filter(on(day), unit_id__in=path).select_related("unit")
    }
    return [versions[i] for i in path if i in versions]


def is_under(unit_id: int, ancestor_id: int, day: dt.date) -> bool:
    return UnitAncestry.objects.filter(
        on(day), ancestor_id=ancestor_id, descendant_id=unit_id
    ).exists()


def find_unit(code: str) -> Unit | None:
    return Unit.objects.filter(code__iexact=code.strip()).first()


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    kind: str
    type: str
    parent: str | None
    depth: int


def unit_rows(day: dt.date, under: Unit | None = None) -> list[UnitRow]:
    """The organizations on `day`, in tree order (for the CLI, exports and the API)."""
    versions = list(versions_at(day, under))
    by_parent: dict[int | None, list[UnitVersion]] = {}
    ids = {v.unit_id for v in versions}
    for v in versions:
        key = v.parent_id if v.parent_id in ids else None
        by_parent.setdefault(key, []).append(v)
    out: list[UnitRow] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for v in sorted(by_parent.get(parent_id, []), key=lambda v: v.unit.code):
            out.append(
                UnitRow(
                    v.unit.code,
                    v.name,
                    v.kind,
                    v.grassroots_type,
                    v.parent.code if v.parent else None,
                    depth,
                )
            )
            walk(v.unit_id, depth + 1)

    walk(None, 0)
    return out


def organizations_by_type(
    unit: Unit, day: dt.date, *, include_self: bool = False
) -> dict[tuple[str, str], int]:
    """(kind, grassroots type) → organizations under `unit` on `day`, the unit itself left out
    unless `include_self` (the review report's structure table and the statistics page, whose
    rows per child include the child so that they add up to the unit's; the totals per kind
    are the ledger's)."""
    from django.db.models import Count

    versions = UnitVersion.objects.filter(on(day), unit_id__in=subtree_ids(unit, day))
    if not include_self:
        versions = versions.exclude(unit_id=unit.pk)
    rows = versions.values_list("kind", "grassroots_type").annotate(n=Count("id"))
    return {(kind, gtype): n for kind, gtype, n in rows}


def organizations_by_type_by_unit(
    units: list[Unit], day: dt.date
) -> dict[int, dict[tuple[str, str], int]]:
    """`organizations_by_type(u, day, include_self=True)` of each of these organizations, read
    in two statements per 500 of them, not one per organization: the statistics page's
    children of a 2025 province (1,391) read one by one took 2,4 s of CPU (issue 18). Equal to
    the per-unit count (tests/test_organizations_by_unit.py)."""
    out: dict[int, dict[tuple[str, str], int]] = {u.pk: {} for u in units}
    ids = list(out)
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        closure = UnitAncestry.objects.filter(on(day), ancestor_id__in=chunk)
        types: dict[int, list[tuple[str, str]]] = {}
        versions = UnitVersion.objects.filter(
            on(day), unit_id__in=closure.values("descendant_id")
        ).values_list("unit_id", "kind", "grassroots_type")
        for unit_id, kind, gtype in versions:
            types.setdefault(unit_id, []).append((kind, gtype))
        for ancestor, descendant in closure.values_list("ancestor_id", "descendant_id"):
            counts = out[ancestor]
            for key in types.get(descendant, ()):
                counts[key] = counts.get(key, 0) + 1
    return out


def lifecycle_between(unit: Unit, since: dt.date, at: dt.date) -> dict[str, int]:
    """Organizations under `unit` established and ended in (since, at], the unit left out.

    Keys: "established", and for the ended ones the action of the decision that ended them
    ("merge", "split", "dissolve"; "ended" when no decision was recorded, as for bulk loads).
    An organization counts when it lay under `unit` on the day it began, or on its last day.
    """
    from django.db.models import Exists, OuterRef, Q

    def under(day_field: str, last_day: bool):
        # last day = the day before `ended`: the closure interval must reach up to `ended`
        reach = (
            Q(valid_to__isnull=True) | Q(valid_to__gte=OuterRef(day_field))
            if last_day
            else Q(valid_to__isnull=True) | Q(valid_to__gt=OuterRef(day_field))
        )
        return Exists(
            UnitAncestry.objects.filter(
                reach,
                ancestor_id=unit.pk,
                descendant_id=OuterRef("pk"),
                valid_from__lte=OuterRef(day_field),
            )
        )

    others = Unit.objects.exclude(pk=unit.pk)
    out = {"established": 0, "merge": 0, "split": 0, "dissolve": 0, "ended": 0}
    out["established"] = (
        others.filter(established__gt=since, established__lte=at)
        .filter(under("established", last_day=False))
        .count()
    )
    ended = others.filter(ended__gt=since, ended__lte=at).filter(under("ended", last_day=True))
    ending = (ChangeAction.MERGE, ChangeAction.SPLIT, ChangeAction.DISSOLVE)
    actions = dict(
        UnitChange.objects.filter(unit_id__in=ended.values("pk"), action__in=ending).values_list(
            "unit_id", "action"
        )
    )
    for action in actions.values():
        out[action] += 1
    out["ended"] = ended.count() - len(actions)
    return out


@dataclass(frozen=True)
class UnitMatch:
    code: str
    name: str
    kind: str
    parent_name: str


def find_units(
    versions: QuerySet, text: str, day: dt.date, *, kinds=None, limit: int = 20
) -> list[UnitMatch]:
    """Organizations among `versions` (the versions of `day`, already limited to the user's
    scope) for a picker: the code typed exactly, then names in which the typed words begin
    consecutive words in the order typed, then names holding every typed word's start anywhere,
    then codes containing the text; ties in Vietnamese alphabetical order. Diacritics and case are
    ignored ("dinh lap" finds "Đảng bộ xã Đình Lập").

    Names are folded in Python: a scope holds a few thousand organizations on a day (a
    province's 1,600 in the demo); a national account reads the country's list."""
    words = fold(text).split()
    if not words:
        return []
    if kinds:
        versions = versions.filter(kind__in=kinds)
    typed = " ".join(words)
    ranked = []
    for code, name, kind, parent_id in versions.values_list(
        "unit__code", "name", "kind", "parent_id"
    ):
        name_words = fold(name).split()
        if fold(code) == typed:
            rank = 0
        elif all(any(w.startswith(t) for w in name_words) for t in words):
            rank = 1 if _in_order(name_words, words) else 2
        elif typed in fold(code):
            rank = 3
        else:
            continue
        ranked.append((rank, sort_key(name), code, name, kind, parent_id))
    ranked.sort()
    top = ranked[:limit]
    parents = dict(
        UnitVersion.objects.filter(on(day), unit_id__in={r[5] for r in top if r[5]}).values_list(
            "unit_id", "name"
        )
    )
    return [
        UnitMatch(code, name, Kind(kind).label, parents.get(parent_id, ""))
        for _, _, code, name, kind, parent_id in top
    ]


def _in_order(name_words: list[str], typed: list[str]) -> bool:
    n = len(typed)
    return any(
        all(name_words[i + j].startswith(t) for j, t in enumerate(typed))
        for i in range(len(name_words) - n + 1)
    )
