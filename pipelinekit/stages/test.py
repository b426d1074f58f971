"""The test stage: run the project's tests with a JUnit XML report for Jenkins and GitLab.

pytest runs as `<project python> -m pytest` in the project folder, so the repository's own
pytest configuration (rootdir, ini file, addopts, plugins) applies unchanged: pipelinekit adds
only the report path, `-q`, and `[tool.pipelinekit.test] args`.

JUnit flavour: pytest's default family, `xunit2` since pytest 6.1, is left alone rather than
forced with `-o junit_family=...`. Jenkins' junit step and GitLab's `artifacts:reports:junit`
both read xunit2 (and the older xunit1), and forcing it would override a repository that set
`junit_family` on purpose. The summary parser below reads either.

No tests collected (pytest exit 5): *failed* when test folders were detected or configured,
because a suite that silently stops being collected (a renamed folder, a broken conftest,
a too-narrow `-k`) must not turn CI green; *skipped* when the project has no test folders
and pytest was only asked to use its own configuration.

unittest-only projects run through `unittest_junit.py` (standard library only), executed
from its file so that the project's interpreter does not need pipelinekit installed.
"""

from __future__ import annotations

import shlex
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipelinekit.errors import ConfigError, ExternalError
from pipelinekit.plan import reports
from pipelinekit.stages import unittest_junit
from pipelinekit.stages.base import (
    StageContext,
    StageResult,
    ToolRun,
    in_project_env,
    require_configured_paths,
    run_tool,
)

NAME = "test"

_RUN_UNITTEST = (
    "import runpy, sys; sys.argv[0] = 'unittest_junit'; "
    f"runpy.run_path({unittest_junit.__file__!r}, run_name='__main__')"
)
"""Run unittest_junit.py by path with `-c`: sys.path[0] stays the project folder (as with
`python -m unittest`), and the file's own folder, whose test.py would shadow the standard
library's `test` package, is never put on sys.path."""

MAX_DETAILS = 20
"""Failing tests listed in the stage details; the JUnit report has all of them."""

PYTEST_NO_TESTS = 5
PYTEST_USAGE_ERROR = 4


@dataclass(frozen=True)
class JUnitSummary:
    """Counts and failures read back from a JUnit XML report (xunit1 or xunit2)."""

    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    seconds: float = 0.0
    problems: tuple[str, ...] = field(default=())
    """`test id: first line of the message` for every failed or erroring test."""

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.errors + self.skipped

    def describe(self, runner: str) -> str:
        """E.g. "pytest: 42 passed, 1 failed, 2 skipped in 3.1 s"."""
        parts = [f"{self.passed} passed"]
        parts += [f"{self.failed} failed"] if self.failed else []
        parts += [f"{self.errors} error{'s' if self.errors != 1 else ''}"] if self.errors else []
        parts += [f"{self.skipped} skipped"] if self.skipped else []
        return f"{runner}: {', '.join(parts)} in {self.seconds:.1f} s"


def parse_junit(path: Path) -> JUnitSummary:
    """Count outcomes per <testcase>; the suite-level counters differ between producers.

    A testcase with <failure> is failed, with <error> an error (pytest records errors in
    fixtures and collection this way), with <skipped> skipped, otherwise passed.
    """
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as exc:
        raise ExternalError(
            f"The test report {path} cannot be read ({exc}); the test run was probably "
            "interrupted. Run the tests by hand to see why."
        ) from exc
    suites = [root] if root.tag == "testsuite" else root.findall(".//testsuite")
    counts = {"passed": 0, "failed": 0, "errors": 0, "skipped": 0}
    problems: list[str] = []
    seconds = 0.0
    for suite in suites:
        seconds += _float(suite.get("time"))
        for case in suite.findall("testcase"):
            failure, error = case.find("failure"), case.find("error")
            if failure is not None:
                counts["failed"] += 1
                problems.append(f"{_case_id(case)}: {_first_line(failure)}")
            elif error is not None:
                counts["errors"] += 1
                problems.append(f"{_case_id(case)}: {_first_line(error)}")
            elif case.find("skipped") is not None:
                counts["skipped"] += 1
            else:
                counts["passed"] += 1
    if not seconds:
        seconds = sum(_float(c.get("time")) for c in root.iter("testcase"))
    return JUnitSummary(seconds=seconds, problems=tuple(problems), **counts)


def _float(text: str | None) -> float:
    try:
        return float(text) if text else 0.0
    except ValueError:
        return 0.0


def _case_id(case: ET.Element) -> str:
    classname, name = case.get("classname", ""), case.get("name", "")
    return f"{classname}::{name}" if classname else name


def _first_line(element: ET.Element) -> str:
    """What went wrong, in one line: the message, or for pytest's collection errors (whose
    message is just "collection failure") the last `E   ...` line of the traceback."""
    message = _first_nonempty(element.get("message"))
    if message and message != "collection failure":
        return message[:200]
    text = element.text or ""
    causes = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    found = causes[-1] if causes else _first_nonempty(text)
    return (found or message or element.tag)[:200]


def _first_nonempty(text: str | None) -> str:
    return next((line.strip() for line in (text or "").splitlines() if line.strip()), "")


@dataclass(frozen=True)
class TestRun:
    """What the test stage runs, so the coverage stage can run exactly the same under
    coverage.py (one test run in CI, not two)."""

    __test__ = False  # not a pytest test class

    framework: str
    dirs: tuple[str, ...]
    junit: Path
    runner_args: tuple[str, ...]
    """The interpreter's arguments: `-m pytest ...`, or `-c <unittest_junit launcher> ...`."""


def run(ctx: StageContext) -> StageResult:
    planned = plan_run(ctx, NAME)
    if isinstance(planned, StageResult):
        return planned
    ctx = in_project_env(ctx)
    return execute(ctx, planned, [ctx.python, *planned.runner_args], NAME)


def plan_run(ctx: StageContext, stage: str) -> TestRun | StageResult:
    """The test command for this project, or the `skipped` result when there is nothing to
    run. Removes a previous run's JUnit report so it is never summarised again."""
    cfg = ctx.config.test
    if not cfg.enabled:
        return StageResult(stage, "skipped", "test: skipped (disabled: [tool.pipelinekit.test])")
    dirs = resolve_test_dirs(ctx)
    framework = cfg.framework or ctx.facts.tests.framework
    if framework is None:
        if not dirs:
            return StageResult(
                stage,
                "skipped",
                "no tests found (no test folder and no test framework detected)",
            )
        # Folders but no recognisable framework: pytest also runs unittest-style tests.
        framework = "pytest"

    junit = ctx.reports_dir / reports.JUNIT
    junit.parent.mkdir(parents=True, exist_ok=True)
    junit.unlink(missing_ok=True)  # never summarise a previous run's report
    if framework == "pytest":
        own = ctx.facts.tests.args if not cfg.args else ()
        args = ["-m", "pytest", f"--junitxml={junit}", "-q", *own, *cfg.args, *dirs]
    else:
        args = ["-c", _RUN_UNITTEST, "--junitxml", str(junit), *cfg.args, *dirs]
    return TestRun(framework, tuple(dirs), junit, tuple(args))


def execute(ctx: StageContext, planned: TestRun, argv: Sequence[str], stage: str) -> StageResult:
    """Run `argv` (the planned command, possibly wrapped) and read the outcome back."""
    cfg = ctx.config.test
    framework = planned.framework
    try:
        result = run_tool(argv, ctx, timeout=cfg.timeout_minutes * 60.0, stream_as=stage)
    except ExternalError as exc:
        if not isinstance(exc.__cause__, subprocess.TimeoutExpired):
            raise
        # A hanging test is a failed test run, not an unreachable system.
        return StageResult(
            stage,
            "failed",
            f"{framework}: timed out after {cfg.timeout_minutes} min",
            details="Look for a hanging test, or raise [tool.pipelinekit.test] "
            "timeout_minutes if the suite really needs longer.",
        )
    return _interpret(ctx, framework, list(planned.dirs), planned.junit, result, stage)


def resolve_test_dirs(ctx: StageContext) -> list[str]:
    """Configured test folders (which must exist) or the detected ones that exist."""
    configured = ctx.config.test.paths
    if configured is not None:
        require_configured_paths(ctx, "test", configured)
        return list(dict.fromkeys(configured))
    return [d for d in dict.fromkeys(ctx.facts.tests.dirs) if (ctx.project_dir / d).exists()]


def _interpret(
    ctx: StageContext,
    runner: str,
    dirs: Sequence[str],
    junit: Path,
    result: ToolRun,
    stage: str = NAME,
) -> StageResult:
    output = result.stderr + result.stdout
    if result.returncode != 0 and f"No module named {runner}" in output:
        raise ExternalError(
            f"{runner} is not installed for {ctx.python}. Install it in the project's "
            f"environment (`pip install {runner}`) and run the stage again."
        )
    if result.returncode == PYTEST_USAGE_ERROR or (runner == "unittest" and result.returncode == 2):
        raise ConfigError(
            f"{runner} refused its arguments or configuration (exit {result.returncode}): "
            f"{_error_lines(output)} Check the repository's {runner} configuration and "
            f"[tool.pipelinekit.test] args ({' '.join(ctx.config.test.args) or 'none'})."
        )
    reports_ = (junit,) if junit.is_file() else ()
    where = ", ".join(dirs) if dirs else "the configured test paths"
    if result.returncode == PYTEST_NO_TESTS and (not reports_ or _is_empty(junit)):
        if dirs:
            return StageResult(
                stage,
                "failed",
                f"{runner}: no tests collected in {where}",
                reports=reports_,
                details="The test folders exist but no test was found: check test file and "
                "function naming (test_*.py, test_*), the runner's configuration, and any "
                "-k/-m/-p filters in [tool.pipelinekit.test] args.",
            )
        return StageResult(stage, "skipped", f"{runner}: no tests found", reports=reports_)
    if not reports_:
        return StageResult(
            stage,
            "failed",
            f"{runner}: exited with code {result.returncode} without writing a test report",
            details=_tail(output, 20) + _full_log(ctx, result),
        )
    summary = parse_junit(junit)
    failed = result.returncode != 0 or summary.failed > 0 or summary.errors > 0
    details = list(summary.problems[:MAX_DETAILS])
    if len(summary.problems) > MAX_DETAILS:
        details.append(f"... and {len(summary.problems) - MAX_DETAILS} more (see {junit.name})")
    if failed and not summary.problems:
        details.append(_tail(output, 20) + _full_log(ctx, result))
    return StageResult(
        stage,
        "failed" if failed else "passed",
        summary.describe(runner) + _as_the_repository_runs_it(ctx, runner),
        reports=reports_,
        details="\n".join(details),
    )


def _as_the_repository_runs_it(ctx: StageContext, runner: str) -> str:
    """` (-m 'not slow', as tox.ini [testenv] commands runs it)`: what the summary ran."""
    tests = ctx.facts.tests
    if runner != "pytest" or not tests.command_from or ctx.config.test.args or not tests.args:
        return ""
    return f" ({shlex.join(tests.args)}, as {tests.command_from} runs it)"


def _full_log(ctx: StageContext, result: ToolRun) -> str:
    if result.log is None:
        return ""
    return f"\n(full output: {result.log.relative_to(ctx.project_dir)})"


def _is_empty(junit: Path) -> bool:
    return parse_junit(junit).total == 0


def _error_lines(text: str) -> str:
    """The lines of a usage error that say what is wrong, on one line (not the usage)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower() and "usage:" not in line]
    return " ".join(errors[-3:] or lines[-5:]).rstrip(".") + "."


def _tail(text: str, n: int) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines() if line.strip()]
    return "\n".join(lines[-n:]) if lines else "(no output)"
