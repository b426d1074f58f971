"""The Dockerfile to build and the build context sent to the daemon.

The committed Dockerfile (written by `pipelinekit render`, or the repo's own) is built as is;
without one, the Dockerfile is rendered in memory from the model, honouring template overrides
in the repo's `dockerfiles/` folder. The context is the project folder filtered by its
.dockerignore, or by the one pipelinekit would generate, so data, notebooks and .git never
travel to the daemon even when the repo has none.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

from pipelinekit.docker.render import TEMPLATE_NAMES, dockerignore_patterns, render_dockerfile
from pipelinekit.plan.model import ImageSpec

OVERRIDES_DIR = "dockerfiles"
CONTEXT_DOCKERFILE = ".pipelinekit.Dockerfile"
"""The name the Dockerfile gets inside the context tar (excluded from COPY by the daemon)."""


@dataclass(frozen=True)
class BuildInput:
    dockerfile: str
    origin: str
    """'Dockerfile' (committed) or 'rendered' (in memory, from the model)."""
    ignore: tuple[str, ...]


def load_overrides(project_dir: Path) -> dict[str, str]:
    """Template overrides: files named like the shipped templates in `<project>/dockerfiles/`."""
    folder = project_dir / OVERRIDES_DIR
    return {
        name: (folder / name).read_text(encoding="utf-8")
        for name in TEMPLATE_NAMES
        if (folder / name).is_file()
    }


def build_input(project_dir: Path, spec: ImageSpec, source: str) -> BuildInput:
    committed = project_dir / "Dockerfile"
    if committed.is_file():
        text, origin = committed.read_text(encoding="utf-8"), "Dockerfile"
    else:
        text = render_dockerfile(spec, source=source, templates=load_overrides(project_dir))
        origin = "rendered"
    ignore_file = project_dir / ".dockerignore"
    if ignore_file.is_file():
        lines = ignore_file.read_text(encoding="utf-8").splitlines()
        ignore = tuple(s for s in (line.strip() for line in lines) if s and not s.startswith("#"))
    else:
        ignore = dockerignore_patterns(spec)
    return BuildInput(text, origin, ignore)


def context_tar(project_dir: Path, build: BuildInput) -> io.BytesIO:
    """The project folder as an uncompressed tar, with the Dockerfile added under its own name."""
    from docker.utils.build import tar

    archive = tar(
        str(project_dir),
        exclude=list(build.ignore),
        dockerfile=(CONTEXT_DOCKERFILE, build.dockerfile),
    )
    data = io.BytesIO(cast(IO[bytes], archive).read())
    archive.close()
    return data
