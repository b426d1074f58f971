"""Adopting a repository as it is, with real ruff runs: the debt it carries is recorded by
`init`, the first lint job is green on it and red on code that cannot run, moved code stays
debt, a new finding fails naming only itself, and the baseline only goes down."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipelinekit.baseline import store
from pipelinekit.baseline.update import update
from pipelinekit.errors import CheckFailed, ConfigError
from pipelinekit.project import load_project
from pipelinekit.stages import lint
from pipelinekit.stages.base import StageContext
from tests.repo_factory import write_files

# Years of style debt under the repository's own rules (E, F, W), and code that runs.
OLD = """\
import os, sys


def area(w, h):
    l = [w ,h]
    return w*h


def perimeter(w, h):
  return 2 * (w + h)
"""
CONFIG = """\
[project]
name = "shapes"
version = "1.0"

[tool.ruff.lint]
select = ["E", "F", "W"]
ignore = ["F821"]  # someone silenced undefined names once
"""


def repo(root: Path) -> Path:
    return write_files(
        root,
        {
            "pyproject.toml": CONFIG,
            "shapes/__init__.py": OLD,
            "tests/test_shapes.py": "from shapes import area\n\n\ndef test_area():\n    assert area(2, 3) == 6\n",
        },
    )


def lint_stage(root: Path) -> tuple[str, str, dict[str, object]]:
    project = load_project(root)
    result = lint.run(StageContext(project.project_dir, project.facts, project.config))
    sarif = json.loads((root / ".pipelinekit" / "reports" / "ruff.sarif").read_text())
    return result.status, result.summary + "\n" + result.details, sarif


def init(root: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "pipelinekit", "init", str(root), "--ci", "gitlab"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_debt_is_recorded_and_the_first_job_is_green(tmp_path: Path) -> None:
    root = repo(tmp_path / "shapes")
    out = init(root)
    assert "pipelinekit-baseline.json: recorded, 5 lint findings" in out
    assert (
        "  adopted   lint: ruff (pipelinekit's, pinned with it) with its ruff configuration" in out
    )
    assert "  adopted   test: pytest in the project's own environment (Python 3.11" in out
    status, text, sarif = lint_stage(root)
    assert status == "passed", text
    assert "5 known as baseline debt (F401 x2, E401 x1, E741 x1, F841 x1)" in text
    states = {r["baselineState"] for r in sarif["runs"][0]["results"]}  # type: ignore[index]
    assert states == {"unchanged"}


def test_moved_code_stays_debt(tmp_path: Path) -> None:
    root = repo(tmp_path / "shapes")
    init(root)
    module = root / "shapes" / "__init__.py"
    imports, area, perimeter = OLD.split("\n\n\n")
    # a new function and the old ones swapped: every old finding is on another line now
    moved = [imports, "def square(a):\n    return a * a", perimeter, area]
    module.write_text("\n\n\n".join(moved).rstrip("\n") + "\n")
    status, text, _ = lint_stage(root)
    assert status == "passed", text
    assert "5 known as baseline debt" in text


def test_a_new_finding_fails_naming_only_itself(tmp_path: Path) -> None:
    root = repo(tmp_path / "shapes")
    init(root)
    with (root / "shapes" / "__init__.py").open("a") as fh:
        fh.write("\n\ndef volume(w, h, d):\n    unused = 1\n    return w * h * d\n")
    status, text, sarif = lint_stage(root)
    assert status == "failed"
    summary, *details = text.splitlines()
    assert summary.startswith("ruff: 1 problem in 1 file")
    assert details == [
        "shapes/__init__.py:14:5 F841 Local variable `unused` is assigned to but never used",
        "debt by file: shapes/__init__.py 5",
    ]
    new = [r for r in sarif["runs"][0]["results"] if r["baselineState"] == "new"]  # type: ignore[index]
    assert [r["ruleId"] for r in new] == ["F841"]


def test_code_that_cannot_run_fails_whatever_the_config_and_baseline(tmp_path: Path) -> None:
    root = repo(tmp_path / "shapes")
    module = root / "shapes" / "__init__.py"
    module.write_text(OLD + "\n\ndef broken():\n    return undefined_thing\n")
    out = init(root)
    assert "1 never debt (code that cannot run)" in out
    status, text, _ = lint_stage(root)
    assert status == "failed" and "F821 Undefined name `undefined_thing`" in text


def test_the_baseline_only_goes_down(tmp_path: Path) -> None:
    root = repo(tmp_path / "shapes")
    init(root)
    module = root / "shapes" / "__init__.py"
    module.write_text(OLD.replace("    l = [w ,h]\n", ""))  # E741 and F841 fixed
    project = load_project(root)
    done = update(project)
    assert (done.recorded, done.fixed, done.added) == (3, 2, 0)
    module.write_text(module.read_text() + "\n\ndef bad():\n    x = 1\n")
    with pytest.raises(
        CheckFailed, match=r"1 lint finding is new since the baseline \(shapes/__init__.py F841\)"
    ):
        update(project)
    accepted = update(project, accept_reason="spike code, removed in #42")
    assert accepted.added == 1
    entries = store.load(root)
    assert entries is not None
    reasons = {e.rule: e.reason for e in entries.lint.values()}
    assert reasons["F841"] == "spike code, removed in #42"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from pipelinekit.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_baseline_update_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repo(tmp_path / "shapes")
    code, _, err = cli(capsys, "baseline", "update", str(root), "--accept-new")
    assert code == 2 and "--accept-new needs --reason" in err
    code, out, _ = cli(capsys, "baseline", "update", str(root))
    assert code == 0 and out.splitlines()[0] == (
        "pipelinekit-baseline.json: recorded, 5 lint findings (F401 x2, E401 x1, E741 x1, F841 x1)"
    )
    (root / "shapes" / "__init__.py").write_text(OLD.replace("    l = [w ,h]\n", ""))
    code, out, _ = cli(capsys, "baseline", "update", str(root), "--format", "json")
    data = json.loads(out)
    assert code == 0 and (data["recorded"], data["fixed"], data["created"]) == (3, 2, False)
    with (root / "shapes" / "__init__.py").open("a") as fh:
        fh.write("\n\ndef bad():\n    x = 1\n")
    code, _, err = cli(capsys, "baseline", "update", str(root))
    assert code == 1 and "1 lint finding is new since the baseline" in err
    code, out, _ = cli(
        capsys, "baseline", "update", str(root), "--accept-new", "--reason", "spike, see #42"
    )
    assert code == 0 and "; 1 accepted" in out


CALC = {
    "pyproject.toml": (
        '[project]\nname = "calc"\nversion = "1.0"\n'
        '[project.optional-dependencies]\ntest = ["pytest"]\n'
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
        '[tool.setuptools]\npackages = ["calc"]\n'
    ),
    "calc/__init__.py": "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n",
    "tests/test_add.py": "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n",
    "tests/test_sub.py": "from calc import sub\n\n\ndef test_sub():\n    assert sub(3, 2) == 1\n",
}


def test_the_coverage_floor_only_goes_up(tmp_path: Path) -> None:
    """A repo with no threshold: the recorded figure is its floor; deleting a test turns the
    job red by the ratchet; `baseline update --coverage` refuses the lower figure unless told
    why."""
    from pipelinekit.stages import coverage

    root = write_files(tmp_path / "calc", CALC)
    recorded = update(load_project(root), coverage=True)
    assert recorded.coverage == 100.0
    (root / "tests" / "test_sub.py").unlink()
    project = load_project(root)
    ctx = StageContext(project.project_dir, project.facts, project.config, isolated=True)
    result = coverage.run(ctx)
    assert result.status == "failed", result.summary
    assert (
        "(baseline floor 99.50%)" in result.summary and "below the baseline floor" in result.details
    )
    with pytest.raises(
        CheckFailed, match=r"below the 100.00% the baseline records; the floor only goes up"
    ):
        update(project, coverage=True)
    lowered = update(project, accept_reason="sub() moves to another package", coverage=True)
    assert lowered.coverage is not None and lowered.coverage < 100.0
    assert coverage.run(ctx).status == "passed"


def test_init_can_record_the_coverage_floor_in_the_same_step(tmp_path: Path) -> None:
    root = write_files(tmp_path / "calc", CALC)
    done = subprocess.run(
        [sys.executable, "-m", "pipelinekit", "init", str(root), "--ci", "gitlab", "--coverage"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "recorded, " in done.stdout and "coverage floor 100.00%" in done.stdout
    assert "environment: " in done.stderr  # the test run's progress, apart from the result
    recorded = store.load(root)
    assert recorded is not None and recorded.coverage == 100.0


def test_a_subfolder_projects_baseline_holds_from_the_root_and_from_its_folder(
    tmp_path: Path,
) -> None:
    """Bug hunt: `init .` at the repository root recorded `services/api/...` paths; the
    generated job runs `pipelinekit stage lint services/api` and found every finding new."""
    repo = tmp_path / "mono"
    write_files(repo, {"README.md": "# mono\n"})
    repo_project = repo / "services" / "api"
    write_files(
        repo_project,
        {
            "pyproject.toml": CONFIG.replace("shapes", "api"),
            "api/__init__.py": OLD,
            "tests/test_a.py": "import os\n",
        },
    )
    init(repo)
    assert (repo_project / "pipelinekit-baseline.json").is_file()
    for cwd, path in ((repo, "services/api"), (repo_project, ".")):
        done = subprocess.run(
            [sys.executable, "-m", "pipelinekit", "stage", "lint", path],
            cwd=cwd,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "known as baseline debt" in done.stdout
    report = json.loads(
        (repo_project / ".pipelinekit" / "reports" / "codequality.json").read_text()
    )
    assert all(
        i["location"]["path"].startswith("api/") or i["location"]["path"].startswith("tests/")
        for i in report
    )
    subprocess.run(
        [sys.executable, "-m", "pipelinekit", "stage", "lint", "services/api"],
        cwd=repo,
        capture_output=True,
    )
    report = json.loads(
        (repo_project / ".pipelinekit" / "reports" / "codequality.json").read_text()
    )
    assert all(
        i["location"]["path"].startswith("services/api/") for i in report
    )  # from the checkout root


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            '{"version": 1, "coverage": {"percent": "85"}, "lint": {"findings": []}}',
            "must be a number from 0 to 100",
        ),
        (
            '{"version": 1, "coverage": {"percent": NaN}, "lint": {"findings": []}}',
            "must be a number from 0 to 100",
        ),
        ("<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> other\n", "merge-conflict markers"),
        ("[]", "not a version 1 baseline"),
    ],
)
def test_a_hand_edited_baseline_is_refused_clearly(tmp_path: Path, text: str, problem: str) -> None:
    (tmp_path / store.FILE).write_text(text)
    with pytest.raises(ConfigError, match=problem):
        store.load(tmp_path)


def test_a_baseline_with_a_bom_or_null_coverage_loads(tmp_path: Path) -> None:
    (tmp_path / store.FILE).write_bytes(
        b'\xef\xbb\xbf{"version": 1, "coverage": null, "lint": {"findings": []}}'
    )
    loaded = store.load(tmp_path)
    assert loaded is not None and loaded.coverage is None


def test_the_recorded_floor_never_claims_more_than_was_measured() -> None:
    """Bug hunt: 66.666% was written as 66.67%, which the same run then missed."""
    assert store.floor2(66.666) == 66.66 and store.floor2(100.0) == 100.0
