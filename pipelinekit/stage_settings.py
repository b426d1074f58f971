"""Settings of the coverage and package stages (`[tool.pipelinekit.coverage]`, `.package`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pipelinekit.settings_base import Section


class CoverageConfig(Section):
    enabled: bool = True
    threshold: float = Field(default=80.0, ge=0, le=100)
    """Minimum total coverage (lines and branches) in percent; below it the stage fails.
    When this key is not set, the repository's own `fail_under` (coverage.py config) applies
    if it has one."""


class PackageConfig(Section):
    enabled: bool = True
    """Build a wheel and an sdist (PEP 517) and check them with twine."""
    version_from: Literal["project", "release"] = "project"
    """`project`: build the version the project files hold. `release`: stamp the next version
    the release policy computes for this branch into the build (never into the checkout);
    branches without a release channel, or with nothing to release, keep the project's
    version. The environment variable PIPELINEKIT_VERSION overrides both."""
    isolation: bool = True
    """Build in an isolated environment (`python -m build`'s default, which installs the
    build requirements from the package index); false builds with the installed backend."""
    timeout_minutes: int = Field(default=20, ge=1, le=1440)
