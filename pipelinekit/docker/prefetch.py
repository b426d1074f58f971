"""Download every wheel the image build needs on the host, into the build context.

Why: image builds then need no network (RUN steps may see only `lo`, as on a daemon started
with `--bridge=none`), private-index credentials never enter the build, and a change in what
the index serves shows up as a change of the dependency layer instead of a stale cache hit.
The wheelhouse holds the dependencies and the build backend (`[build-system] requires`) the
project's own wheel needs; the Dockerfile copies it beside the dependency files.

Wheels must fit the image's interpreter: when the host runs the same X.Y, `pip wheel` (which
also builds sdists); otherwise `pip download` of binary wheels for that Python and manylinux.
"""

from __future__ import annotations

import platform
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path

from packaging.utils import canonicalize_name

from pipelinekit.docker.render import WHEELHOUSE
from pipelinekit.errors import ExternalError
from pipelinekit.plan.model import ImageSpec

PIP_TIMEOUT_S = 1800
MANYLINUX = "manylinux_2_35"
"""Ubuntu 22.04's glibc; pip also accepts every older manylinux tag for it."""


def requirements(project_dir: Path, spec: ImageSpec) -> tuple[list[str], list[str]]:
    """(-r arguments, requirement strings) for the dependencies and the build backend."""
    args: list[str] = []
    for path in spec.requirement_files:
        args += ["-r", str(project_dir / path)]
    reqs: list[str] = list(spec.requirement_lines)
    pyproject = project_dir / "pyproject.toml"
    data = tomllib.loads(pyproject.read_text(encoding="utf-8")) if pyproject.is_file() else {}
    if spec.pyproject_dependencies:
        reqs += [str(r) for r in data.get("project", {}).get("dependencies", [])]
    if spec.installable and not spec.pyproject_dependencies:
        # No dependency list readable without building (setup.py, dynamic): let pip resolve
        # the project itself; its own wheel is dropped again after the download.
        reqs.append(str(project_dir))
    if spec.installable:
        build = data.get("build-system", {}).get("requires")
        reqs += [str(r) for r in build] if build else ["setuptools>=40.8.0"]
        reqs.append("wheel")  # older setuptools asks for it at build time
    return args, reqs


def pip_command(spec: ImageSpec, dest: Path, args: list[str], reqs: list[str]) -> list[str]:
    """pip of pipelinekit's own interpreter (a venv always has pip)."""
    python = sys.executable
    if f"{sys.version_info.major}.{sys.version_info.minor}" == spec.python_version:
        return [python, "-m", "pip", "wheel", "--wheel-dir", str(dest), *args, *reqs]
    abi = "cp" + spec.python_version.replace(".", "")
    return [
        python, "-m", "pip", "download", "--dest", str(dest), "--only-binary=:all:",
        "--python-version", spec.python_version, "--implementation", "cp", "--abi", abi,
        "--platform", f"{MANYLINUX}_{platform.machine()}", *args, *reqs,
    ]  # fmt: skip


CONSTRAINTS = "constraints.txt"
"""The lock's pins beside the wheels: the Dockerfile's dependency step uses them when there."""


def write_constraints(project_dir: Path, lock: str, dest: Path) -> Path:
    from pipelinekit.env.locks import lock_file, read_pins

    path = dest / CONSTRAINTS
    found = lock_file(lock)
    pins = read_pins(project_dir, found) if found is not None else []
    path.write_text("".join(pin.constraint() + "\n" for pin in pins), encoding="utf-8")
    return path


def prefetch(project_dir: Path, spec: ImageSpec, env: Mapping[str, str]) -> Path | None:
    """Fill `<project>/.pipelinekit/wheelhouse`; None when there is nothing to fetch."""
    args, reqs = requirements(project_dir, spec)
    dest = project_dir / WHEELHOUSE
    shutil.rmtree(dest, ignore_errors=True)
    if not args and not reqs:
        return None
    dest.mkdir(parents=True)
    if spec.lock is not None:  # the lock's pins hold for the image as for the tests
        args += ["-c", str(write_constraints(project_dir, spec.lock, dest))]
    argv = pip_command(spec, dest, args, reqs)
    # Wheels built from sdists get fixed timestamps, so the same input gives the same layer.
    run_env = {**env, "SOURCE_DATE_EPOCH": env.get("SOURCE_DATE_EPOCH", "315532800")}
    run_env.setdefault("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    try:
        proc = subprocess.run(
            argv, cwd=project_dir, env=run_env, capture_output=True, text=True,
            timeout=PIP_TIMEOUT_S, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ExternalError(f"Could not run pip to download the image's wheels: {exc}.") from exc
    if proc.returncode != 0:
        tail = " ".join((proc.stderr or proc.stdout).strip().splitlines()[-6:])
        raise ExternalError(
            f"Downloading the image's dependencies for Python {spec.python_version} failed "
            f"(`{' '.join(argv[2:4])}`, exit {proc.returncode}): {tail} Check that the package "
            "index is reachable and the requirements resolve; or set "
            "[tool.pipelinekit.docker] prefetch = false to let the build use the network."
        )
    for own in dest.glob("*.whl"):  # the source changes with every commit: never cache it
        if canonicalize_name(own.name.split("-")[0]) == canonicalize_name(spec.name):
            own.unlink()
    return dest
