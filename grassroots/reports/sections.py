"""The built-in sections of the review report: organizations, members, villages, ratings.

Each builder reads the figures of `Context` (one `figures()` call per organization and date)
or calls the owning app's query module; none adds up stints, versions or ratings itself.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from grassroots.assessments import queries as ratings
from grassroots.figures.queries import ledger_at
from grassroots.organizations.models import GRASSROOTS_KINDS, GrassrootsType, Kind
from grassroots.organizations.queries import lifecycle_between, organizations_by_type

from .review import (
    INT,
    PCT1,
    PCT2,
    Chart,
    Column,
    Context,
    Line,
    Section,
    Table,
    change,
    register_section,
)

TOP_CHILDREN = 10  # bars in a "top children" chart


def _stock(key, label, before, after, *, fmt=INT, level=0) -> Line:
    return Line(key, label, before, after, change(before, after), fmt, level)


def _flow(key, label, value, *, level=0) -> Line:
    return Line(key, label, change=value, level=level)


def _year_ends(since: dt.date, at: dt.date) -> list[tuple[int, dt.date]]:
    """The points of a trend chart: `since`, each 31/12 between, and `at`."""
    points = [(since.year, since)]
    points += [
        (y, dt.date(y, 12, 31)) for y in range(since.year, at.year) if dt.date(y, 12, 31) > since
    ]
    if at > points[-1][1]:
        points.append((at.year, at))
    return points


def _top_children_chart(title, children, value, label) -> Chart | None:
    ranked = sorted(children, key=value, reverse=True)[:TOP_CHILDREN]
    if len(ranked) < 2:
        return None
    return Chart(
        "bar",
        {
            "title": title,
            "categories": [c.name for c in ranked],
            "series": {label: [value(c) for c in ranked]},
            "horizontal": True,
            "height": 0.3 * len(ranked) + 1,
        },
    )


def organizations(ctx: Context) -> Section:
    now, then = ctx.now, ctx.then
    by_type_then = organizations_by_type(ctx.unit, ctx.since)
    by_type_now = organizations_by_type(ctx.unit, ctx.at)

    def grassroots_of_type(counts, gtype):
        return sum(counts.get((kind, gtype), 0) for kind in GRASSROOTS_KINDS)

    lines = [
        _stock(
            "grassroots_organizations",
            _("Tổ chức cơ sở đảng"),
            then.grassroots_organizations,
            now.grassroots_organizations,
        ),
        _stock(
            "grassroots_committees",
            Kind.GRASSROOTS_COMMITTEE.label,
            then.grassroots_committees,
            now.grassroots_committees,
            level=1,
        ),
        _stock(
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
            lines.append(_stock(f"type_{gtype.value}", gtype.label, before, after, level=1))
    lines += [
        _stock(
            "subordinate_organizations",
            _("Tổ chức đảng trực thuộc đảng ủy cơ sở"),
            then.subordinate_organizations,
            now.subordinate_organizations,
        ),
        _stock(
            "partial_committees",
            Kind.PARTIAL_COMMITTEE.label,
            then.partial_committees,
            now.partial_committees,
            level=1,
        ),
        _stock(
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
            lines.append(_flow(f"organizations_{key}", label, life[key]))
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
    points = _year_ends(ctx.since, ctx.at)
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
        _stock("members", _("Đảng viên"), then.members, now.members),
        _stock(
            "official_members",
            _("Chính thức"),
            then.official_members,
            now.official_members,
            level=1,
        ),
        _stock(
            "probationary_members",
            _("Dự bị"),
            then.probationary_members,
            now.probationary_members,
            level=1,
        ),
        _stock(
            "exempt_members",
            _("Miễn sinh hoạt"),
            then.exempt_members,
            now.exempt_members,
            level=1,
        ),
        *(_flow(key, label, getattr(flows, key), level=1) for key, label in FLOWS),
        Line("net_change", _("Tăng (giảm) đảng viên"), change=flows.net_change, signed=True),
        _stock("population", _("Dân số"), then.population, now.population),
        _stock(
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
    points = _year_ends(ctx.since, ctx.at)
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
    top = _top_children_chart(
        _("Đơn vị có nhiều đảng viên nhất"),
        ctx.children,
        lambda c: c.now.members,
        str(_("Đảng viên")),
    )
    if top:
        charts.append(top)
    return Section("members", _("Đảng viên"), lines, [table] if ctx.children else [], charts)


def villages(ctx: Context) -> Section | None:
    now, then = ctx.now, ctx.then
    if not (now.villages or then.villages):
        return None
    lines = [
        _stock("villages", _("Thôn, bản, tổ dân phố"), then.villages, now.villages),
        _stock(
            "villages_own_cell",
            _("Có chi bộ độc lập"),
            then.villages_own_cell,
            now.villages_own_cell,
            level=1,
        ),
        _stock(
            "villages_joint_cell",
            _("Sinh hoạt ghép"),
            then.villages_joint_cell,
            now.villages_joint_cell,
            level=1,
        ),
        _stock(
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
    for c in ctx.children:
        trend = {r.year: r for r in ratings.trend(c.unit, sorted({first.year, last.year}))}
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
    facts = {
        "first_year": first.year,
        "first_top_pct": _pct(first.grassroots.top_pct()),
        "last_year": last.year,
        "last_top_pct": _pct(last.grassroots.top_pct()),
    }
    return Section(
        "ratings", _("Đánh giá, xếp loại chất lượng hằng năm"), lines, tables, [chart], facts
    )


register_section("organizations", organizations, order=10)
register_section("members", members, order=20)
register_section("villages", villages, order=40)
register_section("ratings", annual_ratings, order=50)
# Order 30 (member development), 60-90 (training, meetings, inspection, directive cascade):
# their apps register here when they land (`register_section`).
