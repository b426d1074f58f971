"""The repository's own test command, found where pytest is the command and not just a word."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelinekit.detect import testcmd as detect_testcmd
from pipelinekit.detect.testcmd import pytest_args
from tests.repo_factory import write_files

TREE = {"tidy/__init__.py": "", "tests/test_a.py": "", "tests/e2e/test_b.py": ""}


@pytest.mark.parametrize(
    ("line", "args"),
    [
        ("pytest -m 'not slow' tests", ["-m", "not slow", "tests"]),
        ("python -m pytest -x tests", ["tests"]),
        ("python3.11 -X dev -m pytest -k fast", ["-k", "fast"]),
        ("coverage run --branch -m pytest tests/e2e", ["tests/e2e"]),
        ("poetry run pytest --ignore=tests/e2e", ["--ignore=tests/e2e"]),
        ("PYTHONPATH=. CUDA_VISIBLE_DEVICES= uv run pytest tests", ["tests"]),
        ("pip install -e . && pytest -m unit", ["-m", "unit"]),
        ("cd . ; time pytest", []),
        ("pip install pytest pytest-cov", None),
        ("echo running pytest now", None),
        ("pytest --version", None),
        ("python -m pytest --collect-only -q", None),
        ("python -m pip install pytest", None),
        ("coverage report -m", None),
        ("pytest 'unbalanced", None),
    ],
)
def test_pytest_is_the_command_not_a_word(
    tmp_path: Path, line: str, args: list[str] | None
) -> None:
    write_files(tmp_path, TREE)
    assert pytest_args(line, tmp_path) == args


@pytest.mark.parametrize(
    ("files", "found"),
    [
        (
            {
                "tox.ini": "[testenv]\ncommands =\n    pip install pytest\n    pytest {posargs:tests/e2e}\n"
            },
            ("tox.ini [testenv] commands", [], ["tests/e2e"]),
        ),
        (
            {"tox.ini": "[testenv]\ncommands = pytest {toxinidir}/tests -m 'not gpu' {posargs}\n"},
            ("tox.ini [testenv] commands", ["-m", "not gpu"], ["tests"]),
        ),
        (
            {
                "noxfile.py": (
                    "import nox\n\n@nox.session\ndef lint(session):\n"
                    "    session.run('pytest', '--version')\n"
                    "    session.run('python', '-m', 'pytest', '--doctest-modules', 'tidy')\n\n"
                    "@nox.session\ndef tests(session):\n"
                    "    session.run('pytest', '-m', 'not slow', *session.posargs)\n"
                )
            },
            ("noxfile.py", ["-m", "not slow"], []),
        ),
        (
            {
                ".github/workflows/ci.yml": (
                    "jobs:\n  docs:\n    steps:\n    - run: pytest --doctest-glob='*.md' tidy\n"
                    "  unit:\n    steps:\n    - name: Run tests\n      run: |\n"
                    "        pytest \\\n          -m 'not e2e' \\\n          tests\n"
                )
            },
            (".github/workflows/ci.yml", ["-m", "not e2e"], ["tests"]),
        ),
        (
            {"Makefile": "bench:\n\tpytest tests/e2e\n\ntest-unit:\n\tpytest -k fast tests\n"},
            ("Makefile test-unit target", ["-k", "fast"], ["tests"]),
        ),
        ({"Makefile": "bench:\n\tpytest tests/e2e\n"}, None),
        ({"tox.ini": "[testenv]\ncommands = pip install pytest\n"}, None),
    ],
)
def test_the_repositorys_own_run_is_found(
    tmp_path: Path, files: dict[str, str], found: tuple[str, list[str], list[str]] | None
) -> None:
    write_files(tmp_path, {**TREE, **files})
    names = frozenset(name for name in files if not name.startswith(".github"))
    assert detect_testcmd.test_command(tmp_path, names) == found
