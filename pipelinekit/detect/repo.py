"""detect(): what a repository is, learned from its files alone.

The user's code is never imported or executed: pyproject.toml goes through tomllib, setup.cfg
through configparser and setup.py through `ast` (literal values only). Detecting an untrusted or
broken repository is therefore safe, has no import-time side effects and cannot hang. The tree is
walked once with os.scandir, pruning virtualenvs, caches and build output before descending, so a
repository of thousands of files is read in milliseconds.
"""

from __future__ import annotations

from pathlib import Path

from pipelinekit.config.file import config_location, read_toml
from pipelinekit.detect import tools as detect_tools
from pipelinekit.detect.deps import (
    gpu_frameworks,
    read_ini,
    read_setup_py,
    scan_dependencies,
)
from pipelinekit.detect.facts import ProjectFacts
from pipelinekit.detect.metadata import (
    check_installable,
    has_static_dependencies,
    project_name,
    read_build_system,
    read_classifiers,
    read_python_pins,
    read_python_requirement,
    read_version,
)
from pipelinekit.detect.packages import find_packages
from pipelinekit.detect.root import find_root
from pipelinekit.detect.testsuite import find_tests
from pipelinekit.detect.tree import METADATA_FILES, Repo, files_under, join_path, walk_tree
from pipelinekit.docker import cuda
from pipelinekit.env import python as env_python
from pipelinekit.env.source_model import table
from pipelinekit.env.sources import discover
from pipelinekit.errors import DetectError


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
    root, other_projects = find_root(path)
    tree = walk_tree(root)
    present = tree.file_set.__contains__
    repo = Repo(
        root=root,
        tree=tree,
        pyproject=read_toml(root / "pyproject.toml") if present("pyproject.toml") else {},
        setup_cfg=read_ini(root / "setup.cfg") if present("setup.cfg") else None,
        setup_py=read_setup_py(root / "setup.py") if present("setup.py") else None,
        tox_ini=read_ini(root / "tox.ini") if present("tox.ini") else None,
        pytest_ini=read_ini(root / "pytest.ini") if present("pytest.ini") else None,
    )
    build_system = read_build_system(repo)
    packages, modules, source_dirs = find_packages(repo, build_system)
    found = discover(
        root, tree.file_set, repo.pyproject, repo.setup_cfg, repo.setup_py, repo.tox_ini
    )
    deps = scan_dependencies(root, found)
    requirement = read_python_requirement(repo)
    pins = read_python_pins(repo, found)
    python = requirement[0] if requirement else next((spec for _, spec in pins), None)
    python_version, python_from = env_python.choose(requirement, pins, read_classifiers(repo))
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
    version, version_source = read_version(repo)
    installable, not_installable = check_installable(repo, build_system, version, version_source)
    code_paths = [join_path(folder, name) for name, folder in packages]
    module_files = [join_path(folder, f"{name}.py") for name, folder in modules]
    gpu = gpu_frameworks(deps, root, module_files + files_under(tree, code_paths))
    cuda_line = cuda.oldest([line for line, _ in deps.cuda])
    return ProjectFacts(
        root=root.relative_to(path).as_posix(),
        name=project_name(repo),
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
        tests=find_tests(repo, code_paths + [d for d in source_dirs if d != "."], deps, tools),
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
        static_dependencies=has_static_dependencies(repo),
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


def _tool_configs(repo: Repo) -> tuple[str, ...]:
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
