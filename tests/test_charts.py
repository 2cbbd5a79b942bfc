"""The shared chart helper: SVG for pages, PNG for documents, Vietnamese labels intact."""

import pytest

from grassroots.charts import bar_chart, line_chart


def test_line_chart_svg_keeps_vietnamese_text_and_is_reproducible():
    args = dict(
        title="Đảng viên qua các năm",
        x=[2008, 2013, 2019],
        series={"Đảng viên": [41201, 50000, 61491]},
    )
    svg = line_chart(**args)
    assert svg.startswith(b"<?xml") and "Đảng viên qua các năm".encode() in svg
    assert b"60.000" in svg  # axis ticks in Vietnamese grouping
    assert line_chart(**args) == svg


def test_bar_chart_png_for_documents():
    png = bar_chart(
        title="Tỷ lệ trong sạch, vững mạnh",
        categories=["2008", "2017"],
        series={"%": [45.55, 56.05]},
        fmt="png",
        percent=True,
    )
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_stacked_horizontal_bars():
    svg = bar_chart(
        title="Thôn, bản",
        categories=["Đình Lập", "Lộc Bình"],
        series={"Chi bộ riêng": [118, 90], "Ghép": [6, 10]},
        stacked=True,
        horizontal=True,
    )
    assert "Đình Lập".encode() in svg and "Chi bộ riêng".encode() in svg


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        line_chart(title="", x=[1], series={"a": [1]}, fmt="gif")


def _ticks(svg: bytes) -> list[str]:
    import re

    return re.findall(r">([^<]*)</text>", svg.decode())


def test_whole_counts_get_whole_ticks_only():
    # Two members, then one: the default locator drew 1,2 / 1,4 … members and the year 2020,25.
    svg = line_chart(title="", x=[2020, 2021, 2022], series={"Đảng viên": [1, 2, 1]})
    ticks = _ticks(svg)
    assert "2021" in ticks and "2" in ticks
    assert not [t for t in ticks if "," in t or "." in t], ticks
    bars = bar_chart(title="", categories=["a", "b"], series={"x": [1, 3]}, horizontal=True)
    assert not [t for t in _ticks(bars) if "," in t], _ticks(bars)
    stacked = bar_chart(title="", categories=["a"], series={"x": [1], "y": [2]}, stacked=True)
    assert not [t for t in _ticks(stacked) if "," in t], _ticks(stacked)


def test_fractional_values_keep_fractional_ticks():
    svg = line_chart(title="", x=[2020, 2021], series={"%": [1.5, 2.5]})
    assert [t for t in _ticks(svg) if "," in t]
