"""The directive cascade section of the review report (registered with reports.review): the
documents issued in the organization between the dates, and for each top document of the
window (the Centre's or a superior's, binding organizations below) the tracker's figures as of
the report's end date — organizations required, plans issued and late, study sessions and
coverage, reviews filed — with a per-child table for the first of them.

Every number is `queries.documents_issued` or `queries.tracked_documents` (the tracker behind
`grassroots cascade` and the cascade page): nothing is counted here.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from grassroots.reports.review import PCT2, Column, Context, Line, Section, Table, register_section

from . import queries


def directives(ctx: Context) -> Section | None:
    issued = queries.documents_issued(ctx.unit, ctx.since, ctx.at)
    tracked = queries.tracked_documents(ctx.unit, ctx.since, ctx.at)
    if not issued and not tracked:
        return None
    lines = [Line("documents_issued", _("Văn bản do các cấp ủy ban hành"), change=issued)]
    facts: dict = {}
    tables = []
    if tracked:
        first = tracked[0].as_json()
        facts = {"document": first["document"], "documents": [c.tracker.document.symbol
                                                              for c in tracked]}  # fmt: skip
        lines += [
            Line("organizations", _("Tổ chức phải thực hiện %(symbol)s") % {
                "symbol": first["document"]}, after=first["organizations"]),
            Line("plans_issued", _("Đã ban hành văn bản thực hiện"), after=first["plans_issued"],
                 level=1),
            Line("plans_late", _("Ban hành chậm hoặc quá hạn chưa ban hành"),
                 after=first["plans_late"], level=1),
            Line("study_sessions", _("Buổi học tập, quán triệt"), after=first["study_sessions"]),
            Line("study_coverage_pct", _("Tỷ lệ học tập, quán triệt"),
                 after=first["study_coverage_pct"], fmt=PCT2),
            Line("reports_filed", _("Báo cáo sơ kết, tổng kết"), after=first["reports_filed"]),
        ]  # fmt: skip
        rows = [
            {
                "code": c.tracker.document.symbol,
                "name": c.tracker.document.title,
                **{k: v for k, v in c.as_json().items() if k in _NUMBERS},
            }
            for c in tracked
        ]
        tables.append(
            Table(
                _("Thực hiện văn bản cấp trên"),
                [
                    Column("organizations", _("Phải thực hiện")),
                    Column("plans_issued", _("Đã ban hành")),
                    Column("plans_late", _("Chậm")),
                    Column("study_sessions", _("Buổi học tập")),
                    Column("study_coverage_pct", _("Tỷ lệ học tập"), PCT2, total=False),
                    Column("reports_filed", _("Sơ kết, tổng kết")),
                ],
                rows,
                head=(_("Số, ký hiệu"), _("Trích yếu")),
            )
        )
        children = [
            {
                "code": child["code"],
                "name": child["name"],
                "plan": 1 if child["plan"] else 0,
                "late": len(child["late"]),
                "pct": child["study_coverage_pct"],
            }
            for child in first["children"]
        ]
        if children:
            tables.append(
                Table(
                    _("Thực hiện %(symbol)s theo đơn vị trực thuộc")
                    % {"symbol": first["document"]},
                    [
                        Column("plan", _("Đã ban hành văn bản")),
                        Column("late", _("Việc chậm")),
                        Column("pct", _("Tỷ lệ học tập"), PCT2, total=False),
                    ],
                    children,
                )  # fmt: skip
            )
    return Section("directives", _("Thực hiện văn bản chỉ đạo"), lines, tables, facts=facts)


_NUMBERS = ("organizations", "plans_issued", "plans_late", "study_sessions",
            "study_coverage_pct", "reports_filed")  # fmt: skip

register_section("directives", directives, order=55)
