"""Readers for the files `detect` learns from: dependency declarations, setup.py, INI files and
Python pins, plus the GPU-framework and Python-version decisions made from what they say.

`detect` needs two answers from dependencies: which GPU frameworks the project uses (they decide
between a CUDA and a CPU image) and whether pytest is a declared tool. Both come from text only:
requirement strings are matched with a tolerant regex instead of `packaging.requirements`, because
real requirements files hold URLs, `-e` lines, options and typos that a strict parser rejects, and
one bad line must not hide the rest. Nothing here imports or runs the user's code.
"""

from __future__ import annotations

import ast
import configparser
import os
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from pipelinekit.facts import DEFAULT_PYTHON

REQUIREMENT_LOCKS = ("poetry.lock", "Pipfile.lock", "pdm.lock", "uv.lock")
"""Files that are listed as dependency files but never parsed (they pin transitive packages)."""
CONDA_FILES = ("environment.yml", "environment.yaml", "conda.yml", "conda.yaml")

_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?")
_EGG = re.compile(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[([^\]]*)\])?")
_WHEEL = re.compile(r"([A-Za-z0-9_.]+?)-\d[^/]*\.whl\b")
_INCLUDE = re.compile(r"(?:(-r|-c)\s*|(--requirement|--constraint)(?:\s*=\s*|\s+))(\S+)")
_COMMENT = re.compile(r"(?:^|\s)#.*$")
_CONDA_SPEC = re.compile(r"\s*(?:[\w.-]+::)?([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)")

_PYTHON_FALLBACKS = ("3.13", "3.12", "3.10", "3.9", "3.8", "3.14", "3.7", "3.6")
"""After DEFAULT_PYTHON, the highest supported minor wins; 3.14/3.7/3.6 only when nothing in
3.8..3.13 fits."""
_POETRY_TOKEN = re.compile(r"(\^|~=|~|>=|<=|==|!=|>|<|=)?\s*(\d+(?:\.\d+)*(?:\.\*)?)")
_GPU_PACKAGES = {
    **dict.fromkeys(("torch", "pytorch", "pytorch-cuda", "pytorch-gpu"), "torch"),
    **dict.fromkeys(("torchvision", "torchaudio"), "torch"),
    **dict.fromkeys(("tensorflow", "tensorflow-gpu", "tf-nightly", "tf-nightly-gpu"), "tensorflow"),
    **dict.fromkeys(("jax", "jaxlib"), "jax"),
    "cupy": "cupy",
    **dict.fromkeys(
        ("rapids", "cudf", "cuml", "cugraph", "cuspatial", "cuvs", "dask-cudf"), "rapids"
    ),
    "onnxruntime-gpu": "onnxruntime",
    "paddlepaddle-gpu": "paddle",
}
"""Normalised distribution (or conda) name -> canonical framework id. `tensorflow-cpu`, plain
`onnxruntime` and plain `paddlepaddle` are CPU-only builds and deliberately absent."""

_CPU_BUILDS = {
    "tensorflow-cpu": "tensorflow",
    "onnxruntime": "onnxruntime",
    "paddlepaddle": "paddle",
}

_GPU_IMPORTS = {
    "torch": "torch",
    "tensorflow": "tensorflow",
    "jax": "jax",
    "cupy": "cupy",
    "cudf": "rapids",
    "cuml": "rapids",
    "cugraph": "rapids",
}
"""Import name -> framework, for the source fallback. onnxruntime and paddle are left out: their
import looks the same for the CPU and the GPU build, so it proves nothing."""


@dataclass(frozen=True)
class Dep:
    """One declared requirement: PEP 503 name, extras and the file (relative to root) naming it."""

    name: str
    extras: frozenset[str]
    source: str


@dataclass
class DependencyScan:
    deps: list[Dep] = field(default_factory=list)
    files: set[str] = field(default_factory=set)
    """Dependency files relative to the project root (requirements, conda, Pipfile, locks)."""
    python: str | None = None
    """A Python requirement stated by environment.yml or Pipfile, as a PEP 440 specifier."""


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def table(data: object, *keys: str) -> dict[str, Any]:
    """The nested TOML table at `keys`, or {} when any level is missing or not a table."""
    current: Any = data
    for key in keys:
        current = current.get(key) if isinstance(current, dict) else None
    return current if isinstance(current, dict) else {}


def str_list(value: object) -> list[str]:
    """A TOML/ast value as a list of strings: a lone string is one item, other items are dropped."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, str)]
    return []


def parse_requirement(line: str) -> tuple[str, frozenset[str]] | None:
    """Name and extras of a pip requirement line; None for options, bare paths and blanks."""
    line = line.strip()
    egg = _EGG.search(line)
    if egg:
        return normalize(egg[1]), _extras(egg[2])
    if not line or line.startswith("-"):
        return None
    if "://" in line.split("@", 1)[0] or line.startswith((".", "/", "~")):
        wheel = _WHEEL.search(line.rsplit("/", 1)[-1])
        return (normalize(wheel[1]), frozenset()) if wheel else None
    match = _NAME.match(line)
    return (normalize(match[1]), _extras(match[2])) if match else None


def _extras(text: str | None) -> frozenset[str]:
    return frozenset(normalize(e.strip()) for e in (text or "").split(",") if e.strip())


# -- dependency files ---------------------------------------------------------------------------


def scan_dependencies(
    root: Path,
    names: AbstractSet[str],
    pyproject: Mapping[str, Any],
    setup_cfg: configparser.RawConfigParser | None,
    setup_py: Mapping[str, object] | None,
) -> DependencyScan:
    """Every requirement the project declares, metadata first, then requirement/conda/Pipfile.

    The order matters: `gpu_declared_in` keeps the first file that names a framework.
    """
    scan = DependencyScan()
    _add(scan, _pyproject_deps(pyproject), "pyproject.toml")
    if setup_cfg is not None:
        _add(scan, _setup_cfg_deps(setup_cfg), "setup.cfg")
    if setup_py is not None:
        _add(scan, _setup_py_deps(setup_py), "setup.py")
    dynamic = table(pyproject, "tool", "setuptools", "dynamic")
    listed = {f for spec in dynamic.values() for f in str_list(table(spec).get("file"))}
    requirement_files = sorted(
        f
        for f in names
        if re.fullmatch(r"requirements[^/]*\.txt|requirements/[^/]+\.txt", f) or f in listed
    )
    seen: set[Path] = set()
    for rel in requirement_files:
        _read_requirements(root / rel, root, scan, seen)
    scan.files.update(
        f for f in names if re.fullmatch(r"constraints[^/]*\.txt", f) or f in REQUIREMENT_LOCKS
    )
    for rel in CONDA_FILES:
        if rel in names:
            _read_conda(root / rel, root, scan, seen)
    if "Pipfile" in names:
        _read_pipfile(root / "Pipfile", scan)
    return scan


def _add(scan: DependencyScan, found: Iterable[tuple[str, frozenset[str]]], source: str) -> None:
    scan.deps.extend(Dep(name, extras, source) for name, extras in found)


def _parse_all(lines: Iterable[str]) -> Iterator[tuple[str, frozenset[str]]]:
    for line in lines:
        parsed = parse_requirement(line)
        if parsed:
            yield parsed


def _pyproject_deps(data: Mapping[str, Any]) -> Iterator[tuple[str, frozenset[str]]]:
    project = table(data, "project")
    yield from _parse_all(str_list(project.get("dependencies")))
    for group in table(project, "optional-dependencies").values():
        yield from _parse_all(str_list(group))
    for group in table(data, "dependency-groups").values():  # PEP 735; include-group dicts skip
        yield from _parse_all(str_list(group))
    poetry = table(data, "tool", "poetry")
    groups = [table(poetry, "dependencies"), table(poetry, "dev-dependencies")]
    groups += [table(group, "dependencies") for group in table(poetry, "group").values()]
    for group in groups:
        for name, spec in group.items():
            if name.lower() != "python":
                extras = table(spec).get("extras")
                yield normalize(name), frozenset(normalize(e) for e in str_list(extras))
    for group in table(data, "tool", "pdm", "dev-dependencies").values():
        yield from _parse_all(str_list(group))
    yield from _parse_all(str_list(table(data, "tool", "uv").get("dev-dependencies")))


def _setup_cfg_deps(cfg: configparser.RawConfigParser) -> Iterator[tuple[str, frozenset[str]]]:
    values = [cfg.get("options", key, fallback="") for key in ("install_requires", "tests_require")]
    if cfg.has_section("options.extras_require"):
        values += [value for _, value in cfg.items("options.extras_require")]
    for value in values:
        yield from _parse_all(value.splitlines())


def _setup_py_deps(kwargs: Mapping[str, object]) -> Iterator[tuple[str, frozenset[str]]]:
    yield from _parse_all(str_list(kwargs.get("install_requires")))
    yield from _parse_all(str_list(kwargs.get("tests_require")))
    extras = kwargs.get("extras_require")
    if isinstance(extras, dict):
        for value in extras.values():
            yield from _parse_all(str_list(value))


def _relative(path: Path, root: Path) -> str:
    """`path` relative to `root` as POSIX; '../' when an include reaches outside the project."""
    return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()


def _logical_lines(text: str) -> Iterator[str]:
    """pip's line model: `\\` joins lines, `#` after whitespace (or at the start) is a comment."""
    for line in re.sub(r"\\\r?\n", "", text).splitlines():
        line = _COMMENT.sub("", line).strip()
        if line:
            yield line


def _read_requirements(path: Path, root: Path, scan: DependencyScan, seen: set[Path]) -> None:
    """Parse a pip requirements file, following `-r` includes (cycles are cut by `seen`)."""
    resolved = path.resolve()
    if resolved in seen:
        return
    seen.add(resolved)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    rel = _relative(path, root)
    if not rel.startswith("../"):  # outside the project (and a Docker build context): not listed
        scan.files.add(rel)
    for line in _logical_lines(text):
        include = _INCLUDE.fullmatch(line)
        if include:
            target = path.parent / include[3]
            if (include[1] or include[2]) in ("-r", "--requirement"):
                _read_requirements(target, root, scan, seen)
            elif target.is_file() and not _relative(target, root).startswith("../"):
                scan.files.add(_relative(target, root))  # constraints pin, declare nothing
            continue
        parsed = parse_requirement(line)
        if parsed:
            scan.deps.append(Dep(*parsed, source=rel))


def _read_conda(path: Path, root: Path, scan: DependencyScan, seen: set[Path]) -> None:
    """A conda environment: conda specs (`pytorch::pytorch>=2`) plus its `pip:` sub-list."""
    rel = path.relative_to(root).as_posix()
    scan.files.add(rel)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, yaml.YAMLError):
        return
    items = data.get("dependencies") if isinstance(data, dict) else None
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            for line in str_list(item.get("pip")):
                include = _INCLUDE.fullmatch(line.strip())
                if include:
                    _read_requirements(path.parent / include[3], root, scan, seen)
                elif parsed := parse_requirement(line):
                    scan.deps.append(Dep(*parsed, source=rel))
            continue
        match = _CONDA_SPEC.fullmatch(str(item))
        if not match:
            continue
        name = normalize(match[1])
        if name == "python":
            scan.python = scan.python or conda_python_spec(match[2])
        else:
            scan.deps.append(Dep(name, frozenset(), rel))


def conda_python_spec(constraint: str) -> str | None:
    """A conda version constraint as PEP 440: `=3.10` and `3.10` mean `3.10.*` in conda."""
    constraint = constraint.replace(" ", "")
    if not constraint:
        return None
    if re.fullmatch(r"=?\d+(\.\d+)*(\.\*)?(=\S*)?", constraint):  # `=3.10=h12_0`: a build string
        version = constraint.lstrip("=").split("=")[0]
        return f"=={version}" if version.endswith("*") else f"=={version}.*"
    return constraint


def _read_pipfile(path: Path, scan: DependencyScan) -> None:
    scan.files.add("Pipfile")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, tomllib.TOMLDecodeError):
        return
    for section, packages in data.items():
        if section in ("source", "requires", "pipenv", "scripts") or not isinstance(packages, dict):
            continue
        for name, spec in packages.items():
            extras = table(spec).get("extras")
            scan.deps.append(Dep(normalize(name), frozenset(str_list(extras)), "Pipfile"))
    requires = table(data, "requires")
    full, short = requires.get("python_full_version"), requires.get("python_version")
    if isinstance(full, str):
        scan.python = scan.python or f"=={full}"
    elif isinstance(short, str):
        scan.python = scan.python or f"=={short}.*"


# -- setup.py and INI files ----------------------------------------------------------------------


@dataclass(frozen=True)
class SetupCall:
    """A call expression seen in setup.py, e.g. `find_packages(where="src")`."""

    func: str
    args: tuple[object, ...]
    kwargs: dict[str, object]


_UNKNOWN = object()
"""A setup.py value that is not a literal (computed at run time, so unknowable statically)."""


def read_ini(path: Path) -> configparser.RawConfigParser | None:
    """An INI file without interpolation ('%' is common in values); None when malformed."""
    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read_string(path.read_text(encoding="utf-8", errors="replace"), source=str(path))
    except (OSError, configparser.Error):
        return None
    return parser


def read_setup_py(path: Path) -> dict[str, object] | None:
    """The keyword arguments of setup() in setup.py, literal values resolved statically.

    Module-level `NAME = <literal>` assignments are followed (REQUIRED = [...] is common);
    anything computed becomes _UNKNOWN or a SetupCall. A syntax error yields None so detection falls
    back to the other sources instead of failing.
    """
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    names: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                names[target.id] = _value(node.value, names)
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and _dotted(call.func).rsplit(".", 1)[-1] == "setup":
            kwargs: dict[str, object] = {}
            for keyword in call.keywords:
                value = _value(keyword.value, names)
                if keyword.arg:
                    kwargs[keyword.arg] = value
                elif isinstance(value, dict):  # setup(**metadata)
                    kwargs.update({str(k): v for k, v in value.items()})
            return kwargs
    return {}


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _value(node: ast.expr, names: dict[str, object]) -> object:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    if isinstance(node, ast.Name):
        return names.get(node.id, _UNKNOWN)
    if isinstance(node, ast.Call):
        args = tuple(_value(arg, names) for arg in node.args)
        kwargs = {kw.arg: _value(kw.value, names) for kw in node.keywords if kw.arg}
        return SetupCall(_dotted(node.func), args, kwargs)
    if isinstance(node, ast.List | ast.Tuple):
        return [_value(item, names) for item in node.elts]
    if isinstance(node, ast.Dict):  # extras_require={"gpu": GPU_REQUIREMENTS}
        keys = [_value(k, names) if k else None for k in node.keys]
        return {
            k: _value(v, names)
            for k, v in zip(keys, node.values, strict=True)
            if isinstance(k, str)
        }
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _value(node.left, names), _value(node.right, names)
        if isinstance(left, list | tuple) and isinstance(right, list | tuple):
            return [*left, *right]
    return _UNKNOWN


# -- Python requirement -------------------------------------------------------------------------


def pinned_python(path: Path, pattern: str) -> str | None:
    """A pinned interpreter (.python-version `3.10.4`, runtime.txt `python-3.9.7`) as `==X.Y.*`:
    the pin names a patch release, but any patch of that minor serves CI images."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    match = re.search(rf"^\s*{pattern}", text, re.MULTILINE)
    return f"=={match[1]}.{match[2]}.*" if match else None


def poetry_to_pep440(spec: str) -> str | None:
    """Poetry's constraint syntax as PEP 440: `^3.10` -> `>=3.10,<4.0`, `~3.10` -> `>=3.10,<3.11`,
    a bare `3.10` -> `==3.10`. `||` alternatives stay separated by ` || ` (PEP 440 has no OR);
    `*` means no requirement (None)."""
    alternatives = []
    for alternative in spec.split("||"):
        clauses = [c for op, v in _POETRY_TOKEN.findall(alternative) for c in _poetry_clause(op, v)]
        if not clauses:
            return None
        alternatives.append(",".join(clauses))
    return " || ".join(alternatives)


def _poetry_clause(op: str, version: str) -> list[str]:
    parts = [int(p) for p in version.split(".") if p.isdigit()]
    if op == "^":
        nonzero = next((i for i, p in enumerate(parts) if p), len(parts) - 1)
        upper = [*parts[:nonzero], parts[nonzero] + 1]
    elif op == "~":
        upper = [parts[0] + 1] if len(parts) == 1 else [parts[0], parts[1] + 1]
    else:
        return [f"=={version}" if op in ("", "=") else f"{op}{version}"]
    return [f">={version}", "<" + ".".join(str(p) for p in [*upper, 0][: max(2, len(upper))])]


def python_version(spec: str | None) -> str:
    """A concrete X.Y satisfying `spec`: DEFAULT_PYTHON if allowed, else the highest allowed.

    A minor counts as allowed when any of its patch releases satisfies the spec, so `>=3.10.2`
    allows 3.10 and `==3.9.7` allows 3.9.
    """
    if not spec:
        return DEFAULT_PYTHON
    try:
        alternatives = [SpecifierSet(alt.strip()) for alt in spec.split("||")]
    except InvalidSpecifier:
        return DEFAULT_PYTHON
    bounds = [s.version for alt in alternatives for s in alt]
    for minor in (DEFAULT_PYTHON, *_PYTHON_FALLBACKS):
        patches = {"0", "99"} | {
            m[1] for b in bounds if (m := re.match(rf"{re.escape(minor)}\.(\d+)", b))
        }
        if any(alt.contains(f"{minor}.{p}") for alt in alternatives for p in patches):
            return minor
    return DEFAULT_PYTHON


# -- GPU frameworks -----------------------------------------------------------------------------


def gpu_framework(dep: Dep) -> str | None:
    """The canonical GPU framework a requirement pulls in, None for CPU-only builds."""
    if dep.name.startswith("cupy-cuda"):
        return "cupy"
    if re.fullmatch(r"(cudf|cuml|cugraph|cuspatial|cuvs)-cu\d+", dep.name):
        return "rapids"
    if cpu_build_family(dep):
        return None
    return _GPU_PACKAGES.get(dep.name)


def cpu_build_family(dep: Dep) -> str | None:
    """The framework a CPU-only build belongs to (`tensorflow-cpu`, `jax[cpu]`), else None.

    Such a declaration is a deliberate choice, so importing that framework proves no GPU use.
    """
    if dep.name in {"jax", "jaxlib"} and dep.extras == {"cpu"}:
        return "jax"
    return _CPU_BUILDS.get(dep.name)


def gpu_frameworks(deps: DependencyScan, root: Path, sources: Iterable[str]) -> dict[str, str]:
    """Framework -> the file declaring it. Declarations win; only when nothing declares a GPU
    framework are the project's own imports (`sources`) scanned, skipping families the
    project deliberately declares as CPU-only builds."""
    declared: dict[str, str] = {}
    for dep in deps.deps:
        framework = gpu_framework(dep)
        if framework:
            declared.setdefault(framework, dep.source)
    if declared:
        return declared
    cpu_only = {family for dep in deps.deps if (family := cpu_build_family(dep))}
    return {fw: src for fw, src in scan_imports(root, sources).items() if fw not in cpu_only}


def scan_imports(root: Path, py_files: Iterable[str], limit: int = 300) -> dict[str, str]:
    """GPU frameworks imported by the project's own sources: framework -> first .py file.

    Only a fallback for repositories that declare nothing; capped at `limit` files, and a file is
    parsed only when its text mentions a framework, so large repositories stay fast.
    """
    found: dict[str, str] = {}
    # Shallow files first: framework imports live in top-level modules far more than deep ones.
    for count, rel in enumerate(sorted(py_files, key=lambda f: (f.count("/"), f))):
        if count >= limit:
            break
        try:
            text = (root / rel).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if not any(name in text for name in _GPU_IMPORTS):
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                framework = _GPU_IMPORTS.get(module.split(".")[0])
                if framework:
                    found.setdefault(framework, rel)
    return found
