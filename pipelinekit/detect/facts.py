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
SourceKind = Literal[
    "project",
    "extra",
    "group",
    "poetry",
    "poetry-group",
    "pdm-group",
    "hatch-env",
    "requirements",
    "constraints",
    "setup",
    "tox",
    "pipfile",
    "conda",
    "conda-pip",
]
Role = Literal["runtime", "test", "other"]
LockKind = Literal["uv", "poetry", "pdm", "pipfile", "pylock", "pinned"]

DEFAULT_PYTHON = "3.11"
"""Interpreter used for images and CI when the repository states no requirement."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TestFacts(_Frozen):
    __test__ = False  # not a pytest test class

    dirs: tuple[str, ...] = ()
    framework: TestFramework | None = None
    args: tuple[str, ...] = ()
    """What the repository's own test command selects (`-m "not slow"`, `-k`, `--ignore`):
    markers it deselects in its own CI stay deselected."""
    command_from: str | None = None
    """Where that command is (`tox.ini [testenv] commands`, a Makefile test target, ...)."""


class DependencySource(_Frozen):
    """One place the repository declares requirements: a table, an extra, a group, a file."""

    kind: SourceKind
    path: str
    """The file that declares it, relative to the project root."""
    name: str | None = None
    """The extra, group, environment or section (`test`, `dev-packages`, `tests_require`)."""
    role: Role = "runtime"
    """runtime: what the code needs; test: what its tests need, by the name's convention;
    other: neither (docs, GPU variants), installed only when configured."""
    requirements: tuple[str, ...] = ()
    """PEP 508 lines as the installer takes them. Empty for requirement and constraint files
    (the installer reads the file itself); conda specs for `conda`."""
    extras: tuple[str, ...] = ()
    """Extras of the project itself this source asks for (Hatch `features`, tox `extras`,
    an extra that names the project's own `pkg[test]`)."""
    problem: str | None = None
    """Why the file could not be read (bad TOML or YAML); building an environment from it is
    then an error that says so."""


class LockFile(_Frozen):
    kind: LockKind
    path: str
    """Relative to the project root; `pinned` is a requirement file whose every line is `==`."""


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
    """A concrete X.Y that satisfies `python`: the project's interpreter in its environment,
    its CI image and its Docker image."""
    requires_python: str | None = None
    """The range the metadata states (requires-python, Poetry's python, python_requires),
    without the pins `python` falls back to: what an installed project must satisfy."""
    python_from: str | None = None
    """What chose `python_version` (`.python-version`, `requires-python`, `classifiers`, ...);
    None when nothing did and the default applies."""
    version: str | None = None
    """The static version when the metadata has one; None when dynamic or absent."""
    version_source: Literal["static", "dynamic", "git", "none"] = "none"
    tests: TestFacts = Field(default_factory=TestFacts)
    notebooks: tuple[str, ...] = ()
    gpu_frameworks: tuple[str, ...] = ()
    gpu_declared_in: dict[str, str] = Field(default_factory=dict)
    """Framework -> the file that declares it (first found)."""
    cuda_line: str | None = None
    """The CUDA line the dependencies name explicitly (`12.1` from `torch==2.3.0+cu121`, a
    `/whl/cu121` index or conda's `pytorch-cuda=12.1`; `12` from `jax[cuda12]`), the oldest when
    several do: the GPU image's CUDA line unless the config pins one."""
    cuda_line_from: str | None = None
    """The file that names it."""
    other_projects: tuple[str, ...] = ()
    """Other projects found beside the chosen one (a monorepo's `libs/b`), relative to the
    folder pipelinekit was pointed at: each gets its own `pipelinekit init libs/b`."""
    dependency_files: tuple[str, ...] = ()
    dependency_sources: tuple[DependencySource, ...] = ()
    """Every declaration of requirements, in install order: metadata, then files."""
    locks: tuple[LockFile, ...] = ()
    package_indexes: tuple[str, ...] = ()
    """Package indexes besides PyPI the project declares (Poetry, PDM and Pipfile sources, uv
    indexes): its private packages come from there."""
    metadata_files: tuple[str, ...] = ()
    """Which of pyproject.toml, setup.py and setup.cfg the project has."""
    installable: bool = False
    """pip/uv can build and install the project (editable for tests)."""
    not_installable_reason: str | None = None
    """Why not, when it has metadata but cannot be built (a version placeholder, setup.cfg
    with nothing to build it), or has none at all."""
    static_dependencies: bool = False
    """pyproject.toml's [project] lists the runtime dependencies statically (not `dynamic`), so
    they can be read without building the project (the image's dependency layer does)."""
    formatter: Literal["ruff", "black"] | None = None
    """The formatter the repository uses (configured, or a pre-commit hook); None: none."""
    ruff_settings: tuple[str, ...] = ()
    """ruff command-line settings translated from the repository's flake8, isort and black
    configuration, when it has no ruff configuration of its own."""
    ruff_settings_from: str | None = None
    """What they were translated from (`setup.cfg [flake8]; isort settings`)."""
    lint_excludes: tuple[str, ...] = ()
    """Patterns the repository's ruff (else flake8) configuration excludes from linting."""
    lint_builtins: tuple[str, ...] = ()
    """Names its ruff (else flake8) configuration declares as builtins (gettext's `_`)."""
    lints_notebooks: bool = False
    """The repository lints its notebooks itself (ruff including *.ipynb, nbQA hooks); else
    the lint stage leaves them alone: exploration is not where style debt is judged."""
    tool_pins: dict[str, str] = Field(default_factory=dict)
    """Lint and format tools the repository pins (`ruff`, `black`) -> version, from its
    pre-commit config, locks or requirement lines: its verdicts are made with those."""
    tool_configs: tuple[str, ...] = ()
    """Tools the repo already configures itself ('ruff', 'pytest', 'coverage', 'mypy', ...)."""
    config_file: str | None = None
    """Where pipelinekit's own config lives or will live: 'pyproject.toml' or 'pipelinekit.toml'."""
    is_git: bool = False
