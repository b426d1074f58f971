"""What the packaging metadata says: name, build system, version and where it comes from,
the Python requirement and pins, classifiers, and whether the project is installable.
"""

from __future__ import annotations

from packaging.version import InvalidVersion, Version

from pipelinekit.detect.deps import (
    SetupCall,
)
from pipelinekit.detect.facts import BuildSystem
from pipelinekit.detect.tree import Repo, VersionSource, cfg_list, cfg_value
from pipelinekit.env import python as env_python
from pipelinekit.env.reqfile import parse_requirement
from pipelinekit.env.source_model import Discovery, str_list, table
from pipelinekit.env.sources_pyproject import poetry_to_pep440

_BACKENDS: tuple[tuple[str, BuildSystem], ...] = (
    ("setuptools", "setuptools"),
    ("poetry.core.", "poetry"),
    ("poetry.masonry.", "poetry"),
    ("hatchling.", "hatch"),
    ("flit_core.", "flit"),
    ("pdm.backend", "pdm"),
    ("pdm.pep517", "pdm"),
)
_VCS_PLUGINS = frozenset(
    {"setuptools-scm", "hatch-vcs", "poetry-dynamic-versioning", "versioningit", "pbr"}
    | {"setuptools-git-versioning", "versioneer"}
)


def project_name(repo: Repo) -> str:
    for candidate in (
        table(repo.pyproject, "project").get("name"),
        table(repo.pyproject, "tool", "poetry").get("name"),
        cfg_value(repo, "metadata", "name"),
        (repo.setup_py or {}).get("name"),
    ):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()
    return repo.root.resolve().name


def has_static_dependencies(repo: Repo) -> bool:
    project = repo.pyproject.get("project")
    return isinstance(project, dict) and "dependencies" not in str_list(project.get("dynamic"))


def read_build_system(repo: Repo) -> BuildSystem:
    backend = table(repo.pyproject, "build-system").get("build-backend")
    if isinstance(backend, str):
        return next((bs for prefix, bs in _BACKENDS if backend.startswith(prefix)), "none")
    if table(repo.pyproject, "tool", "poetry"):
        return "poetry"
    # pip builds a project without [build-system] with setuptools (PEP 517's fallback); a
    # setup.cfg holding only tool settings ([flake8], ...) builds nothing.
    cfg = repo.setup_cfg
    if (
        "setup.py" in repo.tree.file_set
        or table(repo.pyproject, "project")
        or (cfg is not None and (cfg.has_section("metadata") or cfg.has_section("options")))
    ):
        return "setuptools"
    return "none"


def read_version(repo: Repo) -> tuple[str | None, VersionSource]:
    """Static version, else 'git' when a VCS plugin derives it, else 'dynamic' or 'none'.

    poetry-dynamic-versioning keeps a placeholder in `tool.poetry.version`, so when it is enabled
    the static-looking value is ignored.
    """
    project = table(repo.pyproject, "project")
    setup_py = repo.setup_py or {}
    cfg_version = cfg_value(repo, "metadata", "version")
    dynamic = "version" in str_list(project.get("dynamic")) or (
        cfg_version is not None and cfg_version.startswith(("attr:", "file:"))
    )
    static: object = project.get("version") or table(repo.pyproject, "tool", "poetry").get(
        "version"
    )
    if not static and cfg_version and not dynamic:
        static = cfg_version
    if not static and "version" in setup_py:
        static = setup_py["version"]
        dynamic = dynamic or not isinstance(static, str)
    pdv = table(repo.pyproject, "tool", "poetry-dynamic-versioning").get("enable") is True
    if isinstance(static, str) and static and not pdv:
        return static, "static"
    if pdv or _vcs_versioned(repo):
        return None, "git"
    return None, "dynamic" if dynamic else "none"


def _vcs_versioned(repo: Repo) -> bool:
    tool = table(repo.pyproject, "tool")
    requires = str_list(table(repo.pyproject, "build-system").get("requires"))
    setup_py = repo.setup_py or {}
    requires += str_list(setup_py.get("setup_requires")) + cfg_list(
        cfg_value(repo, "options", "setup_requires")
    )
    if {p[0] for r in requires if (p := parse_requirement(r))} & _VCS_PLUGINS:
        return True
    version = setup_py.get("version")
    return (
        bool({"setuptools_scm", "versioningit", "versioneer"} & tool.keys())
        or table(tool, "hatch", "version").get("source") == "vcs"
        or table(tool, "pdm", "version").get("source") == "scm"
        or setup_py.get("use_scm_version") not in (None, False)
        or setup_py.get("pbr") is True
        or (isinstance(version, SetupCall) and version.func.startswith("versioneer."))
        or bool(repo.setup_cfg and repo.setup_cfg.has_section("versioneer"))
    )


# -- Python requirement -------------------------------------------------------------------------


def read_python_requirement(repo: Repo) -> tuple[str, str] | None:
    """The stated range and where it is stated: metadata only (pins are not ranges)."""
    poetry_python = table(repo.pyproject, "tool", "poetry", "dependencies").get("python")
    if isinstance(poetry_python, dict):
        poetry_python = poetry_python.get("version")
    candidates: list[tuple[object, str]] = [
        (table(repo.pyproject, "project").get("requires-python"), "requires-python"),
        (
            poetry_to_pep440(poetry_python) if isinstance(poetry_python, str) else None,
            "tool.poetry.dependencies.python",
        ),
        (cfg_value(repo, "options", "python_requires"), "setup.cfg python_requires"),
        ((repo.setup_py or {}).get("python_requires"), "setup.py python_requires"),
    ]
    return next(
        ((c.strip(), where) for c, where in candidates if isinstance(c, str) and c.strip()), None
    )


def read_python_pins(repo: Repo, found: Discovery) -> list[tuple[str, str]]:
    """Concrete interpreter pins, most trusted first: `.python-version` (pyenv, uv), then
    runtime.txt, then environment.yml and Pipfile."""
    pins = [
        (
            ".python-version",
            env_python.pinned_python(repo.root / ".python-version", r"(?:[a-z]+-?)?(\d+)\.(\d+)"),
        ),
        (
            "runtime.txt",
            env_python.pinned_python(repo.root / "runtime.txt", r"python-(\d+)\.(\d+)"),
        ),
    ]
    conda = [(path, spec) for path, spec in found.python_pins.items() if path != "Pipfile"]
    pipfile = [(path, spec) for path, spec in found.python_pins.items() if path == "Pipfile"]
    return [(where, spec) for where, spec in [*pins, *conda, *pipfile] if spec]


def read_classifiers(repo: Repo) -> list[str]:
    return (
        str_list(table(repo.pyproject, "project").get("classifiers"))
        + str_list(table(repo.pyproject, "tool", "poetry").get("classifiers"))
        + [line.strip() for line in (cfg_value(repo, "metadata", "classifiers") or "").splitlines()]
        + str_list((repo.setup_py or {}).get("classifiers"))
    )


def check_installable(
    repo: Repo, build_system: BuildSystem, version: str | None, version_source: VersionSource
) -> tuple[bool, str | None]:
    """Whether pip/uv can build the project, and why not when they cannot."""
    files = repo.tree.file_set
    if build_system == "none":
        return False, "it has no packaging metadata: no pyproject.toml [project] and no setup.py"
    if "pyproject.toml" not in files and "setup.py" not in files:
        return False, "setup.cfg alone cannot be built (no setup.py and no pyproject.toml)"
    if table(repo.pyproject, "tool", "poetry").get("package-mode") is False:
        return False, "Poetry's package-mode is false"
    if version_source == "static" and version is not None:
        try:
            Version(version)
        except InvalidVersion:
            return False, f"its version {version!r} is a placeholder, not a PEP 440 version"
    return True, None
