"""The lint stage: ruff check (+ ruff format --check), reported to GitLab and Jenkins.

Ruff runs once with `--output-format json`; pipelinekit converts that one result into GitLab
Code Quality JSON and SARIF 2.1.0 itself, so both CI systems show the same problems and the
conversion (paths, fingerprints, severities) is tested here rather than depending on how a
given ruff version spells its own report formats.

Ruff is started as `<project python> -m ruff` so the project's pinned ruff is used, and the
repository's ruff configuration is respected: no `--config`/`--select` is passed. The only
flags added are `--no-fix` (a CI check must never rewrite the checkout, even when the repo
sets `fix = true`), `--force-exclude` (so the repo's `exclude` also applies to paths that
pipelinekit names explicitly, e.g. notebooks) and `--extend-exclude` for what pipelinekit and
CI put in the checkout (`.pipelinekit/` with the project's environments, `.cache/` with uv's).
Files `ruff format --check` would change are failures too, and go into both reports (rule
`unformatted`) so the CI view explains the red.
"""

from __future__ import annotations

import json
import posixpath
import re
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Any

from pipelinekit.baseline import ratchet, store
from pipelinekit.env.engine import find_uv
from pipelinekit.errors import ConfigError, ExternalError, PipelinekitError
from pipelinekit.plan import reports
from pipelinekit.stages.base import (
    StageContext,
    StageResult,
    ToolRun,
    require_configured_paths,
    run_tool,
)
from pipelinekit.stages.lint_findings import (
    FORMAT_CODE,
    SYNTAX_ERROR,
    Problem,
    format_problem,
    parse_ruff_json,
    problem_from,
    repo_path,
    to_codequality,
    to_sarif,
    write_reports,
)
from pipelinekit.stages.lint_pylint import PylintRun, run_pylint, wanted

__all__ = [
    "SYNTAX_ERROR",
    "Problem",
    "parse_ruff_json",
    "repo_path",
    "run",
    "to_codequality",
    "to_sarif",
    "write_reports",
]

NAME = "lint"

MAX_DETAILS = 20
"""Problems listed in the stage details; the reports always hold all of them."""

RUFF_TIMEOUT_S = 600.0


def run(ctx: StageContext) -> StageResult:
    cfg = ctx.config.lint
    if not cfg.enabled:
        return StageResult(
            NAME, "skipped", "lint: skipped (disabled: [tool.pipelinekit.lint] enabled = false)"
        )
    paths = lint_paths(ctx)
    if not paths:
        written = write_reports(ctx.reports_dir, [])
        return StageResult(
            NAME,
            "skipped",
            "ruff: nothing to lint (no source, test or notebook folders found)",
            reports=written,
        )
    findings = measure(ctx, paths)
    baseline = store.load(ctx.project_dir)
    verdict = ratchet.judge(ctx.project_dir, findings.all, baseline, ctx.facts.root)
    debt = set(verdict.debt)
    marked = [
        replace(p, debt=i in debt, new=baseline is not None and i not in debt)
        for i, p in enumerate(findings.all)
    ]
    written = write_reports(ctx.reports_dir, marked)
    new = [p for p in marked if not p.debt]
    problems = [p for p in new if p.code != FORMAT_CODE]
    unformatted = [p for p in new if p.code == FORMAT_CODE]
    summary = summarize(problems, unformatted, paths, formatter=findings.formatter)
    known = verdict.summary(findings.all)
    return StageResult(
        NAME,
        "failed" if new else "passed",
        summary + (f"; {known}" if known else ""),
        reports=written,
        details="\n".join(
            filter(
                None,
                [
                    describe(problems, unformatted, findings.formatter),
                    verdict.debt_by_file(findings.all),
                    findings.note,
                ],
            )
        ),
    )


@dataclass(frozen=True)
class Measured:
    """Everything ruff finds: the repository's own rules, the critical ones whatever its
    configuration says, and the files its formatter would change."""

    all: list[Problem]
    formatter: str | None
    """The formatter that checked the files (None: the repository uses none)."""
    note: str = ""
    """Something a reader of the job must know (pylint configured but absent)."""


def measure(ctx: StageContext, paths: Sequence[str]) -> Measured:
    """The three ruff runs at once (each is one process; together they take the longest one's
    time on two cores, not the sum)."""
    cfg = ctx.config.lint
    with ThreadPoolExecutor(max_workers=3) as pool:
        settings = [*ctx.facts.ruff_settings, *cfg.args]
        checked = pool.submit(
            _ruff, ctx, ["check", *settings, "--output-format", "json", "--no-fix"], paths
        )
        critical = pool.submit(critical_problems, ctx, paths)
        tool = formatter(ctx)
        formatted = pool.submit(FORMATTERS[tool], ctx, paths) if tool else None
        pylint = pool.submit(run_pylint, ctx, paths) if wanted(ctx.config, ctx.facts) else None
        check = checked.result()
        if "unexpected argument '--output-format'" in check.stderr:
            raise _ruff_too_old(ctx)
        if check.returncode not in (0, 1):
            raise _ruff_stopped(ctx, "check", check)
        problems = parse_ruff_json(
            _load_json_list(ctx, "check", check), ctx.project_dir, ctx.facts.root
        )
        seen = {(p.path, p.cell, p.line, p.column, p.code) for p in problems}
        problems += [
            p for p in critical.result() if (p.path, p.cell, p.line, p.column, p.code) not in seen
        ]
        unformatted = formatted.result() if formatted is not None else []
        linted = pylint.result() if pylint is not None else PylintRun([])
    problems += [
        p for p in linted.problems if (p.path, p.cell, p.line, p.column, p.code) not in seen
    ]
    problems.sort(key=lambda p: (p.path, p.cell or 0, p.line, p.column, p.code))
    return Measured([*problems, *unformatted], tool, linted.note)


def critical_problems(ctx: StageContext, paths: Sequence[str]) -> list[Problem]:
    """Code that cannot run, found with ruff's defaults (`--isolated`): a repository's ignore
    list or per-file ignores cannot hide an undefined name. Its excludes and builtins still
    hold: a vendored folder is not its code, and a declared builtin is defined. (Builtins are
    filtered afterwards: before 0.3 ruff refuses `--config` settings with `--isolated`.)"""
    problems = isolated_problems(ctx, paths, ratchet.CRITICAL_SELECT)
    if problems is None:
        return []  # the main run already reported why ruff cannot run
    declared = {f"Undefined name `{name}`" for name in ctx.facts.lint_builtins}
    return [p for p in problems if not (p.code == "F821" and p.message in declared)]


def isolated_problems(
    ctx: StageContext, paths: Sequence[str], select: str, *, own: bool = False
) -> list[Problem] | None:
    """What ruff's rules `select` find with its defaults for everything else (`--isolated`)
    but the repository's excludes; None when ruff could not check. `own`: pipelinekit's
    ruff, not the one the repository pins (the audit's rule families are pipelinekit's)."""
    argv = ["check", "--isolated", "--select", select, "--output-format", "json"]
    if ctx.facts.lint_excludes:
        argv += ["--extend-exclude", ",".join(ctx.facts.lint_excludes)]
    found = _ruff(ctx, [*argv, "--no-fix"], paths, own=own)
    if found.returncode not in (0, 1):
        return None
    return parse_ruff_json(_load_json_list(ctx, "check", found), ctx.project_dir, ctx.facts.root)


def lint_paths(ctx: StageContext) -> list[str]:
    """What to hand ruff: configured paths, else what the project is: its packages and
    top-level modules, its tests and scripts, and its notebooks when it lints them itself (not docs,
    examples or build folders, which a flat layout's `.` would sweep in).

    Paths inside another listed path are dropped because ruff reports a file once per
    argument that reaches it. Configured paths must exist (a typo must not silently lint
    nothing); detected ones are simply skipped when absent.
    """
    configured = ctx.config.lint.paths
    if configured is not None:
        require_configured_paths(ctx, "lint", configured)
        return _prune_nested(configured, ctx.project_dir)
    facts = ctx.facts
    code: list[str] = []
    for folder in facts.source_dirs:
        if folder != ".":
            code.append(folder)
            continue
        code += [*facts.packages, *sorted(f.name for f in ctx.project_dir.glob("*.py"))]
    code += [d for d in SCRIPT_DIRS if (ctx.project_dir / d).is_dir()]
    # Notebooks are named explicitly: ruff lints .ipynb files it is given even in versions
    # that do not pick them up from folders by default (before 0.6).
    notebooks = facts.notebooks if facts.lints_notebooks else ()
    detected = (*code, *facts.tests.dirs, *notebooks)
    found = [p for p in detected if (ctx.project_dir / p).exists()]
    if not found and next(ctx.project_dir.glob("*/**/*.py"), None) is not None:
        found = ["."]  # loose scripts in folders that are no package: ruff finds them all
    return _prune_nested(found, ctx.project_dir)


SCRIPT_DIRS = ("scripts", "bin")
"""Script folders, linted with the project's packages whatever its layout."""


def _prune_nested(paths: Iterable[str], base: Path) -> list[str]:
    """Drop duplicates and paths that lie inside another listed path, keeping the order."""
    unique: dict[Path, str] = {}
    for path in paths:
        unique.setdefault((base / path).resolve(), posixpath.normpath(path))
    return [
        path
        for full, path in unique.items()
        if not any(full != other and full.is_relative_to(other) for other in unique)
    ]


NOT_PROJECT = ".pipelinekit,.cache,_vendor,_vendored,vendored,third_party"
"""Folders of pipelinekit's and CI's own in the checkout (environments, caches), and vendored
code, which is someone else's: never linted, on top of the repository's own excludes. An old
`ruff format` (before 0.7) has no `--extend-exclude`: it gets the same as an inline `--config`
override instead."""


def formatter(ctx: StageContext) -> str | None:
    """The formatter to check with: the repository's own, or ruff when the config asks for a
    check it does not have; none when it uses none (style debt is not failure)."""
    setting = ctx.config.lint.format_check
    if setting is False:
        return None
    return ctx.facts.formatter or ("ruff" if setting else None)


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


def _ruff(
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


def _ruff_too_old(ctx: StageContext) -> ConfigError:
    pin = ctx.facts.tool_pins.get("ruff")
    which = f"ruff {pin}, as the repository pins it," if pin else "The installed ruff"
    return ConfigError(
        f"{which} is too old to report its findings as JSON (`--output-format` came with ruff "
        "0.0.291). Raise the pin (pre-commit `rev`, lock or requirement line) to 0.0.291 or "
        "later, or install a newer ruff in the project's environment."
    )


def _ruff_stopped(ctx: StageContext, command: str, result: ToolRun) -> ConfigError:
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


def _load_json_list(ctx: StageContext, command: str, result: ToolRun) -> list[dict[str, Any]]:
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
    result = _ruff(ctx, ["format", "--check", "--output-format", "json"], paths)
    if result.returncode == 2 and "--output-format" in result.stderr and not result.stdout:
        return _legacy_format_check(ctx, paths)
    if result.returncode not in (0, 1) and not result.stdout.strip():
        raise _ruff_stopped(ctx, "format --check", result)
    data = _load_json_list(ctx, "format --check", result)
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
    result = _ruff(ctx, ["format", "--check"], paths)
    files = {
        line.removeprefix("Would reformat:").strip()
        for line in result.stdout.splitlines()
        if line.startswith("Would reformat:")
    }
    if result.returncode not in (0, 1) and not files:
        raise _ruff_stopped(ctx, "format --check", result)
    return [format_problem(f, ctx.project_dir, ctx.facts.root) for f in sorted(files)]


FORMATTERS = {"ruff": lambda ctx, paths: check_format(ctx, paths), "black": black_check}
"""Formatter -> its check (files it would change, as `unformatted` problems)."""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summarize(
    problems: Sequence[Problem],
    unformatted: Sequence[Problem],
    paths: Sequence[str],
    *,
    formatter: str | None = "ruff",
) -> str:
    """E.g. "ruff: 3 problems in 2 files; 1 file would be reformatted" (by black: "... (black)")."""
    if problems:
        files = len({p.path for p in problems})
        check = f"{_plural(len(problems), 'problem')} in {_plural(files, 'file')}"
    else:
        check = f"no problems in {', '.join(paths)}"
    if formatter is None:
        return f"ruff: {check}"
    if unformatted:
        n = len(unformatted)
        fmt = f"{_plural(n, 'file')} would be reformatted"
    else:
        fmt = "formatting ok"
    return f"ruff: {check}; {fmt}" + (f" ({formatter})" if formatter != "ruff" else "")


def describe(
    problems: Sequence[Problem], unformatted: Sequence[Problem], formatter: str | None = "ruff"
) -> str:
    """The first problems as `path:line:col CODE message`, then the unformatted files."""
    lines = [f"{p.where} {p.code} {p.message}" for p in problems[:MAX_DETAILS]]
    if len(problems) > MAX_DETAILS:
        lines.append(
            f"... and {len(problems) - MAX_DETAILS} more (see {reports.CODEQUALITY} "
            f"and {reports.SARIF})"
        )
    run = "ruff format" if formatter == "ruff" else formatter
    lines += [f"{p.path}: would be reformatted (run `{run}`)" for p in unformatted[:MAX_DETAILS]]
    if len(unformatted) > MAX_DETAILS:
        lines.append(f"... and {len(unformatted) - MAX_DETAILS} more files to reformat")
    return "\n".join(lines)
