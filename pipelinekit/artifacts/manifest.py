"""`manifest.json`: the commit record of a release, written last.

A visible manifest means every file it lists was uploaded completely; a version folder without
one is an interrupted upload that a re-run may complete. Downloads check each file's size and
sha256 against it. It holds no endpoint and no credential: only names, sizes and digests.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipelinekit.errors import CheckFailed

SCHEMA = 1


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class FileEntry(_Model):
    name: str
    key: str
    size: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    s3_checksum: str | None = None
    """The server's own checksum (e.g. `SHA256:<base64>-<parts>` for a multipart upload), or
    None when the server does not compute one."""
    etag: str | None = None


class Image(_Model):
    image: str
    tags: tuple[str, ...] = ()
    digest: str | None = None


class Manifest(_Model):
    schema_version: int = SCHEMA
    project: str
    version: str
    created: str
    """UTC, ISO 8601."""
    tool: str
    files: tuple[FileEntry, ...]
    image: Image | None = None

    def to_bytes(self) -> bytes:
        return (json.dumps(self.model_dump(mode="json"), indent=2, sort_keys=True) + "\n").encode()

    def file(self, name: str) -> FileEntry | None:
        return next((f for f in self.files if f.name == name), None)

    def same_content(self, files: dict[str, tuple[int, str]]) -> bool:
        """Whether the manifest lists exactly these names with these (size, sha256)."""
        return {f.name: (f.size, f.sha256) for f in self.files} == files


def parse_manifest(data: bytes, where: str) -> Manifest:
    try:
        raw: Any = json.loads(data)
        return Manifest.model_validate(raw)
    except (ValueError, ValidationError) as exc:
        raise CheckFailed(
            f"{where} is not a valid pipelinekit manifest ({type(exc).__name__}). The release "
            "record is damaged: inspect it with `pipelinekit artifacts ls`, and restore it from "
            "the bucket's versioning or backups; pipelinekit never rewrites a manifest."
        ) from exc
