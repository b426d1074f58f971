"""The four keys over time, for the charts and sparklines: deployments and lead time per
calendar week (Monday, UTC), change failure rate and time to restore per calendar month."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipelinekit.metrics.dora import Window, failures, lead_times, median
from pipelinekit.metrics.history import Deployment

UTC = dt.UTC


@dataclass(frozen=True)
class Point:
    label: str
    """`2024-W07` for a week, `2024-02` for a month."""
    start: int
    value: float | None
    """None: nothing to measure in that period (no release, no shipped commit)."""


@dataclass(frozen=True)
class Trends:
    deployments_per_week: list[Point]
    lead_time_per_week: list[Point]
    """Median lead time in hours of the commits shipped by that week's releases."""
    change_failure_rate_per_month: list[Point]
    time_to_restore_per_month: list[Point]


def _day(moment: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(moment, UTC).replace(hour=0, minute=0, second=0)


def week_starts(window: Window) -> list[int]:
    """Monday 00:00 UTC of every week that overlaps the window."""
    day = _day(window.since)
    start = day - dt.timedelta(days=day.weekday())
    starts = []
    while int(start.timestamp()) < window.until:
        starts.append(int(start.timestamp()))
        start += dt.timedelta(weeks=1)
    return starts


def month_starts(window: Window) -> list[int]:
    """The first day 00:00 UTC of every calendar month that overlaps the window."""
    start = _day(window.since).replace(day=1)
    starts = []
    while int(start.timestamp()) < window.until:
        starts.append(int(start.timestamp()))
        start = (start + dt.timedelta(days=32)).replace(day=1)
    return starts


def _bucket(starts: list[int], moment: int) -> int:
    """Index of the period holding `moment` (starts ascending, moment >= starts[0])."""
    return bisect.bisect_right(starts, moment) - 1


def _week_label(start: int) -> str:
    year, week, _ = dt.datetime.fromtimestamp(start, UTC).isocalendar()
    return f"{year}-W{week:02d}"


def _month_label(start: int) -> str:
    return dt.datetime.fromtimestamp(start, UTC).strftime("%Y-%m")


def _series(
    starts: list[int], label: Callable[[int], str], values: Sequence[float | None]
) -> list[Point]:
    return [Point(label(s), s, v) for s, v in zip(starts, values, strict=True)]


def trends(history: Sequence[Deployment], window: Window, failure_days: int = 7) -> Trends:
    shipped = [d for d in history if d.created in window]
    weeks, months = week_starts(window), month_starts(window)
    per_week: list[list[Deployment]] = [[] for _ in weeks]
    per_month: list[list[Deployment]] = [[] for _ in months]
    for d in shipped:
        per_week[_bucket(weeks, d.created)].append(d)
        per_month[_bucket(months, d.created)].append(d)
    failed = {f.release: f.hours for f in failures(history, window, failure_days)}
    rates: list[float | None] = []
    restores: list[float | None] = []
    for month in per_month:
        hours = [failed[d.tag] for d in month if d.tag in failed]
        rates.append(len(hours) / len(month) if month else None)
        restores.append(median(hours))
    return Trends(
        deployments_per_week=_series(weeks, _week_label, [float(len(w)) for w in per_week]),
        lead_time_per_week=_series(weeks, _week_label, [median(lead_times(w)) for w in per_week]),
        change_failure_rate_per_month=_series(months, _month_label, rates),
        time_to_restore_per_month=_series(months, _month_label, restores),
    )
