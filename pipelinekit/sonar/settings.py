"""`[tool.pipelinekit.sonar]`: SonarQube analysis and quality-gate settings."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pipelinekit.config.base import Section


class SonarConfig(Section):
    enabled: bool = False
    host_url: str | None = None
    """The SonarQube server; default: the SONAR_HOST_URL environment variable."""
    project_key: str | None = None
    organization: str | None = None
    scanner: Literal["sonar-scanner", "pysonar"] = "sonar-scanner"
    scanner_args: list[str] | None = None
    """The scanner command line, replacing `scanner` (e.g. a wrapper script or a path);
    pipelinekit appends its `-D` parameters."""
    scanner_timeout_minutes: int = Field(default=30, ge=1, le=1440)
    qualitygate_timeout: int = Field(default=300, ge=10, le=3600)
    """Seconds to wait for SonarQube to process the analysis before giving up (exit 3)."""
    branch_analysis: bool = True
    """Pass branch and merge-request parameters from CI variables. SonarQube Community Build
    has no branch analysis and refuses them: set false there."""
    credentials_id: str = "sonar-token"
    """Jenkins credentials id (secret text) holding SONAR_TOKEN."""
