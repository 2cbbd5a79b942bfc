"""The organizations' section of the review report (and the dashboard and API): the counts by
kind and grassroots type, established and dissolved, per child (registered with reports.review)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from grassroots.figures.queries import ledger_at
from grassroots.organizations.models import GRASSROOTS_KINDS, GrassrootsType, Kind
from grassroots.organizations.queries import lifecycle_between, organizations_by_type
from grassroots.reports.review import (
    Chart,
    Column,
    Context,
    Section,
    Table,
    flow_line,
    register_section,
    stock_line,
    year_ends,
)


def organizations(ctx: Context) -> Section:
    now, then = ctx.now, ctx.then
    by_type_then = organizations_by_type(ctx.unit, ctx.since)
    by_type_now = organizations_by_type(ctx.unit, ctx.at)

    def grassroots_of_type(counts, gtype):
        return sum(counts.get((kind, gtype), 0) for kind in GRASSROOTS_KINDS)

    lines = [
        stock_line(
            "grassroots_organizations",
            _("Tổ chức cơ sở đảng"),
            then.grassroots_organizations,
            now.grassroots_organizations,
        ),
        stock_line(
            "grassroots_committees",
            Kind.GRASSROOTS_COMMITTEE.label,
            then.grassroots_committees,
            now.grassroots_committees,
            level=1,
        ),
        stock_line(
            "grassroots_cells",
            Kind.GRASSROOTS_CELL.label,
            then.grassroots_cells,
            now.grassroots_cells,
            level=1,
        ),
    ]
    for gtype in GrassrootsType:
        before = grassroots_of_type(by_type_then, gtype.value)
        after = grassroots_of_type(by_type_now, gtype.value)
        if before or after:
            lines.append(stock_line(f"type_{gtype.value}", gtype.label, before, after, level=1))
    lines += [
        stock_line(
            "subordinate_organizations",
            _("Tổ chức đảng trực thuộc đảng ủy cơ sở"),
            then.subordinate_organizations,
            now.subordinate_organizations,
        ),
        stock_line(
            "partial_committees",
            Kind.PARTIAL_COMMITTEE.label,
            then.partial_committees,
            now.partial_committees,
            level=1,
        ),
        stock_line(
            "subordinate_cells",
            Kind.SUBORDINATE_CELL.label,
            then.subordinate_cells,
            now.subordinate_cells,
            level=1,
        ),
    ]
    life = lifecycle_between(ctx.unit, ctx.since, ctx.at)
    for key, label in (
        ("established", _("Thành lập mới")),
        ("merge", _("Sáp nhập vào tổ chức khác")),
        ("split", _("Chia tách")),
        ("dissolve", _("Giải thể")),
        ("ended", _("Kết thúc hoạt động (không ghi quyết định)")),
    ):
        if key in ("established", "merge", "dissolve") or life[key]:
            lines.append(flow_line(f"organizations_{key}", label, life[key]))
    table = Table(
        _("Tổ chức đảng theo đơn vị trực thuộc"),
        [
            Column("grassroots_before", _("TCCS đảng trước")),
            Column("grassroots_after", _("TCCS đảng sau")),
            Column("subordinate_before", _("Tổ chức trực thuộc trước")),
            Column("subordinate_after", _("Tổ chức trực thuộc sau")),
        ],
        [
            {
                "code": c.unit.code,
                "name": c.name,
                "grassroots_before": c.then.grassroots_organizations,
                "grassroots_after": c.now.grassroots_organizations,
                "subordinate_before": c.then.subordinate_organizations,
                "subordinate_after": c.now.subordinate_organizations,
            }
            for c in ctx.children
        ],
    )
    points = year_ends(ctx.since, ctx.at)
    stocks = [ledger_at(ctx.unit.pk, day) for _year, day in points]
    chart = Chart(
        "line",
        {
            "title": _("Tổ chức đảng qua các năm"),
            "x": [year for year, _day in points],
            "series": {
                str(_("Tổ chức cơ sở đảng")): [
                    s["grassroots_committees"] + s["grassroots_cells"] for s in stocks
                ],
                str(_("Tổ chức trực thuộc")): [
                    s["partial_committees"] + s["subordinate_cells"] for s in stocks
                ],
            },
        },
    )
    return Section(
        "organizations", _("Tổ chức đảng"), lines, [table] if ctx.children else [], [chart]
    )


register_section("organizations", organizations, order=10)
