"""Which importable packages and modules the project has: declared by setuptools, Poetry,
Hatch, PDM or flit, else discovered in the tree the way setuptools would.
"""

from __future__ import annotations

import fnmatch
from pathlib import PurePosixPath

from pipelinekit.detect.deps import (
    SetupCall,
)
from pipelinekit.detect.facts import BuildSystem
from pipelinekit.detect.tree import (
    Find,
    Located,
    Repo,
    Tree,
    cfg_list,
    cfg_value,
    folder_of,
    is_module_file,
    is_package_name,
    join_path,
)
from pipelinekit.env.reqfile import normalize
from pipelinekit.env.source_model import str_list, table

# -- packages and modules -----------------------------------------------------------------------


def find_packages(
    repo: Repo, build_system: BuildSystem
) -> tuple[Located, Located, tuple[str, ...]]:
    """Import packages, else py-modules, and the folders that hold them.

    Explicit declarations (poetry/hatch/flit/setuptools) win over discovery; discovery prefers a
    src layout unless src/__init__.py makes `src` itself the package.
    """
    packages, modules, find = _declared(repo, build_system)
    # A package the metadata names is one whatever it is called (`notebooks`, `scripts`);
    # only discovery leaves out the folders that conventionally are not packages.
    wanted = str.isidentifier if packages else is_package_name
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


def _declared(repo: Repo, build_system: BuildSystem) -> tuple[Located, Located, Find | None]:
    tool = table(repo.pyproject, "tool")
    poetry_packages, poetry_modules = [], []
    for entry in table(tool, "poetry").get("packages") or []:
        include = table(entry).get("include")
        if isinstance(include, str):
            top, folder = include.split("/")[0], folder_of(table(entry).get("from"))
            if top.endswith(".py"):
                poetry_modules.append((top.removesuffix(".py"), folder))
            else:
                poetry_packages.append((top, folder))
    if poetry_packages or poetry_modules:
        return poetry_packages, poetry_modules, None
    hatch = str_list(table(tool, "hatch", "build", "targets", "wheel").get("packages"))
    if hatch:
        paths = [PurePosixPath(p.strip("/")) for p in hatch]
        return [(p.name, folder_of(str(p.parent))) for p in paths], [], None
    if build_system == "flit":
        name = table(tool, "flit", "module").get("name") or table(repo.pyproject, "project").get(
            "name"
        )
        if isinstance(name, str):
            name = normalize(name).replace("-", "_")
            in_src = f"src/{name}" in repo.tree.dirs or f"src/{name}.py" in repo.tree.file_set
            folder = "src" if in_src else "."
            is_module = join_path(folder, f"{name}.py") in repo.tree.file_set
            return ([], [(name, folder)], None) if is_module else ([(name, folder)], [], None)
    return _setuptools_declared(repo)


def _setuptools_declared(repo: Repo) -> tuple[Located, Located, Find | None]:
    """pyproject [tool.setuptools], then setup.cfg [options], then setup.py keywords."""
    st = table(repo.pyproject, "tool", "setuptools")
    kw = repo.setup_py or {}
    package_dir = {k: v for k, v in table(kw.get("package_dir")).items() if isinstance(v, str)}
    for line in (cfg_value(repo, "options", "package_dir") or "").splitlines():
        key, _, value = line.partition("=")
        if value.strip():
            package_dir[key.strip()] = value.strip()
    package_dir.update(
        {k: v for k, v in table(st.get("package-dir")).items() if isinstance(v, str)}
    )
    base = folder_of(package_dir.get(""))

    def located(names: list[str]) -> Located:
        tops = {name.split(".")[0] for name in names}
        return [
            (t, folder_of(str(PurePosixPath(package_dir[t]).parent)) if t in package_dir else base)
            for t in tops
        ]

    modules = str_list(st.get("py-modules")) or cfg_list(cfg_value(repo, "options", "py_modules"))
    modules = modules or str_list(kw.get("py_modules"))
    declared = st.get("packages")
    if isinstance(declared, list):
        return located(str_list(declared)), located(modules), None
    if isinstance(declared, dict):
        spec = table(declared, "find")
        return (
            [],
            [],
            Find(
                where=tuple(folder_of(w) for w in str_list(spec.get("where"))) or (base,),
                include=tuple(str_list(spec.get("include"))),
                exclude=tuple(str_list(spec.get("exclude"))),
                namespace=spec.get("namespaces", True) is not False,
            ),
        )
    cfg_packages = cfg_value(repo, "options", "packages")
    if cfg_packages and cfg_packages.startswith(("find:", "find_namespace:")):
        section = "options.packages.find"
        return (
            [],
            [],
            Find(
                where=(folder_of(cfg_value(repo, section, "where") or base),),
                include=tuple(cfg_list(cfg_value(repo, section, "include"))),
                exclude=tuple(cfg_list(cfg_value(repo, section, "exclude"))),
                namespace=cfg_packages.startswith("find_namespace:"),
            ),
        )
    if cfg_packages:
        return located(cfg_list(cfg_packages)), located(modules), None
    packages = kw.get("packages")
    if isinstance(packages, SetupCall) and packages.func.endswith("find_packages"):
        where = packages.kwargs.get("where", packages.args[0] if packages.args else base)
        return (
            [],
            [],
            Find(
                where=(folder_of(where) if isinstance(where, str) else base,),
                include=tuple(str_list(packages.kwargs.get("include"))),
                exclude=tuple(str_list(packages.kwargs.get("exclude"))),
                namespace="namespace" in packages.func,
            ),
        )
    return located(str_list(packages)), located(modules), None


def _discover(tree: Tree, where: str, namespace: bool) -> set[str]:
    """Top-level packages under `where`; with `namespace`, any folder holding .py files counts."""
    prefix = "" if where == "." else f"{where}/"
    found = set()
    for path in tree.files:
        if path.startswith(prefix) and path.endswith(".py"):
            parts = path[len(prefix) :].split("/")
            if len(parts) > 1 and (namespace or parts[1:] == ["__init__.py"]):
                found.add(parts[0])
    return found


def _discover_packages(tree: Tree, find: Find | None) -> Located:
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


def _auto_modules(tree: Tree, folder: str) -> list[str]:
    prefix = "" if folder == "." else f"{folder}/"
    return [
        path[len(prefix) : -3]
        for path in tree.files
        if path.startswith(prefix)
        and "/" not in path[len(prefix) :]
        and is_module_file(path[len(prefix) :])
    ]
