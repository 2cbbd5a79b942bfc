"""What the document renderers share: the header of a party document, cell texts, charts."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from grassroots import charts
from grassroots.organizations.models import Kind
from grassroots.organizations.queries import ancestors_at

from ..review import DEC1, INT, PCT1, PCT2, Chart, Line, Review, Table
from ..summary import number, percent, signed

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
# "Đảng bộ tỉnh Lạng Sơn" → "Lạng Sơn": the place in the date line of a party document.
_PREFIX = re.compile(
    r"^(Đảng bộ|Chi bộ)\s+(tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn|đặc khu)?\s*",
    re.IGNORECASE,
)


def text(value, fmt: str = INT) -> str:
    if fmt == PCT1:
        return percent(value, 1)
    if fmt == PCT2:
        return percent(value, 2)
    if fmt == DEC1:
        return percent(value, 1).rstrip("%")
    return number(value)


def change_text(line: Line) -> str:
    """A stock's change is signed (+566); a flow is a count (4.253 died), shown as is."""
    if line.change is None:
        return ""
    if line.before is None and line.after is None and not line.signed:
        return text(line.change, line.fmt)
    if line.fmt == INT:
        return signed(line.change)
    return signed(line.change, lambda v: text(v, line.fmt).rstrip("%"))


@dataclass
class Header:
    """The header of a report as Vietnamese party documents lay it out (HD 36-HD/VPTW):
    the issuing committee on the left, the Party's name on the right, then place and date."""

    superior: str  # the organization above the issuing committee (upper case), may be ""
    committee: str  # upper case
    place: str
    issued: dt.date
    title: str
    subtitle: str

    @property
    def dateline(self) -> str:
        return _("%(place)s, ngày %(day)02d tháng %(month)02d năm %(year)d") % {
            "place": self.place,
            "day": self.issued.day,
            "month": self.issued.month,
            "year": self.issued.year,
        }


def header(review: Review, issued: dt.date | None = None) -> Header:
    path = ancestors_at(review.unit, review.at)
    province = next((v.name for v in path if v.kind == Kind.PROVINCE), None)
    place = _PREFIX.sub("", province or review.name) or review.name
    superior = path[-1].name.upper() if path and path[-1].kind != Kind.CENTRAL else ""
    return Header(
        superior=superior,
        committee=review.name.upper(),
        place=place,
        issued=issued or dt.date.today(),
        title=_("BÁO CÁO"),
        subtitle=_("Số liệu tổ chức đảng và đảng viên từ ngày %(since)s đến ngày %(at)s")
        % {"since": review.since.strftime("%d/%m/%Y"), "at": review.at.strftime("%d/%m/%Y")},
    )


def summary_title() -> str:
    return _("TÓM TẮT")


def line_headers(review: Review) -> list[str]:
    return [
        _("Chỉ tiêu"),
        _("Ngày %(d)s") % {"d": review.since.strftime("%d/%m/%Y")},
        _("Ngày %(d)s") % {"d": review.at.strftime("%d/%m/%Y")},
        _("Tăng (giảm)"),
    ]


def line_cells(line: Line) -> list[str]:
    label = ("\u00a0" * 4 * line.level) + str(line.label)  # no-break: kept by every renderer
    before = text(line.before, line.fmt) if line.before is not None else ""
    after = text(line.after, line.fmt) if line.after is not None else ""
    return [label, before, after, change_text(line)]


def table_headers(table: Table) -> list[str]:
    return [str(table.head[0]), str(table.head[1]), *(str(c.label) for c in table.columns)]


def table_cells(table: Table) -> list[list[str]]:
    rows = [
        [str(r["code"]), str(r["name"]), *(text(r.get(c.key), c.fmt) for c in table.columns)]
        for r in table.rows
    ]
    if any(c.total for c in table.columns) and len(table.rows) > 1:
        totals = table.totals()
        rows.append(
            [
                "",
                _("Tổng cộng"),
                *(text(totals[c.key]) if c.total else "" for c in table.columns),
            ]
        )
    return rows


def chart_image(chart: Chart, fmt: str = "png", width: float = 6.4) -> bytes:
    options = dict(chart.options)
    options["title"] = str(options.get("title", ""))
    options.setdefault("width", width)
    if chart.kind == "line":
        return charts.line_chart(fmt=fmt, **options)
    return charts.bar_chart(fmt=fmt, **options)
