"""The formatter and linter runners of the lint stage: ruff (the repository's pinned one, run by
uv, or the environment's) and black, with the fallbacks old releases need and the errors that say
why a tool could not check.

The stage flow in `lint` decides what to check and how to judge it; everything about starting a
tool, coping with its version (unknown rule selectors, no `--output-format`, no
`--extend-exclude`) and reading its output is here, so the flow reads in one sitting. The JSON
it reads becomes `Problem`s through `lint_findings`.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from pipelinekit.env.engine import find_uv
from pipelinekit.errors import ConfigError, ExternalError, PipelinekitError
from pipelinekit.stages.base import StageContext, ToolRun, run_tool
from pipelinekit.stages.lint_findings import FORMAT_CODE, Problem, format_problem, problem_from

RUFF_TIMEOUT_S = 600.0


NOT_PROJECT = ".pipelinekit,.cache,_vendor,_vendored,vendored,third_party"
"""Folders of pipelinekit's and CI's own in the checkout (environments, caches), and vendored
code, which is someone else's: never linted, on top of the repository's own excludes. An old
`ruff format` (before 0.7) has no `--extend-exclude`: it gets the same as an inline `--config`
override instead."""


def ruff_command(ctx: StageContext) -> list[str]:
    """`python -m ruff`, or the ruff the repository pins (pre-commit rev, lock, `ruff==`), run
    by uv at that version: a verdict is the repository's own, and does not move with a release."""
    pin = ctx.facts.tool_pins.get("ruff")
    if pin and pin != _installed("ruff", ctx.python):
        uv = find_uv(ctx.env)
        if uv:
            return [uv, "tool", "run", "--quiet", "--from", f"ruff=={pin}", "ruff"]
    return [ctx.python, "-m", "ruff"]


def _installed(name: str, python: str) -> str | None:
    if python != sys.executable:
        return None
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def ruff(
    ctx: StageContext, args: Sequence[str], paths: Sequence[str], *, own: bool = False
) -> ToolRun:
    """Run ruff (pipelinekit's, or the repository's pinned one unless `own`); a missing ruff
    is an ExternalError."""
    command = [ctx.python, "-m", "ruff"] if own else ruff_command(ctx)
    argv = [*command, *args, "--force-exclude", "--extend-exclude", NOT_PROJECT]
    result = run_tool([*argv, "--", *paths], ctx, timeout=RUFF_TIMEOUT_S)
    failed = pinned_tool_failure("ruff", ctx.facts.tool_pins.get("ruff"), result)
    if failed is not None and argv[0] != ctx.python:
        raise failed
    for _ in range(20):  # flake8 codes this ruff does not know (W503, plugin codes): drop them
        unknown = _UNKNOWN_SELECTOR.search(result.stderr)
        if result.returncode != 2 or unknown is None or not _drop_selector(argv, unknown[1]):
            break
        result = run_tool([*argv, "--", *paths], ctx, timeout=RUFF_TIMEOUT_S)
    if result.returncode == 2 and "'--extend-exclude'" in result.stderr:
        folders = ", ".join(repr(f) for f in NOT_PROJECT.split(","))
        argv[-2:] = ["--config", f"extend-exclude = [{folders}]"]
        result = run_tool([*argv, "--", *paths], ctx, timeout=RUFF_TIMEOUT_S)
        if result.returncode == 2 and "extend-exclude = [" in result.stderr:
            # Before 0.2 `--config` only names a file: go without (ruff's own default
            # excludes still keep virtualenvs and site-packages out).
            del argv[-2:]
            result = run_tool([*argv, "--", *paths], ctx, timeout=RUFF_TIMEOUT_S)
    if result.returncode != 0 and "No module named ruff" in result.stderr:
        raise ExternalError(
            f"ruff is not installed for {ctx.python}. Install it in the project's environment "
            "(`pip install ruff`, or `pip install pipelinekit[lint]`) and run the stage again."
        )
    return result


def pinned_tool_failure(tool: str, pin: str | None, result: ToolRun) -> PipelinekitError | None:
    """uv could not provide the tool at the repository's pinned version (a typo, a yanked or
    unpublished release, an unreachable index): an error, never a silent pass."""
    text = result.stderr
    if result.stdout.strip() or ("No solution found" not in text and "Failed to" not in text):
        return None
    cause = _first_lines(text, 3)
    if "No solution found" in text:
        return ConfigError(
            f"{tool} {pin or ''} as the repository pins it (its pre-commit hook `rev`, lock or "
            f"requirement line; `pipelinekit detect` shows tool_pins) cannot be installed: "
            f"{cause} Correct the pin, then run the stage again."
        )
    return ExternalError(
        f"{tool} {pin or ''} could not be fetched to lint with ({cause}) Check the network and "
        "the package index settings (UV_INDEX_URL)."
    )


_UNKNOWN_SELECTOR = re.compile(r"Unknown rule selector:? `([^`]+)`")


def _drop_selector(argv: list[str], code: str) -> bool:
    """Remove `code` from the translated --select/--ignore lists of `argv`; False when it is
    not in one of them (then it is the repository's own or the config's error to report)."""
    for index, arg in enumerate(argv[:-1]):
        if arg in ("--select", "--ignore", "--extend-select"):
            codes = argv[index + 1].split(",")
            if code in codes:
                codes.remove(code)
                argv[index + 1] = ",".join(codes) or "F"
                return True
    return False


def ruff_too_old(ctx: StageContext) -> ConfigError:
    pin = ctx.facts.tool_pins.get("ruff")
    which = f"ruff {pin}, as the repository pins it," if pin else "The installed ruff"
    return ConfigError(
        f"{which} is too old to report its findings as JSON (`--output-format` came with ruff "
        "0.0.291). Raise the pin (pre-commit `rev`, lock or requirement line) to 0.0.291 or "
        "later, or install a newer ruff in the project's environment."
    )


def ruff_stopped(ctx: StageContext, command: str, result: ToolRun) -> ConfigError:
    """Ruff exit 2: it could not start linting, almost always its configuration."""
    config = find_ruff_config(ctx.project_dir)
    where = f"the ruff configuration in {config}" if config else "ruff's configuration"
    cause = _first_lines(result.stderr or result.stdout, 8)
    extra = ctx.config.lint.args
    extra_hint = (
        f" and the extra arguments in [tool.pipelinekit.lint] args ({' '.join(extra)})"
        if extra
        else ""
    )
    return ConfigError(
        f"`ruff {command}` stopped before checking anything (exit {result.returncode}): "
        f"{cause} Check {where}{extra_hint}; `ruff {command}` in {ctx.project_dir} shows the "
        "same error."
    )


def find_ruff_config(start: Path) -> Path | None:
    """The config file ruff uses for `start`: the closest ruff.toml, .ruff.toml or
    pyproject.toml with a [tool.ruff] table, searching upwards like ruff does."""
    for folder in (start.resolve(), *start.resolve().parents):
        for name in ("ruff.toml", ".ruff.toml"):
            if (folder / name).is_file():
                return folder / name
        pyproject = folder / "pyproject.toml"
        try:
            if pyproject.is_file() and "[tool.ruff" in pyproject.read_text(encoding="utf-8"):
                return pyproject
        except (OSError, UnicodeDecodeError):
            continue
    return None


def _first_lines(text: str, n: int) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines() if line.strip()]
    shown = " ".join(lines[:n])
    if not shown:
        return "ruff printed no message."
    return shown if shown.endswith(".") else shown + "."


def load_json_list(ctx: StageContext, command: str, result: ToolRun) -> list[dict[str, Any]]:
    """Ruff's JSON output (`[]` when it finds nothing: ruff always prints the list); anything
    else, silence included, means pipelinekit cannot trust the result."""
    try:
        data = json.loads(result.stdout)
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ExternalError(
            f"`{ctx.python} -m ruff {command} --output-format json` did not print a JSON list "
            f"of diagnostics (exit {result.returncode}): {_first_lines(result.stdout, 3)} "
            "Check that the installed ruff works: run the same command by hand."
        )
    return data


def check_format(ctx: StageContext, paths: Sequence[str]) -> list[Problem]:
    """Files `ruff format --check` would change, as Problems with code `unformatted`.

    Ruff 0.9+ can print JSON here; older ruff rejects `--output-format` for format, so we
    fall back to its plain "Would reformat: PATH" lines.
    """
    prefix = ctx.facts.root
    result = ruff(ctx, ["format", "--check", "--output-format", "json"], paths)
    if result.returncode == 2 and "--output-format" in result.stderr and not result.stdout:
        return _legacy_format_check(ctx, paths)
    if result.returncode not in (0, 1) and not result.stdout.strip():
        raise ruff_stopped(ctx, "format --check", result)
    data = load_json_list(ctx, "format --check", result)
    # Exit 2 with diagnostics means some files could not be parsed: `ruff check` already
    # reports those as syntax errors, so only the unformatted entries matter here.
    found = {
        p.path: p
        for p in (problem_from(item, ctx.project_dir, prefix) for item in data)
        if p.code == FORMAT_CODE
    }
    return [found[path] for path in sorted(found)]


def black_check(ctx: StageContext, paths: Sequence[str]) -> list[Problem]:
    """Files black would change (the repository's formatter), at the version it pins, run by
    uv: black is the repository's tool, not one of pipelinekit's dependencies."""
    uv = find_uv(ctx.env)
    if uv is None:
        raise ExternalError(
            "The repository formats with black, which pipelinekit runs with uv; uv is not "
            "available here (pip install uv), or set [tool.pipelinekit.lint] format_check = false."
        )
    pin = ctx.facts.tool_pins.get("black")
    tool = f"black=={pin}" if pin else "black"
    argv = [uv, "tool", "run", "--quiet", "--from", tool, "black", "--check"]
    folders = "|".join(re.escape(folder) for folder in NOT_PROJECT.split(","))
    argv += ["--extend-exclude", f"/({folders})/", "--", *paths]
    result = run_tool(argv, ctx, timeout=RUFF_TIMEOUT_S)
    files = sorted(
        {
            line.removeprefix("would reformat ").strip()
            for line in (result.stderr + result.stdout).splitlines()
            if line.startswith("would reformat ")
        }
    )
    failed = pinned_tool_failure("black", pin, result)
    if failed is not None:
        raise failed
    if result.returncode not in (0, 1) or (result.returncode == 1 and not files):
        raise ConfigError(
            f"black could not check the formatting (exit {result.returncode}): "
            f"{_first_lines(result.stderr or result.stdout, 6)} Check the repository's "
            "[tool.black] settings, or set [tool.pipelinekit.lint] format_check = false."
        )
    return [format_problem(f, ctx.project_dir, ctx.facts.root, "black") for f in files]


def _legacy_format_check(ctx: StageContext, paths: Sequence[str]) -> list[Problem]:
    result = ruff(ctx, ["format", "--check"], paths)
    files = {
        line.removeprefix("Would reformat:").strip()
        for line in result.stdout.splitlines()
        if line.startswith("Would reformat:")
    }
    if result.returncode not in (0, 1) and not files:
        raise ruff_stopped(ctx, "format --check", result)
    return [format_problem(f, ctx.project_dir, ctx.facts.root) for f in sorted(files)]


FORMATTERS = {"ruff": lambda ctx, paths: check_format(ctx, paths), "black": black_check}
"""Formatter -> its check (files it would change, as `unformatted` problems)."""
