"""Which CUDA runtime image a GPU framework wants, and which Python a base already carries.

One table, kept here so a new framework release is a one-line change. Each entry is the CUDA
line the framework's *default PyPI wheels* are built for (what `pip install torch` gets), as
researched for this release:

- torch: PyPI wheels moved to CUDA 13.0 as the stable line with torch 2.11
  (pytorch/pytorch#177975); 12.6/12.8 remain as extra indexes.
- tensorflow: 2.18-2.20 are tested with CUDA 12.5 and cuDNN 9.3 (tensorflow.org "tested build
  configurations"); `tensorflow[and-cuda]` pulls the matching 12.x wheels.
- jax: the install guide's default GPU extra is `jax[cuda13]`.

The wheels of all three bundle the CUDA user-space libraries, so the base mostly has to match
the *driver* requirement (nvidia/cuda images set NVIDIA_REQUIRE_CUDA, which the container
toolkit enforces at start). With several frameworks the oldest line wins: a newer driver runs
an older CUDA, never the reverse. A line the repository declares itself (`torch==2.3.0+cu121`,
a `/whl/cu121` index, conda's `pytorch-cuda=12.1`, `jax[cuda12]`, `cupy-cuda11x`, `cudf-cu12`)
beats the table: those wheels need that line's runtime. `[tool.pipelinekit.docker] cuda =
"12.4.1"` beats both.
"""

from __future__ import annotations

import re

AUTO = "auto"
CUDA_REPOSITORY = "nvidia/cuda"
UBUNTU = "ubuntu22.04"

FRAMEWORK_CUDA: dict[str, str] = {
    "jax": "13.0.1",
    "tensorflow": "12.5.1",
    "torch": "13.0.1",
}
DEFAULT_CUDA = "12.5.1"
"""For a GPU image without a known framework (docker.gpu = true on a plain project)."""

IMAGE_PATCH: dict[str, str] = {
    "11.7": "11.7.1",
    "11.8": "11.8.0",
    "12.0": "12.0.1",
    "12.1": "12.1.1",
    "12.2": "12.2.2",
    "12.3": "12.3.2",
    "12.4": "12.4.1",
    "12.5": "12.5.1",
    "12.6": "12.6.3",
    "12.8": "12.8.1",
    "12.9": "12.9.1",
    "13.0": "13.0.1",
}
"""CUDA line -> the newest nvidia/cuda image release of it on Ubuntu 22.04 (whose images start
at 11.7): an older or missing line gets the newest image not newer than it, else the oldest."""
MAJOR_DEFAULT: dict[str, str] = {"11": "11.8.0", "12": DEFAULT_CUDA, "13": "13.0.1"}
"""A declared major only (`cupy-cuda12x`, `jax[cuda12]`): the line the frameworks' wheels of that
major are tested with."""

DISTRO_PYTHON: dict[str, str] = {"ubuntu22.04": "3.10", "ubuntu24.04": "3.12"}
"""The python3 each Ubuntu release ships; any other version comes from the deadsnakes PPA."""

_PLANNER_CUDA_IMAGE = re.compile(
    r"^nvidia/cuda:(?P<cuda>[^-]+)-cudnn-runtime-(?P<distro>ubuntu\d+\.\d+)$"
)


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def cuda_for(frameworks: tuple[str, ...] | list[str], declared: str | None = None) -> str:
    """The CUDA version for the image: the line the repository declares, else the oldest line
    among the detected frameworks'."""
    if declared:
        return image_version(declared)
    known = [FRAMEWORK_CUDA[f] for f in frameworks if f in FRAMEWORK_CUDA]
    return min(known, key=_key) if known else DEFAULT_CUDA


def image_version(line: str) -> str:
    """`12.1` -> `12.1.1` (the image release of that line); `12` -> that major's default."""
    if line in MAJOR_DEFAULT:
        return MAJOR_DEFAULT[line]
    known = sorted(IMAGE_PATCH, key=_key)
    older = [known_line for known_line in known if _key(known_line) <= _key(line)]
    return IMAGE_PATCH[older[-1] if older else known[0]]


def oldest(lines: list[str]) -> str | None:
    """The oldest of several declared lines (a newer driver runs an older CUDA)."""
    return min(lines, key=lambda line: _key(image_version(line))) if lines else None


def cuda_image(cuda: str, distro: str = UBUNTU) -> str:
    """The nvidia/cuda runtime+cuDNN tag for a CUDA version (tag spelling changed twice)."""
    major_minor = _key(cuda)[:2]
    flavour = (
        "cudnn" if major_minor >= (12, 4) else "cudnn9" if major_minor == (12, 3) else "cudnn8"
    )
    return f"{CUDA_REPOSITORY}:{cuda}-{flavour}-runtime-{distro}"


def resolve_base(base: str, frameworks: tuple[str, ...]) -> str:
    """The planner writes `nvidia/cuda:<config cuda>-cudnn-runtime-ubuntu22.04`; with the
    default `cuda = "auto"` the version comes from the table, an explicit one gets the right
    cuDNN tag spelling. Any other base (a configured `base_image`) is used as is."""
    match = _PLANNER_CUDA_IMAGE.match(base)
    if not match:
        return base
    cuda = match["cuda"]
    return cuda_image(cuda_for(frameworks) if cuda == AUTO else cuda, match["distro"])


def distro_python(base: str) -> str | None:
    """The python3 version the base image's distribution ships, when it is known."""
    for distro, version in DISTRO_PYTHON.items():
        if base.endswith(distro) or f"ubuntu:{distro.removeprefix('ubuntu')}" in base:
            return version
    return None
