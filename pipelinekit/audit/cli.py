"""`pipelinekit audit [PATH]`: the production-readiness audit as a report (text, JSON, SARIF,
GitLab Code Quality or HTML), on stdout or into `--output`. Exit 0 unless
`[tool.pipelinekit.audit] fail_on` names a severity and a finding the baseline does not hold
reaches it (exit 1), as in the CI job. The main group adds this lazily."""

from __future__ import annotations

from pathlib import Path

import click

from pipelinekit.audit.formats import FORMATS


@click.command("audit")
@click.argument(
    "path", required=False, default=".", type=click.Path(file_okay=False, path_type=Path)
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of stdout.",
)
def audit(path: Path, fmt: str, output: Path | None) -> None:
    """Audit the repository for production readiness: code quality, tests, performance, GPU,
    packaging, cloud portability, CI/CD and versioning, security, monitoring; scored 0-100."""
    from pipelinekit.audit.formats import render
    from pipelinekit.audit.stage import assess
    from pipelinekit.errors import CheckFailed
    from pipelinekit.project import load_project
    from pipelinekit.util.fs import atomic_write

    project = load_project(path, at_git_root=_in_a_repository(path))
    assessed = assess(project.repo, project.facts, project.config, project.project_dir)
    report = assessed.report
    text = render(report, fmt)
    if output is not None:
        atomic_write(output, text)
    else:
        click.echo(text, nl=False)
    if output is not None or fmt != "text":
        click.echo(
            f"audit: score {report.score}/100, {len(report.findings)} findings, "
            f"{len(report.results)} checks in {report.seconds:.1f} s"
            + (f"; report: {output}" if output else ""),
            err=True,
        )
    if assessed.failing:
        raise CheckFailed(assessed.verdict)


def _in_a_repository(path: Path) -> bool:
    """A folder git tracks is audited from the repository's root, as its CI job sees it (the
    paths from there, the root's CI files). An untracked folder under some repository (a home
    folder kept in git) stays on its own."""
    from pipelinekit.util.git import Git

    return bool(Git(path.resolve()).query("ls-files", "-z", "--", "."))
