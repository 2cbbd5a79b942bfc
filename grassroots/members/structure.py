"""Member structure as of a date (domain.md §4.1): counts by gender, ethnicity, religion, age,
seniority, education, professional level, political theory, occupation and status, for an
organization and each of its children, crossed by any two dimensions.

The members counted are exactly those of the figures (`figures.queries.members_at_query`: the
stints counted on the date), one row each, so every breakdown sums to the member total.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from grassroots.figures.queries import members_at_query
from grassroots.organizations.models import Unit, UnitAncestry
from grassroots.organizations.queries import children_at, on

from . import categories as cats
from . import lifecycle
from .models import Gender, MemberEvent

AGE_BANDS = (
    (30, "≤ 30"),
    (40, "31–40"),
    (50, "41–50"),
    (60, "51–60"),
    (70, "61–70"),
    (None, "> 70"),
)
SENIORITY_BANDS = (
    (9, "< 10 năm"),
    (19, "10–19 năm"),
    (29, "20–29 năm"),
    (39, "30–39 năm"),
    (49, "40–49 năm"),
    (None, "≥ 50 năm"),
)
DIMENSIONS = {
    "status": _("Loại đảng viên"),
    "gender": _("Giới tính"),
    "ethnic_group": _("Dân tộc Kinh / thiểu số"),
    "ethnicity": _("Dân tộc"),
    "religion": _("Tôn giáo"),
    "age": _("Độ tuổi"),
    "seniority": _("Tuổi đảng"),
    "education": _("Giáo dục phổ thông"),
    "expertise": _("Chuyên môn, nghiệp vụ"),
    "theory_level": _("Lý luận chính trị"),
    "occupation": _("Nghề nghiệp"),
}
_PROFILE = {
    "gender": "member__gender",
    "ethnicity": "member__ethnicity",
    "ethnic_group": "member__ethnicity",
    "religion": "member__religion",
    "age": "member__birth_date",
    "education": "member__education",
    "expertise": "member__expertise",
    "theory_level": "member__theory_level",
    "occupation": "member__occupation",
}


def _years(born: dt.date, at: dt.date) -> int:
    return at.year - born.year - ((at.month, at.day) < (born.month, born.day))


def _band(value: int, bands) -> str:
    return next(label for limit, label in bands if limit is None or value <= limit)


class UnknownDimension(ValueError):
    pass


@dataclass
class Structure:
    unit: Unit
    at: dt.date
    by: list[str]
    total: int
    cells: Counter  # tuple of category labels → members
    children: list[tuple[Unit, str, int, Counter]] = field(default_factory=list)
    unmapped: dict[str, Counter] = field(default_factory=dict)  # field → raw value → members

    def categories(self, dimension: str) -> list[str]:
        """The categories of a dimension in their standard order, then the others seen."""
        order = _order(dimension)
        index = self.by.index(dimension)
        seen = {key[index] for key in self.cells}
        for _u, _n, _t, cells in self.children:
            seen |= {key[index] for key in cells}
        known = [c for c in order if c in seen]
        return known + sorted(seen - set(known))

    def as_json(self) -> dict:
        def rows(cells):
            return [
                {**dict(zip(self.by, key, strict=True)), "count": n}
                for key, n in sorted(cells.items())
            ]

        return {
            "unit": self.unit.code,
            "at": self.at.isoformat(),
            "by": self.by,
            "total": self.total,
            "cells": rows(self.cells),
            "children": [
                {"code": u.code, "name": name, "total": total, "cells": rows(cells)}
                for u, name, total, cells in self.children
            ],
            "unmapped": {k: dict(v) for k, v in self.unmapped.items() if v},
        }


def _order(dimension: str) -> list[str]:
    if dimension == "status":
        return [str(_("Chính thức")), str(_("Dự bị")), str(_("Miễn sinh hoạt"))]
    if dimension == "gender":
        return [str(g.label) for g in Gender]
    if dimension == "ethnic_group":
        return [str(_("Kinh")), str(_("Dân tộc thiểu số"))]
    if dimension == "age":
        return [label for _limit, label in AGE_BANDS]
    if dimension == "seniority":
        return [label for _limit, label in SENIORITY_BANDS]
    if dimension in cats.FIELDS:
        return [c.label for c in cats.categories(dimension)] + [cats.UNMAPPED_LABEL]
    return []


def _seniority(member_ids: list[int], stints, at: dt.date) -> dict[int, int]:
    """Seniority in whole years on `at` (lifecycle.seniority_days, domain.md §2.5)."""
    events: dict[int, list[lifecycle.Ev]] = defaultdict(list)
    rows = (
        MemberEvent.objects.filter(voided_at__isnull=True, date__lte=at)
        .filter(member_id__in=stints.values("member_id"))  # a subquery: no variable limit
        .values_list("member_id", "kind", "date", "decision_date", "id")
    )
    for member_id, kind, date, decision, pk in rows.iterator(chunk_size=10_000):
        events[member_id].append(lifecycle.Ev(kind, date, None, decision, "", pk))
    return {m: lifecycle.seniority_days(events[m], at) // 365 for m in member_ids}


def member_structure(
    unit: Unit, at: dt.date, by: list[str], *, children: bool = False
) -> Structure:
    """Members counted by `unit` on `at`, by one or two dimensions; with `children`, the same
    for each organization directly under the unit on that day."""
    if not 1 <= len(by) <= 2 or len(set(by)) != len(by):
        raise UnknownDimension("Chọn một hoặc hai tiêu chí khác nhau.")
    for dimension in by:
        if dimension not in DIMENSIONS:
            raise UnknownDimension(f"Tiêu chí không có: {dimension} (có: {', '.join(DIMENSIONS)}).")
    stints = members_at_query(unit, at)
    kids = {}
    if children:
        kids = {v.unit_id: v for v in children_at(unit, at)}
        below = UnitAncestry.objects.filter(
            on(at), ancestor_id__in=list(kids), descendant_id=OuterRef("unit_id")
        ).values("ancestor_id")[:1]
        stints = stints.annotate(child=Subquery(below))
    columns = ["member_id", "status", "exempt", *sorted({_PROFILE[d] for d in by if d in _PROFILE})]
    if children:
        columns.append("child")
    rows = list(stints.values(*columns))
    seniority = (
        _seniority([r["member_id"] for r in rows], members_at_query(unit, at), at)
        if "seniority" in by
        else {}
    )
    unmapped: dict[str, Counter] = {d: Counter() for d in by if d in cats.FIELDS}
    labels = {f: {c.code: c.label for c in cats.categories(f)} for f in unmapped}

    def category(row, dimension) -> str:
        if dimension == "status":
            if row["exempt"]:
                return str(_("Miễn sinh hoạt"))
            return str(_("Chính thức")) if row["status"] == "official" else str(_("Dự bị"))
        if dimension == "gender":
            return str(Gender(row["member__gender"]).label)
        if dimension == "ethnicity":
            return row["member__ethnicity"] or str(_("Chưa ghi"))
        if dimension == "ethnic_group":
            kinh = (row["member__ethnicity"] or "Kinh").strip().lower() == "kinh"
            return str(_("Kinh")) if kinh else str(_("Dân tộc thiểu số"))
        if dimension == "religion":
            return row["member__religion"] or str(_("Không"))
        if dimension == "age":
            return _band(_years(row["member__birth_date"], at), AGE_BANDS)
        if dimension == "seniority":
            return _band(seniority[row["member_id"]], SENIORITY_BANDS)
        raw = row[_PROFILE[dimension]]
        code = cats.classify(dimension, raw)
        if code == cats.UNMAPPED:
            unmapped[dimension][raw] += 1
            return cats.UNMAPPED_LABEL
        return labels[dimension][code]

    cells: Counter = Counter()
    by_child: dict[int, Counter] = defaultdict(Counter)
    for row in rows:
        key = tuple(category(row, d) for d in by)
        cells[key] += 1
        if children:
            by_child[row["child"]][key] += 1
    result = Structure(unit, at, list(by), len(rows), cells, unmapped=unmapped)
    if children:
        result.children = [
            (v.unit, v.name, sum(by_child[pk].values()), by_child[pk])
            for pk, v in sorted(kids.items(), key=lambda kv: kv[1].unit.code)
        ]
    return result
