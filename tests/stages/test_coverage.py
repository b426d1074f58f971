"""The coverage stage against real coverage.py + pytest/unittest runs on small repositories."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pipelinekit.config.models import Config, TestConfig
from pipelinekit.config.stages import CoverageConfig
from pipelinekit.detect.facts import ProjectFacts, TestFacts
from pipelinekit.errors import ExternalError
from pipelinekit.plan import reports
from pipelinekit.stages import coverage as stage
from pipelinekit.stages import get
from pipelinekit.stages.test import TestRun
from tests.repo_factory import write_files as write

from .conftest import make_ctx

REPO_ROOT = Path(__file__).resolve().parents[2]

CALC = """\
def add(a, b):
    return a + b


def sign(x):
    if x > 0:
        return 1
    if x < 0:
        return -1
    return 0


def unused():
    total = 0
    for i in range(3):
        total += i
    return total
"""

# add, sign(+) and sign(-) run; sign(0) and unused() never do: 8 of 13 lines, 3 of 6 branches.
TESTS = """\
from calc.core import add, sign


def test_add():
    assert add(1, 2) == 3


def test_sign():
    assert sign(5) == 1
    assert sign(-5) == -1
"""


@pytest.fixture
def calc(tmp_path: Path) -> Path:
    return write(
        tmp_path / "calc",
        {
            "pyproject.toml": '[project]\nname = "calc"\nversion = "0.1.0"\n',
            "calc/__init__.py": "",
            "calc/core.py": CALC,
            "tests/test_core.py": TESTS,
        },
    )


def cov_config(threshold: float | None = None, **test: object) -> Config:
    cov = CoverageConfig(threshold=threshold) if threshold is not None else CoverageConfig()
    return Config(coverage=cov, test=TestConfig(**test))  # type: ignore[arg-type]


def test_registry_and_regex_match_the_summary() -> None:
    assert get("coverage") is stage
    totals = stage.Totals(lines=150, lines_covered=139, branches=22, branches_covered=20)
    line = "[passed] coverage: " + stage.summary_line(totals, stage.Gate(80, "threshold 80%"))
    match = re.search(stage.COVERAGE_REGEX, line)
    assert match
    # GitLab takes the first number of the matched text as the percentage.
    assert re.search(r"\d+(\.\d+)?", match.group(0)).group(0) == totals.display == "92.4"  # type: ignore[union-attr]
    assert not re.search(stage.COVERAGE_REGEX, "pytest: 11 passed in 0.1 s")


def test_display_never_rounds_up_to_the_threshold() -> None:
    assert stage.Totals(10000, 7999, 0, 0).display == "79.9"
    assert stage.Totals(0, 0, 0, 0).percent == 100.0


def test_above_threshold_passes_with_reports(calc: Path) -> None:
    ctx = make_ctx(calc, cov_config(50))
    result = stage.run(ctx)
    assert result.status == "passed", result.details
    assert result.summary == "coverage: 57.8% of lines and branches (threshold 50%)"
    assert re.search(stage.COVERAGE_REGEX, result.summary)
    assert result.details.startswith("pytest: 2 passed")
    assert [p.name for p in result.reports] == [reports.JUNIT, reports.COBERTURA]
    root = ET.parse(ctx.reports_dir / reports.COBERTURA).getroot()
    assert root.get("branches-valid") == "6"
    files = {c.get("filename") for c in root.iter("class")}
    assert files == {"calc/__init__.py", "calc/core.py"}  # --source=calc: no tests measured


def test_below_threshold_fails_with_the_numbers(calc: Path) -> None:
    result = stage.run(make_ctx(calc, cov_config(90)))
    assert result.status == "failed" and result.exit_code == 1
    assert result.summary == "coverage: 57.8% of lines and branches (threshold 90%)"
    assert "57.89% is below the threshold 90% (lines 8/13, branches 3/6)" in result.details
    assert "calc/core.py: 57.8% (8 of 19 lines and branches missed)" in result.details


def test_failing_tests_fail_the_stage(calc: Path) -> None:
    write(calc, {"tests/test_bad.py": "def test_bad():\n    assert 1 == 2\n"})
    result = stage.run(make_ctx(calc, cov_config(0)))
    assert result.status == "failed"
    assert result.summary == "pytest: 2 passed, 1 failed in " + result.summary.split(" in ")[1]
    assert "test_bad" in result.details


def test_repository_config_is_respected(calc: Path) -> None:
    """Its own source/omit and fail_under apply; pipelinekit adds no --source then."""
    write(
        calc,
        {
            "calc/extra.py": "def never():\n    return 1\n",
            ".coveragerc": "[run]\nsource = calc\nomit = calc/extra.py\nparallel = true\n"
            "[report]\nfail_under = 99\n",
        },
    )
    result = stage.run(make_ctx(calc))  # threshold not set: the repository's 99 applies
    assert result.status == "failed"
    assert "(threshold 99%)" in result.summary
    root = ET.parse(calc / ".pipelinekit/reports" / reports.COBERTURA).getroot()
    assert "calc/extra.py" not in {c.get("filename") for c in root.iter("class")}
    explicit = stage.run(make_ctx(calc, cov_config(50)))  # ours wins when set
    assert explicit.status == "passed" and "(threshold 50%)" in explicit.summary


@pytest.mark.parametrize(
    ("files", "env", "expected"),
    [
        ({"setup.cfg": "[coverage:run]\nsource = a\n"}, {}, {"run": {"source": "a"}}),
        ({"tox.ini": "[coverage:report]\nfail_under = 70\n"}, {}, {"report": {"fail_under": "70"}}),
        ({"pyproject.toml": "[tool.coverage.run]\nsource_pkgs = ['a']\n"}, {},
         {"run": {"source_pkgs": ["a"]}}),
        ({"ci.cfg": "[run]\ninclude = a/*\n", ".coveragerc": "[run]\nsource = b\n"},
         {"COVERAGE_RCFILE": "ci.cfg"}, {"run": {"include": "a/*"}}),
        ({".coveragerc": "", "setup.cfg": "[coverage:run]\nsource = a\n"}, {}, {}),
        ({"setup.cfg": "[metadata]\nname = x\n", "pyproject.toml": "not toml ["}, {}, {}),
    ],
)  # fmt: skip
def test_read_repo_config(
    tmp_path: Path, files: dict[str, str], env: dict[str, str], expected: object
) -> None:
    assert stage.read_repo_config(write(tmp_path, files), env) == expected


def test_unittest_project_under_coverage(calc: Path) -> None:
    write(
        calc,
        {
            "tests/test_core.py": "import unittest\nfrom calc.core import add\n\n\n"
            "class T(unittest.TestCase):\n    def test_add(self):\n"
            "        self.assertEqual(add(1, 2), 3)\n",
        },
    )
    facts = ProjectFacts(
        name="calc", packages=("calc",), tests=TestFacts(dirs=("tests",), framework="unittest")
    )
    result = stage.run(make_ctx(calc, cov_config(10), facts=facts))
    assert result.status == "passed", result.details
    assert result.details.startswith("unittest: 1 passed")


def test_nothing_measured_is_an_external_error(calc: Path) -> None:
    facts = ProjectFacts(
        name="calc",
        packages=("not_imported",),
        tests=TestFacts(dirs=("tests",), framework="pytest"),
    )
    with pytest.raises(ExternalError, match="could not write the Cobertura report"):
        stage.run(make_ctx(calc, facts=facts))


def test_skips(calc: Path) -> None:
    off = Config(coverage=CoverageConfig(enabled=False))
    assert stage.run(make_ctx(calc, off)).status == "skipped"
    no_tests = ProjectFacts(name="calc", packages=("calc",))
    assert stage.run(make_ctx(calc, facts=no_tests)).status == "skipped"


def test_coverage_not_installed(calc: Path, no_site_python: str) -> None:
    with pytest.raises(ExternalError, match=r"pip install coverage"):
        stage.run(make_ctx(calc, python=no_site_python))


def test_default_source() -> None:
    ctx = make_ctx(Path("."), facts=ProjectFacts(name="x", packages=(), modules=("tool",)))
    assert stage.default_source(ctx) == ["tool"]
    ctx = make_ctx(Path("."), facts=ProjectFacts(name="x", packages=(), source_dirs=("src",)))
    assert stage.default_source(ctx) == ["src"]


def test_bundled_example(tmp_path: Path) -> None:
    pytest.importorskip("numpy")
    project = tmp_path / "churn-model"
    shutil.copytree(
        REPO_ROOT / "examples" / "churn-model",
        project,
        ignore=shutil.ignore_patterns(".*cache", "*.egg-info", ".pipelinekit"),
    )
    facts = ProjectFacts(
        name="churn-model",
        packages=("churn",),
        layout="src",
        source_dirs=("src",),
        tests=TestFacts(dirs=("tests",), framework="pytest"),
    )
    # CI would `pip install -e .`; the path does the same for a src layout here.
    ctx = make_ctx(project, facts=facts, env={"PYTHONPATH": str(project / "src")})
    result = stage.run(ctx)
    assert result.status == "passed", result.details
    assert re.fullmatch(
        r"coverage: \d+\.\d% of lines and branches \(not gated: no threshold and no baseline\)",
        result.summary,
    )
    root = ET.parse(ctx.reports_dir / reports.COBERTURA).getroot()
    assert {c.get("filename") for c in root.iter("class")} >= {
        "src/churn/model.py",
        "src/churn/features.py",
    }


@pytest.mark.parametrize(
    ("files", "env", "expected"),
    [
        ({"pytest.ini": "[pytest]\naddopts = -n 2 --cov=x\n"}, {}, ["-n", "2", "--cov=x"]),
        (
            {"pyproject.toml": '[tool.pytest.ini_options]\naddopts = ["-ra", "--cov", "x"]\n'},
            {"PYTEST_ADDOPTS": "-q"},
            ["-ra", "--cov", "x", "-q"],
        ),
        ({"setup.cfg": "[tool:pytest]\naddopts = --strict-markers\n"}, {}, ["--strict-markers"]),
        # pytest.ini wins even without addopts, as pytest reads only the first file it finds
        ({"pytest.ini": "[pytest]\n", "setup.cfg": "[tool:pytest]\naddopts = -x\n"}, {}, []),
    ],
)
def test_the_repositorys_own_addopts(
    tmp_path: Path, files: dict[str, str], env: dict[str, str], expected: list[str]
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert stage.pytest_addopts(tmp_path, env) == expected


def test_own_pytest_cov_and_xdist_are_held_off_only_where_asked(tmp_path: Path) -> None:
    run = TestRun("pytest", ("tests",), tmp_path / "j.xml", ("-m", "pytest", "-q", "tests"))
    assert stage._runner_args(run, tmp_path, ["--cov=x", "-n2"]) == [
        "-m", "pytest", "--no-cov", "-n", "0", "-q", "tests",
    ]  # fmt: skip
    assert stage._runner_args(run, tmp_path, ["-ra"]) == ["-m", "pytest", "-q", "tests"]


def test_no_threshold_anywhere_reports_without_gating(calc: Path) -> None:
    """An 80% nobody chose is not failure: 57.8% passes, and says it is not gated."""
    result = stage.run(make_ctx(calc))
    assert result.status == "passed"
    assert (
        result.summary
        == "coverage: 57.8% of lines and branches (not gated: no threshold and no baseline)"
    )


def test_the_baseline_floor_is_the_gate(calc: Path) -> None:
    """The ratchet: the recorded figure less the tolerance; a drop below it fails."""
    from pipelinekit.baseline import store

    store.save(calc, store.Baseline(coverage=58.3))
    held = stage.run(make_ctx(calc))
    assert held.status == "passed" and "(baseline floor 57.80%)" in held.summary
    store.save(calc, store.Baseline(coverage=60.0))
    dropped = stage.run(make_ctx(calc))
    assert dropped.status == "failed"
    assert (
        "below the baseline floor 59.50% (recorded 60.00% less the 0.5-point tolerance)"
        in dropped.details
    )


def test_the_repositorys_cov_fail_under_is_its_threshold(calc: Path) -> None:
    (calc / "pytest.ini").write_text("[pytest]\naddopts = --cov-fail-under=70\n")
    gate = stage.coverage_gate(make_ctx(calc), {}, stage.pytest_addopts(calc, {}))
    assert (gate.floor, gate.describe()) == (70.0, "threshold 70%")
