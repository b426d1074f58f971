"""The metrics page in a real browser (Debian's Chromium, headless, over the DevTools
protocol): it loads offline without a console error or any request besides itself, and its
four SVG charts render the expected bars and points with real sizes."""

from __future__ import annotations

from pathlib import Path

from pipelinekit.metrics.dora import four_keys
from pipelinekit.metrics.history import read_history
from pipelinekit.metrics.render_html import render_html
from pipelinekit.metrics.report import Report
from tests.metrics.test_dora import JAN
from tests.support.chromium import chromium

MEASURE = """
[...document.querySelectorAll('section.chart')].map(section => {
  const svg = section.querySelector('svg');
  const size = svg.getBoundingClientRect();
  return {
    title: section.querySelector('h2').textContent,
    width: size.width,
    height: size.height,
    bars: [...svg.querySelectorAll('rect.bar')].map(b => Math.round(b.getBBox().height)),
    points: [...svg.querySelectorAll('circle.point')].map(p => p.getBBox().width > 0),
  };
})
"""


def test_page_renders_offline_with_its_charts(tmp_path: Path, edge_repo: Path) -> None:
    history = read_history(edge_repo, "v{version}")
    report = Report('demo <&> "quoted"', history, four_keys(history, JAN, 7), 7)
    page = tmp_path / "metrics.html"
    page.write_text(render_html(report), encoding="utf-8")
    with chromium(tmp_path) as browser:
        loaded = browser.load(page.as_uri())
        charts = browser.evaluate(MEASURE)
        title = browser.evaluate("document.title")
        bands = browser.evaluate("[...document.querySelectorAll('.band')].map(b => b.textContent)")
    assert loaded.errors == []
    assert loaded.requests == [page.as_uri()]
    assert title == 'demo <&> "quoted": delivery metrics'
    assert bands == ["high", "high", "low", "medium"]
    assert [c["title"] for c in charts] == [
        "Deployment frequency per week",
        "Lead time for changes per week",
        "Change failure rate per month",
        "Time to restore per month",
    ]
    assert all(c["width"] == 720 and c["height"] == 180 for c in charts)
    deployments, lead_time, failure_rate, restore = charts
    # releases per week 3, 0, 1, 1, 0 on a 140 px plot: 140, 0, 47, 47, 0
    assert deployments["bars"] == [140, 0, 47, 47, 0]
    # weeks with shipped commits: W01 (median 41.5 h) and W04 (24 h); W03's release shipped none
    assert lead_time["points"] == [True, True]
    assert failure_rate["bars"] == [140] and restore["points"] == [True]
