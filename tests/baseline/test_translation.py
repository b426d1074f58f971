"""What the lint stage keeps of the repository's own settings where it does not read them itself
(flake8's defaults and builtins, isort profiles, the critical pass's excludes), how old ruff
pins are handled, and fingerprints that follow the line ruff reports. Real ruff runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelinekit.baseline.fingerprint import fingerprints
from pipelinekit.detect.repo import detect
from pipelinekit.errors import ConfigError
from pipelinekit.project import load_project
from pipelinekit.stages import lint
from pipelinekit.stages.base import StageContext
from pipelinekit.stages.lint_findings import Problem, problem_from
from tests.repo_factory import write_files

PROJECT = '[project]\nname = "tidy"\nversion = "1"\n'


def run_lint(root: Path) -> tuple[str, str]:
    project = load_project(root)
    result = lint.run(StageContext(project.project_dir, project.facts, project.config))
    return result.status, result.summary + "\n" + result.details


def test_flake8_defaults_apply_where_its_config_is_silent(tmp_path: Path) -> None:
    """No `ignore` and no `max-line-length`: flake8 ignores E226 and allows 79 columns, and
    an inline `# comment` in a setting is no code."""
    root = write_files(
        tmp_path / "p",
        {
            "setup.cfg": "[flake8]\nselect = E,F,W  # pycodestyle and pyflakes\n",
            "tidy/__init__.py": "x = 1*2\ny = " + repr("z" * 80) + "\n",
        },
    )
    settings = detect(root).ruff_settings
    assert settings[:7] == (
        "--preview",
        "--select",
        "E,F,W",
        "--ignore",
        "E121,E123,E126,E226,E24,E704",
        "--line-length",
        "79",
    )
    status, text = run_lint(root)
    assert status == "failed"
    assert [line.split()[1] for line in text.splitlines()[1:]] == ["E501"], text


def test_an_own_ignore_replaces_flake8s_defaults(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "p",
        {
            ".flake8": "[flake8]\nignore = E501\nextend-ignore = W291\n",
            "tidy/__init__.py": "x = 1*2\n",
        },
    )
    assert detect(root).ruff_settings[3:5] == ("--ignore", "E501,W291")
    status, text = run_lint(root)
    assert status == "failed" and "E226" in text


def test_declared_builtins_and_excludes_hold_in_the_critical_pass(tmp_path: Path) -> None:
    """`_` installed by gettext is defined and a vendored folder is not the project's code,
    though the critical pass otherwise ignores the repository's settings."""
    root = write_files(
        tmp_path / "p",
        {
            "pyproject.toml": PROJECT
            + '[tool.ruff]\nbuiltins = ["_"]\nextend-exclude = ["tidy/vendored"]\n',
            "tidy/__init__.py": 'print(_("hello"))\n',
            "tidy/vendored/old.py": "print 'python 2'\n",
        },
    )
    facts = detect(root)
    assert (facts.lint_builtins, facts.lint_excludes) == (("_",), ("tidy/vendored",))
    status, text = run_lint(root)
    assert status == "passed", text
    (root / "tidy" / "__init__.py").write_text('print(_("hello"), undefined)\n')
    status, text = run_lint(root)
    assert status == "failed" and "F821 Undefined name `undefined`" in text


def test_vendored_code_is_not_the_projects(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "p",
        {
            "pyproject.toml": PROJECT + "[tool.black]\n",
            "tidy/__init__.py": "",
            "tidy/_vendor/six.py": "import os\nprint 'py2'\nx=( 1 )\n",
            "third_party/lib.py": "import os\n",
        },
    )
    status, text = run_lint(root)
    assert status == "passed", text


def test_flake8_builtins_and_excludes_too(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "p",
        {
            "tox.ini": "[flake8]\nbuiltins = _, unicode\nexclude = legacy\n",
            "tidy/__init__.py": 'print(_("hi"), unicode)\n',
            "legacy/old.py": "print 'python 2'\n",
            "tests/test_a.py": "",
        },
    )
    project = load_project(root)
    assert "legacy" not in lint.lint_paths(
        StageContext(project.project_dir, project.facts, project.config)
    )
    assert detect(root).lint_builtins == ("_", "unicode")
    status, text = run_lint(root)
    assert status == "passed", text


@pytest.mark.parametrize(
    ("isort", "judged"),
    [
        ('[tool.isort]\nprofile = "black"\nforce_single_line = true\n', True),
        ('[tool.isort]\nprofile = "google"\n', False),
    ],
)
def test_isort_profiles_ruff_cannot_reproduce_are_not_judged(
    tmp_path: Path, isort: str, judged: bool
) -> None:
    root = write_files(
        tmp_path / "p",
        {
            "pyproject.toml": PROJECT + isort,
            "tidy/__init__.py": "import sys, os\n\nprint(os, sys)\n",
        },
    )
    facts = detect(root)
    assert ("--extend-select" in facts.ruff_settings) is judged
    if judged:
        assert "lint.isort.force-single-line = true" in facts.ruff_settings
    else:
        assert facts.ruff_settings_from == (
            "isort profile google not translated: import order not judged"
        )


def test_loose_scripts_in_plain_folders_are_linted(tmp_path: Path) -> None:
    """No package, no module at the top, no tests: ruff is handed the project folder."""
    root = write_files(
        tmp_path / "p", {"pyproject.toml": PROJECT, "analysis/clean.py": "import os\n"}
    )
    status, text = run_lint(root)
    assert status == "failed" and "analysis/clean.py:1:8 F401" in text


def test_ruff_before_0_2_checks_formatting_without_inline_config(tmp_path: Path) -> None:
    """ruff 0.1.15 (pinned) has neither `format --extend-exclude` nor inline `--config`."""
    root = write_files(
        tmp_path / "p",
        {
            "pyproject.toml": PROJECT + "[tool.ruff.format]\n",
            "requirements-dev.txt": "ruff==0.1.15\n",
            "tidy/__init__.py": "x = {  'a':1 }\n",
        },
    )
    status, text = run_lint(root)
    assert status == "failed"
    assert "tidy/__init__.py: would be reformatted" in text, text


def test_a_ruff_too_old_for_json_is_named(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "p",
        {"requirements-dev.txt": "ruff==0.0.290\n", "tidy/__init__.py": "import os\n"},
    )
    with pytest.raises(ConfigError, match=r"ruff 0\.0\.290, as the repository pins it, is too old"):
        run_lint(root)


def test_old_ruffs_e999_is_a_syntax_error() -> None:
    item = {"code": "E999", "message": "SyntaxError: invalid syntax", "filename": "a.py"}
    problem = problem_from(item, Path("/x"), ".")
    assert (problem.code, problem.message) == ("invalid-syntax", "invalid syntax")


def _problem(line: int, code: str = "E501") -> Problem:
    return Problem("m.py", line, 1, line, 1, code, "msg")


def test_fingerprints_count_lines_as_ruff_does(tmp_path: Path) -> None:
    """A form feed does not end a line for ruff (it does for str.splitlines)."""
    (tmp_path / "m.py").write_text("a = 1\n\x0c\nb = 2\nc = 3\n")
    other = tmp_path / "o"
    other.mkdir()
    (other / "m.py").write_text("b = 2\n")
    assert fingerprints(tmp_path, [_problem(3)]) == fingerprints(other, [_problem(1)])


def test_editing_a_neighbour_keeps_a_finding_old(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("x = 1\nlong = 2\ny = 3\n")
    before = fingerprints(tmp_path, [_problem(2)])
    module.write_text("x = 10\nlong = 2\nz = 3\n")
    assert fingerprints(tmp_path, [_problem(2)]) == before
    module.write_text("x = 10\nlong = 3\nz = 3\n")
    assert fingerprints(tmp_path, [_problem(2)]) != before


def test_a_touched_unformatted_file_is_a_new_finding(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("x=1\r\n")
    before = fingerprints(tmp_path, [_problem(1, "unformatted")])
    module.write_text("x=1\n")
    assert fingerprints(tmp_path, [_problem(1, "unformatted")]) == before  # line endings only
    module.write_text("x=1\ny=2\n")
    assert fingerprints(tmp_path, [_problem(1, "unformatted")]) != before
