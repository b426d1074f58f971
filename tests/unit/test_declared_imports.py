"""Every third-party module the package imports is a declared dependency of pipelinekit.

An import that works only because another package happens to pull its distribution in breaks
on the day that package drops it; `requests` was such an import.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from pipelinekit.detect.deps import imported_names

ROOT = Path(__file__).resolve().parents[2]
DEV_ONLY = {"dev", "test"}
"""Extras for working on pipelinekit, not for running it: they declare no runtime import."""


def imported_modules(package: Path) -> dict[str, set[str]]:
    """Top-level module -> files importing it, lazy imports inside functions included."""
    found: dict[str, set[str]] = {}
    for path in sorted(package.rglob("*.py")):
        for name in imported_names(ast.parse(path.read_text(encoding="utf-8"))):
            found.setdefault(name.split(".")[0], set()).add(path.relative_to(ROOT).as_posix())
    return found


def declared_distributions(pyproject: dict[str, object]) -> set[str]:
    project = pyproject["project"]
    assert isinstance(project, dict)
    lines = list(project["dependencies"])
    for extra, requirements in project["optional-dependencies"].items():
        if extra not in DEV_ONLY:
            lines += requirements
    return {canonicalize_name(Requirement(line).name) for line in lines}


def test_every_third_party_import_is_declared() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    declared = declared_distributions(pyproject)
    distributions = packages_distributions()
    third_party = {
        module: files
        for module, files in imported_modules(ROOT / "pipelinekit").items()
        if module not in sys.stdlib_module_names and module != "pipelinekit"
    }
    assert {"click", "requests", "yaml"} <= third_party.keys()  # the walk sees lazy imports too
    undeclared = {
        module: sorted(files)
        for module, files in third_party.items()
        if not {canonicalize_name(d) for d in distributions.get(module, [])} & declared
    }
    assert undeclared == {}, (
        "imported by pipelinekit but not declared in pyproject.toml's dependencies or a feature "
        f"extra (or not installed: pip install -e '.[dev]'): {undeclared}"
    )
