"""`pipelinekit register jenkins|gitlab`: thin click commands over `pipelinekit.register.run`.

The lead's main group adds this with `main.add_command(register)`. Errors are raised as
PipelinekitError for the main command to map to exit codes; nothing here prints a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from pipelinekit.cli.options import FORMAT_OPTION
from pipelinekit.errors import UsageError
from pipelinekit.register.plan import Plan, as_json, raise_for_problems, render_summary, render_text

__all__ = ["register"]


def _options(func: Callable[..., Any]) -> Callable[..., Any]:
    decorators = [
        click.argument("path", required=False, type=click.Path(path_type=Path, file_okay=False)),
        click.option(
            "--dry-run", is_flag=True, help="Read the live state, print the plan, change nothing."
        ),
        click.option(
            "--force",
            is_flag=True,
            help="Also overwrite objects edited outside pipelinekit (drift).",
        ),
        click.option(
            "--fleet",
            type=click.Path(path_type=Path, dir_okay=False),
            help="TOML/YAML list of repos (with overrides) to register concurrently.",
        ),
        FORMAT_OPTION,
        click.option("--verbose", "-v", is_flag=True, help="List unchanged objects too."),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


@click.group("register")
def register() -> None:
    """Create or update Jenkins jobs and GitLab CI setup; only what differs is written."""


@register.command("jenkins")
@_options
def jenkins_command(
    path: Path | None, dry_run: bool, force: bool, fleet: Path | None, fmt: str, verbose: bool
) -> None:
    """Register the repo at PATH (default: .) as a Jenkins job, with its folders."""
    from pipelinekit.register.run import register_jenkins

    _check_args(path, fleet)
    plans = register_jenkins(path, fleet=fleet, dry_run=dry_run, force=force)
    _report(plans, fleet is not None, dry_run=dry_run, force=force, fmt=fmt, verbose=verbose)


@register.command("gitlab")
@_options
@click.option("--merge-request", is_flag=True, help="Propose the CI file as a merge request.")
def gitlab_command(
    path: Path | None,
    dry_run: bool,
    force: bool,
    fleet: Path | None,
    fmt: str,
    verbose: bool,
    merge_request: bool,
) -> None:
    """Register the repo at PATH on GitLab: CI file, variables, protection, schedules."""
    from pipelinekit.register.run import register_gitlab

    _check_args(path, fleet)
    plans = register_gitlab(
        path, fleet=fleet, dry_run=dry_run, force=force, merge_request=merge_request
    )
    _report(plans, fleet is not None, dry_run=dry_run, force=force, fmt=fmt, verbose=verbose)


def _check_args(path: Path | None, fleet: Path | None) -> None:
    if path is not None and fleet is not None:
        raise UsageError("Give either PATH or --fleet FILE, not both.")


def _report(
    plans: list[Plan], is_fleet: bool, *, dry_run: bool, force: bool, fmt: str, verbose: bool
) -> None:
    if fmt == "json":
        click.echo(
            json.dumps(
                {"plans": [as_json(p, dry_run=dry_run, force=force) for p in plans]}, indent=2
            )
        )
    else:
        for plan in plans:
            click.echo(render_text(plan, dry_run=dry_run, force=force, verbose=verbose))
            if is_fleet:
                click.echo(render_summary(plan, force=force))
    for plan in plans:
        if not is_fleet:
            # A single repo fails with what broke it: its message and exit code (3 unreachable,
            # 2 bad input, 1 a failed check such as CI lint).
            for error in plan.errors.values():
                raise error
        raise_for_problems(plan, force=force, dry_run=dry_run)
