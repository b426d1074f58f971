"""The test stage in the project's own environment, in-process: the environment is built (or
reused), its interpreter, PATH and import path are what the tests see, and the tool's output
streams as it runs."""

from __future__ import annotations

from pathlib import Path

from pipelinekit.config.models import parse_config
from pipelinekit.project import load_project
from pipelinekit.stages import test as stage
from pipelinekit.stages.base import StageContext
from tests.repo_factory import write_files

CHECKS = """\
import os, sys, unittest


class Where(unittest.TestCase):
    def test_runs_in_the_project_environment(self):
        self.assertIn(os.path.join(".pipelinekit", "envs"), sys.prefix)
        self.assertEqual(os.environ["VIRTUAL_ENV"], sys.prefix)

    def test_imports_the_code_from_the_source_tree(self):
        import calc

        self.assertEqual(calc.add(2, 3), 5)
"""


def context(root: Path, lines: list[str]) -> StageContext:
    project = load_project(root)
    config = parse_config(
        {"test": {"framework": "unittest"}, "coverage": {"enabled": False}}, source="p"
    )
    return StageContext(
        project.project_dir, project.facts, config, isolated=True, output=lines.append
    )


def test_unbuildable_project_is_tested_from_source_in_its_environment(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "calc",
        {
            "src/calc/__init__.py": "def add(a, b):\n    return a + b\n",
            "tests/test_calc.py": CHECKS,
        },
    )
    lines: list[str] = []
    result = stage.run(context(root, lines))
    assert result.status == "passed", result.details + "\n".join(lines)
    assert any("the project is not installed: it has no packaging metadata" in x for x in lines)
    assert any(x.startswith("environment: ready in") for x in lines)
    assert (root / ".pipelinekit" / "logs" / "tools" / "test.log").is_file()  # the full output

    again: list[str] = []
    assert stage.run(context(root, again)).status == "passed"
    assert any(x.startswith("environment: reusing") for x in again)
    assert any("not installed" in x for x in again)  # said on every run, once
