"""The four keys as one self-contained HTML page: inline CSS and SVG, no script, no network,
so it opens offline and can be kept as a CI artifact. Deterministic for a given report."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from pipelinekit.metrics.render_text import hours, key_rows
from pipelinekit.metrics.report import Report, iso
from pipelinekit.metrics.svg import bar_chart, line_chart
from pipelinekit.metrics.trends import Point

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:760px;color:#1f2328}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}
table{border-collapse:collapse;width:100%}td,th{padding:.35em .6em;border-bottom:1px solid #d0d7de;
text-align:left}.band{border-radius:1em;padding:.1em .6em;font-size:.85em;color:#fff}
.elite{background:#1a7f37}.high{background:#4493f8}.medium{background:#bf8700}
.low{background:#cf222e}.none{background:#8c959f}svg{display:block;margin:.4em 0}
.bar{fill:#4493f8}.line{fill:none;stroke:#8250df;stroke-width:1.5}.point{fill:#8250df}
.axis{stroke:#8c959f}.tick{font-size:11px;fill:#59636e}.note{color:#59636e;font-size:.9em}
"""


Chart = Callable[[list[Point], Callable[[float], str]], str]
CHARTS: tuple[tuple[Chart, Callable[[float], str]], ...] = (
    (bar_chart, lambda v: f"{v:g}"),  # deployments per week
    (line_chart, hours),  # lead time per week
    (bar_chart, lambda v: f"{v:.0%}"),  # change failure rate per month
    (line_chart, hours),  # time to restore per month
)
"""How each key's trend (in `key_rows` order) is drawn and its values written."""


def _band(level: str | None) -> str:
    name = level or "none"
    return f'<span class="band {name}">{escape(level or "no data")}</span>'


def render_html(report: Report) -> str:
    keys = report.keys
    rows = key_rows(report)
    table = "".join(
        f"<tr><th>{escape(r.name)}</th><td>{escape(r.value)}</td><td>{_band(r.band)}</td></tr>"
        for r in rows
    )
    charts = [
        (f"{row.name} per {row.period}", draw(row.trend, fmt))
        for row, (draw, fmt) in zip(rows, CHARTS, strict=True)
    ]
    sections = "".join(
        f'<section class="chart"><h2>{escape(title)}</h2>{svg}</section>' for title, svg in charts
    )
    window = f"{iso(keys.window.since)} to {iso(keys.window.until)}"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(report.project)}: delivery metrics</title>"
        f"<style>{STYLE}</style></head><body>"
        f"<h1>{escape(report.project)}: delivery metrics (DORA four keys)</h1>"
        f'<p class="note">From the git history: stable release tags, {escape(window)}. '
        "Bands are the 2023 State of DevOps clusters; lead time and time to restore are "
        "medians.</p>"
        f"<table>{table}</table>{sections}</body></html>\n"
    )
