"""ProjectFacts: what `detect` learns about a repository from its files alone.

The JSON keys `root`, `packages`, `layout`, `build_system`, `python`, `tests`, `notebooks`,
`gpu_frameworks` and `dependency_files` are a stable contract (`pipelinekit detect --format json`).
Every path is POSIX-style; `root` is relative to the folder detect was pointed at, every other
path is relative to `root`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

BuildSystem = Literal["setuptools", "poetry", "hatch", "flit", "pdm", "none"]
TestFramework = Literal["pytest", "unittest"]

DEFAULT_PYTHON = "3.11"
"""Interpreter used for images and CI when the repository states no requirement."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TestFacts(_Frozen):
    __test__ = False  # not a pytest test class

    dirs: tuple[str, ...] = ()
    framework: TestFramework | None = None


class ProjectFacts(_Frozen):
    root: str = "."
    """The Python project's folder relative to the path detect was given ('.' when the same)."""
    name: str
    """Distribution name (PEP 621 / poetry / setup.py name), else the folder name."""
    packages: tuple[str, ...]
    """Import package names (may differ from `name`: scikit-learn -> sklearn)."""
    modules: tuple[str, ...] = ()
    """Top-level single-file modules (py-modules) when the project has no package."""
    layout: Literal["src", "flat"] = "flat"
    source_dirs: tuple[str, ...] = ()
    """Folders that hold the import packages ('src' for a src layout, '.' for flat)."""
    build_system: BuildSystem = "none"
    python: str | None = None
    """The Python requirement string as the repo states it (e.g. '>=3.10,<3.13'), or None."""
    python_version: str = DEFAULT_PYTHON
    """A concrete X.Y that satisfies `python`, used for images and CI interpreters."""
    version: str | None = None
    """The static version when the metadata has one; None when dynamic or absent."""
    version_source: Literal["static", "dynamic", "git", "none"] = "none"
    tests: TestFacts = Field(default_factory=TestFacts)
    notebooks: tuple[str, ...] = ()
    gpu_frameworks: tuple[str, ...] = ()
    gpu_declared_in: dict[str, str] = Field(default_factory=dict)
    """Framework -> the file that declares it (first found)."""
    dependency_files: tuple[str, ...] = ()
    static_dependencies: bool = False
    """pyproject.toml's [project] lists the runtime dependencies statically (not `dynamic`), so
    they can be read without building the project (the image's dependency layer does)."""
    tool_configs: tuple[str, ...] = ()
    """Tools the repo already configures itself ('ruff', 'pytest', 'coverage', 'mypy', ...)."""
    config_file: str | None = None
    """Where pipelinekit's own config lives or will live: 'pyproject.toml' or 'pipelinekit.toml'."""
    is_git: bool = False
