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

This module is the stage's flow (what to lint, the three runs at once, the baseline verdict,
the summary); starting ruff and black and reading their output is `lint_ruff`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from pipelinekit.baseline import ratchet, store
from pipelinekit.plan import reports
from pipelinekit.stages.base import StageContext, StageResult, require_configured_paths
from pipelinekit.stages.lint_findings import (
    FORMAT_CODE,
    SYNTAX_ERROR,
    Problem,
    parse_ruff_json,
    repo_path,
    to_codequality,
    to_sarif,
    write_reports,
)
from pipelinekit.stages.lint_pylint import PylintRun, run_pylint, wanted
from pipelinekit.stages.lint_ruff import (
    FORMATTERS,
    load_json_list,
    ruff,
    ruff_stopped,
    ruff_too_old,
)

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
            ruff, ctx, ["check", *settings, "--output-format", "json", "--no-fix"], paths
        )
        critical = pool.submit(critical_problems, ctx, paths)
        tool = formatter(ctx)
        formatted = pool.submit(FORMATTERS[tool], ctx, paths) if tool else None
        pylint = pool.submit(run_pylint, ctx, paths) if wanted(ctx.config, ctx.facts) else None
        check = checked.result()
        if "unexpected argument '--output-format'" in check.stderr:
            raise ruff_too_old(ctx)
        if check.returncode not in (0, 1):
            raise ruff_stopped(ctx, "check", check)
        problems = parse_ruff_json(
            load_json_list(ctx, "check", check), ctx.project_dir, ctx.facts.root
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
    found = ruff(ctx, [*argv, "--no-fix"], paths, own=own)
    if found.returncode not in (0, 1):
        return None
    return parse_ruff_json(load_json_list(ctx, "check", found), ctx.project_dir, ctx.facts.root)


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


def formatter(ctx: StageContext) -> str | None:
    """The formatter to check with: the repository's own, or ruff when the config asks for a
    check it does not have; none when it uses none (style debt is not failure)."""
    setting = ctx.config.lint.format_check
    if setting is False:
        return None
    return ctx.facts.formatter or ("ruff" if setting else None)


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
