"""`pipelinekit run`: dependency order, parallelism, the content-hash cache, --only, failures
blocking what needs them, and Ctrl-C stopping the running stages."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelinekit.errors import UsageError
from pipelinekit.plan.model import Job
from pipelinekit.plan.planner import plan
from pipelinekit.project import load_project
from pipelinekit.run.runner import Runner

RUFF = '[tool.ruff]\nline-length = 100\n[tool.ruff.lint]\nselect = ["E4", "E7", "E9", "F"]\n'


def make_repo(root: Path, test_body: str = "assert add(1, 2) == 3") -> Path:
    """A flat-layout project whose tests import the package from the checkout (no install)."""
    (root / "calc").mkdir(parents=True)
    (root / "calc" / "__init__.py").write_text(
        "def add(a: int, b: int) -> int:\n    return a + b\n"
    )
    (root / "tests").mkdir()
    (root / "tests" / "test_calc.py").write_text(
        f"from calc import add\n\n\ndef test_add() -> None:\n    {test_body}\n"
    )
    (root / "pyproject.toml").write_text(
        '[project]\nname = "calc"\nversion = "1.0.0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["pytest"]\n' + RUFF + '[tool.pytest.ini_options]\npythonpath = ["."]\n'
    )
    return root


def runner_for(root: Path, **kwargs: object) -> Runner:
    project = load_project(root)
    return Runner(project, plan(project.facts, project.config), **kwargs)  # type: ignore[arg-type]


def outcomes(runner: Runner, only: list[str] | None = None) -> dict[str, str]:
    return {r.name: r.outcome for r in runner.run(only)}


def test_runs_then_caches_then_reruns_on_change(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "calc")
    events: list[tuple[str, str]] = []
    assert outcomes(runner_for(root, progress=lambda j, e: events.append((j, e)))) == {
        "lint": "passed",
        "test": "passed",
    }
    assert ("lint", "started") in events and ("test", "started") in events
    log = (root / ".pipelinekit" / "logs" / "test.log").read_text()
    assert "environment: installing" in log and "[passed] test" in log  # its own environment
    second = runner_for(root).run()
    assert [r.outcome for r in second] == ["cached", "cached"]
    assert second[1].summary.startswith("[passed] test: pytest: 1 passed")
    (root / "calc" / "__init__.py").write_text(
        "def add(a: int, b: int) -> int:\n    return b + a\n"
    )
    assert outcomes(runner_for(root)) == {"lint": "passed", "test": "passed"}
    assert outcomes(runner_for(root, use_cache=False)) == {"lint": "passed", "test": "passed"}


def test_deleted_report_invalidates_cache(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "calc")
    runner_for(root).run()
    (root / ".pipelinekit" / "reports" / "junit.xml").unlink()
    assert outcomes(runner_for(root)) == {"lint": "cached", "test": "passed"}


def test_failure_blocks_dependants_and_is_not_cached(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "calc", test_body="assert add(1, 2) == 4")
    runner = runner_for(root)
    later = Job(
        name="package", stage="build", command=("stage", "lint"), script=("true",), needs=("test",)
    )
    runner.pipeline = runner.pipeline.model_copy(update={"jobs": (*runner.pipeline.jobs, later)})
    results = {r.name: r for r in runner.run()}
    assert results["test"].outcome == "failed"
    assert "1 failed" in results["test"].summary
    assert results["package"].outcome == "blocked"
    assert outcomes(runner_for(root)) == {"lint": "cached", "test": "failed"}


def test_only_selects_jobs_and_rejects_unknown(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "calc")
    assert outcomes(runner_for(root), ["lint"]) == {"lint": "passed"}
    with pytest.raises(UsageError, match="no job named deploy"):
        runner_for(root).run(["deploy"])
    with pytest.raises(UsageError, match="at least 1"):
        runner_for(root, jobs=0)


def test_jobs_with_rules_run_only_when_named(tmp_path: Path) -> None:
    from pipelinekit.plan.model import Rule

    root = make_repo(tmp_path / "calc")
    runner = runner_for(root)
    tagged = Job(
        name="verify",
        stage="release",
        command=("stage", "lint"),
        script=("true",),
        rules=(Rule(kind="tag"),),
    )
    runner.pipeline = runner.pipeline.model_copy(update={"jobs": (*runner.pipeline.jobs, tagged)})
    assert [j.name for j in runner.select(None)] == ["lint", "test"]
    assert [j.name for j in runner.select(["verify"])] == ["verify"]


def test_cli_run_exit_codes_and_table(tmp_path: Path) -> None:
    """Through the real CLI, with the plain test stage (coverage and packaging off)."""
    root = make_repo(tmp_path / "calc", test_body="assert add(1, 2) == 4")
    with (root / "pyproject.toml").open("a") as fh:
        fh.write(
            "[tool.pipelinekit.coverage]\nenabled = false\n[tool.pipelinekit.package]\nenabled = false\n"
        )
    done = subprocess.run(
        [sys.executable, "-m", "pipelinekit", "run", str(root), "--jobs", "2"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "[failed] test: pytest: 0 passed, 1 failed" in done.stdout
    assert "test: failed in" in done.stderr


def test_ctrl_c_stops_running_stages(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "calc", test_body="import time; time.sleep(60)")
    marker = tmp_path / "started"
    (root / "tests" / "conftest.py").write_text(
        f"import pathlib\n\n\ndef pytest_sessionstart(session):\n    pathlib.Path({str(marker)!r}).touch()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipelinekit", "run", str(root), "--only", "test"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # a pytest-xdist worker ignores SIGINT and children inherit that; a terminal does not
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 30
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert marker.exists(), "the test stage never started"
    os.kill(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "interrupted" in err
    # nothing of the run is left: not the stage, not the test tool it started in the project
    # environment (its own process group), whose command line names the project folder
    time.sleep(0.5)
    leftover = subprocess.run(["pgrep", "-af", str(root)], capture_output=True, text=True)
    assert leftover.stdout.strip() == ""
