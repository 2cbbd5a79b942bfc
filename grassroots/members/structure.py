"""The standard statistics (domain.md §4.1). Member structure as of a date: counts by gender,
ethnicity, religion, age, seniority, education, professional level, political theory, occupation
and status; admissions and reductions in a period by the same categories; organization structure
by kind and grassroots type — each for an organization and each of its children, crossed by any
two dimensions.

The members counted are exactly those of the figures (`figures.queries.members_at_query`: the
stints counted on the date; `flow_stints`: the stints counted as a flow), one row each, so every
breakdown sums to the figures' total.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _

from grassroots.core.profile_facts import dated_expression, dated_values, value_on
from grassroots.figures.queries import (
    END_FLOWS,
    START_FLOWS,
    flow_ancestry,
    flow_stints,
    members_at_query,
)
from grassroots.organizations.models import GrassrootsType, Kind, Unit, UnitAncestry
from grassroots.organizations.queries import (
    children_at,
    on,
    organizations_by_type,
    organizations_by_type_by_unit,
)

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
# Admissions and reductions in a period (domain.md §4.1): the flows a stint's own start or end
# makes, counted as the figures count them (figures.queries.flow_stints).
PERIODS = {
    "admissions": (_("Kết nạp"), list(START_FLOWS)),
    "reductions": (_("Giảm"), list(END_FLOWS)),
}
FLOW_LABELS = {
    "admitted": _("Kết nạp"),
    "readmitted": _("Kết nạp lại"),
    "died": _("Từ trần"),
    "expelled": _("Khai trừ"),
    "removed": _("Xóa tên"),
    "left": _("Ra khỏi Đảng"),
}
# seniority is a stock's (on one day); which flow is a period's
FLOW_DIMENSIONS = {
    "flow": _("Loại biến động"),
    **{k: v for k, v in DIMENSIONS.items() if k != "seniority"},
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


# The stored code of a coded field (members.categories) and, for the unmapped only, its text.
_CODED = {f: f"member__{cats.code_column(f)}" for f in cats.FIELDS}
_UNMAPPED_TEXT = {f: f"unmapped_{f}" for f in cats.FIELDS}
# The value on the day of a field kept as dated facts (core.profile_facts.dated_expression).
_DATED = {f: f"dated_{f}" for f in cats.FIELDS}


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
    since: dt.date | None = None  # a period's flows (admissions, reductions) rather than a stock
    flows: list[str] = field(default_factory=list)

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

        period = {"since": self.since.isoformat(), "flows": self.flows} if self.since else {}
        return {
            "unit": self.unit.code,
            **period,
            "at": self.at.isoformat(),
            "by": self.by,
            "total": self.total,
            "cells": rows(self.cells),
            "children": [
                {"code": u.code if u else "", "name": name, "total": total, "cells": rows(cells)}
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
    if dimension == "kind":
        return [str(k.label) for k in Kind]
    if dimension == "grassroots_type":
        return [str(t.label) for t in GrassrootsType] + ["—"]
    if dimension == "flow":
        return [str(label) for label in FLOW_LABELS.values()]
    return []


def _seniority(member_ids: list[int], members, at: dt.date) -> dict[int, int]:
    """Seniority in whole years on `at` (lifecycle.seniority_days, domain.md §2.5) of these
    members; `members` selects their events: a subquery (no variable limit) or a short list."""
    events: dict[int, list[lifecycle.Ev]] = defaultdict(list)
    rows = (
        MemberEvent.objects.filter(voided_at__isnull=True, date__lte=at)
        .filter(member_id__in=members)
        .values_list("member_id", "kind", "date", "decision_date", "id")
    )
    for member_id, kind, date, decision, pk in rows.iterator(chunk_size=10_000):
        events[member_id].append(lifecycle.Ev(kind, date, None, decision, "", pk))
    return {m: lifecycle.seniority_days(events[m], at) // 365 for m in member_ids}


def _seniority_of(member_ids: list[int], at: dt.date) -> dict[int, int]:
    """`_seniority` of the few members named by id whose held seniority does not hold on `at`,
    in chunks (SQLite's limit on query variables)."""
    out: dict[int, int] = {}
    for i in range(0, len(member_ids), 5000):
        chunk = member_ids[i : i + 5000]
        out |= _seniority(chunk, chunk, at)
    return out


def _check(by: list[str], allowed=DIMENSIONS) -> None:
    if not 1 <= len(by) <= 2 or len(set(by)) != len(by):
        raise UnknownDimension("Chọn một hoặc hai tiêu chí khác nhau.")
    for dimension in by:
        if dimension not in allowed:
            raise UnknownDimension(f"Tiêu chí không có: {dimension} (có: {', '.join(allowed)}).")


def _dated(by: list[str], member_ids) -> dict[str, dict]:
    """Timelines of the dimensions kept as dated facts (issue 15: qualifications), by member.
    A list of ids goes in chunks (SQLite's limit on query variables); a queryset as a subquery."""
    out: dict[str, dict] = {}
    for d in by:
        if d not in cats.FIELDS:
            continue
        if isinstance(member_ids, list):
            out[d] = {}
            for i in range(0, len(member_ids), 5000):
                out[d] |= dated_values(d, member_ids[i : i + 5000])
        else:
            out[d] = dated_values(d, member_ids)
    return out


def _categorizer(at: dt.date, seniority: dict[int, int], unmapped: dict[str, Counter], dated=None):
    """row, dimension → the row's category label. Age is counted on the row's `day` when it has
    one (the day of an admission or a reduction), else on `at`; so are the profile values kept
    as dated facts (`dated`: a member with a timeline has its value on the day, one without
    keeps the typed profile value). Unmapped values are counted in `unmapped` (never dropped).
    A row is one member, or a group of `n` members (`member_structure`'s GROUP BY)."""
    labels = {f: {c.code: c.label for c in cats.categories(f)} for f in unmapped}
    dated = dated or {}
    # Translated once here, not once per row or group: gettext per call was a third of a
    # province's count (15,000 groups, issue 18).
    flows = {k: str(v) for k, v in FLOW_LABELS.items()}
    exempt, official, probationary = str(_("Miễn sinh hoạt")), str(_("Chính thức")), str(_("Dự bị"))
    genders = {g.value: str(g.label) for g in Gender}
    unrecorded, kinh_label, minority = (
        str(_("Chưa ghi")),
        str(_("Kinh")),
        str(_("Dân tộc thiểu số")),
    )
    no_religion = str(_("Không"))

    def category(row, dimension) -> str:
        if dimension == "flow":
            return flows[row["flow"]]
        if dimension == "status":
            if row["exempt"]:
                return exempt
            return official if row["status"] == "official" else probationary
        if dimension == "gender":
            return genders[row["member__gender"]]
        if dimension == "ethnicity":
            return row["member__ethnicity"] or unrecorded
        if dimension == "ethnic_group":
            kinh = (row["member__ethnicity"] or "Kinh").strip().lower() == "kinh"
            return kinh_label if kinh else minority
        if dimension == "religion":
            return row["member__religion"] or no_religion
        if dimension == "age":
            if "age_band" in row:  # counted in SQL (member_structure's GROUP BY)
                return AGE_BANDS[row["age_band"]][1]
            return _band(_years(row["member__birth_date"], row.get("day") or at), AGE_BANDS)
        if dimension == "seniority":
            late = row.get("seniority_late")
            if late is None and "seniority_band" in row:  # from the held seniority, in SQL
                return SENIORITY_BANDS[row["seniority_band"]][1]
            return _band(seniority[late or row["member_id"]], SENIORITY_BANDS)
        timeline = dated.get(dimension, {}).get(row.get("member_id"))
        if row.get(_DATED[dimension]) is not None:  # the dated value on `at`, from SQL
            raw = row[_DATED[dimension]]
            code = cats.classify(dimension, raw)
        elif timeline is not None:
            raw = value_on(timeline, row.get("day") or at)
            code = cats.classify(dimension, raw)
        elif _CODED[dimension] in row:  # the stored code (member_structure's GROUP BY)
            code, raw = row[_CODED[dimension]], row[_UNMAPPED_TEXT[dimension]]
        else:
            raw = row[_PROFILE[dimension]]
            code = cats.classify(dimension, raw)
        if code == cats.UNMAPPED:
            unmapped[dimension][raw] += row.get("n", 1)  # a group of n members, or one
            return cats.UNMAPPED_LABEL
        return labels[dimension][code]

    return category


def _age_band(at: dt.date):
    """The age band on `at` as a SQL expression (0 = the first of AGE_BANDS), so members are
    counted by GROUP BY rather than one Python row each. Years on `at` ≤ L exactly when born
    after the day one turns L + 1 on `at` (`_years`; born 29/02 turns a year older on 28/02)."""

    def turns(years: int) -> dt.date:
        year = at.year - years
        if at.month == 2 and at.day == 29 and not calendar.isleap(year):
            return dt.date(year, 2, 28)
        return at.replace(year=year)

    whens = [
        When(member__birth_date__gt=turns(limit + 1), then=Value(i))
        for i, (limit, _label) in enumerate(AGE_BANDS)
        if limit is not None
    ]
    return Case(*whens, default=Value(len(AGE_BANDS) - 1), output_field=IntegerField())


def _seniority_band(at: dt.date):
    """The seniority band on `at` from the held seniority, as a SQL expression (0 = the first of
    SENIORITY_BANDS); meaningful only where `seniority_held_since` ≤ `at`. Seniority is
    `max((at - seniority_held).days, 0)` there (lifecycle.seniority_held) and is counted in
    whole years of 365 days (`_seniority`): years ≤ L exactly when fewer than (L + 1) × 365 days
    have passed, i.e. the held date is later than `at` − (L + 1) × 365 days. No held date
    (never admitted): seniority 0."""
    whens = [When(member__seniority_held__isnull=True, then=Value(0))] + [
        When(member__seniority_held__gt=at - dt.timedelta(days=(limit + 1) * 365), then=Value(i))
        for i, (limit, _label) in enumerate(SENIORITY_BANDS)
        if limit is not None
    ]
    return Case(*whens, default=Value(len(SENIORITY_BANDS) - 1), output_field=IntegerField())


def _child_of(kids, at: dt.date) -> dict[int, int]:
    """Organization → the child (directly under the unit on `at`) whose subtree holds it."""
    return dict(
        UnitAncestry.objects.filter(on(at), ancestor_id__in=list(kids)).values_list(
            "descendant_id", "ancestor_id"
        )
    )


def member_structure(
    unit: Unit, at: dt.date, by: list[str], *, children: bool = False
) -> Structure:
    """Members counted by `unit` on `at`, by one or two dimensions; with `children`, the same
    for each organization directly under the unit on that day.

    The counting is a GROUP BY over the counted stints (organization when children are asked,
    status when counted, the dimensions' stored codes, profile columns or age band), each group
    categorized once: a province at national scale (170,000 members, ~1,400 children) was ~3 s
    of Python per dimension counting one row per member (docs/performance.md, issue 18). The
    fields kept as dated facts (`core.profile_facts`: qualifications) are grouped by their value
    on `at` computed in SQL, not read member by member; so is the seniority band, from the
    member's held seniority (`Member.seniority_held`), except for the few members whose last
    seniority event is later than `at` (or whose history ends out of the party): their events
    are read and counted one by one, as `_member_structure_by_row` counts everyone."""
    _check(by)
    stints = members_at_query(unit, at).order_by()
    typed = sorted({_PROFILE[d] for d in by if d in _PROFILE and d != "age"})
    # Group by the stored codes of the coded fields while they follow today's lists (their
    # text only for the unmapped, which are listed); by the typed text, classified per group,
    # after a commission changed its lists and before the members were re-coded.
    coded = [d for d in by if d in cats.FIELDS and cats.codes_current([d])]
    profile = [c for c in typed if c not in {_PROFILE[d] for d in coded}]
    columns = [*(["unit_id"] if children else []), *profile]
    if "status" in by:
        columns += ["status", "exempt"]
    for d in coded:
        stints = stints.annotate(
            **{
                _UNMAPPED_TEXT[d]: Case(
                    When(**{_CODED[d]: cats.UNMAPPED}, then=F(_PROFILE[d])), default=Value("")
                )
            }
        )
        columns += [_CODED[d], _UNMAPPED_TEXT[d]]
    if "age" in by:
        stints = stints.annotate(age_band=_age_band(at))
        columns.append("age_band")
    for d in by:
        # The value on `at` of the fields kept as dated facts (qualifications), in the GROUP BY
        # too: NULL for the members without any (their stored code counts). The member's row
        # holds the value of its timeline's last step (`Member.<field>_held`, kept through
        # derived.maintain); only a member whose last step is later than `at` is looked up.
        value = dated_expression(d, at) if d in cats.FIELDS else None
        if value is not None:
            since = f"member__{d}_held_since"
            on_day = Case(
                When(**{f"{since}__isnull": True}, then=Value(None)),
                When(**{f"{since}__lte": at}, then=F(f"member__{d}_held")),
                default=value,
                output_field=CharField(),
            )
            stints = stints.annotate(**{_DATED[d]: on_day})
            columns.append(_DATED[d])
    if "seniority" in by:
        # Grouped by the band of the held seniority. A member whose held value does not hold on
        # `at` (a later seniority event, or NULL: read the events) is its own group, keyed by its
        # id (`seniority_late`), and counted from its events: one scan of the stints either way.
        late = Case(
            When(member__seniority_held_since__lte=at, then=Value(None)),
            default=F("member_id"),
            output_field=IntegerField(),
        )
        stints = stints.annotate(seniority_band=_seniority_band(at), seniority_late=late)
        columns += ["seniority_band", "seniority_late"]
    groups = list(stints.values(*columns).annotate(n=Count("*")))
    seniority: dict[int, int] = {}
    if "seniority" in by:
        seniority = _seniority_of([g["seniority_late"] for g in groups if g["seniority_late"]], at)
    unmapped: dict[str, Counter] = {d: Counter() for d in by if d in cats.FIELDS}
    counted = _categorizer(at, seniority, unmapped)
    kids = {v.unit_id: v for v in children_at(unit, at)} if children else {}
    child_of = _child_of(kids, at) if children else {}
    cells: Counter = Counter()
    by_child: dict[int | None, Counter] = defaultdict(Counter)
    for group in groups:
        key = tuple(counted(group, d) for d in by)
        cells[key] += group["n"]
        if children:
            by_child[child_of.get(group["unit_id"])][key] += group["n"]
    result = Structure(unit, at, list(by), sum(cells.values()), cells, unmapped=unmapped)
    if children:
        result.children = [
            (v.unit, v.name, sum(by_child[pk].values()), by_child[pk])
            for pk, v in sorted(kids.items(), key=lambda kv: kv[1].unit.code)
        ]
    return result


def _member_structure_by_row(
    unit: Unit, at: dt.date, by: list[str], *, children: bool = False
) -> Structure:
    """member_structure counting one row per member: needed for seniority (each member's
    events), and the slow obviously-right reference of the grouped count in the tests."""
    _check(by)
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
        _seniority(
            [r["member_id"] for r in rows], members_at_query(unit, at).values("member_id"), at
        )
        if "seniority" in by
        else {}
    )
    unmapped: dict[str, Counter] = {d: Counter() for d in by if d in cats.FIELDS}
    dated = _dated(by, members_at_query(unit, at).values("member_id"))
    category = _categorizer(at, seniority, unmapped, dated)
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


def flow_structure(
    unit: Unit, since: dt.date, at: dt.date, period: str, by: list[str], *, children: bool = False
) -> Structure:
    """Admissions or reductions counted by `unit` in (since, at], by one or two dimensions (the
    profile's, `status` at the flow, `age` on the flow's day, or `flow`: which admission or
    reduction). The total is the figures' flows: `admitted + readmitted` or `died + expelled +
    removed + left`. With `children`, per organization directly under the unit on `at`; a flow
    of a cell that was under none of them on its day is in the row "—" so the rows still add up.
    """
    if period not in PERIODS:
        raise UnknownDimension(f"Không có loại biến động: {period} (có: {', '.join(PERIODS)}).")
    _check(by, FLOW_DIMENSIONS)
    if since > at:
        raise UnknownDimension("Ngày đầu kỳ phải trước ngày cuối kỳ.")
    kids = {v.unit_id: v for v in children_at(unit, at)} if children else {}
    columns = [
        "member_id",
        "status",
        "exempt",
        "day",
        *sorted({_PROFILE[d] for d in by if d in _PROFILE}),
    ]
    rows = []
    for flow in PERIODS[period][1]:
        stints = flow_stints(unit, since, at, flow)
        if children:
            below = flow_ancestry(flow).filter(ancestor_id__in=list(kids)).values("ancestor_id")
            stints = stints.annotate(child=Subquery(below[:1]))
        rows += [
            r | {"flow": flow} for r in stints.values(*columns, *(["child"] if children else []))
        ]
    unmapped: dict[str, Counter] = {d: Counter() for d in by if d in cats.FIELDS}
    dated = _dated(by, sorted({r["member_id"] for r in rows}))
    category = _categorizer(at, {}, unmapped, dated)
    cells: Counter = Counter()
    by_child: dict[int | None, Counter] = defaultdict(Counter)
    for row in rows:
        key = tuple(category(row, d) for d in by)
        cells[key] += 1
        if children:
            by_child[row["child"]][key] += 1
    result = Structure(
        unit, at, list(by), len(rows), cells, unmapped=unmapped, since=since,
        flows=PERIODS[period][1],
    )  # fmt: skip
    if children:
        result.children = [
            (v.unit, v.name, sum(by_child[pk].values()), by_child[pk])
            for pk, v in sorted(kids.items(), key=lambda kv: kv[1].unit.code)
        ]
        if by_child.get(None):
            result.children.append((None, "—", sum(by_child[None].values()), by_child[None]))
    return result


ORGANIZATION_DIMENSIONS = {"kind": _("Loại tổ chức"), "grassroots_type": _("Loại hình cơ sở")}


def _organization_cells(counts: dict[tuple[str, str], int], by: list[str]) -> Counter:
    cells: Counter = Counter()
    for (kind, gtype), n in counts.items():
        labels = {
            "kind": str(Kind(kind).label),
            "grassroots_type": str(GrassrootsType(gtype).label) if gtype else "—",
        }
        cells[tuple(labels[d] for d in by)] += n
    return cells


def organization_structure(
    unit: Unit, at: dt.date, by: list[str], *, children: bool = False
) -> Structure:
    """Organizations under `unit` on `at` (the unit left out) by kind and grassroots type
    (domain.md §1.1, §1.4; organizations.queries.organizations_by_type, the review report's
    count). Each child's row counts the child itself and its subtree, so the rows add up."""
    _check(by, ORGANIZATION_DIMENSIONS)
    cells = _organization_cells(organizations_by_type(unit, at), by)
    result = Structure(unit, at, list(by), sum(cells.values()), cells)
    if children:
        kids = sorted(children_at(unit, at), key=lambda v: v.unit.code)
        # one read for all children, not one each (organizations_by_type_by_unit)
        counts = organizations_by_type_by_unit([v.unit for v in kids], at)
        for v in kids:
            kid = _organization_cells(counts[v.unit_id], by)
            result.children.append((v.unit, v.name, sum(kid.values()), kid))
    return result
