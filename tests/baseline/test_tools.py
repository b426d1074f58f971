"""The repository's own lint and format tools: the formatter it uses (and none when it uses
none), and the versions it pins, which the lint stage runs through uv (real ruff and black)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelinekit.detect.repo import detect
from pipelinekit.project import load_project
from pipelinekit.stages import lint, lint_ruff
from pipelinekit.stages.base import StageContext
from tests.repo_factory import write_files

UGLY = "def f( a,b ):\n    return a+b\n"
PROJECT = '[project]\nname = "tidy"\nversion = "1"\n'


def stage(root: Path) -> tuple[str, str]:
    project = load_project(root)
    result = lint.run(StageContext(project.project_dir, project.facts, project.config))
    return result.status, result.summary + "\n" + result.details


@pytest.mark.parametrize(
    ("files", "formatter"),
    [
        ({}, None),
        ({"pyproject.toml": PROJECT + "[tool.ruff.format]\nquote-style = 'single'\n"}, "ruff"),
        ({"ruff.toml": "[format]\nindent-style = 'space'\n"}, "ruff"),
        ({"pyproject.toml": PROJECT + "[tool.black]\nline-length = 99\n"}, "black"),
        (
            {
                ".pre-commit-config.yaml": (
                    "repos:\n- repo: https://github.com/psf/black-pre-commit-mirror\n"
                    "  rev: 24.10.0\n  hooks:\n  - id: black\n"
                )
            },
            "black",
        ),
    ],
)
def test_the_formatter_the_repository_uses(
    tmp_path: Path, files: dict[str, str], formatter: str | None
) -> None:
    write_files(tmp_path, {"tidy/__init__.py": "", **files})
    assert detect(tmp_path).formatter == formatter


def test_pinned_versions_most_trusted_first(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "tidy/__init__.py": "",
            ".pre-commit-config.yaml": (
                "repos:\n- repo: https://github.com/astral-sh/ruff-pre-commit\n  rev: v0.4.4\n"
                "  hooks:\n  - id: ruff\n  - id: ruff-format\n"
            ),
            "requirements-dev.txt": "ruff==0.3.0\nblack==23.12.1\n",
        },
    )
    facts = detect(tmp_path)
    assert facts.tool_pins == {"black": "23.12.1", "ruff": "0.4.4"}
    assert facts.formatter == "ruff"


def test_no_formatter_no_format_check(tmp_path: Path) -> None:
    """Style the repository never chose is not failure (bug report: a fresh repo was red on
    `ruff format` it had never used)."""
    root = write_files(tmp_path / "p", {"pyproject.toml": PROJECT, "tidy/__init__.py": UGLY})
    status, text = stage(root)
    assert status == "passed" and text.startswith("ruff: no problems in tidy\n"), text
    (root / "pyproject.toml").write_text(PROJECT + "[tool.ruff.format]\n")
    status, text = stage(root)
    assert (
        status == "failed" and "tidy/__init__.py: would be reformatted (run `ruff format`)" in text
    )


def test_the_repositorys_pinned_ruff_is_the_one_that_runs(tmp_path: Path) -> None:
    """ruff 0.6.9 pinned in requirements-dev.txt: run by uv at that version (the verdict
    does not move with pipelinekit's own ruff)."""
    root = write_files(
        tmp_path / "p",
        {
            "pyproject.toml": PROJECT + "[tool.ruff.format]\n",
            "tidy/__init__.py": "import os\n",
            "requirements-dev.txt": "ruff==0.6.9\n",
        },
    )
    project = load_project(root)
    ctx = StageContext(project.project_dir, project.facts, project.config)
    assert lint_ruff.ruff_command(ctx)[-4:] == ["--quiet", "--from", "ruff==0.6.9", "ruff"]
    status, text = stage(root)
    assert status == "failed" and "tidy/__init__.py:1:8 F401" in text


def test_black_checks_a_black_repository(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "p",
        {
            "pyproject.toml": PROJECT + "[tool.black]\nline-length = 88\n",
            "tidy/__init__.py": UGLY,
            "requirements-dev.txt": "black==24.10.0\n",
        },
    )
    status, text = stage(root)
    assert status == "failed"
    assert "1 file would be reformatted (black)" in text
    assert "tidy/__init__.py: would be reformatted (run `black`)" in text
    (root / "tidy" / "__init__.py").write_text("def f(a, b):\n    return a + b\n")
    assert stage(root)[0] == "passed"


def test_lint_what_the_project_is_not_its_docs_and_examples(tmp_path: Path) -> None:
    """A flat layout: the package, its modules, tests and scripts, not docs/conf.py or
    examples/ (a `.` would sweep them in)."""
    root = write_files(
        tmp_path / "p",
        {
            "pyproject.toml": PROJECT,
            "tidy/__init__.py": "",
            "tool.py": "VALUE = 1\n",
            "scripts/run.py": "import os\n",
            "tests/test_tidy.py": "def test_ok():\n    pass\n",
            "docs/conf.py": "import sys\n",
            "examples/demo.py": "import json\n",
        },
    )
    status, text = stage(root)
    assert status == "failed" and text.splitlines()[1:] == [
        "scripts/run.py:1:8 F401 `os` imported but unused"
    ]
    project = load_project(root)
    paths = lint.lint_paths(StageContext(project.project_dir, project.facts, project.config))
    assert paths == ["tidy", "tool.py", "scripts", "tests"]


@pytest.mark.parametrize(
    ("files", "where", "args", "dirs"),
    [
        (
            {
                "tox.ini": '[testenv]\ndeps = pytest\ncommands = pytest {posargs} -m "not slow" tests\n'
            },
            "tox.ini [testenv] commands",
            ("-m", "not slow"),
            ("tests",),
        ),
        (
            {
                "Makefile": "lint:\n\truff check .\n\ntest:\n\t@python -m pytest -n 4 --cov=tidy -k 'not gpu' tests/unit\n"
            },
            "Makefile test target",
            ("-k", "not gpu"),
            ("tests/unit",),
        ),
        (
            {
                "noxfile.py": "import nox\n\n@nox.session\ndef tests(session):\n    session.install('pytest')\n    session.run('pytest', '-m', 'not network')\n"
            },
            "noxfile.py",
            ("-m", "not network"),
            ("tests",),
        ),
        (
            {
                ".github/workflows/ci.yml": "jobs:\n  test:\n    steps:\n    - run: |\n        pip install -e .\n        pytest --ignore=tests/e2e\n"
            },
            ".github/workflows/ci.yml",
            ("--ignore=tests/e2e",),
            ("tests",),
        ),
    ],
)
def test_the_repositorys_own_test_command(
    tmp_path: Path, files: dict[str, str], where: str, args: tuple[str, ...], dirs: tuple[str, ...]
) -> None:
    """Markers the repository deselects in its own CI stay deselected."""
    write_files(
        tmp_path,
        {"tidy/__init__.py": "", "tests/test_a.py": "", "tests/unit/test_b.py": "", **files},
    )
    tests = detect(tmp_path).tests
    assert (tests.command_from, tests.args, tests.dirs) == (where, args, dirs)


def test_the_stage_runs_what_the_repository_selects(tmp_path: Path) -> None:
    from pipelinekit.stages import test as test_stage

    root = write_files(
        tmp_path / "p",
        {
            "pyproject.toml": PROJECT + '[tool.pytest.ini_options]\nmarkers = ["slow"]\n',
            "tox.ini": '[testenv]\ncommands = pytest -m "not slow"\n',
            "tidy/__init__.py": "",
            "tests/test_a.py": (
                "import pytest\n\n\ndef test_fast():\n    pass\n\n\n"
                "@pytest.mark.slow\ndef test_slow():\n    assert False, 'deselected in the repository CI'\n"
            ),
        },
    )
    project = load_project(root)
    result = test_stage.run(StageContext(project.project_dir, project.facts, project.config))
    assert result.status == "passed", result.details
    assert result.summary.endswith("(-m 'not slow', as tox.ini [testenv] commands runs it)")
    assert "1 passed" in result.summary


def test_what_was_adopted_is_said_per_stage(tmp_path: Path) -> None:
    from pipelinekit.baseline.decisions import adopted
    from pipelinekit.config.models import parse_config
    from pipelinekit.env.planner import plan_env

    root = write_files(
        tmp_path / "p",
        {
            "pyproject.toml": PROJECT
            + '[project.optional-dependencies]\ntest = ["pytest"]\n'
            + "[tool.ruff]\nline-length = 99\n[tool.black]\n[tool.coverage.report]\nfail_under = 70\n",
            ".python-version": "3.10\n",
            "requirements-dev.txt": "ruff==0.6.9\nblack==24.10.0\n",
            "tox.ini": '[testenv]\ncommands = pytest -m "not slow"\n',
            "tidy/__init__.py": "",
            "tests/test_a.py": "",
        },
    )
    facts = detect(root)
    lines = adopted(
        facts, parse_config({}, source="p"), plan_env(facts, parse_config({}, source="p"))
    )
    assert lines == (
        "lint: ruff 0.6.9 (the repository's pin) with its ruff configuration; format checked by "
        "black 24.10.0; debt in pipelinekit-baseline.json does not fail; code that cannot run "
        "always fails",
        "test: pytest in the project's own environment (Python 3.10 from .python-version; with "
        "test), -m 'not slow' as tox.ini [testenv] commands runs it",
        "coverage: the repository's own fail_under or --cov-fail-under when it sets one, else "
        "the baseline floor less 0.5 points, else not gated",
    )
    forced = parse_config(
        {"coverage": {"threshold": 85}, "lint": {"format_check": False}}, source="p"
    )
    told = adopted(facts, forced, plan_env(facts, forced))
    assert (
        "no format check (configured)" in told[0]
        and told[2] == "coverage: threshold 85% ([tool.pipelinekit.coverage])"
    )


def test_flake8_isort_and_black_settings_become_ruff_settings(tmp_path: Path) -> None:
    """No ruff configuration: the repository's flake8 selection, ignores (W503 is not a ruff
    code: dropped), line length, excludes and per-file ignores, isort's first party and
    black's line length judge it, with a real ruff run."""
    long_line = "VALUE = " + repr("x" * 100) + "\n"  # 118 characters: fine under 120
    root = write_files(
        tmp_path / "p",
        {
            "setup.cfg": (
                "[flake8]\nmax-line-length = 120\nselect = E,F,W,B\nignore = E203, W503\n"
                "exclude = legacy\nper-file-ignores =\n    tests/*: F401\n"
            ),
            "pyproject.toml": PROJECT
            + '[tool.isort]\nprofile = "black"\nknown_first_party = ["tidy"]\n',
            "tidy/__init__.py": long_line + "\n\ndef f(items=[]):\n    return items\n",
            "tidy/io.py": "import tidy\nimport os\n\nprint(os, tidy)\n",
            "legacy/old.py": "import sys\n",
            "tests/test_tidy.py": "import json\n",
        },
    )
    facts = detect(root)
    assert facts.ruff_settings_from == "setup.cfg [flake8]; isort settings"
    status, text = stage(root)
    found = sorted(line.split()[1] for line in text.splitlines()[1:])
    assert status == "failed" and found == ["B006", "I001"], text


PYLINT = '[tool.pylint."messages control"]\ndisable = ["all"]\nenable = ["invalid-name"]\n'


def test_pylint_runs_itself_in_the_project_environment(tmp_path: Path) -> None:
    """A repository that gates on pylint is judged by pylint (a real run, in the project's
    environment where its dev requirements put it), not by a ruff approximation."""
    root = write_files(
        tmp_path / "p",
        {
            "pyproject.toml": PROJECT + PYLINT,
            "requirements-dev.txt": "pylint==3.3.1\n",
            "tidy/__init__.py": '"""Tidy."""\n\n\ndef BadName():\n    """Badly named."""\n',
        },
    )
    project = load_project(root)
    ctx = StageContext(project.project_dir, project.facts, project.config, isolated=True)
    result = lint.run(ctx)
    assert result.status == "failed", result.details
    assert "tidy/__init__.py:4:1 PLC0103" in result.details


def test_pylint_configured_but_not_installed_is_said_not_failed(tmp_path: Path) -> None:
    root = write_files(tmp_path / "p", {"pyproject.toml": PROJECT + PYLINT, "tidy/__init__.py": ""})
    project = load_project(root)
    result = lint.run(
        StageContext(project.project_dir, project.facts, project.config, isolated=True)
    )
    assert result.status == "passed"
    assert "pylint is configured but not installed in the project's environment" in result.details


def test_a_flake8_repository_gets_flake8s_verdict(tmp_path: Path) -> None:
    """The same findings as the repository's own flake8 (a real run, through uv): its
    selection, line length and per-file ignores, pycodestyle's whitespace checks included."""
    import subprocess

    from pipelinekit.env.engine import find_uv

    root = write_files(
        tmp_path / "p",
        {
            "setup.cfg": (
                "[flake8]\nmax-line-length = 100\nselect = E,F,W\n"
                "per-file-ignores =\n    tidy/skip.py: F401\n"
            ),
            "tidy/__init__.py": "import os\nx = [1,2]\ndef f():\n    return 1 \n\n\n\ny=2\n",
            "tidy/skip.py": "import sys\n",
        },
    )
    uv = find_uv({**__import__("os").environ})
    assert uv is not None
    flake8 = subprocess.run(
        [
            uv,
            "tool",
            "run",
            "--quiet",
            "--from",
            "flake8==7.1.1",
            "flake8",
            "--format=%(path)s:%(row)d:%(code)s",
            "tidy",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    theirs = sorted(flake8.stdout.split())
    assert len(theirs) == 6, flake8.stdout + flake8.stderr
    status, text = stage(root)
    ours = sorted(
        ":".join([line.split(":")[0], line.split(":")[1], line.split()[1]])
        for line in text.splitlines()[1:]
        if " " in line
    )
    assert status == "failed" and ours == theirs


@pytest.mark.parametrize(
    ("files", "tool"),
    [
        (
            {
                ".pre-commit-config.yaml": (
                    "repos:\n- repo: https://github.com/astral-sh/ruff-pre-commit\n"
                    "  rev: v9.9.9\n  hooks:\n  - id: ruff\n"
                )
            },
            "ruff 9.9.9",
        ),
        (
            {
                "pyproject.toml": PROJECT + "[tool.black]\n",
                "requirements-dev.txt": "black==99.1.0\n",
            },
            "black 99.1.0",
        ),
    ],
)
def test_a_pin_that_cannot_be_installed_is_an_error_not_a_pass(
    tmp_path: Path, files: dict[str, str], tool: str
) -> None:
    """Bug hunt: uv's failure printed nothing on stdout, read as 'no problems': the job passed
    without checking anything, undefined names included."""
    from pipelinekit.errors import ConfigError

    root = write_files(
        tmp_path / "p",
        {
            "pyproject.toml": PROJECT,
            "tidy/__init__.py": "def f():\n    return undefined_name\n",
            **files,
        },
    )
    with pytest.raises(ConfigError, match=f"{tool} as the repository pins it"):
        stage(root)


def test_pylint_findings_are_recorded_as_debt_like_ruffs(tmp_path: Path) -> None:
    """Bug hunt: `baseline update` measured without the project environment, so pylint never
    ran there and its findings stayed 'new' forever."""
    from pipelinekit.baseline.update import update

    root = write_files(
        tmp_path / "p",
        {
            "pyproject.toml": PROJECT + PYLINT,
            "requirements-dev.txt": "pylint==3.3.1\n",
            "tidy/__init__.py": '"""Tidy."""\n\n\ndef BadName():\n    """Badly named."""\n',
        },
    )
    done = update(load_project(root))
    assert done.recorded == 1 and done.top == (("PLC0103", 1),)
    project = load_project(root)
    result = lint.run(
        StageContext(project.project_dir, project.facts, project.config, isolated=True)
    )
    assert result.status == "passed" and "1 known as baseline debt (PLC0103 x1)" in result.summary
