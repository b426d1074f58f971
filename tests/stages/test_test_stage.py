"""The test stage against real pytest and unittest runs on small repositories in tmp_path."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from pipelinekit.config.models import Config, TestConfig
from pipelinekit.detect.facts import ProjectFacts, TestFacts, TestFramework
from pipelinekit.errors import ConfigError, ExternalError
from pipelinekit.plan import reports
from pipelinekit.stages import get
from pipelinekit.stages import test as stage
from pipelinekit.stages.base import StageContext
from tests.repo_factory import write_files as write

PYPROJECT = '[project]\nname = "calc"\nversion = "0.1.0"\n'
CALC = "def add(a, b):\n    return a + b\n"

MIXED_PYTEST = """\
import pytest

from calc import add


@pytest.fixture
def db():
    raise RuntimeError("no database here")


def test_add():
    assert add(1, 2) == 3


def test_add_wrong():
    assert add(1, 2) == 4, "one plus two"


@pytest.mark.skip(reason="not yet")
def test_later():
    pass


def test_needs_db(db):
    pass
"""

UNITTEST_SUITE = """\
import unittest

from calc import add


class CalcTest(unittest.TestCase):
    def test_add(self):
        self.assertEqual(add(1, 2), 3)

    def test_add_negative(self):
        self.assertEqual(add(-1, -2), -3)

    def test_wrong(self):
        self.assertEqual(add(1, 2), 4)

    @unittest.skip("later")
    def test_skipped(self):
        pass
"""


def make_ctx(
    project: Path,
    *,
    dirs: tuple[str, ...] = ("tests",),
    framework: TestFramework | None = "pytest",
    test_cfg: TestConfig | None = None,
    python: str = sys.executable,
) -> StageContext:
    facts = ProjectFacts(
        name="calc",
        packages=("calc",),
        source_dirs=(".",),
        tests=TestFacts(dirs=dirs, framework=framework),
    )
    config = Config(test=test_cfg) if test_cfg is not None else Config()
    # The child pytest needs none of this environment's plugins; not loading them keeps
    # each run ~0.2 s instead of ~0.8 s.
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    return StageContext(project.resolve(), facts, config, env=env, python=python)


def junit_cases(ctx: StageContext) -> dict[str, str]:
    """name -> outcome, read straight from the XML the run wrote."""
    root = ET.parse(ctx.reports_dir / reports.JUNIT).getroot()
    outcomes: dict[str, str] = {}
    for case in root.iter("testcase"):
        tags = [child.tag for child in case if child.tag in {"failure", "error", "skipped"}]
        outcomes[case.get("name", "")] = tags[0] if tags else "passed"
    return outcomes


def test_registry_returns_this_module() -> None:
    assert get("test") is stage


def test_passing_pytest_suite(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "calc.py": CALC,
            "tests/test_calc.py": "from calc import add\n\n\ndef test_add():\n"
            "    assert add(2, 2) == 4\n\n\ndef test_zero():\n    assert add(0, 0) == 0\n",
        },
    )
    ctx = make_ctx(tmp_path)
    result = stage.run(ctx)
    assert result.status == "passed"
    assert re.fullmatch(r"pytest: 2 passed in \d+\.\d s", result.summary)
    assert result.reports == (ctx.reports_dir / reports.JUNIT,)
    assert junit_cases(ctx) == {"test_add": "passed", "test_zero": "passed"}
    assert result.details == ""


def test_failing_pytest_suite_lists_failures_and_errors(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"pyproject.toml": PYPROJECT, "calc.py": CALC, "tests/test_mixed.py": MIXED_PYTEST},
    )
    ctx = make_ctx(tmp_path)
    result = stage.run(ctx)
    assert result.status == "failed"
    assert result.exit_code == 1
    assert re.fullmatch(
        r"pytest: 1 passed, 1 failed, 1 error, 1 skipped in \d+\.\d s", result.summary
    )
    lines = result.details.splitlines()
    assert lines[0] == "tests.test_mixed::test_add_wrong: AssertionError: one plus two"
    assert lines[1].startswith("tests.test_mixed::test_needs_db: failed on setup")
    assert "RuntimeError: no database here" in lines[1]
    assert len(lines) == 2
    assert junit_cases(ctx) == {
        "test_add": "passed",
        "test_add_wrong": "failure",
        "test_later": "skipped",
        "test_needs_db": "error",
    }


def test_collection_errors_show_their_cause(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "tests/test_a.py": "import no_such_module_xyz\n\n\ndef test_a():\n    pass\n",
            "tests/test_b.py": "def test_b():\n    pass\n",
        },
    )
    result = stage.run(make_ctx(tmp_path))
    assert result.status == "failed"
    assert result.summary.startswith("pytest: 0 passed, 1 error in ")
    assert result.details == (
        "tests.test_a: ModuleNotFoundError: No module named 'no_such_module_xyz'"
    )


def test_repo_pytest_config_is_respected(tmp_path: Path) -> None:
    """The repo's ini options apply: here, its own test file naming."""
    write(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT
            + '\n[tool.pytest.ini_options]\npython_files = ["check_*.py"]\n',
            "calc.py": CALC,
            "tests/check_calc.py": "def test_one():\n    assert 1 == 1\n",
        },
    )
    result = stage.run(make_ctx(tmp_path))
    assert result.status == "passed"
    assert result.summary.startswith("pytest: 1 passed in ")


def test_extra_args_reach_pytest(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"pyproject.toml": PYPROJECT, "calc.py": CALC, "tests/test_mixed.py": MIXED_PYTEST},
    )
    result = stage.run(
        make_ctx(tmp_path, test_cfg=TestConfig(args=["-k", "test_add and not wrong"]))
    )
    assert result.status == "passed"
    assert result.summary.startswith("pytest: 1 passed in ")


def test_no_tests_collected_from_test_folder_fails(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": PYPROJECT, "tests/helpers.py": "X = 1\n"})
    result = stage.run(make_ctx(tmp_path))
    assert result.status == "failed"
    assert result.summary == "pytest: no tests collected in tests"
    assert "naming" in result.details


def test_no_tests_without_test_folder_is_skipped(tmp_path: Path) -> None:
    """pytest asked to use only the repo's own configuration, and finding nothing."""
    write(tmp_path, {"pyproject.toml": PYPROJECT, "calc.py": CALC})
    result = stage.run(make_ctx(tmp_path, dirs=()))
    assert result.status == "skipped"
    assert result.summary == "pytest: no tests found"
    assert result.exit_code == 0


def test_no_framework_and_no_folders_is_skipped_without_running(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path, dirs=(), framework=None)
    result = stage.run(ctx)
    assert result.status == "skipped"
    assert "no tests found" in result.summary
    assert not ctx.reports_dir.exists()


def test_unknown_framework_with_test_folder_uses_pytest(tmp_path: Path) -> None:
    write(tmp_path, {"calc.py": CALC, "tests/test_calc.py": UNITTEST_SUITE})
    result = stage.run(make_ctx(tmp_path, framework=None))
    assert result.summary.startswith("pytest: 2 passed, 1 failed, 1 skipped in ")


def test_detected_folder_that_vanished_is_ignored(tmp_path: Path) -> None:
    write(tmp_path, {"calc.py": CALC, "tests/test_calc.py": UNITTEST_SUITE})
    assert stage.resolve_test_dirs(make_ctx(tmp_path, dirs=("tests", "gone", "tests"))) == ["tests"]


def test_configured_paths_must_exist(tmp_path: Path) -> None:
    write(tmp_path, {"calc.py": CALC, "tests/test_calc.py": UNITTEST_SUITE})
    ctx = make_ctx(tmp_path, test_cfg=TestConfig(paths=["tests", "spec"]))
    with pytest.raises(ConfigError, match=r"paths: spec not found"):
        stage.run(ctx)


def test_unittest_only_repo_gets_a_junit_report(tmp_path: Path) -> None:
    write(tmp_path, {"calc.py": CALC, "tests/test_calc.py": UNITTEST_SUITE})
    ctx = make_ctx(tmp_path, framework="unittest")
    result = stage.run(ctx)
    assert result.status == "failed"
    assert re.fullmatch(r"unittest: 2 passed, 1 failed, 1 skipped in \d+\.\d s", result.summary)
    assert result.details == "test_calc.CalcTest::test_wrong: AssertionError: 3 != 4"
    assert junit_cases(ctx) == {
        "test_add": "passed",
        "test_add_negative": "passed",
        "test_wrong": "failure",
        "test_skipped": "skipped",
    }


def test_unittest_runs_in_an_interpreter_without_pipelinekit(tmp_path: Path) -> None:
    """The project's venv need not contain pipelinekit: the runner file is run by path."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    probe = subprocess.run(
        [python, "-c", "import pipelinekit"], cwd=tmp_path, capture_output=True, check=False
    )
    assert probe.returncode != 0
    project = write(tmp_path / "repo", {"calc.py": CALC, "tests/test_calc.py": UNITTEST_SUITE})
    result = stage.run(make_ctx(project, framework="unittest", python=python))
    assert result.summary.startswith("unittest: 2 passed, 1 failed, 1 skipped in ")


def test_unittest_config_framework_overrides_detection(tmp_path: Path) -> None:
    write(tmp_path, {"calc.py": CALC, "tests/test_calc.py": UNITTEST_SUITE})
    ctx = make_ctx(
        tmp_path, framework="pytest", test_cfg=TestConfig(framework="unittest", args=["-k", "add"])
    )
    result = stage.run(ctx)
    assert result.status == "passed"
    assert result.summary.startswith("unittest: 2 passed in ")


def test_unittest_without_tests_fails_when_folder_exists(tmp_path: Path) -> None:
    write(tmp_path, {"tests/helpers.py": "X = 1\n"})
    result = stage.run(make_ctx(tmp_path, framework="unittest"))
    assert result.status == "failed"
    assert result.summary == "unittest: no tests collected in tests"


def test_unittest_bad_args_are_a_config_error(tmp_path: Path) -> None:
    write(tmp_path, {"tests/test_calc.py": UNITTEST_SUITE})
    ctx = make_ctx(tmp_path, framework="unittest", test_cfg=TestConfig(args=["--bogus"]))
    with pytest.raises(ConfigError, match=r"unittest refused its arguments .*--bogus"):
        stage.run(ctx)


def test_pytest_usage_error_is_a_config_error(tmp_path: Path) -> None:
    write(tmp_path, {"tests/test_x.py": "def test_x():\n    pass\n"})
    ctx = make_ctx(tmp_path, test_cfg=TestConfig(args=["--no-such-option"]))
    with pytest.raises(ConfigError) as info:
        stage.run(ctx)
    assert "pytest refused its arguments or configuration (exit 4)" in info.value.message
    assert "unrecognized arguments: --no-such-option" in info.value.message


def test_missing_pytest_is_an_external_error(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    write(tmp_path / "repo", {"tests/test_x.py": "def test_x():\n    pass\n"})
    ctx = make_ctx(tmp_path / "repo", python=str(venv / "bin" / "python"))
    with pytest.raises(ExternalError, match="pytest is not installed"):
        stage.run(ctx)


def test_crash_without_report_fails_and_ignores_stale_report(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "conftest.py": "import os\n\n\ndef pytest_sessionstart(session):\n"
            "    print('dying early', flush=True)\n    os._exit(3)\n",
            "tests/test_x.py": "def test_x():\n    pass\n",
        },
    )
    ctx = make_ctx(tmp_path)
    stale = ctx.reports_dir / reports.JUNIT
    stale.parent.mkdir(parents=True)
    stale.write_text('<testsuite tests="1"><testcase name="old"/></testsuite>')
    result = stage.run(ctx)
    assert result.status == "failed"
    assert result.summary == "pytest: exited with code 3 without writing a test report"
    assert "dying early" in result.details
    assert result.reports == ()
    assert not stale.exists()


def test_hanging_tests_time_out_as_a_failure(tmp_path: Path) -> None:
    write(
        tmp_path, {"tests/test_slow.py": "import time\n\n\ndef test_slow():\n    time.sleep(60)\n"}
    )
    # model_construct skips the 1-minute minimum so the test stays fast.
    quick = TestConfig.model_construct(timeout_minutes=0.01)
    result = stage.run(make_ctx(tmp_path, test_cfg=quick))
    assert result.status == "failed"
    assert result.summary == "pytest: timed out after 0.01 min"
    assert "timeout_minutes" in result.details


def test_disabled_stage_is_skipped(tmp_path: Path) -> None:
    result = stage.run(make_ctx(tmp_path, test_cfg=TestConfig(enabled=False)))
    assert result.status == "skipped"


XUNIT1 = """\
<?xml version="1.0" encoding="utf-8"?>
<testsuite name="pytest" errors="0" failures="1" skipped="0" tests="2">
  <testcase classname="tests.test_a" name="test_ok" file="tests/test_a.py" line="1" time="0.25"/>
  <testcase name="test_bad" time="0.5">
    <failure>

   Traceback: boom happened here
second line</failure>
  </testcase>
</testsuite>
"""


def test_parse_junit_reads_xunit1_and_sums_case_times(tmp_path: Path) -> None:
    path = write(tmp_path, {"junit.xml": XUNIT1}) / "junit.xml"
    summary = stage.parse_junit(path)
    assert (summary.passed, summary.failed, summary.errors, summary.skipped) == (1, 1, 0, 0)
    assert summary.seconds == pytest.approx(0.75)
    assert summary.problems == ("test_bad: Traceback: boom happened here",)
    assert summary.describe("pytest") == "pytest: 1 passed, 1 failed in 0.8 s"


def test_parse_junit_rejects_broken_xml(tmp_path: Path) -> None:
    path = write(tmp_path, {"junit.xml": "<testsuites><testsuite"}) / "junit.xml"
    with pytest.raises(ExternalError, match="cannot be read"):
        stage.parse_junit(path)


def test_many_failures_are_capped_in_details(tmp_path: Path) -> None:
    tests = "\n".join(f"def test_{n}():\n    assert {n} < 0\n" for n in range(25))
    write(tmp_path, {"tests/test_many.py": tests})
    result = stage.run(make_ctx(tmp_path))
    lines = result.details.splitlines()
    assert len(lines) == stage.MAX_DETAILS + 1
    assert lines[0] == "tests.test_many::test_0: assert 0 < 0"
    assert lines[-1] == "... and 5 more (see junit.xml)"


def _describe(**counts: Any) -> str:
    return stage.JUnitSummary(**counts).describe("unittest")


def test_summary_wording() -> None:
    assert _describe(passed=3, seconds=0.04) == "unittest: 3 passed in 0.0 s"
    assert _describe(passed=0, errors=2, seconds=12.34) == "unittest: 0 passed, 2 errors in 12.3 s"


def test_nonzero_exit_with_all_tests_passing_fails_with_output(tmp_path: Path) -> None:
    """E.g. a coverage threshold in the repo's addopts: every test passed, pytest exit 1."""
    write(
        tmp_path,
        {
            "conftest.py": "def pytest_sessionfinish(session, exitstatus):\n"
            "    print('FAIL Required test coverage of 90% not reached')\n"
            "    session.exitstatus = 1\n",
            "tests/test_x.py": "def test_x():\n    pass\n",
        },
    )
    result = stage.run(make_ctx(tmp_path, test_cfg=TestConfig(paths=["tests"])))
    assert result.status == "failed"
    assert result.summary.startswith("pytest: 1 passed in ")
    assert "Required test coverage of 90% not reached" in result.details


def test_missing_interpreter_is_an_external_error(tmp_path: Path) -> None:
    write(tmp_path, {"tests/test_x.py": "def test_x():\n    pass\n"})
    with pytest.raises(ExternalError, match="Cannot run"):
        stage.run(make_ctx(tmp_path, python=str(tmp_path / "no-such-python")))


def test_parse_junit_tolerates_odd_producers(tmp_path: Path) -> None:
    xml = (
        '<testsuites><testsuite time="n/a"><testcase name="a" time="x"><error/></testcase>'
        '<testcase classname="k" name="b" time="1.5"/></testsuite></testsuites>'
    )
    summary = stage.parse_junit(write(tmp_path, {"j.xml": xml}) / "j.xml")
    assert (summary.passed, summary.errors) == (1, 1)
    assert summary.problems == ("a: error",)
    assert summary.seconds == pytest.approx(1.5)


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "churn-model"


def test_bundled_example_suite_passes(tmp_path: Path) -> None:
    pytest.importorskip("numpy")
    project = tmp_path / "churn-model"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".*cache", "*.egg-info"))
    ctx = make_ctx(project)
    # The src layout needs the package on the path; CI would `pip install -e .` instead.
    ctx = dataclasses.replace(ctx, env={**ctx.env, "PYTHONPATH": str(project / "src")})
    result = stage.run(ctx)
    assert result.status == "passed", result.details
    assert re.fullmatch(r"pytest: \d+ passed in \d+\.\d s", result.summary)
    assert len(junit_cases(ctx)) >= 8
