"""Dockerfile and .dockerignore renderers. Pure: the model's ImageSpec in, text out.

Two stages. The builder makes a wheelhouse: dependencies first (from requirement files or
the static dependencies in pyproject.toml, copied alone so a code-only change reuses that
layer), then the project's own wheel. The runtime stage installs from the wheelhouse with
`--no-index` into a venv (PEP 668: never into the distro Python), runs as a non-root user,
and carries OCI labels. GPU images start from the CUDA runtime image, which has no Python:
the required interpreter is installed there (deadsnakes PPA on Ubuntu 22.04 unless it is 3.10).
"""

from __future__ import annotations

import json

from pipelinekit.generated import with_header
from pipelinekit.pipeline import ImageSpec

# Static dependencies from pyproject.toml, read before the source is copied. Python < 3.11
# has no tomllib; pip vendors tomli, so the same one-liner works on every interpreter.
_EXTRACT_DEPS = (
    "python -c \"import importlib, sys; t = importlib.import_module('tomllib' "
    "if sys.version_info >= (3, 11) else 'pip._vendor.tomli'); "
    "d = t.load(open('pyproject.toml', 'rb')).get('project', {}); "
    "print(chr(10).join(d.get('dependencies', [])))\" > /tmp/pyproject-requirements.txt"
)
_DISTRO_PYTHON = "3.10"


def _q(value: str) -> str:
    """A Dockerfile double-quoted value (JSON escaping is what the Dockerfile parser reads)."""
    return json.dumps(value, ensure_ascii=False)


def render_dockerfile(spec: ImageSpec, *, source: str) -> str:
    py = f"python{spec.python_version}"
    lines = [
        "# The builder and the runtime share one base so wheels match the runtime's Python.",
        f"ARG BASE_IMAGE={spec.base}",
        "",
        "FROM ${BASE_IMAGE} AS base",
        'SHELL ["/bin/bash", "-o", "pipefail", "-c"]',
        "ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1 \\",
        "    PYTHONUNBUFFERED=1 DEBIAN_FRONTEND=noninteractive",
    ]
    if spec.install_python:
        lines += _install_python(spec.python_version)
        lines.append(f"RUN {py} -m venv /opt/venv")
    else:
        lines.append("RUN python -m venv /opt/venv")
    lines += [
        'ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:${PATH}"',
        "",
        "FROM base AS builder",
        "WORKDIR /src",
    ]
    dep_args = [f"-r {path}" for path in spec.requirement_files]
    copied = list(spec.copied_files)
    if spec.pyproject_dependencies:
        copied.append("pyproject.toml")
    # One COPY per folder keeps each file at its own path (`-r base/x.txt` includes resolve).
    by_folder: dict[str, list[str]] = {}
    for path in copied:
        folder = path.rsplit("/", 1)[0] + "/" if "/" in path else "./"
        by_folder.setdefault(folder, []).append(path)
    for folder, paths in sorted(by_folder.items()):
        lines.append(f"COPY {' '.join(paths)} {folder}")
    if spec.pyproject_dependencies:
        dep_args.append("-r /tmp/pyproject-requirements.txt")
    wheel_deps = f"pip wheel --wheel-dir /wheels/deps {' '.join(dep_args)}"
    if spec.pyproject_dependencies:
        lines.append(f"RUN {_EXTRACT_DEPS} && \\\n    {wheel_deps}")
    elif dep_args:
        lines.append(f"RUN {wheel_deps}")
    # Without a dependency list readable before the source, the app wheel brings its deps.
    app_deps = "--no-deps " if dep_args else ""
    lines.append("COPY . .")
    if spec.installable:
        lines.append(f"RUN pip wheel {app_deps}--wheel-dir /wheels/app .")
    lines += [
        "",
        "FROM base AS runtime",
        "ARG VERSION=0.0.0",
        "ARG REVISION=unknown",
        "ARG CREATED=1970-01-01T00:00:00Z",
        "ARG SOURCE=",
        "LABEL "
        + " \\\n      ".join(
            [
                f"org.opencontainers.image.title={_q(spec.name)}",
                'org.opencontainers.image.version="${VERSION}"',
                'org.opencontainers.image.revision="${REVISION}"',
                'org.opencontainers.image.created="${CREATED}"',
                'org.opencontainers.image.source="${SOURCE}"',
            ]
        ),
    ]
    env = _gpu_env(spec)
    if env:
        lines.append("ENV " + " ".join(env))
    lines.append("RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin app")
    if dep_args:
        lines += [
            "COPY --from=builder /wheels/deps /wheels/deps",
            "RUN pip install --no-index /wheels/deps/*.whl && rm -rf /wheels/deps",
        ]
    if spec.installable:
        lines += [
            "COPY --from=builder /wheels/app /wheels/app",
            f"RUN pip install --no-index {app_deps}/wheels/app/*.whl && rm -rf /wheels/app",
            "USER 10001",
            "WORKDIR /home/app",
        ]
    else:  # no packaging metadata: ship the source tree and put it on the path
        lines += [
            "COPY --from=builder /src /app",
            "ENV PYTHONPATH=/app",
            "USER 10001",
            "WORKDIR /app",
        ]
    check = "; ".join(f"import {p}" for p in spec.packages) or "import sys"
    lines.append(f"CMD {json.dumps(['python', '-c', check])}")
    return with_header("\n".join(lines) + "\n", comment="#", source=source)


def _install_python(version: str) -> list[str]:
    packages = f"python{version} python{version}-venv"
    ppa = ""
    if version != _DISTRO_PYTHON:
        ppa = (
            "apt-get install -y --no-install-recommends software-properties-common gpg-agent"
            " && \\\n"
            "    add-apt-repository -y ppa:deadsnakes/ppa && apt-get update && \\\n    "
        )
    return [
        "# CUDA runtime images ship without Python; Ubuntu 22.04's own is 3.10, others come",
        "# from the deadsnakes PPA. Not pinned: versions follow the base's security fixes.",
        "# hadolint ignore=DL3008",
        "RUN apt-get update && \\\n    "
        + ppa
        + f"apt-get install -y --no-install-recommends {packages} ca-certificates && \\\n"
        "    rm -rf /var/lib/apt/lists/*",
    ]


def _gpu_env(spec: ImageSpec) -> list[str]:
    if not spec.gpu:
        return []
    env = ["NVIDIA_VISIBLE_DEVICES=all", "NVIDIA_DRIVER_CAPABILITIES=compute,utility"]
    if "tensorflow" in spec.gpu_frameworks:
        env.append("TF_FORCE_GPU_ALLOW_GROWTH=true")
    return env


def render_dockerignore(*, source: str) -> str:
    body = "\n".join(
        [
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
            ".cache",
            "data",
            "notebooks",
            "**/*.ipynb",
            "Dockerfile",
            ".dockerignore",
            "Jenkinsfile",
            ".gitlab-ci.yml",
        ]
    )
    return with_header(body + "\n", comment="#", source=source)
