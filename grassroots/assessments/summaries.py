"""The annual ratings' section of the review report (and the dashboard and API) (registered with
reports.review)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from grassroots.assessments import queries as ratings
from grassroots.reports.review import (
    PCT2,
    Chart,
    Column,
    Context,
    Line,
    Section,
    Table,
    register_section,
)


def _pct(value) -> float | None:
    return float(value) if value is not None else None


def annual_ratings(ctx: Context) -> Section | None:
    years = [y for y in ratings.rated_years(ctx.unit) if ctx.since.year <= y <= ctx.at.year]
    rows = ratings.trend(ctx.unit, years)
    if not rows:
        return None
    lines, long_rows = [], []
    for row in rows:
        g = row.grassroots
        lines.append(
            Line(
                f"top_pct_{row.year}",
                _(
                    "Tỷ lệ TCCS đảng hoàn thành xuất sắc nhiệm vụ (trong sạch, vững mạnh) năm %(year)s"
                )
                % {"year": row.year},
                after=_pct(g.top_pct()),
                fmt=PCT2,
            )
        )
        for level, count, pct in g.rows():
            long_rows.append(
                {
                    "code": str(row.year),
                    "name": level.label,
                    "count": count,
                    "pct": _pct(pct),
                    "rated": g.rated,
                }
            )
    first, last = rows[0], rows[-1]
    by_year = Table(
        _("Kết quả xếp loại tổ chức cơ sở đảng theo năm"),
        [
            Column("count", _("Số tổ chức"), total=False),
            Column("pct", _("Tỷ lệ (%)"), PCT2, total=False),
            Column("rated", _("Số được xếp loại"), total=False),
        ],
        long_rows,
        head=(_("Năm"), _("Mức xếp loại")),
    )
    child_rows = []
    trends = ratings.trend_by_unit([c.unit for c in ctx.children], sorted({first.year, last.year}))
    for c in ctx.children:
        trend = {r.year: r for r in trends[c.unit.pk]}
        child_rows.append(
            {
                "code": c.unit.code,
                "name": c.name,
                "first": _pct(trend[first.year].grassroots.top_pct())
                if first.year in trend
                else None,
                "last": _pct(trend[last.year].grassroots.top_pct()) if last.year in trend else None,
            }
        )
    tables = [by_year]
    if child_rows:
        tables.append(
            Table(
                _("Tỷ lệ trong sạch, vững mạnh theo đơn vị trực thuộc"),
                [
                    Column("first", _("Năm %(year)s (%%)") % {"year": first.year}, PCT2, False),
                    Column("last", _("Năm %(year)s (%%)") % {"year": last.year}, PCT2, False),
                ],
                child_rows,
            )
        )
    chart = Chart(
        "line",
        {
            "title": _("Tỷ lệ TCCS đảng trong sạch, vững mạnh qua các năm (%)"),
            "x": [r.year for r in rows],
            "series": {"%": [_pct(r.grassroots.top_pct()) for r in rows]},
            "percent": True,
        },
    )

    # The summary compares shares of the same top level: "trong sạch, vững mạnh" (HD 20, HD 27)
    # is not "hoàn thành xuất sắc nhiệm vụ" of QĐ 132 onwards, so the sentence stops at the last
    # year whose top level has the first year's name.
    def top_label(row):
        return next((lv.label for lv in row.grassroots.levels if lv.is_top), None)

    comparable = [r for r in rows if top_label(r) == top_label(first)][-1]
    facts = {
        "first_year": first.year,
        "first_top_pct": _pct(first.grassroots.top_pct()),
        "last_year": comparable.year,
        "last_top_pct": _pct(comparable.grassroots.top_pct()),
    }
    return Section(
        "ratings", _("Đánh giá, xếp loại chất lượng hằng năm"), lines, tables, [chart], facts
    )


register_section("ratings", annual_ratings, order=50)
