"""Adoption end to end: `pipelinekit init` on the golden repositories of tests/adoptrepos, then
the generated lint and test jobs run by gitlab-ci-local as a runner runs them (pipelinekit
installed from this checkout's wheel, the project's environment built by uv, the repository's
pinned black fetched by uv).

The verdicts are the repositories' own: years of style debt under its own ruff configuration
is green and reported, one new finding or a coverage drop is red naming only that; an undefined
name is red even with no lint configuration; a flake8 + black + isort repository is green
exactly where its own flake8 and black (real runs, at its pre-commit pins) are.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from pipelinekit.env.engine import find_uv
from tests.support.generated import generated_repo
from tests.support.git import commit_all
from tests.support.gitlab import artifacts_dir, job_log, run_gitlab_ci_local
from tests.support.pythons import pyenv_python

pytestmark = pytest.mark.slow

ADOPTREPOS = Path(__file__).resolve().parents[1] / "adoptrepos"


def run_jobs(repo: Path, caches: Path) -> tuple[str, str]:
    """The lint and test jobs' logs."""
    tool_python = Path(pyenv_python("3.11")).parent
    variables = {
        "PATH": os.pathsep.join([str(tool_python), "/usr/bin", "/bin"]),
        "PIP_CACHE_DIR": str(caches / "pip"),
        "UV_CACHE_DIR": str(caches / "uv"),
        "UV_PYTHON_DOWNLOADS": "never",
    }
    run = run_gitlab_ci_local(repo, variables=variables, jobs=["lint", "test"], timeout=900)
    lint, test = job_log(repo, "lint"), job_log(repo, "test")
    assert lint and test, run.output
    return lint, test


def verdict(log: str, stage: str) -> list[str]:
    """The stage's result line and the lines after it, up to its reports."""
    lines = log.splitlines()
    start = next(i for i, line in enumerate(lines) if f"] {stage}: " in line)
    end = next(
        (i for i in range(start, len(lines)) if lines[i].lstrip().startswith("report:")),
        len(lines),
    )
    return [line.strip() for line in lines[start:end]]


def test_years_of_debt_are_green_and_only_new_debt_is_red(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, pipelinekit_wheel: Path
) -> None:
    caches = tmp_path_factory.getbasetemp() / "ci-caches"
    repo, told = generated_repo(
        ADOPTREPOS / "ruff_debt", tmp_path, pipelinekit_wheel, init_args=["--coverage"]
    )
    assert (
        "pipelinekit-baseline.json: recorded, 8 lint findings (F401 x2, B006 x1, E401 x1, "
        "E501 x1, E701 x1); coverage floor 96.29%"
    ) in told
    lint, test = run_jobs(repo, caches)
    assert verdict(lint, "lint") == [
        "[passed] lint: ruff: no problems in ledger, tests; formatting ok; 8 known as baseline "
        "debt (F401 x2, B006 x1, E401 x1, E501 x1, E701 x1)",
        "debt by file: ledger/__init__.py 6, ledger/report.py 2",
    ]
    assert (
        "[passed] coverage: coverage: 96.2% of lines and branches (baseline floor 95.79%)" in test
    )

    # One new finding, the old code moved around, and a test file deleted.
    module = repo / "ledger" / "__init__.py"
    head, balance, tagged, export = module.read_text().split("\n\n\n")
    new = "def audit(entries):\n    unused = len(entries)\n    return True\n"
    module.write_text("\n\n\n".join([head, tagged, export.rstrip("\n"), balance, new]))
    (repo / "tests" / "test_report.py").unlink()
    commit_all(repo, "audit; tests moved elsewhere")
    lint, test = run_jobs(repo, caches)
    assert verdict(lint, "lint") == [
        "[failed] lint: ruff: 1 problem in 1 file; formatting ok; 8 known as baseline debt "
        "(F401 x2, B006 x1, E401 x1, E501 x1, E701 x1)",
        "ledger/__init__.py:26:5 F841 Local variable `unused` is assigned to but never used",
        "debt by file: ledger/__init__.py 6, ledger/report.py 2",
    ]
    sarif = json.loads(
        (artifacts_dir(repo, "lint") / ".pipelinekit/reports/ruff.sarif").read_text()
    )
    states = {(r["ruleId"], r["baselineState"]) for r in sarif["runs"][0]["results"]}
    assert ("F841", "new") in states and ("E401", "unchanged") in states
    assert "[failed] coverage: coverage:" in test
    assert "is below the baseline floor 95.79%" in test


def test_an_undefined_name_is_red_with_no_lint_configuration(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, pipelinekit_wheel: Path
) -> None:
    repo, told = generated_repo(ADOPTREPOS / "no_config_undefined", tmp_path, pipelinekit_wheel)
    assert "recorded, 2 lint findings (F401 x1, F841 x1); 1 never debt" in told
    lint, test = run_jobs(repo, tmp_path_factory.getbasetemp() / "ci-caches")
    assert verdict(lint, "lint") == [
        "[failed] lint: ruff: 1 problem in 1 file; 2 known as baseline debt (F401 x1, F841 x1)",
        "scorer/__init__.py:19:17 F821 Undefined name `totl`",
        "debt by file: scorer/__init__.py 2",
    ]
    assert "[passed] coverage: coverage: 73.3% of lines and branches (not gated" in test


def test_a_flake8_black_repository_is_judged_as_its_own_tools_judge_it(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, pipelinekit_wheel: Path
) -> None:
    source = ADOPTREPOS / "flake8_black"
    uv = find_uv(dict(os.environ))
    assert uv is not None
    for tool, argv in (
        ("flake8==7.1.1", ["flake8", "."]),
        ("black==24.10.0", ["black", "--check", "."]),
    ):
        own = subprocess.run(
            [uv, "tool", "run", "-q", "--from", tool, *argv],
            cwd=source,
            capture_output=True,
            text=True,
        )
        assert own.returncode == 0, own.stdout + own.stderr
    repo, told = generated_repo(source, tmp_path, pipelinekit_wheel)
    assert (
        "with its setup.cfg [flake8]; isort settings as ruff settings; format checked by black 24.10.0"
        in told
    )
    assert "recorded, 0 lint findings" in told
    lint, test = run_jobs(repo, tmp_path_factory.getbasetemp() / "ci-caches")
    assert verdict(lint, "lint") == [
        "[passed] lint: ruff: no problems in features, tests; formatting ok (black)"
    ]
    assert "[passed] coverage: coverage: 100.0%" in test
