"""The command line. Thin: parse arguments, call the library, print, map errors to exit codes.

Errors are one paragraph on stderr and never a traceback (`--debug` shows one).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, ClassVar, NoReturn

import click

from pipelinekit import __version__
from pipelinekit.cli.options import FORMAT_OPTION, echo_json
from pipelinekit.errors import EXIT_BAD_INPUT, PipelinekitError

PATH_ARG = click.argument(
    "path", required=False, default=".", type=click.Path(file_okay=False, path_type=Path)
)


class LazyGroup(click.Group):
    """Groups from other packages (artifacts, register, release) are imported only when invoked, so
    `pipelinekit --help` and `pipelinekit stage lint` do not pay for pydantic models and
    server clients they never use."""

    LAZY: ClassVar[dict[str, tuple[str, str]]] = {
        "artifacts": (
            "pipelinekit.artifacts.cli:artifacts",
            "S3 release artifacts: push, pull, ls.",
        ),
        "audit": (
            "pipelinekit.audit.cli:audit",
            "Production-readiness audit of the repository, scored 0-100 per section.",
        ),
        "baseline": (
            "pipelinekit.baseline.cli:baseline",
            "The recorded debt (lint findings) that may only go down: update.",
        ),
        "env": (
            "pipelinekit.env.cli:env",
            "The project's own environment (Python, sources, lock): show, sync.",
        ),
        "metrics": (
            "pipelinekit.metrics.cli:metrics",
            "Delivery metrics (DORA's four keys) from git: text, JSON, HTML, Prometheus.",
        ),
        "register": (
            "pipelinekit.register.cli:register",
            "Create or update Jenkins jobs and GitLab CI setup (plan/apply).",
        ),
        "release": (
            "pipelinekit.release.cli:release",
            "Semantic-versioning release: next version, changelog, tag, push.",
        ),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.LAZY])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY:
            import importlib

            module, _, attr = self.LAZY[cmd_name][0].partition(":")
            command: click.Command = getattr(importlib.import_module(module), attr)
            return command
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [
            (name, self.LAZY[name][1] if name in self.LAZY else self._short_help(ctx, name))
            for name in self.list_commands(ctx)
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def _short_help(self, ctx: click.Context, name: str) -> str:
        command = super().get_command(ctx, name)
        return command.get_short_help_str(limit=200) if command else ""


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pipelinekit")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Detect a Python data-science repository and give it a production CI/CD pipeline."""
    ctx.obj = {"debug": debug}


@cli.command()
@PATH_ARG
@FORMAT_OPTION
def detect(path: Path, fmt: str) -> None:
    """Show what the repository is (ProjectFacts)."""
    from pipelinekit.detect.repo import detect as run_detect

    facts = run_detect(path.resolve())
    if fmt == "json":
        echo_json(facts.model_dump(mode="json"))
        return
    from pipelinekit.util.table import table_lines

    rows = [(key, _plain(value) or "-") for key, value in facts.model_dump(mode="json").items()]
    click.echo("\n".join(table_lines(rows)))


def _retired_note(action: str) -> str:
    if action == "removed":
        return " (no longer generated: the config dropped it)"
    if action == "kept":
        return " (no longer generated, but edited by hand: delete it yourself if unused)"
    return ""


def _plain(value: Any) -> str:
    """A fact value as short text: lists joined, tables as `key: value; ...`."""
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v) or '-'}" for k, v in value.items())
    return "" if value is None else str(value)


@cli.command()
@PATH_ARG
@click.option(
    "--ci",
    "ci",
    help="Comma-separated CI systems to generate for: jenkins,gitlab (default: both).",
)
@click.option("--force", is_flag=True, help="Replace files pipelinekit does not own.")
@click.option(
    "--no-baseline",
    is_flag=True,
    help="Do not record the lint findings the repository has today as its baseline debt.",
)
@click.option(
    "--coverage",
    "with_coverage",
    is_flag=True,
    help="Also record the coverage floor (runs the test suite in the project's environment).",
)
def init(path: Path, ci: str | None, force: bool, no_baseline: bool, with_coverage: bool) -> None:
    """Detect the repository, write [tool.pipelinekit] and generate the CI files."""
    from pipelinekit.errors import UsageError
    from pipelinekit.render.init import init as run_init

    targets = None
    if ci is not None:
        targets = [t.strip() for t in ci.split(",") if t.strip()]
        unknown = sorted(set(targets) - {"jenkins", "gitlab"})
        if unknown or not targets:
            raise UsageError(
                f"--ci {ci!r}: unknown CI system {', '.join(unknown) or '(none given)'}; "
                "use jenkins, gitlab or jenkins,gitlab."
            )
    result = run_init(
        path,
        ci=targets,
        force=force,
        baseline=not no_baseline,
        coverage=with_coverage,
        output=lambda line: click.echo(line, err=True),
    )
    facts = result.project.facts
    code = ", ".join(facts.packages) or ", ".join(f"{m}.py" for m in facts.modules) or "no package"
    gpu = f"; gpu: {', '.join(facts.gpu_frameworks)}" if facts.gpu_frameworks else ""
    cuda = f", CUDA {facts.cuda_line} ({facts.cuda_line_from})" if gpu and facts.cuda_line else ""
    click.echo(
        f"Detected {facts.name} ({code}; {facts.layout} layout; python {facts.python_version}; "
        f"tests: {facts.tests.framework or 'none'}{gpu}{cuda})."
    )
    if facts.other_projects:
        others = ", ".join(facts.other_projects)
        click.echo(
            f"  {'note':9} also found {others}: this pipeline is for {facts.root} only (a "
            "repository has one pipeline, at its root; "
            f"`pipelinekit init {facts.other_projects[0]} --force` makes it that project's)."
        )
    click.echo(f"  {result.config_action:9} {_rel(result.config_path, result.project.repo)}")
    for item in result.files:
        click.echo(f"  {item.action:9} {item.path}{_retired_note(item.action)}")
    for line in result.adopted:
        click.echo(f"  {'adopted':9} {line}")
    if result.baseline:
        click.echo(f"  {'baseline':9} {result.baseline}")


def _rel(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


@cli.command()
@PATH_ARG
@FORMAT_OPTION
def plan(path: Path, fmt: str) -> None:
    """Print the pipeline model."""
    from pipelinekit.plan.model import describe
    from pipelinekit.plan.planner import plan as run_plan
    from pipelinekit.project import load_project

    project = load_project(path, at_git_root=True)
    pipeline = run_plan(project.facts, project.config)
    if fmt == "json":
        echo_json(pipeline.model_dump(mode="json"))
    else:
        click.echo(describe(pipeline), nl=False)


@cli.command()
@PATH_ARG
@click.option("--check", is_flag=True, help="Change nothing; exit 1 with a diff on drift.")
@click.option("--force", is_flag=True, help="Replace files pipelinekit does not own.")
def render(path: Path, check: bool, force: bool) -> None:
    """Regenerate the CI files from the config (or check they are current)."""
    from pipelinekit.plan.planner import plan as run_plan
    from pipelinekit.project import load_project
    from pipelinekit.render.outputs import (
        apply_writes,
        check_outputs,
        prepare_writes,
        raise_on_drift,
        render_all,
        retired,
    )

    project = load_project(path, at_git_root=True)
    outputs = render_all(project.facts, project.config, run_plan(project.facts, project.config))
    retire = retired(project.facts, outputs)
    if check:
        drifts = check_outputs(project.repo, outputs, retire)
        for drift in drifts:
            click.echo(f"{drift.path}: {drift.reason}")
            click.echo(drift.diff)
        raise_on_drift(drifts)
        click.echo(f"{len(outputs)} generated files are up to date.")
        return
    for item in apply_writes(prepare_writes(project.repo, outputs, force=force, retire=retire)):
        click.echo(f"  {item.action:9} {item.path}{_retired_note(item.action)}")


HERE_OPTION = click.option(
    "--here",
    is_flag=True,
    help="Test in the current Python environment instead of the project's own "
    "(.pipelinekit/envs/<key>, built from what the repository declares and locks).",
)


class StageName(click.Choice[str]):
    """The registered stages, read only when needed (help, completion, a value to check) so
    `pipelinekit --help` does not list the stages package; a typo is refused with the closest
    names."""

    def __init__(self) -> None:
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        from pipelinekit.stages import implemented

        return implemented()

    @choices.setter
    def choices(self, _value: object) -> None:
        """click.Choice.__init__ assigns the choices; they come from the registry instead."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if value in self.choices:
            return str(value)
        import difflib

        close = difflib.get_close_matches(str(value), self.choices, n=3, cutoff=0.6)
        hint = f" Did you mean {' or '.join(close)}?" if close else ""
        self.fail(f"{value!r} is not a stage.{hint} Stages: {', '.join(self.choices)}.", param, ctx)


class StageCommand(click.Command):
    """`stage --help` ends with the list of stages NAME may be."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from pipelinekit.stages import implemented

        with formatter.section("Stages"):
            formatter.write_text(", ".join(implemented()))
        super().format_epilog(ctx, formatter)


@cli.command(cls=StageCommand)
@click.argument("name", type=StageName(), metavar="NAME")
@PATH_ARG
@HERE_OPTION
def stage(name: str, path: Path, here: bool) -> None:
    """Run one stage of the pipeline (what CI jobs call)."""
    from pipelinekit import stages
    from pipelinekit.metrics.stagepush import stage_metrics
    from pipelinekit.project import load_project, seen_from
    from pipelinekit.stages.base import StageContext

    module = stages.get(name)
    project = seen_from(load_project(path), Path.cwd())
    context = StageContext(
        project_dir=project.project_dir,
        facts=project.facts,
        config=project.config,
        isolated=not here,
        output=lambda line: click.echo(line),
    )
    with stage_metrics(context, name, warn=lambda line: click.echo(line, err=True)) as record:
        result = module.run(context)
        record(result.status)
    click.echo(f"[{result.status}] {result.name}: {result.summary}")
    if result.details:
        click.echo(result.details.rstrip())
    for report in result.reports:
        click.echo(f"  report: {_rel(report, project.repo)}")
    sys.exit(result.exit_code)


@cli.command("run")
@PATH_ARG
@click.option(
    "--only", help="Comma-separated job names to run (also jobs limited to branches/tags)."
)
@click.option(
    "--jobs", "-j", "max_jobs", type=int, default=2, show_default=True, help="Jobs run at a time."
)
@click.option("--no-cache", is_flag=True, help="Run every job even if its inputs are unchanged.")
@HERE_OPTION
def run_command(path: Path, only: str | None, max_jobs: int, no_cache: bool, here: bool) -> None:
    """Run the whole pipeline locally as CI does, in parallel where it allows, skipping
    unchanged jobs; the project is tested in its own environment unless --here."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from pipelinekit.plan.planner import plan as run_plan
    from pipelinekit.project import load_project
    from pipelinekit.run.runner import Runner

    project = load_project(path)
    err = Console(stderr=True, highlight=False)
    runner = Runner(
        project,
        run_plan(project.facts, project.config),
        jobs=max_jobs,
        use_cache=not no_cache,
        here=here,
        progress=lambda job, event: err.print(escape(f"  {job}: {event}")),
        output=lambda job, line: click.echo(f"[{job}] {line}"),
    )
    names = [n.strip() for n in only.split(",") if n.strip()] if only else None
    results = runner.run(names)
    table = Table(title=f"pipelinekit run: {project.facts.name}")
    for column in ("job", "status", "time", "summary"):
        table.add_column(column)
    for result in results:
        table.add_row(
            escape(result.name), result.outcome, f"{result.seconds:.1f} s", escape(result.summary)
        )
    Console(highlight=False, width=max(100, Console().width)).print(table)
    if any(r.outcome in ("failed", "blocked") for r in results):
        sys.exit(1)


@cli.command()
@FORMAT_OPTION
def doctor(fmt: str) -> None:
    """Show which tools are present and whether Jenkins/GitLab answer (auth, plugins)."""
    from pipelinekit.doctor import check_tools, doctor_servers, text_lines

    checks = check_tools()
    servers = doctor_servers()
    if fmt == "json":
        echo_json({"tools": [c.__dict__ for c in checks], "servers": [s.__dict__ for s in servers]})
        return
    click.echo("\n".join(text_lines(checks, servers)))


def _interrupt(signum: int, _frame: object) -> None:
    """SIGTERM (a cancelled CI job, `pipelinekit run` stopping a stage) unwinds like Ctrl-C,
    so a running tool's own process group is stopped too instead of left behind."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> NoReturn:
    import signal

    from pipelinekit.util.redact import RedactingStream

    signal.signal(signal.SIGTERM, _interrupt)
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = (RedactingStream(s) if s else s for s in streams)
    try:
        _run(argv, debug)
    finally:
        sys.stdout, sys.stderr = streams


def _traceback() -> None:
    """The traceback for --debug, printed here so it passes the redacting stderr (the
    interpreter would print it after main restored the plain one)."""
    import traceback

    traceback.print_exc(file=sys.stderr)


def _run(argv: list[str] | None, debug: bool) -> NoReturn:
    try:
        cli.main(args=argv, prog_name="pipelinekit", standalone_mode=False)
    except PipelinekitError as exc:
        if debug:
            _traceback()
        click.echo(f"pipelinekit: error: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("pipelinekit: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_BAD_INPUT if exc.exit_code == 2 else exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # a bug of ours: still one paragraph, the traceback on --debug
        if debug:
            _traceback()
        from pipelinekit.util.redact import redact

        click.echo(
            f"pipelinekit: internal error: {type(exc).__name__}: {redact(str(exc))}. This is a "
            "bug in pipelinekit; run again with --debug for the traceback and report it.",
            err=True,
        )
        sys.exit(1)
    sys.exit(0)
