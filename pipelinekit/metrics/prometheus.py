"""Prometheus: the four keys and stage runs as gauges (prometheus_client), printed in the text
exposition format or pushed to a Pushgateway under job `pipelinekit`.

Names follow Prometheus' conventions (base units: seconds and ratios), all prefixed
`pipelinekit_`. A push replaces its group, so the grouping key says whose metrics they are:
`project` for the four keys, `project`, `stage` and `branch` for a stage run.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from pipelinekit.errors import ExternalError
from pipelinekit.util.redact import redact, register_secret

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

    from pipelinekit.metrics.report import Report

JOB = "pipelinekit"
PREFIX = "pipelinekit_"


def keys_registry(report: Report) -> CollectorRegistry:
    """Gauges of the four keys over the report's window, labelled with the project."""
    from prometheus_client import CollectorRegistry, Gauge

    keys = report.keys
    registry = CollectorRegistry()

    def gauge(name: str, doc: str, value: float | None, **labels: str) -> None:
        metric = Gauge(PREFIX + name, doc, ["project", *labels], registry=registry)
        if value is not None:
            metric.labels(project=report.project, **labels).set(value)

    gauge("deployments", "Stable releases created in the window.", keys.deployments)
    gauge(
        "deployment_frequency_per_week",
        "Stable releases per week in the window.",
        keys.deployment_frequency_per_week,
    )
    lead = Gauge(
        PREFIX + "lead_time_seconds",
        "Lead time for changes: release time minus commit time, over the window's commits.",
        ["project", "quantile"],
        registry=registry,
    )
    for quantile, value in (("0.5", keys.lead_time_median), ("0.9", keys.lead_time_p90)):
        if value is not None:
            lead.labels(project=report.project, quantile=quantile).set(value * 3600)
    gauge("lead_time_commits", "Commits the window's releases shipped.", keys.lead_time_commits)
    gauge(
        "change_failure_ratio",
        "Share of the window's releases patched within the failure window.",
        keys.change_failure_rate,
    )
    restore = keys.time_to_restore_median
    gauge(
        "time_to_restore_seconds",
        "Median time from a failed release to its patch release.",
        None if restore is None else restore * 3600,
    )
    last = max((d.created for d in report.history if d.created in keys.window), default=None)
    gauge("last_deployment_timestamp_seconds", "Creation time of the latest release.", last)
    return registry


def stage_registry(status: str, seconds: float, finished: float) -> CollectorRegistry:
    """A stage run's gauges; project, stage and branch come from the grouping key."""
    from prometheus_client import CollectorRegistry, Gauge

    registry = CollectorRegistry()
    Gauge(PREFIX + "stage_duration_seconds", "Wall time of the stage run.", registry=registry).set(
        seconds
    )
    Gauge(
        PREFIX + "stage_success", "1 when the stage passed or was skipped.", registry=registry
    ).set(1 if status in ("passed", "skipped") else 0)
    Gauge(
        PREFIX + "stage_last_run_timestamp_seconds", "When the run ended.", registry=registry
    ).set(finished)
    Gauge(
        PREFIX + "stage_status",
        "1 for the outcome of the last run: passed, failed, skipped or error.",
        ["status"],
        registry=registry,
    ).labels(status=status).set(1)
    return registry


def exposition(registry: CollectorRegistry) -> str:
    from prometheus_client import generate_latest

    return generate_latest(registry).decode("utf-8")


def push(
    url: str,
    registry: CollectorRegistry,
    grouping_key: Mapping[str, str],
    *,
    timeout: float,
) -> None:
    """PUT the registry to the Pushgateway at `url` (replacing its group). Credentials in the
    URL (`https://user:pass@host`) become Basic auth and never appear in a message. A gateway
    that is down or refuses is an ExternalError (exit 3)."""
    from prometheus_client import push_to_gateway

    gateway, handler = _gateway(url)
    try:
        push_to_gateway(
            gateway, job=JOB, registry=registry, grouping_key=dict(grouping_key),
            timeout=timeout, handler=handler,
        )  # fmt: skip
    except OSError as exc:  # URLError, HTTPError, timeouts, refused connections
        raise ExternalError(
            f"The Pushgateway at {redact(url)} did not take the metrics: {_reason(exc)}. "
            "Check the URL (metrics.pushgateway or PIPELINEKIT_PUSHGATEWAY) and that the "
            "gateway is up and reachable from here."
        ) from exc


def _gateway(url: str) -> tuple[str, Callable[..., Callable[[], None]]]:
    from prometheus_client.exposition import basic_auth_handler, default_handler

    parts = urllib.parse.urlsplit(url)
    if parts.username is None:
        return url, default_handler
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    user = urllib.parse.unquote(parts.username)
    password = urllib.parse.unquote(parts.password or "")

    register_secret(password)

    def handler(
        url: str, method: str, timeout: float | None, headers: list[tuple[str, str]], data: bytes
    ) -> Callable[[], None]:
        return basic_auth_handler(url, method, timeout, headers, data, user, password)

    return urllib.parse.urlunsplit(parts._replace(netloc=netloc)), handler


def _reason(exc: OSError) -> str:
    import urllib.error

    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, TimeoutError):
        return "no answer in time"
    return redact(str(reason) or type(reason).__name__)
