"""`[tool.pipelinekit.sonar]`: SonarQube analysis and quality-gate settings."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pipelinekit.settings_base import Section


class SonarConfig(Section):
    enabled: bool = False
    host_url: str | None = None
    project_key: str | None = None
    organization: str | None = None
    scanner: Literal["sonar-scanner", "pysonar"] = "sonar-scanner"
    qualitygate_timeout: int = Field(default=300, ge=10, le=3600)
    credentials_id: str = "sonar-token"
    """Jenkins credentials id (secret text) holding SONAR_TOKEN."""
