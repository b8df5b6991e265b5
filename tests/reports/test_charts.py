"""The SVG charts: well-formed, escaped, and honest about gaps."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from lms.reports import charts

SVG = "{http://www.w3.org/2000/svg}"


def test_bar_chart_is_well_formed_and_labels_every_bar():
    svg = charts.bar_chart("成绩分布", [charts.Bar("0–59.9", 2), charts.Bar("80–89.9", 5, "chart-bar-pass")])
    root = ET.fromstring(svg)  # noqa: S314 - our own SVG
    assert root.get("viewBox") == f"0 0 {charts.WIDTH} {charts.HEIGHT}"
    assert len(root.findall(f"{SVG}rect")) == 2
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "5" in texts
    assert "80–89.9" in texts


def test_text_is_escaped():
    svg = charts.bar_chart('<script>alert(1)</script>', [charts.Bar('"><img src=x>', 1, 'x" onload="y')])
    assert "<script>" not in svg
    assert "<img" not in svg
    assert 'onload="' not in svg
    ET.fromstring(svg)  # noqa: S314 - our own SVG


def test_line_chart_leaves_a_gap_where_a_value_is_missing():
    svg = charts.line_chart("走势", ["01", "02", "03", "04"], [charts.Series("成绩", [70, None, 85, 90])],
                            maximum=100, reference=80)
    root = ET.fromstring(svg)  # noqa: S314 - our own SVG
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 1  # 70 stands alone; 85 → 90 is one segment
    assert len(lines[0].get("points").split()) == 2
    assert len(root.findall(f"{SVG}circle")) == 3
    assert any(line.get("class") == "chart-reference" for line in root.findall(f"{SVG}line"))


def test_empty_charts_still_render():
    ET.fromstring(charts.bar_chart("空", []))  # noqa: S314 - our own SVG
    ET.fromstring(charts.line_chart("空", [], []))  # noqa: S314 - our own SVG
