"""The four keys as text: one line per key with its value, its DORA band and a sparkline of
its trend (the last 26 weeks, or the last 12 months). `key_rows` is shared with the HTML page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipelinekit.metrics.dora import Band, bands
from pipelinekit.metrics.report import Report, iso
from pipelinekit.metrics.trends import Point

BARS = "▁▂▃▄▅▆▇█"
WEEKS_SHOWN = 26
MONTHS_SHOWN = 12


@dataclass(frozen=True)
class KeyRow:
    name: str
    value: str
    band: Band | None
    trend: list[Point]
    period: str
    """`week` or `month`: the trend's period."""


def key_rows(report: Report) -> list[KeyRow]:
    keys = report.keys
    band = bands(keys)
    trend = report.trends()
    rate = keys.change_failure_rate
    failed = (
        "no releases"
        if rate is None
        else f"{rate:.0%} ({len(keys.failures)} patched within {report.failure_days} days)"
    )
    return [
        KeyRow(
            "Deployment frequency",
            f"{keys.deployment_frequency_per_week:.2f}/week ({keys.deployments} releases)",
            band["deployment_frequency"],
            trend.deployments_per_week,
            "week",
        ),
        KeyRow(
            "Lead time for changes",
            f"median {hours(keys.lead_time_median)}, p90 {hours(keys.lead_time_p90)} "
            f"({keys.lead_time_commits} commits)",
            band["lead_time"],
            trend.lead_time_per_week,
            "week",
        ),
        KeyRow(
            "Change failure rate",
            failed,
            band["change_failure_rate"],
            trend.change_failure_rate_per_month,
            "month",
        ),
        KeyRow(
            "Time to restore",
            f"median {hours(keys.time_to_restore_median)}",
            band["time_to_restore"],
            trend.time_to_restore_per_month,
            "month",
        ),
    ]


def sparkline(values: Sequence[float | None]) -> str:
    """One character per value, scaled from 0 to the largest; a gap (space) for None."""
    top = max((v for v in values if v is not None), default=0.0)
    return "".join(_bar(v, top) for v in values)


def _bar(value: float | None, top: float) -> str:
    if value is None:
        return " "
    if top <= 0:
        return BARS[0]
    return BARS[min(len(BARS) - 1, round(value / top * (len(BARS) - 1)))]


def hours(value: float | None) -> str:
    """Hours as people read them: `5.0 h`, `3.2 d` from two days on, `-` for nothing."""
    if value is None:
        return "-"
    return f"{value / 24:.1f} d" if value >= 48 else f"{value:.1f} h"


def _spark(row: KeyRow) -> str:
    tail = row.trend[-(WEEKS_SHOWN if row.period == "week" else MONTHS_SHOWN) :]
    if not tail:
        return ""
    values = sparkline([p.value for p in tail])
    return f"{values}  ({tail[0].label}..{tail[-1].label}, per {row.period})"


def render_text(report: Report) -> str:
    keys = report.keys
    lines = [
        f"{report.project}: delivery metrics from git, "
        f"{iso(keys.window.since)} to {iso(keys.window.until)}"
    ]
    for row in key_rows(report):
        lines.append(f"  {row.name:22} {row.value:46} {row.band or '-':7} {_spark(row)}".rstrip())
    for failure in keys.failures:
        lines.append(
            f"  failed: {failure.release} (fixed by {failure.fixed_by} after "
            f"{hours(failure.hours)})"
        )
    return "\n".join(lines) + "\n"
