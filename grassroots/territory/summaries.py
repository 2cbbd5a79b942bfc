"""The villages' section of the review report (and the dashboard and API): own cell / joint /
none (registered with reports.review)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from grassroots.reports.review import (
    Chart,
    Column,
    Context,
    Section,
    Table,
    register_section,
    stock_line,
)


def villages(ctx: Context) -> Section | None:
    now, then = ctx.now, ctx.then
    if not (now.villages or then.villages):
        return None
    lines = [
        stock_line("villages", _("Thôn, bản, tổ dân phố"), then.villages, now.villages),
        stock_line(
            "villages_own_cell",
            _("Có chi bộ độc lập"),
            then.villages_own_cell,
            now.villages_own_cell,
            level=1,
        ),
        stock_line(
            "villages_joint_cell",
            _("Sinh hoạt ghép"),
            then.villages_joint_cell,
            now.villages_joint_cell,
            level=1,
        ),
        stock_line(
            "villages_no_cell",
            _("Chưa có chi bộ"),
            then.villages_no_cell,
            now.villages_no_cell,
            level=1,
        ),
    ]
    table = Table(
        _("Thôn, bản, tổ dân phố theo đơn vị trực thuộc"),
        [
            Column("villages", _("Thôn, bản, TDP")),
            Column("own_before", _("Chi bộ độc lập trước")),
            Column("own_after", _("Chi bộ độc lập sau")),
            Column("joint_before", _("Ghép trước")),
            Column("joint_after", _("Ghép sau")),
            Column("none_after", _("Chưa có chi bộ")),
        ],
        [
            {
                "code": c.unit.code,
                "name": c.name,
                "villages": c.now.villages,
                "own_before": c.then.villages_own_cell,
                "own_after": c.now.villages_own_cell,
                "joint_before": c.then.villages_joint_cell,
                "joint_after": c.now.villages_joint_cell,
                "none_after": c.now.villages_no_cell,
            }
            for c in ctx.children
            if c.now.villages or c.then.villages
        ],
    )
    chart = Chart(
        "bar",
        {
            "title": _("Thôn, bản, tổ dân phố theo hình thức sinh hoạt"),
            "categories": [ctx.since.strftime("%d/%m/%Y"), ctx.at.strftime("%d/%m/%Y")],
            "series": {
                str(_("Có chi bộ độc lập")): [then.villages_own_cell, now.villages_own_cell],
                str(_("Sinh hoạt ghép")): [then.villages_joint_cell, now.villages_joint_cell],
                str(_("Chưa có chi bộ")): [then.villages_no_cell, now.villages_no_cell],
            },
            "stacked": True,
        },
    )
    return Section(
        "villages", _("Thôn, bản, tổ dân phố"), lines, [table] if table.rows else [], [chart]
    )


register_section("villages", villages, order=40)
