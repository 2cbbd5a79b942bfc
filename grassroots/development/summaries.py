"""The member development section of the review report (and the dashboard and API): admissions in
the period by category, the pipeline by stage at both dates, per child (registered with
reports.review).

Every number comes from development/queries.py — `admissions` is the function behind
`grassroots development-summary`'s `admitted` / `admitted_by` and equals the registry's
`admitted` flow (one fact, one count); `pipeline_counts` is its `stages`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from grassroots.members.categories import UNMAPPED, UNMAPPED_LABEL, categories
from grassroots.reports.review import (
    DEC1,
    Chart,
    Column,
    Context,
    Line,
    Section,
    Table,
    flow_line,
    register_section,
    stock_line,
)

from . import queries, rules
from .models import Stage

# domain.md §4.1: new admissions are reported by Youth Union, women, ethnic minority, religion,
# occupation group, the share aged 18–30 and the average age.
CATEGORY_LABELS = {
    "women": _("Nữ"),
    "ethnic_minority": _("Dân tộc thiểu số"),
    "religious": _("Có đạo"),
    "youth_union": _("Đoàn viên thanh niên"),
    "age_18_30": _("Tuổi 18–30"),
}

# the same categories in the narrow columns of the per-child table
SHORT_LABELS = {
    "women": _("Nữ"),
    "ethnic_minority": _("DT thiểu số"),
    "religious": _("Có đạo"),
    "youth_union": _("Đoàn viên"),
    "age_18_30": _("18–30 tuổi"),
}


def _labels(field: str) -> list[tuple[str, str]]:
    return [(c.code, c.label) for c in categories(field)] + [(UNMAPPED, UNMAPPED_LABEL)]


def development(ctx: Context) -> Section | None:
    # One read each for the unit and all its children: the admissions grouped in SQL, the open
    # cases at both dates (a country's 500,000 members: 3 s of the report's 5,5 s before).
    units = [ctx.unit, *(c.unit for c in ctx.children)]
    admitted = queries.admissions_by_unit(units, ctx.since, ctx.at)
    opened = queries.pipeline_by_child(units, ctx.since), queries.pipeline_by_child(units, ctx.at)
    adm, before, after = admitted[ctx.unit.pk], opened[0][ctx.unit.pk], opened[1][ctx.unit.pk]
    if not (adm.admitted or any(before.values()) or any(after.values())):
        return None
    lines = [flow_line("admitted", _("Kết nạp đảng viên"), adm.admitted)]
    lines += [flow_line(key, label, adm.by[key], level=1) for key, label in CATEGORY_LABELS.items()]
    lines.append(
        Line("average_age", _("Tuổi bình quân khi kết nạp"), after=adm.average_age, fmt=DEC1)
    )
    lines += [
        flow_line(f"occupation_{code}", f"{_('Nghề nghiệp')}: {label}", n, level=1)
        for code, label in _labels("occupation")
        if (n := adm.occupation.get(code))
    ]
    lines += [
        flow_line(f"education_{code}", f"{_('Giáo dục phổ thông')}: {label}", n, level=1)
        for code, label in _labels("education")
        if (n := adm.education.get(code))
    ]
    lines.append(
        stock_line("pipeline", _("Quần chúng đang trong quy trình"), _open(before), _open(after))
    )
    lines += [
        stock_line(f"stage_{stage}", Stage(stage).label, before[stage], after[stage], level=1)
        for stage in rules.OPEN_STAGES
        if before[stage] or after[stage]
    ]
    table = Table(
        _("Phát triển đảng viên theo đơn vị trực thuộc"),
        [
            Column("admitted", _("Kết nạp")),
            *(Column(key, label) for key, label in SHORT_LABELS.items()),
            Column("pipeline_before", _("Đang xét đầu kỳ")),
            Column("pipeline_after", _("Đang xét cuối kỳ")),
        ],
        _child_rows(ctx, admitted, *opened),
    )
    chart = Chart(
        "bar",
        {
            "title": _("Kết nạp đảng viên theo đối tượng"),
            "categories": [str(_("Tổng số"))] + [str(label) for label in CATEGORY_LABELS.values()],
            "series": {str(_("Kết nạp")): [adm.admitted, *(adm.by[k] for k in CATEGORY_LABELS)]},
            "horizontal": True,
            "height": 2.4,
        },
    )
    return Section(
        "development",
        _("Phát triển đảng viên"),
        lines,
        [table] if table.rows else [],
        [chart] if adm.admitted else [],
        facts={"admitted": adm.admitted, "average_age": adm.average_age},
    )


def _open(counts: dict[str, int]) -> int:
    return sum(counts.values())


def _child_rows(ctx: Context, admitted: dict, before: dict, after: dict) -> list[dict]:
    """One row per child, from the section's reads for all of them (the same numbers as
    `admissions(child)` and `pipeline_counts(child)`)."""
    return [
        {
            "code": c.unit.code,
            "name": c.name,
            "admitted": admitted[c.unit.pk].admitted,
            **admitted[c.unit.pk].by,
            "pipeline_before": _open(before[c.unit.pk]),
            "pipeline_after": _open(after[c.unit.pk]),
        }
        for c in ctx.children
    ]


# Order 30: after members (20), before villages (40) — reserved in docs/reports.md.
register_section("development", development, order=30)
