"""The meetings section of the review report (and the dashboard and API): regular meetings due
and held, months missed, thematic meetings, attendance, short meetings and the watch list, for
the report's window, per child (registered with reports.review).

Every number is `queries.summary` — the function behind `grassroots meetings-summary` — or,
for the children, `queries.summary_by_unit` (the same figures read once for all of them).
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from grassroots.reports.review import (
    PCT2,
    Column,
    Context,
    Line,
    Section,
    Table,
    flow_line,
    register_section,
)

from . import queries


def meetings(ctx: Context) -> Section | None:
    # The window's first day is the day after `since` (flows in the report are (since, at]).
    first = ctx.since + dt.timedelta(days=1)
    if not queries.any_held(ctx.unit, first, ctx.at):
        return None
    s = queries.summary(ctx.unit, first, ctx.at)
    if not (s["meetings_held"] or s["thematic_held"]):
        return None
    lines = [
        flow_line("meetings_due", _("Lượt sinh hoạt thường kỳ phải tổ chức"), s["meetings_due"]),
        flow_line("meetings_held", _("Đã tổ chức"), s["meetings_held"], level=1),
        flow_line("missed_months", _("Chi bộ × tháng không sinh hoạt"), s["missed_months"], level=1),
        flow_line("thematic_held", _("Sinh hoạt chuyên đề"), s["thematic_held"]),
        Line("attendance_pct", _("Tỷ lệ đảng viên dự sinh hoạt"), after=s["attendance_pct"], fmt=PCT2),
        flow_line("short_meetings", _("Buổi không đủ thời lượng"), s["short_meetings"]),
        flow_line("absent_3_months", _("Đảng viên vắng không lý do từ 3 tháng trong năm"), s["absent_3_months"]),
    ]  # fmt: skip
    rows = []
    by_child = queries.summary_by_unit([child.unit for child in ctx.children], first, ctx.at)
    for child in ctx.children:
        c = by_child[child.unit.pk]
        if not c["cells"] and not c["meetings_held"]:
            continue
        rows.append(
            {
                "code": child.unit.code,
                "name": child.name,
                "due": c["meetings_due"],
                "held": c["meetings_held"],
                "missed": c["missed_months"],
                "thematic": c["thematic_held"],
                "pct": c["attendance_pct"],
                "watch": c["absent_3_months"],
            }
        )
    tables = []
    if rows:
        tables.append(
            Table(
                _("Sinh hoạt chi bộ theo đơn vị trực thuộc"),
                [
                    Column("due", _("Phải tổ chức")),
                    Column("held", _("Đã tổ chức")),
                    Column("missed", _("Không sinh hoạt")),
                    Column("thematic", _("Chuyên đề")),
                    Column("pct", _("Tỷ lệ dự"), PCT2, total=False),
                    Column("watch", _("Vắng 3 tháng")),
                ],
                rows,
            )
        )
    return Section("meetings", _("Sinh hoạt chi bộ"), lines, tables, facts=s)


register_section("meetings", meetings, order=45)
