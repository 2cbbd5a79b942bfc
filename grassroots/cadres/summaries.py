"""The cadres section of the review report: training and fostering in the period (turns and
people), committee posts filled and vacant, and holders meeting the standard, at both dates
(registered with reports.review). The figures are `queries.training_summary` and
`standards.summary`, the same as the CLI's and the pages' (one fact, one count)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from grassroots.reports.review import Context, Section, flow_line, register_section, stock_line

from . import queries, standards


def cadres(ctx: Context) -> Section | None:
    # The period's training: courses closing in (since, at].
    training = queries.training_summary(ctx.unit, ctx.since + dt.timedelta(days=1), ctx.at)
    now, then = standards.summary(ctx.unit, ctx.at), standards.summary(ctx.unit, ctx.since)
    if not (now["posts"] or then["posts"] or training["trained_turns"]
            or training["fostered_turns"]):  # fmt: skip
        return None
    lines = [
        flow_line("trained_turns", _("Lượt cán bộ, đảng viên được đào tạo"),
                  training["trained_turns"]),
        flow_line("trained_people", _("Số người được đào tạo"), training["trained_people"],
                  level=1),
        flow_line("fostered_turns", _("Lượt cán bộ, đảng viên được bồi dưỡng"),
                  training["fostered_turns"]),
        flow_line("fostered_people", _("Số người được bồi dưỡng"), training["fostered_people"],
                  level=1),
        stock_line("posts", _("Chức danh cấp ủy theo đề án"), then["posts"], now["posts"]),
        stock_line("filled", _("Có người đảm nhiệm"), then["filled"], now["filled"], level=1),
        stock_line("vacant", _("Còn khuyết"), then["vacant"], now["vacant"], level=1),
        stock_line("meeting_standard", _("Người giữ chức danh đạt chuẩn"),
                   then["meeting_standard"], now["meeting_standard"]),
        stock_line("below_standard", _("Chưa đạt chuẩn"), then["below_standard"],
                   now["below_standard"], level=1),
    ]  # fmt: skip
    # The written summary's "Đã đào tạo … lượt và bồi dưỡng … lượt" (reports/summary.py).
    facts = {"trained": training["trained_turns"], "fostered": training["fostered_turns"]}
    return Section("cadres", _("Cán bộ, đào tạo, bồi dưỡng, chuẩn hóa"), lines, facts=facts)


register_section("cadres", cadres, order=60)
