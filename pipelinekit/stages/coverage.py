"""The coverage stage: the test stage's exact test run, under coverage.py with branch coverage.

CI runs this instead of the test stage when coverage is enabled, so the tests run once and
the job still publishes the same JUnit report, plus Cobertura XML for GitLab's
`coverage_report` and Jenkins' `recordCoverage`.

The repository's own coverage.py configuration (.coveragerc, setup.cfg, tox.ini or
[tool.coverage] in pyproject.toml) applies unchanged: pipelinekit adds `--branch`, its own data
file and, only when the repository names nothing to measure, `--source` with the detected
packages. The pass/fail decision is ours (`--fail-under=0` on the report, then our threshold)
so one number is printed and compared: the summary line that COVERAGE_REGEX matches.
"""

from __future__ import annotations

import configparser
import math
import re
import shlex
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelinekit.baseline import store
from pipelinekit.errors import ExternalError
from pipelinekit.plan import reports
from pipelinekit.stages import test as test_stage
from pipelinekit.stages.base import StageContext, StageResult, in_project_env, run_tool

NAME = "coverage"
COVERAGE_REGEX = r"coverage: \d+(?:\.\d+)?% of lines and branches"
"""For GitLab's `coverage:` keyword (RE2, wrapped in /.../ by the renderer). GitLab reads the
first number of the last matching line, which is the total percentage."""
DATA_DIR = Path(".pipelinekit") / "coverage"
MAX_FILES = 5
"""Least-covered files listed when the total is below the threshold."""


@dataclass(frozen=True)
class Totals:
    lines: int
    lines_covered: int
    branches: int
    branches_covered: int

    @property
    def percent(self) -> float:
        measured = self.lines + self.branches
        covered = self.lines_covered + self.branches_covered
        return 100.0 * covered / measured if measured else 100.0

    @property
    def display(self) -> str:
        """Rounded down, so a failing total never prints as the threshold itself."""
        return _floor1(self.percent)


@dataclass(frozen=True)
class Gate:
    """The figure below which the stage fails, and what set it."""

    floor: float | None
    """None: coverage is reported, not gated."""
    source: str

    def describe(self) -> str:
        if self.floor is None:
            return "not gated: no threshold and no baseline"
        if self.source.startswith("baseline"):
            return f"baseline floor {self.floor:.2f}%"
        return f"threshold {self.floor:g}%"


def summary_line(totals: Totals, gate: Gate) -> str:
    return f"coverage: {totals.display}% of lines and branches ({gate.describe()})"


def run(ctx: StageContext) -> StageResult:
    if not ctx.config.coverage.enabled:
        return StageResult(
            NAME, "skipped", "coverage: skipped (disabled: [tool.pipelinekit.coverage])"
        )
    planned = test_stage.plan_run(ctx, NAME)
    if isinstance(planned, StageResult):
        return planned
    ctx = in_project_env(ctx)
    _check_coverage_installed(ctx)
    repo_config = read_repo_config(ctx.project_dir, ctx.env)
    data_dir = ctx.project_dir / DATA_DIR
    data_dir.mkdir(parents=True, exist_ok=True)
    data = data_dir / ".coverage"
    for stale in data_dir.glob(".coverage*"):
        stale.unlink()
    cobertura = ctx.reports_dir / reports.COBERTURA
    cobertura.unlink(missing_ok=True)

    argv = [ctx.python, "-m", "coverage", "run", "--branch", f"--data-file={data}"]
    if not _names_what_to_measure(repo_config):
        argv.append(f"--source={','.join(default_source(ctx))}")
    addopts = pytest_addopts(ctx.project_dir, ctx.env)
    runner = _runner_args(planned, data_dir, addopts)
    tested = test_stage.execute(ctx, planned, [*argv, *runner], NAME)
    if tested.status != "passed":
        return tested

    totals = _report(ctx, data, cobertura)
    gate = coverage_gate(ctx, repo_config, addopts)
    passed = gate.floor is None or totals.percent >= gate.floor
    details = [tested.summary]
    if "--no-cov" in runner:
        details.append("measured by coverage.py; the repository's pytest-cov was held off")
    if not passed:
        details.append(
            f"Total coverage {totals.percent:.2f}% is below the {gate.source} "
            f"(lines {totals.lines_covered}/{totals.lines}, branches "
            f"{totals.branches_covered}/{totals.branches}). Least covered files:"
        )
        details += least_covered(cobertura)
    return StageResult(
        NAME,
        "passed" if passed else "failed",
        summary_line(totals, gate),
        reports=(*tested.reports, cobertura),
        details="\n".join(details),
    )


def _check_coverage_installed(ctx: StageContext) -> None:
    probe = run_tool([ctx.python, "-m", "coverage", "--version"], ctx, timeout=60)
    if probe.returncode != 0:
        raise ExternalError(
            f"coverage.py is not installed for {ctx.python}. Install it in the project's "
            "environment (`pip install coverage`, or `pip install pipelinekit[test]`) and run "
            "the stage again."
        )


def pytest_addopts(project_dir: Path, env: Mapping[str, str]) -> list[str]:
    """The repository's own pytest `addopts` (from the file pytest itself would read: pytest.ini,
    pyproject.toml, tox.ini, setup.cfg) plus PYTEST_ADDOPTS."""
    found: list[str] = []
    for name, section in (("pytest.ini", "pytest"), ("pyproject.toml", ""), ("tox.ini", "pytest"),
                          ("setup.cfg", "tool:pytest")):  # fmt: skip
        path = project_dir / name
        if not path.is_file():
            continue
        if name == "pyproject.toml":
            table = _read_pyproject(path).get("tool", {}).get("pytest", {}).get("ini_options")
            if not isinstance(table, dict):
                continue
            value = table.get("addopts", "")
        else:
            parser = configparser.ConfigParser(interpolation=None)
            try:
                parser.read(path, encoding="utf-8")
            except (configparser.Error, UnicodeDecodeError):
                continue
            if not parser.has_section(section):
                continue
            value = parser.get(section, "addopts", fallback="")
        found = list(value) if isinstance(value, list) else _split(str(value))
        break
    return [*found, *_split(env.get("PYTEST_ADDOPTS", ""))]


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def _read_pyproject(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


def _runner_args(
    planned: test_stage.TestRun, data_dir: Path, addopts: Sequence[str] = ()
) -> list[str]:
    """The test command after `coverage run`. coverage.py cannot run `-c` code, so the
    unittest launcher goes into a file that restores `python -c`'s sys.path[0] (the cwd).

    A repository's own `--cov` (pytest-cov) would start a second tracer that replaces ours,
    and its `-n 4` (pytest-xdist) would run the tests in processes ours never sees: `--no-cov`
    and `-n 0`, after its addopts, keep the measurement whole (the test stage keeps both);
    only where it asks for them, so the plugins are there to take the options."""
    if planned.runner_args[0] != "-c":
        args = list(planned.runner_args)
        asked = [*addopts, *args]
        extra = ["--no-cov"] if any(a == "--cov" or a.startswith("--cov=") for a in asked) else []
        if any(re.fullmatch(r"-n\S*|--numprocesses(=.*)?|--dist(=.*)?", a) for a in asked):
            extra += ["-n", "0"]
        return [*args[:2], *extra, *args[2:]]
    launcher = data_dir / "run_unittest.py"
    launcher.write_text(
        f"import os, sys\nsys.path[0] = os.getcwd()\n{planned.runner_args[1]}\n",
        encoding="utf-8",
    )
    return [str(launcher), *planned.runner_args[2:]]


def default_source(ctx: StageContext) -> list[str]:
    """What to measure when the repository does not say: its import packages and modules by
    name (never the tests, never a virtualenv inside a flat layout), else its source folders."""
    names = [*ctx.facts.packages, *ctx.facts.modules]
    return list(dict.fromkeys(names or ctx.facts.source_dirs or (".",)))


def read_repo_config(project_dir: Path, env: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """coverage.py's `run` and `report` settings, from the file coverage.py itself would read:
    COVERAGE_RCFILE or .coveragerc, else the first of setup.cfg, tox.ini, pyproject.toml that
    has coverage settings."""
    tries = [(project_dir / env.get("COVERAGE_RCFILE", ".coveragerc"), True)]
    tries += [(project_dir / name, False) for name in ("setup.cfg", "tox.ini", "pyproject.toml")]
    for path, ours in tries:
        if not path.is_file():
            continue
        if path.suffix == ".toml":
            found = _read_toml(path)
        else:
            found = _read_ini(path, "" if ours else "coverage:")
        if found or ours:
            return found
    return {}


def _read_ini(path: Path, prefix: str) -> dict[str, dict[str, Any]]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return {}
    return {
        section: dict(parser.items(prefix + section))
        for section in ("run", "report")
        if parser.has_section(prefix + section)
    }


def _read_toml(path: Path) -> dict[str, dict[str, Any]]:
    tool = _read_pyproject(path).get("tool", {}).get("coverage", {})
    return {k: v for k, v in tool.items() if k in ("run", "report") and isinstance(v, dict)}


def _names_what_to_measure(repo_config: Mapping[str, Mapping[str, Any]]) -> bool:
    run_section = repo_config.get("run", {})
    return any(run_section.get(key) for key in ("source", "source_pkgs", "include"))


def coverage_gate(
    ctx: StageContext, repo_config: Mapping[str, Mapping[str, Any]], addopts: Sequence[str]
) -> Gate:
    """What the figure must reach, first set wins: `[tool.pipelinekit.coverage] threshold`,
    the repository's own `fail_under` or `--cov-fail-under`, the baseline's recorded figure
    less the tolerance (the ratchet); with none of them coverage is reported, not gated (an
    80% nobody chose is not a failure)."""
    cfg = ctx.config.coverage
    if cfg.threshold is not None:
        return Gate(cfg.threshold, f"threshold {cfg.threshold:g}%")
    fail_under = _number(repo_config.get("report", {}).get("fail_under"))
    if fail_under is not None:
        return Gate(fail_under, f"threshold {fail_under:g}% (the repository's fail_under)")
    for index, arg in enumerate(addopts):
        given = arg.partition("=")[2] if arg.startswith("--cov-fail-under=") else None
        if arg == "--cov-fail-under" and index + 1 < len(addopts):
            given = addopts[index + 1]
        cov_fail_under = _number(given)
        if cov_fail_under is not None:
            return Gate(
                cov_fail_under,
                f"threshold {cov_fail_under:g}% (the repository's --cov-fail-under)",
            )
    recorded = store.load(ctx.project_dir)
    if recorded is not None and recorded.coverage is not None:
        floor = max(recorded.coverage - cfg.tolerance, 0.0)
        return Gate(
            floor,
            f"baseline floor {floor:.2f}% (recorded {recorded.coverage:.2f}% less the "
            f"{cfg.tolerance:g}-point tolerance)",
        )
    return Gate(None, "")


def _number(value: object) -> float | None:
    try:
        return float(value) if value is not None else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _report(ctx: StageContext, data: Path, cobertura: Path) -> Totals:
    """Combine parallel data files if the repository's config made some, write Cobertura."""
    coverage = [ctx.python, "-m", "coverage"]
    if any(data.parent.glob(".coverage.*")):
        run_tool([*coverage, "combine", "-q", f"--data-file={data}"], ctx, timeout=600)
    xml = run_tool(
        [*coverage, "xml", "-q", f"--data-file={data}", "-o", str(cobertura), "--fail-under=0"],
        ctx,
        timeout=600,
    )
    if xml.returncode != 0 or not cobertura.is_file():
        message = " ".join((xml.stdout + xml.stderr).split()) or f"exit {xml.returncode}"
        raise ExternalError(
            f"coverage.py could not write the Cobertura report ({message}). When it says no "
            "data was collected, the tests did not import the measured code: check "
            "[tool.coverage.run] source (or the detected packages: "
            f"{', '.join(default_source(ctx))})."
        )
    return parse_cobertura(cobertura)


def parse_cobertura(path: Path) -> Totals:
    root = ET.parse(path).getroot()

    def count(name: str) -> int:
        return int(float(root.get(name) or 0))

    return Totals(
        lines=count("lines-valid"),
        lines_covered=count("lines-covered"),
        branches=count("branches-valid"),
        branches_covered=count("branches-covered"),
    )


def least_covered(cobertura: Path, limit: int = MAX_FILES) -> list[str]:
    """`  path: 62.5% (12 of 32 lines and branches missed)` for the files missing most."""
    missed: dict[str, tuple[int, int]] = {}
    for cls in ET.parse(cobertura).getroot().iter("class"):
        lines = cls.findall("lines/line")
        total = len(lines)
        miss = sum(1 for line in lines if line.get("hits") == "0")
        for line in lines:
            cond = line.get("condition-coverage", "")  # e.g. "50% (1/2)"
            if "(" in cond:
                hit, _, of = cond.partition("(")[2].rstrip(")").partition("/")
                total += int(of)
                miss += int(of) - int(hit)
        name = cls.get("filename", "?")
        old = missed.get(name, (0, 0))
        missed[name] = (old[0] + miss, old[1] + total)
    worst = sorted(missed.items(), key=lambda item: (-item[1][0], item[0]))[:limit]
    return [
        f"  {name}: {_floor1(100.0 * (total - miss) / total)}% ({miss} of {total} lines and "
        "branches missed)"
        for name, (miss, total) in worst
        if miss and total
    ]


def _floor1(percent: float) -> str:
    return f"{math.floor(percent * 10) / 10:.1f}"
