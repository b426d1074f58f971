"""DORA's four keys as pure functions of the release history (see docs/metrics.md).

- deployment: a stable release, at its tag's creation time, counted when in `[since, until)`;
- lead time for changes: for each such release R, each non-merge commit in `P..R`: R's time
  minus the commit's committer date (median and p90, in hours, over all those commits);
- change failure rate: the share of those releases whose next stable version is their patch
  (same major and minor, patch + 1), created within `failure_days` after them;
- time to restore: the median hours from such a failed release to that patch release.
"""

from __future__ import annotations

import operator
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pipelinekit.metrics.history import Deployment

HOUR = 3600
DAY = 24 * HOUR
WEEK = 7 * DAY
Band = Literal["elite", "high", "medium", "low"]


@dataclass(frozen=True)
class Window:
    """`[since, until)` in unix seconds."""

    since: int
    until: int

    def __contains__(self, moment: int) -> bool:
        return self.since <= moment < self.until

    @property
    def weeks(self) -> float:
        return (self.until - self.since) / WEEK


@dataclass(frozen=True)
class Failure:
    """A release that needed its patch release `fixed_by` after `hours`."""

    release: str
    fixed_by: str
    hours: float


@dataclass(frozen=True)
class FourKeys:
    window: Window
    deployments: int
    deployment_frequency_per_week: float
    lead_time_median: float | None
    lead_time_p90: float | None
    lead_time_commits: int
    change_failure_rate: float | None
    """None when the window holds no release (a rate of nothing)."""
    time_to_restore_median: float | None
    failures: tuple[Failure, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "deployments": self.deployments,
            "deployment_frequency_per_week": _round(self.deployment_frequency_per_week),
            "lead_time_hours": {
                "median": _round(self.lead_time_median),
                "p90": _round(self.lead_time_p90),
                "commits": self.lead_time_commits,
            },
            "change_failure_rate": _round(self.change_failure_rate),
            "time_to_restore_hours": {"median": _round(self.time_to_restore_median)},
            "failures": [
                {"release": f.release, "fixed_by": f.fixed_by, "hours": _round(f.hours)}
                for f in self.failures
            ],
            "bands": bands(self),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def p90(values: Sequence[float]) -> float | None:
    """The 90th percentile, interpolated between the closest ranks (numpy's default)."""
    if len(values) < 2:
        return values[0] if values else None
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def lead_times(deployments: Iterable[Deployment]) -> list[float]:
    """Hours from each shipped commit to its release (never negative: a commit dated after
    its tag, by a skewed clock or a rebase, counts as shipped at once)."""
    return [max(0, d.created - c.committed) / HOUR for d in deployments for c in d.changes]


def failures(history: Sequence[Deployment], window: Window, failure_days: int) -> list[Failure]:
    """Releases in `window` whose patch release followed within `failure_days` days."""
    first_of: dict[tuple[int, int, int], Deployment] = {}
    for d in history:  # in creation order: the first tag of a version is that release
        if d.version is not None:
            first_of.setdefault((d.version.major, d.version.minor, d.version.patch), d)
    found = []
    for d in history:
        if d.created not in window or d.version is None:
            continue
        fix = first_of.get((d.version.major, d.version.minor, d.version.patch + 1))
        if fix is not None and 0 <= fix.created - d.created <= failure_days * DAY:
            found.append(Failure(d.tag, fix.tag, (fix.created - d.created) / HOUR))
    return found


def four_keys(history: Sequence[Deployment], window: Window, failure_days: int = 7) -> FourKeys:
    """The four keys of the releases created in `window` (`history` in creation order)."""
    shipped = [d for d in history if d.created in window]
    hours = lead_times(shipped)
    failed = failures(history, window, failure_days)
    return FourKeys(
        window=window,
        deployments=len(shipped),
        deployment_frequency_per_week=len(shipped) / window.weeks if window.weeks else 0.0,
        lead_time_median=median(hours),
        lead_time_p90=p90(hours),
        lead_time_commits=len(hours),
        change_failure_rate=len(failed) / len(shipped) if shipped else None,
        time_to_restore_median=median([f.hours for f in failed]),
        failures=tuple(failed),
    )


# DORA performance clusters (2023 Accelerate State of DevOps report).
Limits = tuple[tuple[float, Band], ...]
FREQUENCY: Limits = ((7.0, "elite"), (1.0, "high"), (12 / 52, "medium"))
"""Deployments per week at least: daily or more, weekly or more, monthly or more."""
LEAD_TIME: Limits = ((24.0, "elite"), (7 * 24.0, "high"), (30 * 24.0, "medium"))
"""Median hours below: a day, a week, a month."""
FAILURE_RATE: Limits = ((0.05, "elite"), (0.10, "high"), (0.15, "medium"))
"""Share at most: 5 %, 10 %, 15 %."""
RESTORE: Limits = ((1.0, "elite"), (24.0, "high"), (7 * 24.0, "medium"))
"""Median hours below: an hour, a day, a week."""


def band(value: float | None, limits: Limits, meets: Callable[[float, float], bool]) -> Band | None:
    """The first band whose limit `value` meets, else `low` (None for no value)."""
    if value is None:
        return None
    return next((name for limit, name in limits if meets(value, limit)), "low")


def bands(keys: FourKeys) -> dict[str, Band | None]:
    """Each key's DORA performance band (None where the key has no value)."""
    return {
        "deployment_frequency": band(keys.deployment_frequency_per_week, FREQUENCY, operator.ge),
        "lead_time": band(keys.lead_time_median, LEAD_TIME, operator.lt),
        "change_failure_rate": band(keys.change_failure_rate, FAILURE_RATE, operator.le),
        "time_to_restore": band(keys.time_to_restore_median, RESTORE, operator.lt),
    }
