"""The small interface every stage module implements (one module per stage, like pre-commit's
languages): a module-level `NAME` and `run(ctx) -> StageResult`. CI jobs, `pipelinekit stage`
and the local runner all call `run`, so every place executes the same Python.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from pipelinekit.config.models import Config
    from pipelinekit.detect.facts import ProjectFacts

Status = Literal["passed", "failed", "skipped"]


@dataclass(frozen=True)
class StageContext:
    """Everything a stage may look at. `project_dir` is absolute; reports go to `reports_dir`."""

    project_dir: Path
    facts: ProjectFacts
    config: Config
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    python: str = sys.executable
    """The interpreter the project's tools run with; with `isolated`, the project
    environment's, set by `in_project_env`."""
    isolated: bool = False
    """Run the project's tests in its own environment (`.pipelinekit/envs/<key>`, built from
    what the repository declares and locks), as CI does; False: in `python` as it is."""
    output: Callable[[str], None] | None = None
    """Where long tools stream their output live (None: captured only)."""

    @property
    def reports_dir(self) -> Path:
        return self.project_dir / ".pipelinekit" / "reports"


@dataclass(frozen=True)
class StageResult:
    name: str
    status: Status
    summary: str
    """One line for humans: what ran and what it found."""
    reports: tuple[Path, ...] = ()
    details: str = ""
    """Optional longer text (the failing lines) shown under the summary."""

    @property
    def exit_code(self) -> int:
        return 1 if self.status == "failed" else 0


class StageModule(Protocol):
    NAME: str

    def run(self, ctx: StageContext) -> StageResult: ...


@dataclass(frozen=True)
class ToolRun:
    returncode: int
    stdout: str
    stderr: str
    log: Path | None = None
    """The full output, when it was streamed (stdout then holds its last lines)."""


TOOL_LOGS = Path(".pipelinekit") / "logs" / "tools"


def in_project_env(ctx: StageContext) -> StageContext:
    """`ctx` with the project's environment built (or reused) and its interpreter, PATH and
    import path in place; unchanged when not `isolated`."""
    if not ctx.isolated:
        return ctx
    from pipelinekit.env.build import ensure
    from pipelinekit.env.planner import plan_env

    say = ctx.output or (lambda _line: None)
    built = ensure(ctx.project_dir, plan_env(ctx.facts, ctx.config), out=say, environ=ctx.env)
    for note in built.notes if built.reused else ():
        say(f"environment: {note}")
    env = dict(ctx.env)
    env["VIRTUAL_ENV"] = str(built.path)
    env["PATH"] = os.pathsep.join([str(built.path / "bin"), env.get("PATH", "")])
    env.pop("PYTHONHOME", None)
    if built.pythonpath:
        paths = [str(p) for p in built.pythonpath]
        env["PYTHONPATH"] = os.pathsep.join([*paths, *filter(None, [env.get("PYTHONPATH")])])
    return dataclasses.replace(ctx, env=env, python=str(built.python), isolated=False)


def run_tool(
    argv: Sequence[str],
    ctx: StageContext,
    *,
    timeout: float | None = None,
    stream_as: str | None = None,
) -> ToolRun:
    """Run a tool in the project folder; a missing tool is an ExternalError. With `stream_as`
    and an `output`, its lines go there live and to `.pipelinekit/logs/tools/<stream_as>.log`
    (a long test run shows progress in the CI log)."""
    from pipelinekit.errors import ExternalError
    from pipelinekit.util.stream import StreamTimeout, run_streamed

    try:
        if stream_as is not None and ctx.output is not None:
            log = ctx.project_dir / TOOL_LOGS / f"{stream_as}.log"
            streamed = run_streamed(
                argv, cwd=ctx.project_dir, env=ctx.env, on_line=ctx.output, log=log, timeout=timeout
            )
            return ToolRun(streamed.returncode, streamed.output, "", log=log)
        proc = subprocess.run(
            list(argv),
            cwd=ctx.project_dir,
            env=dict(ctx.env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise ExternalError(
            f"Cannot run {argv[0]!r}: it is not installed or not on PATH. Install it "
            f"(e.g. `pip install {Path(argv[0]).name}`) or check the stage's settings."
        ) from exc
    except (subprocess.TimeoutExpired, StreamTimeout) as exc:
        raise ExternalError(
            f"{' '.join(argv[:3])} did not finish within {timeout or 0:.0f} s; raise the stage's "
            "timeout or look for a hanging test."
        ) from subprocess.TimeoutExpired(list(argv), timeout or 0.0, output=str(exc))
    return ToolRun(proc.returncode, proc.stdout, proc.stderr)


def require_configured_paths(ctx: StageContext, section: str, paths: Sequence[str]) -> None:
    """Paths set in `[tool.pipelinekit.<section>] paths` must exist: a typo must not make a
    stage silently check nothing (detected paths, by contrast, are just skipped if absent)."""
    from pipelinekit.errors import ConfigError

    missing = [p for p in paths if not (ctx.project_dir / p).exists()]
    if missing:
        raise ConfigError(
            f"[tool.pipelinekit.{section}] paths: {', '.join(missing)} not found in "
            f"{ctx.project_dir}. Correct the paths (relative to the project folder)."
        )
