"""One metrics run: the project's history read once, the window resolved, the keys computed.
The CLI and the renderers (text, HTML, Prometheus) all take a `Report`."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelinekit.errors import UsageError
from pipelinekit.metrics.dora import FourKeys, Window, four_keys
from pipelinekit.metrics.history import Deployment, Point, read_history
from pipelinekit.metrics.trends import Trends, trends

UTC = dt.UTC


@dataclass(frozen=True)
class Report:
    project: str
    history: list[Deployment]
    """Every stable release of the repository, in creation order (also those outside the
    window: a failed release's fix may come after it)."""
    keys: FourKeys
    failure_days: int
    source: str = "git"
    """Where the deployments came from: git tags, or a CI system (`gitlab`, `jenkins`)."""

    @property
    def window(self) -> Window:
        return self.keys.window

    def trends(self) -> Trends:
        return trends(self.history, self.window, self.failure_days)

    def to_json(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "source": self.source,
            "window": {"since": iso(self.window.since), "until": iso(self.window.until)},
            "failure_window_days": self.failure_days,
            **self.keys.to_json(),
        }


def iso(moment: int) -> str:
    return dt.datetime.fromtimestamp(moment, UTC).isoformat().replace("+00:00", "Z")


def parse_moment(text: str, option: str) -> int:
    """`2024-03-01`, `2024-03-01T12:00` or with an offset (`+02:00`, `Z`) as unix seconds; a
    date or time without an offset is UTC."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"{option} {text!r} is not a date; give an ISO 8601 date or time such as "
            "2024-03-01 or 2024-03-01T12:00+02:00 (UTC when no offset is given)."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def resolve_window(
    history: list[Deployment], since: str | None, until: str | None, now: float | None = None
) -> Window:
    """`[since, until)`: until defaults to now, since to the first release (so the whole
    history counts); an empty or inverted window is a usage error."""
    end = parse_moment(until, "--until") if until else int(time.time() if now is None else now)
    if since:
        start = parse_moment(since, "--since")
    else:
        start = min((d.created for d in history), default=end - 90 * 86400)
        start = min(start, end - 86400)  # at least a day, so a rate per week means something
    if start >= end:
        raise UsageError(
            f"The window [{iso(start)}, {iso(end)}) is empty: --since must come before --until."
        )
    return Window(start, end)


def build_report(
    path: Path,
    *,
    project: str,
    tag_format: str,
    failure_days: int,
    since: str | None = None,
    until: str | None = None,
    now: float | None = None,
    source: str = "git",
    points: list[Point] | None = None,
) -> Report:
    """`points`: the deployments a CI system (`source`) recorded, instead of the tags."""
    history = read_history(path, tag_format, points)
    window = resolve_window(history, since, until, now)
    keys = four_keys(history, window, failure_days)
    return Report(project, history, keys, failure_days, source)
