"""conda package specs as PyPI requirements, for environment.yml repositories.

Most conda-forge names are the PyPI names. The exceptions below are renamed; conda packages
that are the interpreter, system libraries or CUDA runtimes (which the frameworks' PyPI wheels
bundle) are left out; packages that exist only on conda (R, compilers, system tools) are an
error that names them, the file and `[tool.pipelinekit.test] conda_packages`, which maps any
conda name to a PyPI requirement (or to "" to leave it out).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from pipelinekit.env.reqfile import normalize

RENAMED = {
    "pytorch": "torch",
    "pytorch-cpu": "torch",
    "pytorch-gpu": "torch",
    "py-xgboost": "xgboost",
    "py-xgboost-cpu": "xgboost",
    "py-xgboost-gpu": "xgboost",
    "matplotlib-base": "matplotlib",
    "pytables": "tables",
    "tensorflow-base": "tensorflow",
    "py-opencv": "opencv-python",
    "opencv": "opencv-python",
    "python-graphviz": "graphviz",
    "msgpack-python": "msgpack",
    "pyqt": "PyQt5",
    "ruamel-yaml": "ruamel.yaml",
    "jupyter-core": "jupyter_core",
    "python-kaleido": "kaleido",
    "py-lightgbm": "lightgbm",
}
"""conda name -> PyPI name where they differ (normalised conda names)."""

PROVIDED = frozenset(
    {
        "python",
        "pip",
        "wheel",
        "setuptools",
        "cudatoolkit",
        "cuda-toolkit",
        "cuda-runtime",
        "cuda-version",
        "cuda-nvcc",
        "cudnn",
        "nccl",
        "pytorch-cuda",
        "pytorch-mutex",
        "cpuonly",
        "mkl",
        "mkl-include",
        "blas",
        "libblas",
        "libcblas",
        "liblapack",
        "openblas",
        "nomkl",
        "intel-openmp",
        "llvm-openmp",
        "libgcc-ng",
        "libstdcxx-ng",
        "libgomp",
        "-libgcc-mutex",
        "-openmp-mutex",
        "ca-certificates",
        "openssl",
        "tk",
        "zlib",
        "xz",
        "sqlite",
        "readline",
        "ncurses",
        "libffi",
        "bzip2",
        "ld-impl-linux-64",
    }
)
"""Parts of the interpreter, system libraries and CUDA runtimes: a venv has them or the
frameworks' wheels bundle them, so they are left out."""

CONDA_ONLY_PREFIXES = ("r-", "rstudio", "bioconductor-")
CONDA_ONLY = frozenset(
    {
        "compilers",
        "c-compiler",
        "cxx-compiler",
        "fortran-compiler",
        "gcc",
        "gxx",
        "gfortran",
        "gcc-linux-64",
        "gxx-linux-64",
        "make",
        "graphviz",
        "ffmpeg",
        "nodejs",
        "git",
        "boost",
        "boost-cpp",
        "openjdk",
        "poppler",
        "cudatoolkit-dev",
        "arrow-cpp",
        "libprotobuf",
        "hdf5",
        "gdal-bin",
        "proj",
        "geos",
        "libgdal",
    }
)
"""Packages with no PyPI counterpart; an environment cannot be built from PyPI with them."""

_SPEC = re.compile(r"\s*(?:[\w.-]+::)?([A-Za-z0-9_][A-Za-z0-9._-]*)\s*(.*)")


@dataclass
class Converted:
    requirements: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    conda_only: list[str] = field(default_factory=list)


def to_pypi(specs: list[str], overrides: Mapping[str, str]) -> Converted:
    """conda specs (`conda-forge::numpy=1.24`, `pytorch>=2`) as PyPI requirement lines."""
    mapped = {normalize(k): v for k, v in overrides.items()}
    out = Converted()
    for spec in specs:
        match = _SPEC.fullmatch(spec)
        if not match:
            continue
        name = normalize(match[1])
        version = version_spec(match[2])
        if name in mapped:
            if mapped[name].strip():
                target = mapped[name].strip()
                has_version = any(ch in target for ch in "<>=!~@;")
                out.requirements.append(target if has_version else target + version)
            else:
                out.left_out.append(name)
        elif name in PROVIDED:
            out.left_out.append(name)
        elif name in CONDA_ONLY or name.startswith(CONDA_ONLY_PREFIXES):
            out.conda_only.append(match[1])
        else:
            out.requirements.append(RENAMED.get(name, match[1]) + version)
    return out


def version_spec(constraint: str) -> str:
    """A conda version constraint as PEP 440: `=1.24` and `1.24` mean `==1.24.*` in conda,
    `==1.24` is exact, a build string (`=1.24=py39_0`) is dropped."""
    constraint = constraint.replace(" ", "")
    if not constraint or constraint == "*":
        return ""
    if re.fullmatch(r"=?\d+(\.\d+)*(\.\*)?(=\S*)?", constraint):
        version = constraint.lstrip("=").split("=")[0]
        return f"=={version}" if version.endswith("*") else f"=={version}.*"
    if re.fullmatch(r"==\d+(\.\d+)*(=\S*)?", constraint):
        return "==" + constraint[2:].split("=")[0]
    return constraint
