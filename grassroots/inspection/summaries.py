"""The inspection section of the review report (registered with reports.review): supervision,
inspections, violations, discipline by form, appeals and expulsions of the period, each from
inspection.queries.summary (the same numbers as `inspection-summary` and the API)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from grassroots.reports.review import Context, Section, flow_line, register_section

from . import queries
from .models import Form


def inspection(ctx: Context) -> Section | None:
    s = queries.summary(ctx.unit, ctx.since, ctx.at)
    members = s.disciplined_members
    orgs = s.disciplined_organizations
    lines = [
        flow_line(
            "supervised_organizations", _("Tổ chức đảng được giám sát"), s.supervised_organizations
        ),  # fmt: skip
        flow_line("supervised_members", _("Đảng viên được giám sát"), s.supervised_members),
        flow_line("inspections", _("Cuộc kiểm tra"), s.inspections),
        flow_line("violations", _("Kết luận có vi phạm"), s.violations),
        flow_line("disciplined_members", _("Đảng viên bị kỷ luật"), sum(members.values())),
        *[
            flow_line(f"disciplined_members_{k}", Form(k).label, v, level=1)
            for k, v in members.items()
        ],
        flow_line("disciplined_organizations", _("Tổ chức đảng bị kỷ luật"), sum(orgs.values())),
        *[
            flow_line(f"disciplined_organizations_{k}", Form(k).label, v, level=1)
            for k, v in orgs.items()
        ],
        flow_line("appeals", _("Đơn khiếu nại kỷ luật"), s.appeals),
    ]
    if not any(line.change for line in lines):
        return None
    return Section("inspection", _("Kiểm tra, giám sát, kỷ luật"), lines,
                   facts={"expelled": s.expelled})  # fmt: skip


register_section("inspection", inspection, order=60)
