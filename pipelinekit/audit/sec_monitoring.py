"""Monitoring: a service (a FastAPI, Flask or Django app, a uvicorn or gunicorn entry point)
reports its errors somewhere people look (Sentry and its peers) and exposes metrics
(Prometheus and its peers). A batch job or a library is not a service: the checks skip it."""

from __future__ import annotations

import ast

from pipelinekit.audit.model import Check, Hit, Skip
from pipelinekit.audit.repo import AuditRepo

SECTION = "monitoring"

APP_FACTORIES = frozenset(
    {"FastAPI", "Flask", "Starlette", "Quart", "Sanic", "Litestar", "APIFlask"}
    | {"get_wsgi_application", "get_asgi_application"}
)
SERVERS = frozenset({"uvicorn", "gunicorn", "hypercorn", "waitress"})
ERROR_MONITORS = frozenset(
    {"sentry_sdk", "raven", "rollbar", "bugsnag", "honeybadger", "airbrake", "raygun4py"}
    | {"newrelic", "ddtrace", "elasticapm", "opentelemetry", "logfire"}
)
METRICS = frozenset(
    {"prometheus_client", "prometheus_fastapi_instrumentator", "prometheus_flask_exporter"}
    | {"starlette_exporter", "aioprometheus", "statsd", "datadog", "opentelemetry", "ddtrace"}
    | {"django_prometheus", "newrelic", "logfire"}
)


def entry_points(repo: AuditRepo) -> list[tuple[str, int]]:
    """(path, line) where the repository creates or serves a web application."""
    return repo.once("services", lambda: _entry_points(repo))


def _entry_points(repo: AuditRepo) -> list[tuple[str, int]]:
    found = []
    for path in repo.python_files:
        if not repo.imports_of(
            path,
            {"fastapi", "flask", "starlette", "quart", "sanic", "litestar", "django", "apiflask"}
            | SERVERS,
        ):
            continue
        tree = repo.tree(path)
        for node in ast.walk(tree) if tree is not None else ():
            if isinstance(node, ast.Call) and _called(node) in APP_FACTORIES:
                found.append((path, node.lineno))
                break
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "run"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in SERVERS
            ):
                found.append((path, node.lineno))
                break
    return found


def _called(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _uses(repo: AuditRepo, modules: frozenset[str]) -> bool:
    return any(repo.imports_of(f, modules) for f in repo.python_files)


def _service_without(repo: AuditRepo, modules: frozenset[str], hit: Hit) -> list[Hit]:
    """`hit`, placed at the first service entry point, when no module of `modules` is used."""
    services = entry_points(repo)
    if not services:
        raise Skip("no service entry point (no web application is created or served)")
    if _uses(repo, modules):
        return []
    path, line = services[0]
    return [Hit(hit.severity, path, line, hit.message)]


def error_monitoring(repo: AuditRepo) -> list[Hit]:
    return _service_without(
        repo,
        ERROR_MONITORS,
        Hit(
            "major",
            None,
            None,
            "this service reports its errors nowhere but its own log: initialise an error "
            "monitor at start-up (`sentry_sdk.init(dsn=os.environ['SENTRY_DSN'])`, or "
            "OpenTelemetry), so a failing request reaches someone with its stack trace",
        ),
    )


def metrics(repo: AuditRepo) -> list[Hit]:
    return _service_without(
        repo,
        METRICS,
        Hit(
            "minor",
            None,
            None,
            "this service exposes no metrics: add a Prometheus endpoint (prometheus_client, or "
            "prometheus-fastapi-instrumentator) with request counts, latencies and model "
            "inputs, so drift and slowdowns show before users report them",
        ),
    )


CHECKS = (
    Check(
        "error-monitoring",
        SECTION,
        "Services report their errors (Sentry or a peer)",
        "An exception in a model-serving endpoint that only lands in a container's log is found "
        "when a user complains; an error monitor groups it, counts it and alerts.",
        error_monitoring,
    ),
    Check(
        "metrics",
        SECTION,
        "Services expose metrics (Prometheus or a peer)",
        "Latency, throughput and the distribution of model inputs and outputs are how a model "
        "in production is seen to degrade.",
        metrics,
    ),
)
