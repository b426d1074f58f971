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
an older CUDA, never the reverse. `[tool.pipelinekit.docker] cuda = "12.4.1"` pins a line.
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

DISTRO_PYTHON: dict[str, str] = {"ubuntu22.04": "3.10", "ubuntu24.04": "3.12"}
"""The python3 each Ubuntu release ships; any other version comes from the deadsnakes PPA."""

_PLANNER_CUDA_IMAGE = re.compile(
    r"^nvidia/cuda:(?P<cuda>[^-]+)-cudnn-runtime-(?P<distro>ubuntu\d+\.\d+)$"
)


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def cuda_for(frameworks: tuple[str, ...] | list[str]) -> str:
    """The CUDA version for the detected frameworks: the oldest line among them."""
    known = [FRAMEWORK_CUDA[f] for f in frameworks if f in FRAMEWORK_CUDA]
    return min(known, key=_key) if known else DEFAULT_CUDA


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
