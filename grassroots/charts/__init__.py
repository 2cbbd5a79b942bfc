"""Charts for pages (SVG) and documents (PNG), drawn with matplotlib on the Agg backend.

One place for every chart of the project (the dashboard's trends, the review report), so they
look alike and no caller touches matplotlib. Figures are built with the object API
(`matplotlib.figure.Figure`), never `pyplot`: pyplot keeps global state that is not safe in a
threaded web server. Nothing is fetched from the internet: the font is matplotlib's bundled
DejaVu Sans, which has every Vietnamese diacritic.
"""

from __future__ import annotations

import functools
import hashlib
import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

from matplotlib import rc_context  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

FORMATS = ("svg", "png")
# A calm palette readable in black-and-white print (offices print reports in grey).
COLORS = ["#b22222", "#1f4e79", "#6b8e23", "#d2691e", "#6a5acd", "#2f4f4f", "#b8860b", "#708090"]

_RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "none",  # SVG text stays text (selectable, searchable, smaller)
    "svg.hashsalt": "grassroots",  # the same chart gives the same bytes (stable ids)
}


def _vi_number(value: float, _pos=None) -> str:
    """Axis ticks as Vietnamese numbers: 61.491, 45,5."""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")


def _whole(values) -> bool:
    """True when every value is a whole number (counts, years): such an axis gets whole ticks
    only, so small data never shows 0,5 organizations or the year 2020,25."""
    numbers = [v for v in values if v is not None]
    return bool(numbers) and all(
        isinstance(v, int | float) and float(v).is_integer() for v in numbers
    )


def _whole_ticks(axis, values) -> None:
    if _whole(values):
        axis.set_major_locator(MaxNLocator(integer=True))


def _render(fig: Figure, fmt: str, dpi: int) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"unknown chart format {fmt!r}")
    out = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {}
    fig.savefig(out, format=fmt, dpi=dpi, bbox_inches="tight", metadata=metadata)
    return out.getvalue()


def _figure(width: float, height: float, title: str):
    fig = Figure(figsize=(width, height))
    ax = fig.add_subplot()
    if title:
        ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
    ax.yaxis.set_major_formatter(FuncFormatter(_vi_number))
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig, ax


CACHE_SECONDS = 24 * 3600


def _memoized(draw):
    """Keep a drawn chart by what it shows. Drawing is a pure function of its arguments and
    costs 0.3–0.6 s of CPU (matplotlib's layout and SVG writer); the dashboard draws three on
    every visit although the data behind them (past years' figures) rarely changes. The key is
    the arguments themselves, so a changed figure draws a new chart: nothing to invalidate."""

    @functools.wraps(draw)
    def wrapper(**kwargs) -> bytes:
        from django.core.cache import cache

        digest = hashlib.sha256(repr(sorted(kwargs.items())).encode()).hexdigest()
        key = f"chart:{draw.__name__}:{digest}"
        data = cache.get(key)
        if data is None:
            data = draw(**kwargs)
            cache.set(key, data, CACHE_SECONDS)
        return data

    return wrapper


@_memoized
def line_chart(
    *,
    title: str,
    x: Sequence,
    series: dict[str, Sequence[float | None]],
    fmt: str = "svg",
    y_label: str = "",
    percent: bool = False,
    width: float = 6.4,
    height: float = 3.0,
    dpi: int = 150,
) -> bytes:
    """One line per series over `x` (years or dates); None leaves a gap."""
    with rc_context(_RC):
        fig, ax = _figure(width, height, title)
        for i, (name, values) in enumerate(series.items()):
            ys = [float("nan") if v is None else float(v) for v in values]
            ax.plot(list(x), ys, marker="o", markersize=3, label=name, color=COLORS[i % 8])
        if percent:
            ax.set_ylim(0, 100)
        else:
            _whole_ticks(ax.yaxis, [v for values in series.values() for v in values])
        _whole_ticks(ax.xaxis, list(x))
        if y_label:
            ax.set_ylabel(y_label)
        if len(series) > 1:
            ax.legend(frameon=False, fontsize=8)
        return _render(fig, fmt, dpi)


@_memoized
def bar_chart(
    *,
    title: str,
    categories: Sequence[str],
    series: dict[str, Sequence[float]],
    fmt: str = "svg",
    stacked: bool = False,
    horizontal: bool = False,
    percent: bool = False,
    width: float = 6.4,
    height: float = 3.0,
    dpi: int = 150,
) -> bytes:
    """Grouped (or stacked) bars, one group per category; horizontal for long names."""
    import numpy as np

    with rc_context(_RC):
        fig, ax = _figure(width, height, title)
        n = max(len(series), 1)
        positions = np.arange(len(categories))
        bar = 0.8 if stacked else 0.8 / n
        base = np.zeros(len(categories))
        draw = ax.barh if horizontal else ax.bar
        for i, (name, values) in enumerate(series.items()):
            vals = np.array([float(v or 0) for v in values])
            offset = positions if stacked else positions - 0.4 + bar * (i + 0.5)
            kwargs = {"left" if horizontal else "bottom": base} if stacked else {}
            draw(offset, vals, bar, label=name, color=COLORS[i % 8], **kwargs)
            if stacked:
                base = base + vals
        if horizontal:
            ax.set_yticks(positions, list(categories))
            ax.invert_yaxis()
            ax.xaxis.set_major_formatter(FuncFormatter(_vi_number))
            ax.grid(axis="y", visible=False)
            ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        else:
            ax.set_xticks(positions, list(categories))
        if percent:
            (ax.set_xlim if horizontal else ax.set_ylim)(0, 100)
        else:
            values = [v for vals in series.values() for v in vals]
            if stacked:  # the axis shows the stacks' totals
                values += [float(v) for v in base]
            _whole_ticks(ax.xaxis if horizontal else ax.yaxis, values)
        if len(series) > 1:
            ax.legend(frameon=False, fontsize=8)
        return _render(fig, fmt, dpi)
