"""The small interface every stage module implements (one module per stage, like pre-commit's
languages): a module-level `NAME` and `run(ctx) -> StageResult`. CI jobs, `pipelinekit stage`
and the local runner all call `run`, so every place executes the same Python.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from pipelinekit.config import Config
    from pipelinekit.facts import ProjectFacts

Status = Literal["passed", "failed", "skipped"]


@dataclass(frozen=True)
class StageContext:
    """Everything a stage may look at. `project_dir` is absolute; reports go to `reports_dir`."""

    project_dir: Path
    facts: ProjectFacts
    config: Config
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    python: str = sys.executable

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


def run_tool(argv: Sequence[str], ctx: StageContext, *, timeout: float | None = None) -> ToolRun:
    """Run a tool in the project folder, capturing output; a missing tool is an ExternalError."""
    from pipelinekit.errors import ExternalError

    try:
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
    except subprocess.TimeoutExpired as exc:
        raise ExternalError(
            f"{' '.join(argv[:3])} did not finish within {timeout:.0f} s; raise the stage's "
            "timeout or look for a hanging test."
        ) from exc
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
