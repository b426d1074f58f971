"""pylint, where the repository configures it: run as itself, in the project's environment.

ruff implements only some of pylint's checks (its `PL` rules), so a repository that gates on
pylint is judged by pylint. pylint must import the project to resolve its names, so it runs
with the project environment's interpreter, where the repository's own dependency sources put
it; when it is not there the stage says so instead of reporting every import as an error.
Findings are named like ruff's ports of them (`PLC0114`) and join the baseline and ratchet.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from pipelinekit.config.models import Config
from pipelinekit.detect.facts import ProjectFacts
from pipelinekit.stages.base import StageContext, in_project_env, run_tool
from pipelinekit.stages.lint_findings import Problem, repo_path

TIMEOUT_S = 1800.0


@dataclass(frozen=True)
class PylintRun:
    problems: list[Problem]
    note: str = ""
    """Why pylint did not run, said in the stage's details."""


def wanted(config: Config, facts: ProjectFacts) -> bool:
    """pylint runs when configured to, else when the repository configures pylint itself."""
    setting = config.lint.pylint
    return setting if setting is not None else "pylint" in facts.tool_configs


def run_pylint(ctx: StageContext, paths: Sequence[str]) -> PylintRun:
    env_ctx = in_project_env(ctx)
    probe = run_tool([env_ctx.python, "-m", "pylint", "--version"], env_ctx, timeout=120)
    if probe.returncode != 0:
        return PylintRun(
            [],
            "pylint is configured but not installed in the project's environment: declare it "
            "in a dev or test dependency source to have it run (or set "
            "[tool.pylint] aside with [tool.pipelinekit.lint] pylint = false)",
        )
    argv = [env_ctx.python, "-m", "pylint", "--output-format=json", "--exit-zero", *paths]
    result = run_tool(argv, env_ctx, timeout=TIMEOUT_S)
    try:
        messages = json.loads(result.stdout or "[]")
    except json.JSONDecodeError:
        messages = None
    if result.returncode != 0 or not isinstance(messages, list):
        first = " ".join((result.stderr or result.stdout).split())[:300]
        return PylintRun([], f"pylint could not run (exit {result.returncode}): {first}")
    return PylintRun([_problem(ctx, m) for m in messages if isinstance(m, dict)])


def _problem(ctx: StageContext, message: dict[str, object]) -> Problem:
    line = _int(message.get("line"), 1)
    column = _int(message.get("column"), 0) + 1  # pylint counts columns from 0, ruff from 1
    return Problem(
        path=repo_path(
            str(ctx.project_dir / str(message.get("path", ""))), ctx.project_dir, ctx.facts.root
        ),
        line=line,
        column=column,
        end_line=_int(message.get("endLine"), line),
        end_column=_int(message.get("endColumn"), column - 1) + 1,
        code=f"PL{message.get('message-id', 'X0000')}",
        message=str(message.get("message", "")),
        rule_name=str(message.get("symbol", "")),
    )


def _int(value: object, default: int) -> int:
    return value if isinstance(value, int) else default
