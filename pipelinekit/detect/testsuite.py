"""Where the tests are and what runs them: configured testpaths, test folders found in the
tree (inside the package too), and pytest versus unittest from the files' contents.
"""

from __future__ import annotations

import fnmatch
import re

from pipelinekit.detect import testcmd as detect_testcmd
from pipelinekit.detect.deps import (
    DependencyScan,
)
from pipelinekit.detect.facts import TestFacts, TestFramework
from pipelinekit.detect.tree import Repo, Tree, cfg_value
from pipelinekit.env.source_model import str_list, table

_TEST_DIR = re.compile(r"tests?|testing|\w+_tests|tests_\w+")
"""Top-level test folders: tests/, test/, testing/, unit_tests/, tests_integration/ ..."""
TEST_FILE = re.compile(r"(?:^|/)(?:test_[^/]*|[^/]*_test)\.py$")
_PYTEST_STYLE = re.compile(
    r"^\s*(?:import pytest|from pytest\b)|^(?:async\s+)?def test_"
    r"|^class Test\w*\s*(?:\(\s*(?:object)?\s*\))?\s*:",
    re.MULTILINE,
)
_UNITTEST_STYLE = re.compile(r"\bunittest\b|\bTestCase\b")
_MAX_TEST_FILES = 200


# -- tests and tool configs ---------------------------------------------------------------------


def find_tests(
    repo: Repo, code_paths: list[str], deps: DependencyScan, tools: tuple[str, ...]
) -> TestFacts:
    own = detect_testcmd.test_command(repo.root, repo.tree.file_set)
    dirs = _configured_testpaths(repo) or _discovered_test_dirs(repo.tree, code_paths)
    if own is not None:
        where, options, paths = own
        dirs = [p for p in paths if p.split("::")[0] in repo.tree.dirs | repo.tree.file_set] or dirs
        framework = _test_framework(repo, dirs, deps, tools) if dirs else "pytest"
        return TestFacts(
            dirs=tuple(dirs), framework=framework, args=tuple(options), command_from=where
        )
    if not dirs:
        # No folder by a known name, but pytest is what the project tests with: pytest's own
        # discovery finds them (`testing/`, `qa/`), and finding none is a skip, not a pass.
        declared = "pytest" in tools or any(d.name == "pytest" for d in deps.deps)
        return TestFacts(framework="pytest") if declared else TestFacts()
    return TestFacts(dirs=tuple(dirs), framework=_test_framework(repo, dirs, deps, tools))


def _configured_testpaths(repo: Repo) -> list[str]:
    """pytest's `testpaths` in pytest's own precedence, kept when they exist (globs expanded)."""
    pytest_table = table(repo.pyproject, "tool", "pytest")
    sources = [
        repo.pytest_ini.get("pytest", "testpaths", fallback=None) if repo.pytest_ini else None,
        table(pytest_table, "ini_options").get("testpaths") or pytest_table.get("testpaths"),
        repo.tox_ini.get("pytest", "testpaths", fallback=None) if repo.tox_ini else None,
        cfg_value(repo, "tool:pytest", "testpaths"),
    ]
    entries = next((s.split() if isinstance(s, str) else str_list(s) for s in sources if s), [])
    found: set[str] = set()
    for entry in entries:
        entry = entry.removeprefix("./").rstrip("/") or "."
        if any(ch in entry for ch in "*?["):
            found.update(d for d in repo.tree.dirs if fnmatch.fnmatchcase(d, entry))
        elif entry == "." or entry in repo.tree.dirs or entry in repo.tree.file_set:
            found.add(entry)
    return ["."] if "." in found else sorted(found)


def _discovered_test_dirs(tree: Tree, code_paths: list[str]) -> list[str]:
    """tests/ or test/ at the root, `tests` folders inside the packages, or '.' for test files
    beside setup.py ('.' alone then: it already covers every other folder)."""
    found: set[str] = set()
    for path in tree.files:
        parts = path.split("/")
        if not path.endswith(".py"):
            continue
        if len(parts) == 1:
            if TEST_FILE.search(path):
                found.add(".")
        elif _TEST_DIR.fullmatch(parts[0]) and parts[-1] != "__init__.py":
            found.add(parts[0])
        elif TEST_FILE.search(path):
            for i in range(1, len(parts) - 1):
                prefix = "/".join(parts[:i])
                if parts[i] in ("tests", "test") and any(
                    prefix == p or prefix.startswith(f"{p}/") for p in code_paths
                ):
                    found.add(f"{prefix}/{parts[i]}")
                    break
    return ["."] if "." in found else sorted(found)


def _test_framework(
    repo: Repo, dirs: list[str], deps: DependencyScan, tools: tuple[str, ...]
) -> TestFramework:
    """pytest when configured, declared, or used by the tests; unittest only when the tests use
    nothing but unittest.TestCase (pytest runs those too, so it is the safe default)."""
    if any(d.name == "pytest" or d.name.startswith("pytest-") for d in deps.deps):
        return "pytest"
    everywhere = "." in dirs
    in_dirs = [
        f
        for f in repo.tree.files
        if f.endswith(".py")
        and (everywhere or any(f.startswith(f"{d}/") or f == d for d in dirs))
        and (not everywhere or TEST_FILE.search(f) or f.rsplit("/", 1)[-1] == "conftest.py")
    ]
    conftest = any(f.rsplit("/", 1)[-1] == "conftest.py" for f in in_dirs)
    if "pytest" in tools or conftest or "conftest.py" in repo.tree.file_set:
        return "pytest"
    uses_unittest = False
    for rel in in_dirs[:_MAX_TEST_FILES]:
        try:
            text = (repo.root / rel).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if _PYTEST_STYLE.search(text):
            return "pytest"
        uses_unittest = uses_unittest or bool(_UNITTEST_STYLE.search(text))
    return "unittest" if uses_unittest else "pytest"
