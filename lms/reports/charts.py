"""Server-rendered SVG charts, pure: data in, escaped SVG markup out. No script, no inline style (our CSP allows
neither); colours come from classes in static/css/reports.css, with print-safe fallbacks (dark strokes, value
labels on every bar and point, so a black-and-white printout still reads).

Every chart scales with its container (``viewBox``, width 100 %), so it fits a 360 px phone and an A4 page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 18, 42


def _text(x: float, y: float, value: str, css: str = "chart-label", anchor: str = "middle") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" class="{css}" text-anchor="{anchor}">{escape(value)}</text>')


def _frame(title: str, body: list[str], *, description: str = "") -> str:
    label = escape(title)
    desc = f"<desc>{escape(description)}</desc>" if description else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" class="chart" role="img" '
            f'aria-label="{label}" preserveAspectRatio="xMidYMid meet"><title>{label}</title>{desc}'
            + "".join(body) + "</svg>")


def _y_axis(maximum: float, *, percent: bool, steps: int = 4) -> list[str]:
    parts = []
    plot_height = HEIGHT - TOP - BOTTOM
    for step in range(steps + 1):
        value = maximum * step / steps
        y = HEIGHT - BOTTOM - plot_height * step / steps
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" class="chart-grid"/>')
        label = f"{value:.0f}%" if percent else f"{value:g}"
        parts.append(_text(LEFT - 6, y + 4, label, "chart-axis", "end"))
    return parts


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    css: str = "chart-bar"  # e.g. chart-bar-pass / chart-bar-fail


def bar_chart(title: str, bars: Sequence[Bar], *, description: str = "") -> str:
    """Vertical bars with their value written on top; empty input draws an empty, labelled frame."""
    maximum = max([b.value for b in bars] + [1.0])
    nice = _nice_ceiling(maximum)
    parts = _y_axis(nice, percent=False)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(bars), 1)
    for index, bar in enumerate(bars):
        height = plot_height * bar.value / nice
        x = LEFT + slot * index + slot * 0.15
        y = HEIGHT - BOTTOM - height
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{height:.1f}" '
                     f'class="{escape(bar.css)}"/>')
        parts.append(_text(x + slot * 0.35, y - 4, f"{bar.value:g}", "chart-value"))
        parts.append(_text(x + slot * 0.35, HEIGHT - BOTTOM + 16, bar.label, "chart-label"))
    parts.append(f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}" '
                 'class="chart-axis-line"/>')
    return _frame(title, parts, description=description)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # one per label; None leaves a gap
    css: str = "chart-line"


def line_chart(title: str, labels: Sequence[str], series: Sequence[Series], *, percent: bool = False,
               maximum: float | None = None, reference: float | None = None, description: str = "") -> str:
    """Lines over periods, a dot and a value label at every known point, gaps where a value is missing.

    ``reference`` draws a dashed horizontal line (the pass line, 80)."""
    known = [v for s in series for v in s.values if v is not None]
    top = maximum if maximum is not None else _nice_ceiling(max([*known, reference or 0.0, 1.0]))
    parts = _y_axis(top, percent=percent)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    step = plot_width / max(len(labels) - 1, 1)

    def y_of(value: float) -> float:
        return HEIGHT - BOTTOM - plot_height * min(value, top) / top

    def x_of(index: int) -> float:
        return LEFT + (step * index if len(labels) > 1 else plot_width / 2)

    if reference is not None:
        parts.append(f'<line x1="{LEFT}" y1="{y_of(reference):.1f}" x2="{WIDTH - RIGHT}" '
                     f'y2="{y_of(reference):.1f}" class="chart-reference"/>')
    label_every = max(1, len(labels) // 6 + (1 if len(labels) % 6 else 0)) if len(labels) > 8 else 1
    for index, label in enumerate(labels):
        if index % label_every == 0 or index == len(labels) - 1:
            parts.append(_text(x_of(index), HEIGHT - BOTTOM + 16, label, "chart-label"))
    for number, line in enumerate(series):
        css = escape(line.css)
        for points in _segments([(x_of(i), y_of(v)) if v is not None else None for i, v in enumerate(line.values)]):
            if len(points) > 1:
                parts.append(f'<polyline points="{" ".join(points)}" class="{css}" fill="none"/>')
        for index, value in enumerate(line.values):
            if value is None:
                continue
            parts.append(f'<circle cx="{x_of(index):.1f}" cy="{y_of(value):.1f}" r="3" class="{css}-dot"/>')
            shown = f"{value:.0f}%" if percent else f"{value:g}"
            offset = -8 if number % 2 == 0 else 16
            parts.append(_text(x_of(index), y_of(value) + offset, shown, "chart-value"))
    legend_x = LEFT
    for line in series:
        parts.append(f'<line x1="{legend_x}" y1="{HEIGHT - 8}" x2="{legend_x + 18}" y2="{HEIGHT - 8}" '
                     f'class="{escape(line.css)}"/>')
        parts.append(_text(legend_x + 22, HEIGHT - 4, line.name, "chart-label", "start"))
        legend_x += 40 + 14 * len(line.name)
    return _frame(title, parts, description=description)


def _segments(points: Sequence[tuple[float, float] | None]) -> list[list[str]]:
    """Runs of consecutive known points ("x,y"), split where a value is missing."""
    runs: list[list[str]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(f"{point[0]:.1f},{point[1]:.1f}")
    return [run for run in runs if run]


def _nice_ceiling(value: float) -> float:
    """A round axis maximum ≥ value: 1, 2, 5 × 10ⁿ."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for factor in (1, 2, 5, 10):
        if value <= factor * magnitude:
            return float(factor * magnitude)
    return float(10 * magnitude)
