"""`[tool.pipelinekit.release]`: the versioning policy's settings."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ReleaseConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    tag_format: str = "v{version}"
    """How a version becomes a tag; `{version}` must appear exactly once."""
