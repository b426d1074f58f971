"""Dockerfile and .dockerignore renderers. Pure: the model's ImageSpec (+ template texts) in,
text out.

The Dockerfile comes from Jinja templates shipped in pipelinekit/docker/templates
(`cpu.Dockerfile.j2`, `cuda.Dockerfile.j2`, both extending `base.Dockerfile.j2`); a repository
overrides any of them with a file of the same name in its `dockerfiles/` folder (read by
`templates.load_overrides`, passed in here so rendering stays free of I/O). Two stages: the
builder makes a wheelhouse, dependencies first (copied alone so a code-only change reuses that
layer), then the project's own wheel; the runtime installs it with `--no-index` into a venv,
runs as a non-root user and carries OCI labels. Every value is escaped here, for the place in
the Dockerfile it lands in; templates only place it.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from functools import cache

import jinja2

from pipelinekit.docker import cuda
from pipelinekit.plan.model import ImageSpec
from pipelinekit.render.header import with_header

TEMPLATE_NAMES = (
    "base.Dockerfile.j2",
    "cpu.Dockerfile.j2",
    "cuda.Dockerfile.j2",
    "install-python.j2",
)
WHEELHOUSE = ".pipelinekit/wheelhouse"
"""Where the docker stage downloads wheels on the host (inside the build context)."""

# Static dependencies and the build backend from pyproject.toml, read before the source is
# copied. Python < 3.11 has no tomllib; pip vendors tomli, so the one-liner works everywhere.
_TOML = (
    "python -c \"import importlib, sys; t = importlib.import_module('tomllib' "
    "if sys.version_info >= (3, 11) else 'pip._vendor.tomli'); "
    "d = t.load(open('pyproject.toml', 'rb')); "
)
_EXTRACT_DEPS = (
    _TOML + "print(chr(10).join(d.get('project', {}).get('dependencies', [])))\" "
    "> /tmp/pyproject-requirements.txt"
)
_EXTRACT_BUILD = (
    _TOML + "print(chr(10).join(d.get('build-system', {}).get('requires', "
    "['setuptools>=40.8.0']) + ['wheel']))\" > /tmp/build-requirements.txt"
)
_DEFAULT_BUILD = "printf '%s\\n' 'setuptools>=40.8.0' wheel > /tmp/build-requirements.txt"
# The runtime installs the wheels through this list: it may be empty (no dependencies at all),
# where a `*.whl` glob would fail; sorted, so the same wheels give the same layer.
_LIST_WHEELS = (
    "python -c \"import glob; print(chr(10).join(sorted(glob.glob('/wheels/deps/*.whl'))))\" "
    "> /wheels/deps/wheels.txt"
)
# Requirement lines that name local source (`-e .`, `./libs/x`, `file:...`) cannot be built
# before the source is copied: the dependency layer drops them from its copies of the files;
# the project's own wheel, built after the source, is what brings the project in.
_DROP_LOCAL = (
    "sed -i -E '/^[[:space:]]*(-e|--editable)([[:space:]=]|$)/d; /^[[:space:]]*([.~/]|file:)/d'"
)
# The lock's pins (written beside the downloaded wheels by `pipelinekit stage docker`) constrain
# the image's installs as they do the tests'; a plain `docker build` has no wheelhouse and
# resolves from the index.
_PIN_ARGS = '"$@" '
_LINES = "/tmp/declared-requirements.txt"
"""Requirement lines of Pipfile, conda and setup.cfg sources, written out for `pip -r`."""


def _pins(wheelhouse: str) -> str:
    pins = f"{wheelhouse}/constraints.txt"
    return f"set -- && if [ -f {pins} ]; then set -- -c {pins}; fi"


_SAFE_PATH = re.compile(r"^[A-Za-z0-9_./+@-]+$")
_PYTHON_VERSION = re.compile(r"^\d+\.\d+$")
_REFERENCE = re.compile(r"^[A-Za-z0-9._/:@-]+$")


def _q(value: str) -> str:
    """A Dockerfile double-quoted value: JSON escaping is what the Dockerfile parser reads, and
    `$` is escaped too, or LABEL/ARG would substitute `${...}` from build arguments."""
    return json.dumps(value, ensure_ascii=False).replace("$", "\\$")


def _env_value(value: str) -> str:
    """An ENV value: bare when plain, else double-quoted."""
    return value if re.fullmatch(r"[A-Za-z0-9_./:+@-]+", value) else _q(value)


def _path(path: str) -> str:
    """A dependency file's path as a shell word (`-r`, sed); quoted when it needs it, e.g.
    `requirements dev.txt`."""
    if "\n" in path or "\0" in path:
        raise ValueError(f"dependency file name {path!r} cannot be used in a Dockerfile")
    return path if _SAFE_PATH.match(path) else shlex.quote(path)


def _copy(paths: list[str], folder: str) -> str:
    """A COPY line; the JSON form when a name has spaces or quotes (the shell form has no
    quoting). `.pipelinekit*` stays a wildcard in both forms."""
    if all(_SAFE_PATH.match(p) or p == ".pipelinekit*" for p in paths):
        return f"COPY {' '.join(paths)} {folder}"
    return "COPY [" + ", ".join(_q(p) for p in [*paths, folder]) + "]"


@cache
def _package_template(name: str) -> str:
    from importlib.resources import files

    return (files("pipelinekit.docker") / "templates" / name).read_text(encoding="utf-8")


def _environment(overrides: Mapping[str, str]) -> jinja2.Environment:
    texts = {name: overrides.get(name) or _package_template(name) for name in TEMPLATE_NAMES}
    return jinja2.Environment(
        loader=jinja2.DictLoader(texts),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


def template_name(spec: ImageSpec) -> str:
    return "cuda.Dockerfile.j2" if spec.gpu else "cpu.Dockerfile.j2"


def render_dockerfile(
    spec: ImageSpec, *, source: str, templates: Mapping[str, str] | None = None
) -> str:
    """The Dockerfile for `spec`; `templates` maps template names to a repo's overrides."""
    text = _environment(templates or {}).get_template(template_name(spec)).render(context(spec))
    return with_header(re.sub(r"\n{3,}", "\n\n", text), comment="#", source=source)


def context(spec: ImageSpec) -> dict[str, object]:
    """The template variables, each already in Dockerfile syntax."""
    if not _PYTHON_VERSION.match(spec.python_version):
        raise ValueError(f"python version {spec.python_version!r} is not X.Y")
    base = cuda.resolve_base(spec.base, spec.gpu_frameworks)
    python = f"python{spec.python_version}" if spec.install_python else "python3"
    copies, deps = _dependency_steps(spec)
    check = "; ".join(f"import {p}" for p in spec.packages if p.isidentifier()) or "import sys"
    app_pins = spec.lock is not None and not (deps and spec.pyproject_dependencies)
    gpu_env = ["NVIDIA_VISIBLE_DEVICES=all", "NVIDIA_DRIVER_CAPABILITIES=compute,utility"]
    if "tensorflow" in spec.gpu_frameworks:  # TF otherwise reserves all GPU memory at start
        gpu_env.append("TF_FORCE_GPU_ALLOW_GROWTH=true")
    return {
        "base": base if _REFERENCE.match(base) else _q(base),
        "python": python,
        "install_python": spec.install_python,
        "ppa": spec.install_python and cuda.distro_python(base) != spec.python_version,
        "dependency_copies": copies,
        "deps_command": deps,
        "installable": spec.installable,
        # Static dependencies are all in the dependency layer; otherwise the project's wheel
        # brings what the layer lacks (those it has are dropped again: no layer holds a wheel
        # twice), and the runtime install checks that every dependency is met.
        "app_deps": "--no-deps " if deps and spec.pyproject_dependencies else "",
        "prune_app": bool(deps) and not spec.pyproject_dependencies,
        "isolation": "--no-build-isolation " if deps and spec.installable else "",
        # the project's wheel step resolves dependencies too unless they are all in the layer
        "pins": _pins("/src/.pipelinekit/wheelhouse") + " && \\\n    " if app_pins else "",
        "pin_args": _PIN_ARGS if app_pins else "",
        "title": _q(spec.name),
        "gpu_env": " ".join(gpu_env),
        "cmd": json.dumps(["python", "-c", check]),
        "pythonpath": _env_value(
            ":".join(f"/app/{p}".removesuffix("/.") for p in spec.source_paths)
        ),
    }


def _dependency_steps(spec: ImageSpec) -> tuple[list[str], str]:
    """COPY lines for the dependency files (each at its own path so `-r` includes resolve,
    the host wheelhouse riding along in the root one) and the `pip wheel` command."""
    dep_args = [f"-r {_path(p)}" for p in spec.requirement_files]
    if spec.requirement_lines:
        dep_args.append(f"-r {_LINES}")
    if spec.pyproject_dependencies:
        dep_args.append("-r /tmp/pyproject-requirements.txt")
    if not dep_args:
        return [], ""
    copied = list(spec.copied_files)
    if spec.pyproject_build:
        copied.append("pyproject.toml")
    by_folder: dict[str, list[str]] = {}
    for path in copied:
        folder = path.rsplit("/", 1)[0] + "/" if "/" in path else "./"
        by_folder.setdefault(folder, []).append(path)
    by_folder.setdefault("./", []).append(".pipelinekit*")
    lines = [_copy(ps, folder) for folder, ps in sorted(by_folder.items())]
    steps = ["mkdir -p /wheels/deps"]  # pip creates no folder when there is nothing to build
    if spec.copied_files:
        steps.append(_DROP_LOCAL + " " + " ".join(_path(p) for p in spec.copied_files))
    if spec.requirement_lines:
        quoted = " ".join(shlex.quote(line) for line in spec.requirement_lines)
        steps.append(f"printf '%s\\n' {quoted} > {_LINES}")
    if spec.pyproject_dependencies:
        steps.append(_EXTRACT_DEPS)
    if spec.lock:
        steps.append(_pins("/src/wheelhouse"))
    steps.append(
        f"pip wheel {_PIN_ARGS if spec.lock else ''}--find-links /src/wheelhouse "
        f"--wheel-dir /wheels/deps {' '.join(dep_args)}"
    )
    steps.append(_LIST_WHEELS)
    if spec.installable:  # the build backend, so the source step needs no isolated build env
        steps.append(_EXTRACT_BUILD if spec.pyproject_build else _DEFAULT_BUILD)
        steps.append("pip install --find-links /src/wheelhouse -r /tmp/build-requirements.txt")
    return lines, " && \\\n    ".join(steps)


DOCKERIGNORE = (
    ".git",
    ".gitignore",
    "**/__pycache__",
    "**/*.py[cod]",
    "**/.ipynb_checkpoints",
    ".venv",
    "venv",
    "env",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".coverage",
    "htmlcov",
    "build",
    "dist",
    "*.egg-info",
    ".pipelinekit",
    f"!{WHEELHOUSE}",
    ".cache",
    "data",
    "notebooks",
    "**/*.ipynb",
    "Dockerfile",
    ".dockerignore",
    "Jenkinsfile",
    ".gitlab-ci.yml",
)
"""Data, notebooks (and their checkpoints), VCS, venvs and caches stay out of the context;
the wheelhouse the docker stage downloads is the one part of .pipelinekit that goes in."""


def dockerignore_patterns(spec: ImageSpec) -> tuple[str, ...]:
    """DOCKERIGNORE without the entries that would drop the project's own code (a package
    literally named `data`)."""
    return tuple(p for p in DOCKERIGNORE if p not in spec.code_folders)


def render_dockerignore(spec: ImageSpec, *, source: str) -> str:
    return with_header("\n".join(dockerignore_patterns(spec)) + "\n", comment="#", source=source)
