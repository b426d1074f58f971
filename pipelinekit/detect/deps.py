"""Readers for setup.py and INI files, and what `detect` decides from the declared dependencies.

`detect` needs two answers from dependencies: which GPU frameworks the project uses (they decide
between a CUDA and a CPU image) and whether pytest is a declared tool. Both come from the
sources `pipelinekit.env.sources` finds, with names read by `packaging` where PEP 508 applies and
tolerantly where it does not (`env.reqfile`: URLs, `-e` lines, options, typos), because one bad
line must not hide the rest. Nothing here imports or runs the user's code.
"""

from __future__ import annotations

import ast
import configparser
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipelinekit.env.reqfile import normalize, parse_requirement, read_requirement_file
from pipelinekit.env.source_model import Discovery
from pipelinekit.env.sources_pipfile_conda import CONDA_SPEC
from pipelinekit.env.sources_setup import tox_line

_GPU_PACKAGES = {
    **dict.fromkeys(("torch", "pytorch", "pytorch-cuda", "pytorch-gpu"), "torch"),
    **dict.fromkeys(("torchvision", "torchaudio"), "torch"),
    **dict.fromkeys(("tensorflow", "tensorflow-gpu", "tf-nightly", "tf-nightly-gpu"), "tensorflow"),
    **dict.fromkeys(("jax", "jaxlib"), "jax"),
    "cupy": "cupy",
    **dict.fromkeys(
        ("rapids", "cudf", "cuml", "cugraph", "cuspatial", "cuvs", "dask-cudf"), "rapids"
    ),
    # Packages whose default install pulls a GPU framework in: what the code runs on.
    **dict.fromkeys(
        ("lightning", "pytorch-lightning", "sentence-transformers", "ultralytics", "timm"),
        "torch",
    ),
    "dask-cuda": "rapids",
    # CUDA kernels written in Python: numba's CUDA target (split out of numba as numba-cuda),
    # PyCUDA and NVIDIA's cuda-python bindings.
    "numba-cuda": "numba",
    "pycuda": "pycuda",
    "cuda-python": "cuda-python",
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
    "numba.cuda": "numba",
    "pycuda": "pycuda",
}
"""Import name -> framework, for the source fallback. onnxruntime and paddle are left out: their
import looks the same for the CPU and the GPU build, so it proves nothing; numba counts only
through its CUDA target (`from numba import cuda`, `numba.cuda.jit`)."""


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
    cuda: list[tuple[str, str]] = field(default_factory=list)
    """(CUDA line, file) for every requirement, conda spec or index URL naming one."""


# -- dependency files ---------------------------------------------------------------------------


def scan_dependencies(root: Path, found: Discovery) -> DependencyScan:
    """Every requirement the project declares, in the order of its sources (metadata first,
    then requirement, conda and Pipfile files): `gpu_declared_in` keeps the first file that
    names a framework."""
    scan = DependencyScan()
    seen: set[Path] = set()
    for source in found.sources:
        if source.kind == "requirements":
            parsed = read_requirement_file(root / source.path, root, seen)
            scan.files.update(parsed.files)
            for line, origin in parsed.requirements:
                _add(scan, line, origin)
            scan.cuda += [(named, source.path) for o in parsed.options if (named := cuda_line(o))]
            continue
        if source.kind in ("constraints", "conda", "pipfile"):
            scan.files.add(source.path)
        for line in source.requirements:
            if source.kind == "conda":
                match = CONDA_SPEC.fullmatch(line)
                if match:
                    scan.deps.append(Dep(normalize(match[1]), frozenset(), source.path))
                if named := cuda_line(line, conda=True):
                    scan.cuda.append((named, source.path))
            elif source.kind == "tox":
                _add(scan, tox_line(line, None) or line, source.path)
            else:
                _add(scan, line, source.path)
    scan.cuda += [(named, "package indexes") for url in found.indexes if (named := cuda_line(url))]
    scan.files.update(lock.path for lock in found.locks if lock.kind != "pinned")
    conda = [spec for path, spec in found.python_pins.items() if path != "Pipfile"]
    scan.python = next(iter(conda), found.python_pins.get("Pipfile"))
    return scan


def _add(scan: DependencyScan, line: str, source: str) -> None:
    parsed = parse_requirement(line)
    if parsed:
        scan.deps.append(Dep(*parsed, source=source))
        cuda = cuda_line(line)
        if cuda:
            scan.cuda.append((cuda, source))


# -- declared CUDA lines --------------------------------------------------------------------------

_CUDA_PATTERNS = (
    re.compile(r"\+cu(\d{2,3})\b"),  # torch==2.3.0+cu121 (a local version)
    re.compile(r"/whl/cu(\d{2,3})\b"),  # https://download.pytorch.org/whl/cu121
    re.compile(r"\[[^\]]*\bcuda(\d{2})(?:_\w+)?\b[^\]]*\]"),  # jax[cuda12_pip]
    re.compile(r"\[[^\]]*\bcu(\d{2,3})\b[^\]]*\]"),  # numba-cuda[cu12]
    re.compile(r"^\s*[\w.-]*-cuda(\d{2,3})x?\b"),  # cupy-cuda11x, cupy-cuda102
    re.compile(r"^\s*[\w.-]+-cu(\d{2})\b"),  # cudf-cu12, nvidia-cublas-cu12
)
_CONDA_CUDA = re.compile(
    r"^\s*(?:[\w.-]+::)?(?:pytorch-cuda|cuda-version|cudatoolkit|cuda-toolkit|cuda-runtime)"
    r"\s*[=<>~!]*\s*(\d+(?:\.\d+)?)"
)


def cuda_line(text: str, *, conda: bool = False) -> str | None:
    """The CUDA line a requirement, conda spec or index URL names explicitly (`12.1`, or `12`
    when only the major is named), None when it names none."""
    if conda:
        match = _CONDA_CUDA.match(text)
        if match:
            return match[1]
    for pattern in _CUDA_PATTERNS:
        match = pattern.search(text)
        if match:
            digits = match[1]
            # cu121 -> 12.1, cu118 -> 11.8, cu102 -> 10.2; cuda12 / cu12 -> 12 (the major only)
            return f"{digits[:2]}.{digits[2:]}" if len(digits) == 3 else digits
    return None


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


# -- GPU frameworks -----------------------------------------------------------------------------


def gpu_framework(dep: Dep) -> str | None:
    """The canonical GPU framework a requirement pulls in, None for CPU-only builds."""
    if dep.name.startswith("cupy-cuda"):
        return "cupy"
    if dep.name == "transformers":  # transformers[torch] installs torch
        extra = next((e for e in ("torch", "tf", "flax") if e in dep.extras), "")
        return {"torch": "torch", "tf": "tensorflow", "flax": "jax"}.get(extra)
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
        if not any(name.split(".")[0] in text for name in _GPU_IMPORTS):
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for module in imported_names(tree):
            parts = module.split(".")
            framework = _GPU_IMPORTS.get(".".join(parts[:2])) or _GPU_IMPORTS.get(parts[0])
            if framework:
                found.setdefault(framework, rel)
    return found


def imported_names(tree: ast.AST) -> Iterator[str]:
    """Every absolute module name `tree` imports, imports inside functions included."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module  # and what it names, which may be a submodule (numba.cuda)
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
