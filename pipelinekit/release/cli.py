"""`pipelinekit release …`: parse arguments, call the library, print text or JSON.

No logic lives here. Errors are raised as PipelinekitError for the main CLI to print and map
to exit codes. `release [PATH]` and `release next [PATH]` share one group: a first word that
is not a subcommand is taken as PATH.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pipelinekit.cli.options import FORMAT_OPTION, echo_json
from pipelinekit.release.loadconfig import load_release_config

BRANCH = click.option(
    "--branch",
    default=None,
    help="Branch to release from when HEAD is detached (default: CI_COMMIT_BRANCH/BRANCH_NAME).",
)
DRY_RUN = click.option("--dry-run", is_flag=True, help="Print the full plan; change nothing.")
PATH_ARG = click.argument(
    "path", required=False, default=".", type=click.Path(file_okay=False, path_type=Path)
)
RUN = "_run"
PATH_OPTION = click.option(
    "--path",
    default=".",
    type=click.Path(file_okay=False, path_type=Path),
    show_default=True,
    help="Project folder.",
)


def _repo(path: Path) -> Any:
    from pipelinekit.release.plan import Repo

    return Repo.open(path, load_release_config(path))


def _emit(fmt: str, data: Any, text: str) -> None:
    if fmt == "json":
        echo_json(data)
    elif text:
        click.echo(text)


class _ReleaseGroup(click.Group):
    """A group whose first positional word is PATH unless it names a subcommand."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands:
            return RUN, self.commands[RUN], args
        return super().resolve_command(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in super().list_commands(ctx) if name != RUN]


@click.group(
    "release",
    cls=_ReleaseGroup,
    invoke_without_command=True,
    subcommand_metavar="[PATH] | COMMAND [ARGS]...",
)
@DRY_RUN
@BRANCH
@FORMAT_OPTION
@click.pass_context
def release(ctx: click.Context, dry_run: bool, branch: str | None, fmt: str) -> None:
    """Release the project in PATH (default: .): bump, changelog, annotated tag, atomic push.

    With --dry-run, print the plan (version, files, changelog section, tag, push) instead.
    """
    if ctx.invoked_subcommand is None:
        _release(Path("."), dry_run, branch, fmt)


@release.command(RUN, hidden=True)
@PATH_ARG
@DRY_RUN
@BRANCH
@FORMAT_OPTION
@click.pass_context
def _run(ctx: click.Context, path: Path, dry_run: bool, branch: str | None, fmt: str) -> None:
    parent = ctx.parent.params if ctx.parent else {}
    _release(
        path,
        dry_run or bool(parent.get("dry_run")),
        branch or parent.get("branch"),
        fmt if fmt != "text" else str(parent.get("fmt", "text")),
    )


def _release(path: Path, dry_run: bool, branch: str | None, fmt: str) -> None:
    from pipelinekit.release.plan import build_plan, execute
    from pipelinekit.release.sentrystep import announce_release, preflight, sentry_settings

    repo = _repo(path)
    sentry = None if dry_run else sentry_settings(repo.project)
    preflight(sentry)
    plan = build_plan(repo, branch, for_release=not dry_run)
    data = plan.to_json()
    if plan.next.version is None:
        data["released"] = False
        _emit(fmt, data, plan.next.reason)
        return
    if dry_run:
        data["released"] = False
        _emit(fmt, data, _plan_text(data))
        return
    published = execute(repo, plan)
    data.update(released=True, commit=published.commit)
    text = (
        f"Released {plan.tag} ({published.commit[:7]}): pushed to "
        f"{plan.remote}/{plan.checkout.branch} with the tag, atomically."
    )
    if sentry is not None and plan.tag is not None:
        tag_format = repo.config.tag_format
        data["sentry"] = announce_release(
            repo.project, tag_format, plan.tag, sentry, released_now=True
        )
        text += (
            f"\nSentry release {data['sentry']['release']}: {', '.join(data['sentry']['steps'])}."
        )
    _emit(fmt, data, text)


def _plan_text(data: dict[str, Any]) -> str:
    lines = [
        f"version:  {data['version']} (PEP 440: {data['pep440']})",
        f"bump:     {data['bump']} from {data['previous_tag'] or 'no previous release'}",
        f"channel:  {data['branch']} ({data['channel']['prerelease'] or 'stable'})",
        f"tag:      {data['tag']} (annotated: {data['tag_message']!r})",
        f"commit:   {data['commit_message']!r}",
        f"push:     git push --atomic {data['push']['remote']} "
        f"HEAD:{data['push']['branch']} {data['tag']}",
        "files:    " + (", ".join(data["files"]) or "(none)"),
    ]
    lines += [f"note:     {n}" for n in data["notes"]]
    if data["nonconventional"]:
        lines.append(f"warning:  {len(data['nonconventional'])} non-conventional commit(s) ignored")
    if data["changelog"]:
        lines += ["", data["changelog"].rstrip()]
    return "\n".join(lines)


@release.command("next")
@PATH_ARG
@BRANCH
@FORMAT_OPTION
def next_cmd(path: Path, branch: str | None, fmt: str) -> None:
    """Print the next version and nothing else (nothing at all when there is none).

    In a merge-request or tag pipeline there is no next version: nothing is printed and the
    reason goes to stderr (exit 0), so `VERSION=$(pipelinekit release next)` works there too.
    """
    from pipelinekit.release.cienv import NotReleasePipeline
    from pipelinekit.release.plan import next_for
    from pipelinekit.release.tagformat import format_tag
    from pipelinekit.release.version import to_pep440

    repo = _repo(path)
    try:
        nv, checkout = next_for(repo, branch)
    except NotReleasePipeline as exc:
        data = dict.fromkeys(("version", "pep440", "tag", "previous_tag", "branch", "channel"))
        data.update(bump="none", reason=exc.message, nonconventional=0, notes=repo.notes)
        _emit(fmt, data, "")
        if fmt != "json":
            click.echo(exc.message, err=True)
        return
    version = str(nv.version) if nv.version else None
    if fmt == "json":
        _emit(
            fmt,
            {
                "version": version,
                "pep440": to_pep440(version) if version else None,
                "tag": format_tag(repo.config.tag_format, version) if version else None,
                "previous_tag": nv.last.name if nv.last else None,
                "bump": nv.level,
                "branch": checkout.branch,
                "channel": {"branch": nv.channel.branch, "prerelease": nv.channel.prerelease},
                "reason": nv.reason,
                "nonconventional": len(nv.nonconventional),
                "notes": repo.notes,
            },
            "",
        )
    elif version:
        click.echo(version)
    else:
        click.echo(nv.reason, err=True)


@release.command("verify")
@click.argument("tag", required=False)
@PATH_OPTION
@FORMAT_OPTION
def verify_cmd(tag: str | None, path: Path, fmt: str) -> None:
    """Check TAG (default: CI_COMMIT_TAG, TAG_NAME or the tag on HEAD) against the policy."""
    from pipelinekit.release.verify import default_tag, require, verify

    repo = _repo(path)
    name = tag or default_tag(repo.git, repo.config.tag_format)
    checks = verify(repo, name)
    _emit(
        fmt,
        {"tag": name, "ok": all(c.ok for c in checks), "checks": [vars(c) for c in checks]},
        "\n".join(f"{'ok  ' if c.ok else 'FAIL'} {c.name}: {c.detail}" for c in checks),
    )
    require(checks, name)


@release.command("lint")
@click.argument("revision_range", metavar="[RANGE]", required=False)
@PATH_OPTION
@FORMAT_OPTION
def lint_cmd(revision_range: str | None, path: Path, fmt: str) -> None:
    """Fail (exit 1) when a commit in RANGE (e.g. origin/main..HEAD) is not conventional.

    Without RANGE, a merge-request pipeline's target branch gives it (`origin/TARGET..HEAD`).
    """
    from pipelinekit.errors import CheckFailed
    from pipelinekit.release.lint import default_range, lint_range
    from pipelinekit.release.safety import ensure_full_history

    repo = _repo(path)
    ensure_full_history(repo.git, repo.config, repo.notes, shallow=repo.shallow)
    revision_range = revision_range or default_range(repo.git, repo.config)
    findings = lint_range(repo.git, repo.config, revision_range)
    _emit(
        fmt,
        {
            "range": revision_range,
            "ok": not findings,
            "findings": [vars(f) for f in findings],
            "notes": repo.notes,
        },
        "\n".join(f"{f.sha[:7]} {f.subject!r}: {f.problem}" for f in findings),
    )
    if findings:
        raise CheckFailed(
            f"{len(findings)} commit(s) in {revision_range} break the commit convention; reword "
            "them with `git rebase -i` (e.g. `fix(io): handle empty files`) and push again."
        )


@release.command("sentry")
@click.argument("tag", required=False)
@PATH_OPTION
@click.option(
    "--environment", help="Record the deploy for this environment (default: the configured one)."
)
@FORMAT_OPTION
def sentry_cmd(tag: str | None, path: Path, environment: str | None, fmt: str) -> None:
    """Announce release TAG (default: CI_COMMIT_TAG, TAG_NAME or the tag on HEAD) to Sentry:
    create, associate commits, finalize, record a deploy. Safe to repeat."""
    from pipelinekit.errors import UsageError
    from pipelinekit.release.sentrystep import announce_release, sentry_settings
    from pipelinekit.release.verify import default_tag

    repo = _repo(path)
    settings = sentry_settings(repo.project)
    if settings is None:
        raise UsageError(
            "Sentry is not configured: set `org` and `project` in `[tool.pipelinekit.sentry]` "
            "(and `url` for a self-hosted Sentry)."
        )
    name = tag or default_tag(repo.git, repo.config.tag_format)
    data = announce_release(
        repo.project, repo.config.tag_format, name, settings, released_now=False,
        environment=environment,
    )  # fmt: skip
    _emit(
        fmt, {"tag": name, **data}, f"Sentry release {data['release']}: {', '.join(data['steps'])}."
    )
