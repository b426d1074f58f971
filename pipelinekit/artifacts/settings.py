"""`[tool.pipelinekit.s3]`: where and how artifacts are stored in S3-compatible storage.

Credentials are deliberately not settings: they come from the standard AWS chain (environment,
profile, instance/CI role) so a committed pyproject.toml can never leak them. Transfer defaults
were measured against a loopback SeaweedFS on a 2-core runner (benchmarks/artifacts).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from pipelinekit.config.base import Section

_CREDENTIAL_KEY = re.compile(
    r"(access_key|secret|session_token|password|passwd|^token$|api_key|credentials$)", re.I
)

ChecksumAlgorithm = Literal["SHA256", "CRC32", "none"]


class S3Config(Section):
    enabled: bool = False
    bucket: str | None = None
    prefix: str = "artifacts"
    """Keys are `<prefix>/<project>/<version>/<file>`; an empty prefix drops the first part."""
    endpoint_url: str | None = None
    """None: AWS (or `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL` from the environment)."""
    region: str | None = None
    addressing_style: Literal["auto", "path", "virtual"] = "auto"
    credentials_id: str = "aws-credentials"
    """The CI credential (Jenkins credentials id / GitLab variable group) holding the AWS keys."""
    checksum_algorithm: ChecksumAlgorithm = "CRC32"
    """S3 additional checksum the server verifies per part and keeps (recorded in the
    manifest). CRC32, like `aws s3 cp`: SHA256 costs one more hash pass on the client and one
    on the server, ~10% of a 1 GiB upload's throughput on a 2-core runner, while the manifest
    already holds our own end-to-end sha256 of every file (which downloads verify)."""
    conditional_writes: bool = True
    """Send `If-None-Match: *` so a released version can never be overwritten, even by a
    concurrent upload. Turn off only for servers that reject the header (501)."""
    multipart_threshold_mb: int = Field(default=16, ge=5, le=5120)
    multipart_chunk_mb: int = Field(default=16, ge=5, le=5120)
    max_concurrency: int = Field(default=6, ge=1, le=64)
    """16 MiB x 6 threads: on 2 cores it used ~5% less CPU on both ends than boto3's 8 MiB x
    10 (fewer requests, less thread contention); 32 and 64 MiB parts were slower."""
    connect_timeout: float = Field(default=10.0, gt=0, le=600)
    read_timeout: float = Field(default=60.0, gt=0, le=3600)
    max_attempts: int = Field(default=5, ge=1, le=20)
    """Attempts per request (botocore standard retry mode: backoff with jitter)."""

    @model_validator(mode="before")
    @classmethod
    def _no_credentials(cls, data: Any) -> Any:
        """A key that looks like a credential gets its own explanation, not just "unknown key":
        the value is registered as a secret first so the error can never echo it."""
        if not isinstance(data, dict):
            return data
        found = sorted(
            str(k) for k in data if _CREDENTIAL_KEY.search(str(k)) and k not in cls.model_fields
        )
        if not found:
            return data
        from pipelinekit.util.redact import register_secret

        for key in found:
            if isinstance(data[key], str):
                register_secret(data[key])
        raise ValueError(
            f"{', '.join(found)}: credentials are never read from config files (they would be "
            "committed with the repository). Remove the key and its value, rotate that key if it "
            "was ever pushed, and provide credentials through the standard AWS chain: "
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (CI masked variables or Jenkins "
            "withCredentials), AWS_PROFILE, or an instance/CI role"
        )

    @field_validator("prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        value = value.strip("/")
        if any(part in ("", ".", "..") for part in value.split("/")) and value:
            raise ValueError("must be a plain key prefix such as 'artifacts' or 'team/ml'")
        return value

    @field_validator("bucket")
    @classmethod
    def _bucket(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{1,254}", value):
            raise ValueError("must be a bucket name (letters, digits, '.', '-', '_'; no '/')")
        return value
