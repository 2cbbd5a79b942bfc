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
