"""`[tool.pipelinekit.s3]`: where and how artifacts are stored in S3-compatible storage."""

from __future__ import annotations

from typing import Literal

from pipelinekit.settings_base import Section


class S3Config(Section):
    enabled: bool = False
    bucket: str | None = None
    prefix: str = "artifacts"
    endpoint_url: str | None = None
    region: str | None = None
    addressing_style: Literal["auto", "path", "virtual"] = "auto"
    credentials_id: str = "aws-credentials"
