"""The members' section of the review report (and the dashboard and API): stocks, flows, per child
(registered with reports.review)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from grassroots.figures.queries import ledger_at
from grassroots.reports.review import (
    PCT1,
    Chart,
    Column,
    Context,
    Line,
    Section,
    Table,
    flow_line,
    register_section,
    stock_line,
    top_children_chart,
    year_ends,
)

FLOWS = (
    ("admitted", _("Kết nạp")),
    ("readmitted", _("Kết nạp lại")),
    ("recognized", _("Công nhận đảng viên chính thức")),
    ("transferred_in", _("Chuyển đến")),
    ("transferred_out", _("Chuyển đi")),
    ("restructured_in", _("Đến do sắp xếp tổ chức")),
    ("restructured_out", _("Đi do sắp xếp tổ chức")),
    ("died", _("Từ trần")),
    ("expelled", _("Khai trừ")),
    ("removed", _("Xóa tên")),
    ("left", _("Ra khỏi Đảng")),
)


def members(ctx: Context) -> Section:
    now, then, flows = ctx.now, ctx.then, ctx.now.since
    lines = [
        stock_line("members", _("Đảng viên"), then.members, now.members),
        stock_line(
            "official_members",
            _("Chính thức"),
            then.official_members,
            now.official_members,
            level=1,
        ),
        stock_line(
            "probationary_members",
            _("Dự bị"),
            then.probationary_members,
            now.probationary_members,
            level=1,
        ),
        stock_line(
            "exempt_members",
            _("Miễn sinh hoạt"),
            then.exempt_members,
            now.exempt_members,
            level=1,
        ),
        *(flow_line(key, label, getattr(flows, key), level=1) for key, label in FLOWS),
        Line("net_change", _("Tăng (giảm) đảng viên"), change=flows.net_change, signed=True),
        stock_line("population", _("Dân số"), then.population, now.population),
        stock_line(
            "members_pct_population",
            _("Tỷ lệ đảng viên so với dân số (%)"),
            then.members_pct_population,
            now.members_pct_population,
            fmt=PCT1,
        ),
    ]
    table = Table(
        _("Đảng viên theo đơn vị trực thuộc"),
        [
            Column("members_before", _("Đảng viên trước")),
            Column("members_after", _("Đảng viên sau")),
            Column("admitted", _("Kết nạp")),
            Column("died", _("Từ trần")),
            Column("reduced_other", _("Giảm khác")),
            Column("net_change", _("Tăng (giảm)")),
            Column("pct_population", _("% dân số"), PCT1, total=False),
        ],
        [
            {
                "code": c.unit.code,
                "name": c.name,
                "members_before": c.then.members,
                "members_after": c.now.members,
                "admitted": c.now.since.admitted,
                "died": c.now.since.died,
                "reduced_other": c.now.since.expelled + c.now.since.removed + c.now.since.left,
                "net_change": c.now.since.net_change,
                "pct_population": c.now.members_pct_population,
            }
            for c in ctx.children
        ],
    )
    points = year_ends(ctx.since, ctx.at)
    stocks = [ledger_at(ctx.unit.pk, day) for _year, day in points]
    charts = [
        Chart(
            "line",
            {
                "title": _("Đảng viên qua các năm"),
                "x": [year for year, _day in points],
                "series": {
                    str(_("Đảng viên")): [s["members"] for s in stocks],
                },
            },
        ),
        Chart(
            "bar",
            {
                "title": _("Biến động đảng viên"),
                "categories": [str(label) for _key, label in FLOWS],
                "series": {str(_("Số lượt")): [getattr(flows, key) for key, _label in FLOWS]},
                "horizontal": True,
                "height": 3.6,
            },
        ),
    ]
    top = top_children_chart(
        _("Đơn vị có nhiều đảng viên nhất"),
        ctx.children,
        lambda c: c.now.members,
        str(_("Đảng viên")),
    )
    if top:
        charts.append(top)
    return Section("members", _("Đảng viên"), lines, [table] if ctx.children else [], charts)


register_section("members", members, order=20)
