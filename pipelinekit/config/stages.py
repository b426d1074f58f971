"""Settings of the coverage and package stages (`[tool.pipelinekit.coverage]`, `.package`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pipelinekit.config.base import Section


class CoverageConfig(Section):
    enabled: bool = True
    threshold: float | None = Field(default=None, ge=0, le=100)
    """Minimum total coverage (lines and branches) in percent; below it the stage fails. Not
    set: the repository's own `fail_under` (coverage.py config) or `--cov-fail-under`, else
    the floor recorded in pipelinekit-baseline.json (the ratchet), else coverage is reported
    and not gated."""
    tolerance: float = Field(default=0.5, ge=0, le=100)
    """Percentage points coverage may fall below the baseline's recorded figure before the
    stage fails (test timing and platform branches move it a little)."""


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
