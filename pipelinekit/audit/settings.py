"""`[tool.pipelinekit.audit]`: the audit job and the limits its checks use. Every key has a
default, so the audit runs on any repository with no configuration."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pipelinekit.config.base import Section

OSV_QUERY_URL = "https://api.osv.dev/v1/query"


class AuditConfig(Section):
    enabled: bool = True
    """Plan the `audit` job (it reports; it fails only as `fail_on` says)."""
    fail_on: Literal["none", "critical", "major"] = "none"
    """The audit job fails on findings the baseline does not hold at this severity or above:
    `none` reports only, `critical`, or `major` (critical and major)."""
    exclude: list[str] = Field(default_factory=list)
    """Paths the audit does not look at, as globs relative to the repository root
    (`tests/fixtures/*`): test fixtures that hold bad examples on purpose."""
    skip: list[str] = Field(default_factory=list)
    """Check ids not to run (`pipelinekit audit` lists them; docs/audit.md explains each)."""
    large_file_mb: float = Field(default=10.0, gt=0)
    """Files committed to git above this size (MiB) are findings (data and models belong in
    DVC or Git LFS)."""
    notebook_output_kb: int = Field(default=500, ge=1)
    """A notebook output above this size (KiB) is a large blob committed with the code."""
    docstring_coverage: float = Field(default=50.0, ge=0, le=100)
    """Percent of public modules, classes and functions with a docstring below which the
    docstring check fails (measured by interrogate)."""
    vulnerability_url: str = OSV_QUERY_URL
    """The OSV query endpoint pip-audit asks about pinned releases (a mirror, or a proxy of
    api.osv.dev); unreachable, the check is skipped with the reason, never passed."""
    vulnerability_timeout_s: float = Field(default=10.0, gt=0, le=300)
    """Seconds one vulnerability query may take."""
    conventional_share: float = Field(default=0.5, ge=0, le=1)
    """The release-policy check wants at least this share of Conventional Commits among the
    recent history (and semantic-version tags)."""
    history: int = Field(default=100, ge=1, le=10000)
    """How many recent commits the release-policy check reads."""
