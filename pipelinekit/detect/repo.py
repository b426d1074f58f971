"""detect(): what a repository is, learned from its files alone.

The user's code is never imported or executed: pyproject.toml goes through tomllib, setup.cfg
through configparser and setup.py through `ast` (literal values only). Detecting an untrusted or
broken repository is therefore safe, has no import-time side effects and cannot hang. The tree is
walked once with os.scandir, pruning virtualenvs, caches and build output before descending, so a
repository of thousands of files is read in milliseconds.
"""

from __future__ import annotations

import configparser
import fnmatch
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from packaging.version import InvalidVersion, Version

from pipelinekit.config.file import config_location, read_toml
from pipelinekit.detect import testcmd as detect_testcmd
from pipelinekit.detect import tools as detect_tools
from pipelinekit.detect.deps import (
    DependencyScan,
    SetupCall,
    gpu_frameworks,
    read_ini,
    read_setup_py,
    scan_dependencies,
)
from pipelinekit.detect.facts import BuildSystem, ProjectFacts, TestFacts, TestFramework
from pipelinekit.docker import cuda
from pipelinekit.env import python as env_python
from pipelinekit.env.reqfile import normalize, parse_requirement
from pipelinekit.env.source_model import Discovery, str_list, table
from pipelinekit.env.sources import discover
from pipelinekit.env.sources_pyproject import poetry_to_pep440
from pipelinekit.errors import DetectError

SKIP_DIRS = frozenset({"venv", "node_modules", "build", "dist", "site-packages", "__pycache__"})
"""Never descended into, anywhere; dot-folders (.git, .venv, .tox, .ipynb_checkpoints, caches),
*.egg-info and any folder holding a pyvenv.cfg or conda-meta (a virtualenv or conda env, whatever
its name) are pruned too."""
METADATA_FILES = ("pyproject.toml", "setup.py", "setup.cfg")
NOT_PACKAGES = frozenset(
    {"test", "tests", "doc", "docs", "example", "examples", "script", "scripts"}
    | {"notebook", "notebooks", "benchmark", "benchmarks"}
)
"""Top-level folders that are never the project's import packages, even with an __init__.py."""

_ENV_MARKERS = frozenset({"pyvenv.cfg", "conda-meta"})
_NOT_MODULES = re.compile(
    r"setup|conftest|tests?|examples?|build|toxfile|noxfile|pavement|dodo|tasks|fabfile"
    r"|conanfile|manage|benchmarks?|exercises?|versioneer|test_.*|.*_test|[._].*"
)
"""Top-level .py files that are tooling, not py-modules (setuptools' flat-layout exclusions)."""
_TEST_DIR = re.compile(r"tests?|testing|\w+_tests|tests_\w+")
"""Top-level test folders: tests/, test/, testing/, unit_tests/, tests_integration/ ..."""
_TEST_FILE = re.compile(r"(?:^|/)(?:test_[^/]*|[^/]*_test)\.py$")
_PYTEST_STYLE = re.compile(
    r"^\s*(?:import pytest|from pytest\b)|^(?:async\s+)?def test_"
    r"|^class Test\w*\s*(?:\(\s*(?:object)?\s*\))?\s*:",
    re.MULTILINE,
)
_UNITTEST_STYLE = re.compile(r"\bunittest\b|\bTestCase\b")
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
_MAX_TEST_FILES = 200

VersionSource = Literal["static", "dynamic", "git", "none"]
_Located = list[tuple[str, str]]
"""(import name, folder holding it) pairs."""


@dataclass(frozen=True)
class _Tree:
    """The project folder as sorted POSIX paths relative to it (pruned dirs left out)."""

    files: tuple[str, ...]
    file_set: frozenset[str]
    dirs: frozenset[str]


@dataclass(frozen=True)
class _Find:
    """setuptools package discovery: `find_packages` / `packages.find` arguments."""

    where: tuple[str, ...]
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    namespace: bool = False


@dataclass(frozen=True)
class _Repo:
    """Everything read from the project folder once, shared by the field detectors."""

    root: Path
    tree: _Tree
    pyproject: dict[str, Any]
    setup_cfg: configparser.RawConfigParser | None
    setup_py: dict[str, object] | None
    tox_ini: configparser.RawConfigParser | None
    pytest_ini: configparser.RawConfigParser | None


def detect(path: Path) -> ProjectFacts:
    """Describe the Python project at `path` (or in one of its first two levels of subfolders).

    Raises DetectError when `path` is not a folder or holds no Python project, and ConfigError
    (with line and column) when its pyproject.toml is not valid TOML.
    """
    path = Path(path)
    if not path.is_dir():
        what = "is not a folder" if path.exists() else "does not exist"
        raise DetectError(
            f"{path} {what}. Point pipelinekit at the folder of your repository, e.g. "
            "`pipelinekit detect .` from its top level."
        )
    root, other_projects = _find_root(path)
    tree = _walk(root)
    present = tree.file_set.__contains__
    repo = _Repo(
        root=root,
        tree=tree,
        pyproject=read_toml(root / "pyproject.toml") if present("pyproject.toml") else {},
        setup_cfg=read_ini(root / "setup.cfg") if present("setup.cfg") else None,
        setup_py=read_setup_py(root / "setup.py") if present("setup.py") else None,
        tox_ini=read_ini(root / "tox.ini") if present("tox.ini") else None,
        pytest_ini=read_ini(root / "pytest.ini") if present("pytest.ini") else None,
    )
    build_system = _build_system(repo)
    packages, modules, source_dirs = _packages(repo, build_system)
    found = discover(
        root, tree.file_set, repo.pyproject, repo.setup_cfg, repo.setup_py, repo.tox_ini
    )
    deps = scan_dependencies(root, found)
    requirement = _python_requirement(repo)
    pins = _python_pins(repo, found)
    python = requirement[0] if requirement else next((spec for _, spec in pins), None)
    python_version, python_from = env_python.choose(requirement, pins, _classifiers(repo))
    tools = _tool_configs(repo)
    translation = (
        ("", ())
        if "ruff" in tools
        else detect_tools.ruff_translation(
            root, tree.file_set, repo.pyproject, repo.setup_cfg, repo.tox_ini
        )
    )
    excludes, builtins = detect_tools.lint_scope(
        root, tree.file_set, repo.pyproject, repo.setup_cfg, repo.tox_ini
    )
    version, version_source = _version(repo)
    installable, not_installable = _installable(repo, build_system, version, version_source)
    code_paths = [_join(folder, name) for name, folder in packages]
    module_files = [_join(folder, f"{name}.py") for name, folder in modules]
    gpu = gpu_frameworks(deps, root, module_files + _files_under(tree, code_paths))
    cuda_line = cuda.oldest([line for line, _ in deps.cuda])
    return ProjectFacts(
        root=root.relative_to(path).as_posix(),
        name=_name(repo),
        packages=tuple(name for name, _ in packages),
        modules=tuple(name for name, _ in modules),
        layout="src" if any(folder != "." for folder in source_dirs) else "flat",
        source_dirs=source_dirs,
        build_system=build_system,
        python=python,
        python_version=python_version,
        requires_python=requirement[0] if requirement else None,
        python_from=python_from,
        version=version,
        version_source=version_source,
        tests=_tests(repo, code_paths + [d for d in source_dirs if d != "."], deps, tools),
        notebooks=tuple(f for f in tree.files if f.endswith(".ipynb")),
        gpu_frameworks=tuple(sorted(gpu)),
        gpu_declared_in=dict(sorted(gpu.items())),
        cuda_line=cuda_line,
        other_projects=other_projects,
        cuda_line_from=next((f for line, f in deps.cuda if line == cuda_line), None),
        dependency_files=tuple(sorted(deps.files)),
        dependency_sources=tuple(found.sources),
        locks=tuple(found.locks),
        package_indexes=tuple(found.indexes),
        metadata_files=tuple(f for f in METADATA_FILES if f in tree.file_set),
        installable=installable,
        not_installable_reason=not_installable,
        static_dependencies=_static_dependencies(repo),
        formatter=detect_tools.formatter(root, tree.file_set, repo.pyproject),
        tool_pins=detect_tools.tool_pins(root, tree.file_set, found),
        lints_notebooks=detect_tools.lints_notebooks(root, tree.file_set, repo.pyproject),
        ruff_settings=translation[1],
        ruff_settings_from=translation[0] or None,
        lint_excludes=excludes,
        lint_builtins=builtins,
        tool_configs=tools,
        config_file=config_location(root)[0].name,
        is_git=any(
            (folder / ".git").exists() for folder in (path.resolve(), *path.resolve().parents)
        ),
    )


# -- finding the project and walking it ---------------------------------------------------------


def _pruned(name: str) -> bool:
    return name in SKIP_DIRS or name.startswith(".") or name.endswith(".egg-info")


def _is_package_name(name: str) -> bool:
    return name.isidentifier() and name not in NOT_PACKAGES


def _is_module_file(name: str) -> bool:
    stem = name.removesuffix(".py")
    return name.endswith(".py") and stem.isidentifier() and not _NOT_MODULES.fullmatch(stem)


def _entries(folder: Path) -> dict[str, bool]:
    """Name -> is-a-folder for the entries of `folder` ({} when unreadable)."""
    try:
        with os.scandir(folder) as it:
            return {e.name: e.is_dir(follow_symlinks=False) for e in it}
    except OSError:
        return {}


def _signal(folder: Path) -> int:
    """How surely `folder` is a Python project: 2 metadata, 1 an import package, 0 neither."""
    entries = _entries(folder)
    if any(
        entries.get(name) is False and _declares_project(folder / name) for name in METADATA_FILES
    ):
        return 2
    for name, is_dir in entries.items():
        if is_dir and _is_package_name(name) and (folder / name / "__init__.py").is_file():
            return 1
    modules = any(_is_module_file(n) for n, is_dir in entries.items() if not is_dir)
    tested = any(entries.get(n) for n in ("tests", "test")) or any(
        _TEST_FILE.search(n) for n in entries
    )
    if modules and (tested or any("requirements" in n for n in entries)):
        return 1  # top-level modules with their tests or requirements: a project of modules
    declared = any(n in _DEPENDENCY_FILES or n.startswith("requirements") for n in entries)
    if declared and (
        any(n.endswith(".ipynb") for n in entries)
        or any(entries.get(d) for d in ("notebooks", "scripts", "analysis"))
    ):
        return 1  # notebooks or scripts with the dependencies they run with: a data-science repo
    if entries.get("src"):
        for name, is_dir in _entries(folder / "src").items():
            if (
                is_dir
                and name.isidentifier()
                and any(n.endswith(".py") for n in _entries(folder / "src" / name))
            ):
                return 1
    return 0


_PROJECT_TABLE = re.compile(
    r"^\s*\[\s*(project|build-system|tool\.poetry|metadata|options)\s*\]", re.M
)


def _declares_project(path: Path) -> bool:
    """A setup.py, or a pyproject.toml / setup.cfg with project metadata: one holding only tool
    settings (a uv workspace root with `[tool.uv.workspace]` and `[tool.ruff]`, a setup.cfg
    with only `[flake8]`) is not the project."""
    if path.name == "setup.py":
        return True
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return True  # unreadable: let reading it report the problem
    return bool(_PROJECT_TABLE.search(text))


_DEPENDENCY_FILES = frozenset({"environment.yml", "environment.yaml", "Pipfile", "conda.yml"})


def _subfolders(folder: Path) -> list[Path]:
    """Folders that may hold a nested project: not pruned, not a package, not an environment."""
    found = []
    for name, is_dir in sorted(_entries(folder).items()):
        if is_dir and not _pruned(name) and name not in NOT_PACKAGES:
            inner = _entries(folder / name)
            if "__init__.py" not in inner and not _ENV_MARKERS & inner.keys():
                found.append(folder / name)
    return found


def _find_root(path: Path) -> tuple[Path, tuple[str, ...]]:
    """`path` itself when it is a project, else the best project one or two levels below it,
    and the other projects found as surely (a monorepo's), which init names.

    Several candidates are ranked: metadata over a bare package, one with tests first, then the
    shallower, then by name, so the choice is deterministic and never an ambiguity error.
    """
    if _signal(path):
        return path, ()
    ranked: list[tuple[int, bool, int, str, Path]] = []
    for child in _subfolders(path):
        for candidate in [child] if _signal(child) else _subfolders(child):
            signal = _signal(candidate)
            if signal:
                inner = _entries(candidate)
                has_tests = bool({"tests", "test"} & {n for n, d in inner.items() if d}) or any(
                    _TEST_FILE.search(n) for n in inner
                )
                depth = len(candidate.relative_to(path).parts)
                ranked.append((-signal, not has_tests, depth, candidate.name, candidate))
    if ranked:
        chosen = min(ranked)
        others = [c[-1] for c in sorted(ranked) if c[0] == chosen[0] and c is not chosen]
        return chosen[-1], tuple(other.relative_to(path).as_posix() for other in others)
    if any(_is_module_file(name) for name, is_dir in _entries(path).items() if not is_dir):
        return path, ()
    raise DetectError(
        f"No Python project found in {path}. pipelinekit looks for a pyproject.toml, setup.py or "
        "setup.cfg, an import package (a folder with __init__.py, or any package under src/) or "
        "top-level .py modules, in that folder or one or two levels below it (skipping "
        "virtualenvs, node_modules, build and dist). Point pipelinekit at your project's folder, "
        "or add a pyproject.toml with a [project] table."
    )


def project_files(base: Path) -> tuple[str, ...]:
    """Every file under `base` (POSIX, relative, sorted), pruned as detection prunes:
    virtualenvs, caches, build output and dot-folders are not the project's files."""
    return _walk(base).files


def _walk(base: Path) -> _Tree:
    files: list[str] = []
    dirs: set[str] = set()
    stack = [("", str(base))]
    while stack:
        rel, folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:
            continue
        if rel and any(e.name in _ENV_MARKERS for e in entries):
            continue  # a virtualenv or conda environment, whatever it is called
        if rel:
            dirs.add(rel)
        for entry in entries:
            child = f"{rel}/{entry.name}" if rel else entry.name
            if entry.is_dir(follow_symlinks=False):
                if not _pruned(entry.name):
                    stack.append((child, entry.path))
            elif _is_file(entry):
                files.append(child)
    files.sort()
    return _Tree(tuple(files), frozenset(files), frozenset(dirs))


def _is_file(entry: os.DirEntry[str]) -> bool:
    """A file, or a link to one; a link loop or a dangling link is neither."""
    try:
        return entry.is_file()
    except OSError:
        return False


def _files_under(tree: _Tree, folders: list[str]) -> list[str]:
    return [
        f for f in tree.files if f.endswith(".py") and any(f.startswith(f"{d}/") for d in folders)
    ]


def _join(folder: str, name: str) -> str:
    return name if folder == "." else f"{folder}/{name}"


def _folder(value: object) -> str:
    """A folder setting ('src/', './lib', '') as a clean relative POSIX path, '.' for the root."""
    text = value.strip().strip("/") if isinstance(value, str) else ""
    text = text.removeprefix("./")
    return text or "."


# -- reading metadata ---------------------------------------------------------------------------


def _cfg(repo: _Repo, section: str, key: str) -> str | None:
    if repo.setup_cfg is None:
        return None
    value = repo.setup_cfg.get(section, key, fallback=None)
    return value.strip() if value and value.strip() else None


def _cfg_list(value: str | None) -> list[str]:
    return [item for item in re.split(r"[\s,]+", value or "") if item]


def _name(repo: _Repo) -> str:
    for candidate in (
        table(repo.pyproject, "project").get("name"),
        table(repo.pyproject, "tool", "poetry").get("name"),
        _cfg(repo, "metadata", "name"),
        (repo.setup_py or {}).get("name"),
    ):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()
    return repo.root.resolve().name


def _static_dependencies(repo: _Repo) -> bool:
    project = repo.pyproject.get("project")
    return isinstance(project, dict) and "dependencies" not in str_list(project.get("dynamic"))


def _build_system(repo: _Repo) -> BuildSystem:
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


def _version(repo: _Repo) -> tuple[str | None, VersionSource]:
    """Static version, else 'git' when a VCS plugin derives it, else 'dynamic' or 'none'.

    poetry-dynamic-versioning keeps a placeholder in `tool.poetry.version`, so when it is enabled
    the static-looking value is ignored.
    """
    project = table(repo.pyproject, "project")
    setup_py = repo.setup_py or {}
    cfg_version = _cfg(repo, "metadata", "version")
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


def _vcs_versioned(repo: _Repo) -> bool:
    tool = table(repo.pyproject, "tool")
    requires = str_list(table(repo.pyproject, "build-system").get("requires"))
    setup_py = repo.setup_py or {}
    requires += str_list(setup_py.get("setup_requires")) + _cfg_list(
        _cfg(repo, "options", "setup_requires")
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


# -- packages and modules -----------------------------------------------------------------------


def _packages(repo: _Repo, build_system: BuildSystem) -> tuple[_Located, _Located, tuple[str, ...]]:
    """Import packages, else py-modules, and the folders that hold them.

    Explicit declarations (poetry/hatch/flit/setuptools) win over discovery; discovery prefers a
    src layout unless src/__init__.py makes `src` itself the package.
    """
    packages, modules, find = _declared(repo, build_system)
    # A package the metadata names is one whatever it is called (`notebooks`, `scripts`);
    # only discovery leaves out the folders that conventionally are not packages.
    wanted = str.isidentifier if packages else _is_package_name
    if not packages and not modules:
        packages = _discover_packages(repo.tree, find)
    unique: dict[str, str] = {}
    for name, folder in sorted(packages):
        if wanted(name):
            unique.setdefault(name, folder)
    packages = list(unique.items())
    if packages:
        modules = []
    elif not modules:
        modules = [(m, "src") for m in _auto_modules(repo.tree, "src")] or [
            (m, ".") for m in _auto_modules(repo.tree, ".")
        ]
    return packages, sorted(modules), tuple(sorted({folder for _, folder in packages or modules}))


def _declared(repo: _Repo, build_system: BuildSystem) -> tuple[_Located, _Located, _Find | None]:
    tool = table(repo.pyproject, "tool")
    poetry_packages, poetry_modules = [], []
    for entry in table(tool, "poetry").get("packages") or []:
        include = table(entry).get("include")
        if isinstance(include, str):
            top, folder = include.split("/")[0], _folder(table(entry).get("from"))
            if top.endswith(".py"):
                poetry_modules.append((top.removesuffix(".py"), folder))
            else:
                poetry_packages.append((top, folder))
    if poetry_packages or poetry_modules:
        return poetry_packages, poetry_modules, None
    hatch = str_list(table(tool, "hatch", "build", "targets", "wheel").get("packages"))
    if hatch:
        paths = [PurePosixPath(p.strip("/")) for p in hatch]
        return [(p.name, _folder(str(p.parent))) for p in paths], [], None
    if build_system == "flit":
        name = table(tool, "flit", "module").get("name") or table(repo.pyproject, "project").get(
            "name"
        )
        if isinstance(name, str):
            name = normalize(name).replace("-", "_")
            in_src = f"src/{name}" in repo.tree.dirs or f"src/{name}.py" in repo.tree.file_set
            folder = "src" if in_src else "."
            is_module = _join(folder, f"{name}.py") in repo.tree.file_set
            return ([], [(name, folder)], None) if is_module else ([(name, folder)], [], None)
    return _setuptools_declared(repo)


def _setuptools_declared(repo: _Repo) -> tuple[_Located, _Located, _Find | None]:
    """pyproject [tool.setuptools], then setup.cfg [options], then setup.py keywords."""
    st = table(repo.pyproject, "tool", "setuptools")
    kw = repo.setup_py or {}
    package_dir = {k: v for k, v in table(kw.get("package_dir")).items() if isinstance(v, str)}
    for line in (_cfg(repo, "options", "package_dir") or "").splitlines():
        key, _, value = line.partition("=")
        if value.strip():
            package_dir[key.strip()] = value.strip()
    package_dir.update(
        {k: v for k, v in table(st.get("package-dir")).items() if isinstance(v, str)}
    )
    base = _folder(package_dir.get(""))

    def located(names: list[str]) -> _Located:
        tops = {name.split(".")[0] for name in names}
        return [
            (t, _folder(str(PurePosixPath(package_dir[t]).parent)) if t in package_dir else base)
            for t in tops
        ]

    modules = str_list(st.get("py-modules")) or _cfg_list(_cfg(repo, "options", "py_modules"))
    modules = modules or str_list(kw.get("py_modules"))
    declared = st.get("packages")
    if isinstance(declared, list):
        return located(str_list(declared)), located(modules), None
    if isinstance(declared, dict):
        spec = table(declared, "find")
        return (
            [],
            [],
            _Find(
                where=tuple(_folder(w) for w in str_list(spec.get("where"))) or (base,),
                include=tuple(str_list(spec.get("include"))),
                exclude=tuple(str_list(spec.get("exclude"))),
                namespace=spec.get("namespaces", True) is not False,
            ),
        )
    cfg_packages = _cfg(repo, "options", "packages")
    if cfg_packages and cfg_packages.startswith(("find:", "find_namespace:")):
        section = "options.packages.find"
        return (
            [],
            [],
            _Find(
                where=(_folder(_cfg(repo, section, "where") or base),),
                include=tuple(_cfg_list(_cfg(repo, section, "include"))),
                exclude=tuple(_cfg_list(_cfg(repo, section, "exclude"))),
                namespace=cfg_packages.startswith("find_namespace:"),
            ),
        )
    if cfg_packages:
        return located(_cfg_list(cfg_packages)), located(modules), None
    packages = kw.get("packages")
    if isinstance(packages, SetupCall) and packages.func.endswith("_packages"):
        where = packages.kwargs.get("where", packages.args[0] if packages.args else base)
        return (
            [],
            [],
            _Find(
                where=(_folder(where) if isinstance(where, str) else base,),
                include=tuple(str_list(packages.kwargs.get("include"))),
                exclude=tuple(str_list(packages.kwargs.get("exclude"))),
                namespace="namespace" in packages.func,
            ),
        )
    return located(str_list(packages)), located(modules), None


def _discover(tree: _Tree, where: str, namespace: bool) -> set[str]:
    """Top-level packages under `where`; with `namespace`, any folder holding .py files counts."""
    prefix = "" if where == "." else f"{where}/"
    found = set()
    for path in tree.files:
        if path.startswith(prefix) and path.endswith(".py"):
            parts = path[len(prefix) :].split("/")
            if len(parts) > 1 and (namespace or parts[1:] == ["__init__.py"]):
                found.add(parts[0])
    return found


def _discover_packages(tree: _Tree, find: _Find | None) -> _Located:
    if find is not None:
        return [
            (name, where)
            for where in find.where
            for name in _discover(tree, where, find.namespace)
            if (not find.include or any(fnmatch.fnmatchcase(name, p) for p in find.include))
            and not any(fnmatch.fnmatchcase(name, p) for p in find.exclude)
        ]
    if "src/__init__.py" not in tree.file_set:
        in_src = _discover(tree, "src", namespace=True)  # PEP 420 packages are fine under src/
        if in_src:
            return [(name, "src") for name in in_src]
    return [(name, ".") for name in _discover(tree, ".", namespace=False)]


def _auto_modules(tree: _Tree, folder: str) -> list[str]:
    prefix = "" if folder == "." else f"{folder}/"
    return [
        path[len(prefix) : -3]
        for path in tree.files
        if path.startswith(prefix)
        and "/" not in path[len(prefix) :]
        and _is_module_file(path[len(prefix) :])
    ]


# -- Python requirement -------------------------------------------------------------------------


def _python_requirement(repo: _Repo) -> tuple[str, str] | None:
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
        (_cfg(repo, "options", "python_requires"), "setup.cfg python_requires"),
        ((repo.setup_py or {}).get("python_requires"), "setup.py python_requires"),
    ]
    return next(
        ((c.strip(), where) for c, where in candidates if isinstance(c, str) and c.strip()), None
    )


def _python_pins(repo: _Repo, found: Discovery) -> list[tuple[str, str]]:
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


def _classifiers(repo: _Repo) -> list[str]:
    return (
        str_list(table(repo.pyproject, "project").get("classifiers"))
        + str_list(table(repo.pyproject, "tool", "poetry").get("classifiers"))
        + [line.strip() for line in (_cfg(repo, "metadata", "classifiers") or "").splitlines()]
        + str_list((repo.setup_py or {}).get("classifiers"))
    )


def _installable(
    repo: _Repo, build_system: BuildSystem, version: str | None, version_source: VersionSource
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


# -- tests and tool configs ---------------------------------------------------------------------


def _tests(
    repo: _Repo, code_paths: list[str], deps: DependencyScan, tools: tuple[str, ...]
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


def _configured_testpaths(repo: _Repo) -> list[str]:
    """pytest's `testpaths` in pytest's own precedence, kept when they exist (globs expanded)."""
    pytest_table = table(repo.pyproject, "tool", "pytest")
    sources = [
        repo.pytest_ini.get("pytest", "testpaths", fallback=None) if repo.pytest_ini else None,
        table(pytest_table, "ini_options").get("testpaths") or pytest_table.get("testpaths"),
        repo.tox_ini.get("pytest", "testpaths", fallback=None) if repo.tox_ini else None,
        _cfg(repo, "tool:pytest", "testpaths"),
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


def _discovered_test_dirs(tree: _Tree, code_paths: list[str]) -> list[str]:
    """tests/ or test/ at the root, `tests` folders inside the packages, or '.' for test files
    beside setup.py ('.' alone then: it already covers every other folder)."""
    found: set[str] = set()
    for path in tree.files:
        parts = path.split("/")
        if not path.endswith(".py"):
            continue
        if len(parts) == 1:
            if _TEST_FILE.search(path):
                found.add(".")
        elif _TEST_DIR.fullmatch(parts[0]) and parts[-1] != "__init__.py":
            found.add(parts[0])
        elif _TEST_FILE.search(path):
            for i in range(1, len(parts) - 1):
                prefix = "/".join(parts[:i])
                if parts[i] in ("tests", "test") and any(
                    prefix == p or prefix.startswith(f"{p}/") for p in code_paths
                ):
                    found.add(f"{prefix}/{parts[i]}")
                    break
    return ["."] if "." in found else sorted(found)


def _test_framework(
    repo: _Repo, dirs: list[str], deps: DependencyScan, tools: tuple[str, ...]
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
        and (not everywhere or _TEST_FILE.search(f) or f.rsplit("/", 1)[-1] == "conftest.py")
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


def _tool_configs(repo: _Repo) -> tuple[str, ...]:
    tool = table(repo.pyproject, "tool").keys()
    files = repo.tree.file_set
    ini = {
        section
        for parser in (repo.setup_cfg, repo.tox_ini)
        if parser is not None
        for section in parser.sections()
    }
    checks = {
        "ruff": "ruff" in tool or bool({"ruff.toml", ".ruff.toml"} & files),
        "pytest": "pytest" in tool
        or "pytest.ini" in files
        or bool({"tool:pytest", "pytest"} & ini),
        "coverage": "coverage" in tool
        or ".coveragerc" in files
        or any(s.startswith("coverage:") for s in ini),
        "mypy": "mypy" in tool
        or bool({"mypy.ini", ".mypy.ini"} & files)
        or any(s == "mypy" or s.startswith("mypy-") for s in ini),
        "flake8": ".flake8" in files or "flake8" in ini,
        "black": "black" in tool,
        "isort": "isort" in tool or ".isort.cfg" in files or "isort" in ini,
        "pylint": "pylint" in tool
        or bool({".pylintrc", "pylintrc"} & files)
        or any(s.lower().startswith(("pylint", "master")) for s in ini),
    }
    return tuple(sorted(name for name, configured in checks.items() if configured))
