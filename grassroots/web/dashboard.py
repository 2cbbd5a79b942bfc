"""The home page as a dashboard of the account's scope (issue 11: a greeting and three links).

The scope's figures on the day shown and a year before, trends of members and grassroots
organizations over the years (SVG drawn server-side by grassroots.charts), and — for an account
whose organization has ended (a district abolished in 2025) — its last day and its successors,
instead of pages that say the organization does not exist today."""

from __future__ import annotations

import base64
import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots import charts
from grassroots.accounts import access
from grassroots.assessments import queries as ratings
from grassroots.core.due import due_items
from grassroots.core.text import sort_key
from grassroots.figures.queries import figures, stocks_on_days
from grassroots.organizations.models import ChangeAction, Unit
from grassroots.organizations.queries import children_at, display_version

from . import presenters

TREND_YEARS = 15


def last_day(unit: Unit, today: dt.date) -> dt.date:
    """The day pages of `unit` open on: today, or its last day if it has ended."""
    if unit.ended is not None and unit.ended <= today:
        return unit.ended - dt.timedelta(days=1)
    return today


def successors(user, unit: Unit, day: dt.date) -> list[tuple[str, str]]:
    """(code, name) of where an ended organization's work went, among what the user may open:
    the organizations it was merged or split into, and its sub-organizations of its last `day`
    that still exist (the communes of a district abolished in 2025, now under the province)."""
    today = timezone.localdate()
    merged_into = unit.changes.filter(action__in=(ChangeAction.MERGE, ChangeAction.SPLIT)).values(
        "related_units"
    )
    children = children_at(unit, day).values("unit_id")
    candidates = Unit.objects.filter(Q(pk__in=merged_into) | Q(pk__in=children)).filter(
        Q(ended__isnull=True) | Q(ended__gt=today)
    )
    seen = access.only_ever_visible(user, candidates)
    rows = [(u.code, display_version(u, today).name) for u in seen]
    return sorted(rows, key=lambda row: sort_key(row[1]))


def _svg(data: bytes) -> str:
    """A chart as a data: image (the CSP allows data: images, and no inline SVG styles)."""
    return "data:image/svg+xml;base64," + base64.b64encode(data).decode()


def trend_charts(unit: Unit, day: dt.date) -> list[tuple[str, str]]:
    """(title, image) of the members and grassroots organizations on 31/12 of each year."""
    first = max(unit.established.year, day.year - TREND_YEARS)
    points = [dt.date(y, 12, 31) for y in range(first, day.year)] + [day]
    rows = stocks_on_days(unit, points)
    years = [p.year for p in points]
    members = charts.line_chart(
        title=_("Đảng viên"),
        x=years,
        series={
            _("Tổng số"): [f["members"] for f in rows],
            _("Chính thức"): [f["official"] for f in rows],
        },
    )
    organizations = charts.line_chart(
        title=_("Tổ chức cơ sở đảng"),
        x=years,
        series={
            _("Đảng bộ cơ sở"): [f["grassroots_committees"] for f in rows],
            _("Chi bộ cơ sở"): [f["grassroots_cells"] for f in rows],
        },
    )
    out = [
        (_("Đảng viên qua các năm"), _svg(members)),
        (_("Tổ chức cơ sở đảng qua các năm"), _svg(organizations)),
    ]
    shares = rating_shares_chart(unit, first, day)
    if shares is not None:
        out.append((_("Xếp loại tổ chức cơ sở đảng qua các năm"), _svg(shares)))
    return out


def rating_shares(unit: Unit, first: int, day: dt.date) -> tuple[list[int], dict[str, list]]:
    """(years, level → share of the rated grassroots organizations in %) for the years from
    `first` to `day` that have decided ratings, from `assessments.queries.trend` (the results
    page's and the review report's own count). Levels are matched by rank (1 = highest): a
    scheme change renames them (HD 20's "trong sạch, vững mạnh" became QĐ 132's "hoàn thành
    xuất sắc nhiệm vụ"), so a series is named by every label its rank had over the years."""
    last = day.year if day >= ratings.year_end(day.year) else day.year - 1
    years = [y for y in ratings.rated_years(unit) if first <= y <= last]
    rows = ratings.grassroots_trend(unit, years)
    labels: dict[int, list[str]] = {}
    for _year, shares in rows:
        for level in shares.levels:
            names = labels.setdefault(level.order, [])
            if level.label not in names:
                names.append(level.label)
    series: dict[str, list] = {}
    for order in sorted(labels):
        values = []
        for _year, shares in rows:
            share = next((pct for lv, _n, pct in shares.rows() if lv.order == order), None)
            values.append(float(share) if share is not None else 0.0)
        series[" / ".join(labels[order])] = values
    return [year for year, _shares in rows], series


def rating_shares_chart(unit: Unit, first: int, day: dt.date) -> bytes | None:
    years, series = rating_shares(unit, first, day)
    if not years:
        return None
    return charts.bar_chart(
        title=_("Tỷ lệ các mức xếp loại tổ chức cơ sở đảng (%)"),
        categories=[str(y) for y in years],
        series=series,
        stacked=True,
        percent=True,
        height=3.4,
    )


@login_required
def home(request):
    today = timezone.localdate()
    # A member's own account sees no subtree (accounts.access), so no scope figures either.
    scope = request.user.scope if access.units_ever_visible(request.user).exists() else None
    context = {"scope": scope, "today": today}
    if scope is not None:
        day = last_day(scope, today)
        year_ago = day - dt.timedelta(days=365 if not (day.month == 2 and day.day == 29) else 366)
        now, before = figures(scope, day), figures(scope, year_ago)
        context.update(
            version=display_version(scope, day),
            day=day,
            year_ago=year_ago,
            ended=day != today,
            successors=successors(request.user, scope, day) if day != today else [],
            figure_rows=presenters.figure_rows(now, before),
            charts=trend_charts(scope, day),
            due=due_items(request.user, scope, day) if day == today else [],
        )
    return render(request, "web/home.html", context)
