"""Inline SVG charts generated here (no script, no CDN): a bar chart and a line chart with
points. Every mark carries a `<title>` so hovering shows its period and value."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from pipelinekit.metrics.trends import Point

WIDTH, HEIGHT = 720, 180
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 28


def _frame(points: list[Point], top: float, fmt: Callable[[float], str], body: str) -> str:
    plot_h = HEIGHT - TOP - BOTTOM
    axis = (
        f'<line class="axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" '
        f'y2="{TOP + plot_h}"/>'
        f'<text class="tick" x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">{escape(fmt(top))}'
        f"</text>"
        f'<text class="tick" x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end">0</text>'
    )
    if points:
        axis += (
            f'<text class="tick" x="{LEFT}" y="{HEIGHT - 8}">{escape(points[0].label)}</text>'
            f'<text class="tick" x="{WIDTH - RIGHT}" y="{HEIGHT - 8}" text-anchor="end">'
            f"{escape(points[-1].label)}</text>"
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img">{axis}{body}</svg>'
    )


def _scale(points: list[Point]) -> tuple[float, float, float]:
    """(largest value, plot height, slot width) of a chart of `points`."""
    top = max((p.value for p in points if p.value is not None), default=0.0) or 1.0
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(points))
    return top, float(HEIGHT - TOP - BOTTOM), slot


def bar_chart(points: list[Point], fmt: Callable[[float], str]) -> str:
    """One `rect.bar` per period that has a value, its height proportional to the value."""
    top, plot_h, slot = _scale(points)
    bars = []
    for i, p in enumerate(points):
        if p.value is None:
            continue
        h = plot_h * p.value / top
        bars.append(
            f'<rect class="bar" x="{LEFT + i * slot + slot * 0.1:.2f}" '
            f'y="{TOP + plot_h - h:.2f}" width="{slot * 0.8:.2f}" height="{h:.2f}">'
            f"<title>{escape(p.label)}: {escape(fmt(p.value))}</title></rect>"
        )
    return _frame(points, top, fmt, "".join(bars))


def line_chart(points: list[Point], fmt: Callable[[float], str]) -> str:
    """A `circle.point` per period with a value, joined by a polyline (gaps stay gaps)."""
    top, plot_h, slot = _scale(points)
    marks: list[str] = []
    runs: list[list[str]] = []
    run: list[str] = []
    for i, p in enumerate(points):
        if p.value is None:
            runs.append(run)
            run = []
            continue
        x, y = LEFT + (i + 0.5) * slot, TOP + plot_h - plot_h * p.value / top
        run.append(f"{x:.2f},{y:.2f}")
        marks.append(
            f'<circle class="point" cx="{x:.2f}" cy="{y:.2f}" r="3">'
            f"<title>{escape(p.label)}: {escape(fmt(p.value))}</title></circle>"
        )
    runs.append(run)
    lines = "".join(f'<polyline class="line" points="{" ".join(r)}"/>' for r in runs if len(r) > 1)
    return _frame(points, top, fmt, lines + "".join(marks))
