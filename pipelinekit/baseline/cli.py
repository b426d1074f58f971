"""`pipelinekit baseline update|show`: the committed record of the debt a repository carries.

The main group adds this lazily (`pipelinekit.baseline.cli:baseline`).
"""

from __future__ import annotations

from pathlib import Path

import click

from pipelinekit.cli.options import FORMAT_OPTION, echo_json

PATH_ARG = click.argument(
    "path", required=False, default=".", type=click.Path(file_okay=False, path_type=Path)
)


@click.group("baseline")
def baseline() -> None:
    """The debt the repository carries: recorded once, allowed only to go down."""


@baseline.command("update")
@PATH_ARG
@click.option("--accept-new", is_flag=True, help="Record findings the baseline does not hold.")
@click.option("--reason", help="Why the new findings are accepted (written beside each).")
@click.option(
    "--coverage",
    "with_coverage",
    is_flag=True,
    help="Also run the tests under coverage and raise the recorded floor (never lower it).",
)
@FORMAT_OPTION
def update_command(
    path: Path, accept_new: bool, reason: str | None, with_coverage: bool, fmt: str
) -> None:
    """Measure the lint findings (and with --coverage the coverage figure) and write
    pipelinekit-baseline.json: fixed findings leave it, higher coverage raises its floor."""
    from pipelinekit.baseline.update import update
    from pipelinekit.errors import UsageError
    from pipelinekit.project import load_project

    if accept_new and not (reason and reason.strip()):
        raise UsageError(
            "--accept-new needs --reason: say why the new findings are acceptable debt; the "
            "reason is written beside each of them in pipelinekit-baseline.json."
        )
    say = (lambda line: click.echo(line, err=True)) if fmt == "json" else click.echo
    done = update(
        load_project(path),
        reason.strip() if accept_new and reason else None,
        coverage=with_coverage,
        output=say,
    )
    if fmt == "json":
        echo_json({**done.__dict__, "path": str(done.path), "top": [list(t) for t in done.top]})
        return
    verb = "recorded" if done.created else "updated"
    click.echo(
        f"{done.path.name}: {verb}, {done.findings}"
        + (f"; {done.fixed} fixed since" if done.fixed else "")
        + (f"; {done.added} accepted" if done.added else "")
    )
    if done.audit:
        click.echo(f"  audit: {done.audit} findings recorded as debt")
    if done.coverage is not None:
        before = f" (was {done.coverage_before:.2f}%)" if done.coverage_before is not None else ""
        click.echo(f"  coverage floor {done.coverage:.2f}%{before}")
    for line in done.critical:
        click.echo(f"  never debt, fails the lint job: {line}")
    if done.note:
        click.echo(f"  note: {done.note}")
