"""Settings of the coverage and package stages (`[tool.pipelinekit.coverage]`, `.package`)."""

from __future__ import annotations

from pydantic import Field

from pipelinekit.settings_base import Section


class CoverageConfig(Section):
    enabled: bool = True
    threshold: float = Field(default=80.0, ge=0, le=100)
    """Minimum total coverage in percent; below it the stage fails."""


class PackageConfig(Section):
    enabled: bool = True
    """Build a wheel and an sdist (PEP 517) and check them with twine."""
