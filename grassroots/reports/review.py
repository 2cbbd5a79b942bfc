"""The review report (báo cáo sơ kết / tổng kết): an organization's figures between two dates.

A report is data: sections of lines (before → after, change) and a per-child table each, built
by section builders that call the query modules of the apps that own the figures (figures,
organizations, territory, assessments) and never compute a figure themselves. The renderers
(`export/`) turn the same `Review` into JSON, DOCX, XLSX and PDF, so every form holds the
same numbers as `grassroots figures` and the pages.

Each app declares its own sections in its `summaries.py` (organizations, members, territory,
assessments; development, training, meetings, ... when they land) with `register_section` and
the helpers below; the registry finds them with Django's `autodiscover_modules("summaries")`,
so this package imports no app's summaries. A builder returns None when its data does not exist
for the unit. The same declarations serve the dashboard and the API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from grassroots.figures.queries import Figures, figures, figures_by_unit
from grassroots.organizations.models import Unit
from grassroots.organizations.queries import children_at, display_version

from .summary import written_summary

INT, PCT1, PCT2, DEC1 = "int", "pct1", "pct2", "dec1"  # DEC1: an average (24,3 years)


@dataclass
class Line:
    """One row of a section: a figure before and after, and how it changed.

    A flow has only `change`; a stock has `before`, `after` and `change` = after − before.
    """

    key: str
    label: str
    before: int | float | None = None
    after: int | float | None = None
    change: int | float | None = None
    fmt: str = INT
    level: int = 0  # indentation: 1 = a part of the line above
    signed: bool = False  # a net change (shown +/−) rather than a count of events

    def as_json(self) -> dict:
        return {"before": self.before, "after": self.after, "change": self.change}


@dataclass
class Column:
    key: str
    label: str
    fmt: str = INT
    total: bool = True  # summed in the totals row (a share is not)


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[dict]  # {"code", "name", column key: value}
    # headers of the code and name columns
    head: tuple = field(default_factory=lambda: (_("Mã"), _("Tổ chức")))

    def totals(self) -> dict:
        return {c.key: sum(r.get(c.key) or 0 for r in self.rows) for c in self.columns if c.total}

    def as_json(self) -> dict:
        return {
            "columns": [c.key for c in self.columns],
            "rows": self.rows,
            "totals": self.totals(),
        }


@dataclass
class Chart:
    """What to draw; the renderers draw it with grassroots.charts in their own format."""

    kind: str  # "line" | "bar"
    options: dict


@dataclass
class Section:
    key: str
    title: str
    lines: list[Line]
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    facts: dict = field(default_factory=dict)  # extra numbers for the written summary

    def as_json(self) -> dict:
        return {
            "title": str(self.title),
            "lines": {line.key: line.as_json() for line in self.lines},
            "tables": [t.as_json() | {"title": str(t.title)} for t in self.tables],
            **({"facts": self.facts} if self.facts else {}),
        }


@dataclass
class Child:
    unit: Unit
    name: str
    now: Figures
    then: Figures


@dataclass
class Context:
    """What every section builder is given: the unit, the dates, and the figures of the unit
    and of each child at both dates (read once, shared by the sections)."""

    unit: Unit
    name: str
    since: dt.date
    at: dt.date
    now: Figures  # on `at`, with the flows since `since`
    then: Figures  # on `since`
    children: list[Child]  # organizations directly under the unit on `at`


@dataclass
class Review:
    unit: Unit
    name: str
    since: dt.date
    at: dt.date
    sections: list[Section]
    summary: str = ""

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def as_json(self) -> dict:
        return {
            "unit": {"code": self.unit.code, "name": self.name},
            "since": self.since.isoformat(),
            "at": self.at.isoformat(),
            "sections": {s.key: s.as_json() for s in self.sections},
            "summary": self.summary,
        }


Builder = Callable[[Context], Section | None]
_SECTIONS: list[tuple[int, str, Builder]] = []


def register_section(key: str, builder: Builder, *, order: int) -> None:
    """Add a section to every review report (idempotent per key)."""
    global _SECTIONS
    _SECTIONS = sorted([s for s in _SECTIONS if s[1] != key] + [(order, key, builder)])


def section_keys() -> list[str]:
    _load_builtin()
    return [key for _, key, _ in _SECTIONS]


def _load_builtin() -> None:
    """Import every installed app's `summaries` module (each registers its sections)."""
    autodiscover_modules("summaries")


def change(before, after):
    if before is None or after is None:
        return None
    result = after - before
    return round(result, 2) if isinstance(result, float | Decimal) else result


def build_context(unit: Unit, since: dt.date, at: dt.date) -> Context:
    if since > at:
        raise ValueError("since must not be after at")
    versions = list(children_at(unit, at).order_by("unit__code"))
    units = [v.unit for v in versions]
    # One read for all children, not two `figures()` each (1,391 children in a 2025 province).
    now, then = figures_by_unit(units, at, since), figures_by_unit(units, since)
    children = [Child(v.unit, v.name, now[v.unit_id], then[v.unit_id]) for v in versions]
    return Context(
        unit=unit,
        name=display_version(unit, at).name,
        since=since,
        at=at,
        now=figures(unit, at, since),
        then=figures(unit, since),
        children=children,
    )


def build_review(
    unit: Unit, since: dt.date, at: dt.date, *, progress: Callable[[int, int], None] | None = None
) -> Review:
    """The review report of `unit` between `since` and `at` (all sections whose data exists).
    `progress(done, total)` after the context (the figures of the unit and of every child at
    both dates, read before any section: a step of its own) and after each section."""
    _load_builtin()
    total = len(_SECTIONS) + 1
    context = build_context(unit, since, at)
    if progress:
        progress(1, total)
    built = []
    for i, (_order, _key, builder) in enumerate(_SECTIONS):
        section = builder(context)
        if section is not None:
            built.append(section)
        if progress:
            progress(i + 2, total)
    review = Review(unit=unit, name=context.name, since=since, at=at, sections=built)
    review.summary = written_summary(review)
    return review


# Helpers for the apps' section builders ----------------------------------------------------

TOP_CHILDREN = 10  # bars in a "top children" chart


def stock_line(key, label, before, after, *, fmt=INT, level=0) -> Line:
    return Line(key, label, before, after, change(before, after), fmt, level)


def flow_line(key, label, value, *, level=0) -> Line:
    return Line(key, label, change=value, level=level)


def year_ends(since: dt.date, at: dt.date) -> list[tuple[int, dt.date]]:
    """The points of a trend chart: `since`, each 31/12 between, and `at`."""
    points = [(since.year, since)]
    points += [
        (y, dt.date(y, 12, 31)) for y in range(since.year, at.year) if dt.date(y, 12, 31) > since
    ]
    if at > points[-1][1]:
        points.append((at.year, at))
    return points


def top_children_chart(title, children, value, label) -> Chart | None:
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
