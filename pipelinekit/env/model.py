"""EnvSpec: the planned project environment, one model for every consumer.

The CI files take its Python and key files (image, cache key), the test and coverage stages and
`pipelinekit run` build it (`env.build`), and the Docker image's dependency layer installs its
runtime flavour, so the tests and the image never disagree about what the project needs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from pipelinekit.detect.facts import DependencySource, LockFile

Purpose = Literal["test", "runtime"]


class EnvSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    purpose: Purpose = "test"
    """test: runtime plus test requirements, the project editable; runtime: the image's."""
    python: str
    """X.Y of the project's interpreter."""
    python_from: str | None = None
    """What chose it (a file, `requires-python`, `classifiers`, the config), for messages."""
    install_project: bool
    project_extras: tuple[str, ...] = ()
    """Extras installed with the project (or, when it is not installed, their requirements)."""
    not_installed_reason: str | None = None
    """Why the project is tested from its source tree, said once in the output."""
    source_paths: tuple[str, ...] = ()
    """Folders put on the import path when the project is not installed (`src`, `.`)."""
    sources: tuple[DependencySource, ...] = ()
    """The selected sources, in install order."""
    left_out: tuple[DependencySource, ...] = ()
    """Sources found but not selected (docs, GPU variants, ...), shown by `pipelinekit env`."""
    lock: LockFile | None = None
    indexes: tuple[str, ...] = ()
    """Package indexes besides PyPI (asked first, so a private name never comes from PyPI)."""
    dependencies: tuple[str, ...] = ()
    """`[tool.pipelinekit.test] dependencies`."""
    conda_packages: tuple[tuple[str, str], ...] = ()
    """conda name -> PyPI requirement overrides."""
    test_tools: tuple[str, ...] = ()
    """What the test stages run with (pytest, coverage), added when the sources lack them."""
    pretend_version: bool = False
    """The version comes from git (setuptools-scm, hatch-vcs) but there is no .git here: the
    project is built as version 0.0.0 (SETUPTOOLS_SCM_PRETEND_VERSION) instead of failing."""
    key_files: tuple[str, ...] = ()
    """Every file whose content decides what is installed (project-relative, sorted)."""
