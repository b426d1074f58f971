"""`pipelinekit metrics [PATH]`: DORA's four keys from git as text, JSON, Prometheus exposition
or a self-contained HTML page, optionally pushed to a Pushgateway. No logic lives here."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from pipelinekit.metrics.report import Report

HTML_DEFAULT = Path(".pipelinekit") / "reports" / "metrics.html"


@click.command("metrics")
@click.argument(
    "path", required=False, default=".", type=click.Path(file_okay=False, path_type=Path)
)
@click.option(
    "--since",
    help="Start of the window (ISO date or time, UTC unless it has an offset; "
    "default: the first release).",
)
@click.option("--until", help="End of the window, excluded (default: now).")
@click.option(
    "--source",
    type=click.Choice(["git", "gitlab", "jenkins"]),
    help="Where deployments come from (default: metrics.source, git): release tags, GitLab "
    "environment deployments or Jenkins builds of the release job.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "prometheus", "html"]),
    default="text",
    show_default=True,
    help="Output format; html writes a self-contained page (see --output).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"Write the output to this file (html default: {HTML_DEFAULT} in the project).",
)
@click.option(
    "--push",
    "push_url",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="URL",
    help="Push the gauges to this Pushgateway (job pipelinekit); without URL: "
    "PIPELINEKIT_PUSHGATEWAY or metrics.pushgateway.",
)
def metrics(
    path: Path,
    since: str | None,
    until: str | None,
    source: str | None,
    fmt: str,
    output: Path | None,
    push_url: str | None,
) -> None:
    """Delivery metrics (DORA's four keys) of the repository from its release tags and history."""
    from pipelinekit.errors import UsageError
    from pipelinekit.metrics.report import build_report
    from pipelinekit.project import load_project
    from pipelinekit.util.fs import atomic_write

    project = load_project(path)
    config = project.config
    source = source or config.metrics.source
    points = None
    if source != "git":
        from pipelinekit.metrics.cisource import ci_points

        m = config.metrics
        points = ci_points(source, project.project_dir, m.gitlab_environment, m.jenkins_job)
    report = build_report(
        project.project_dir,
        project=project.facts.name,
        tag_format=config.release.tag_format,
        failure_days=config.metrics.failure_window_days,
        since=since,
        until=until,
        source=source,
        points=points,
    )
    if push_url is not None:
        from pipelinekit.metrics.prometheus import keys_registry, push
        from pipelinekit.metrics.stagepush import gateway_url

        url = push_url or gateway_url(config.metrics, os.environ)
        if not url:
            raise UsageError(
                "--push without a URL needs PIPELINEKIT_PUSHGATEWAY or "
                "`[tool.pipelinekit.metrics] pushgateway`; give the gateway, e.g. "
                "--push http://pushgateway:9091."
            )
        timeout = config.metrics.push_timeout_seconds
        push(url, keys_registry(report), {"project": report.project}, timeout=timeout)
        click.echo(f"pushed the four keys of {report.project} (job pipelinekit)", err=True)
    text = _render(report, fmt)
    if fmt == "html" and output is None:
        output = project.project_dir / HTML_DEFAULT
    if output is None:
        click.echo(text, nl=False)
        return
    atomic_write(output, text)
    click.echo(f"wrote {output}", err=True)


def _render(report: Report, fmt: str) -> str:
    if fmt == "html":
        from pipelinekit.metrics.render_html import render_html

        return render_html(report)
    if fmt == "prometheus":
        from pipelinekit.metrics.prometheus import exposition, keys_registry

        return exposition(keys_registry(report))
    if fmt == "json":
        import json

        from pipelinekit.util.redact import redact

        return redact(json.dumps(report.to_json(), indent=2, sort_keys=True)) + "\n"
    from pipelinekit.metrics.render_text import render_text

    return render_text(report)
