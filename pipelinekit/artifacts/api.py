"""Upload and download release artifacts from code: `push`, `pull`, `list_versions`, `describe`.

A release is immutable once its manifest exists. `push` therefore (1) refuses early when the
manifest is already there, (2) uploads the files, and (3) writes the manifest last with
`If-None-Match: *`, so two concurrent pushes of one version cannot both win and a server that
ignores the header is still covered by step 1. A version folder without a manifest is an
interrupted push: a re-run aborts its dangling multipart uploads and overwrites its files.

Every function takes an `S3Client` (the network seam); `client_for` builds one from config.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from packaging.version import InvalidVersion, Version

from pipelinekit import __version__
from pipelinekit.artifacts.client import PreconditionFailed, S3Client
from pipelinekit.artifacts.layout import (
    IMAGE_REPORT,
    MANIFEST,
    ImageInfo,
    check_files,
    check_segment,
    object_key,
    read_image_report,
    stage_files,
    version_from_files,
)
from pipelinekit.artifacts.manifest import FileEntry, Image, Manifest, parse_manifest
from pipelinekit.artifacts.settings import S3Config
from pipelinekit.errors import CheckFailed, UsageError

PushStatus = Literal["uploaded", "completed", "unchanged"]
"""uploaded: a new release; completed: an interrupted earlier push was finished;
unchanged: the version was already released with exactly these files."""


@dataclass(frozen=True)
class PushResult:
    status: PushStatus
    location: str
    """`s3://bucket/<prefix>/<project>/<version>/`"""
    manifest: Manifest
    seconds: float = 0.0
    aborted_uploads: int = 0

    @property
    def bytes(self) -> int:
        return sum(f.size for f in self.manifest.files)


@dataclass(frozen=True)
class PullResult:
    version: str
    dest: Path
    downloaded: tuple[str, ...]
    present: tuple[str, ...]
    """Files already in `dest` with the right sha256: not downloaded again."""
    manifest: Manifest


@dataclass(frozen=True)
class VersionInfo:
    version: str
    released: bool
    files: int
    size: int


@dataclass(frozen=True)
class VersionDetail:
    version: str
    location: str
    manifest: Manifest | None
    objects: tuple[str, ...] = field(default=())
    """Keys present when there is no manifest (an interrupted push)."""


def client_for(cfg: S3Config, env: Mapping[str, str] | None = None) -> S3Client:
    return S3Client.from_config(cfg, os.environ if env is None else env)


def push(
    client: S3Client,
    project: str,
    version: str,
    files: Sequence[Path],
    *,
    image: ImageInfo | None = None,
) -> PushResult:
    """Upload `files` as release `version` of `project`; see the module docstring."""
    started = time.perf_counter()
    check_segment(project, "Project name")
    check_segment(version, "Version")
    paths = check_files(files)
    folder = object_key(client.cfg.prefix, project, version)
    location = f"s3://{client.bucket}/{folder}"
    manifest_key = folder + MANIFEST

    client.check_bucket()
    released = client.get_bytes(manifest_key)
    if released is not None:
        return _already_released(released, paths, location, client.endpoint)
    present = {o.key for o in client.list_objects(folder)}
    aborted = client.abort_uploads(folder)

    entries = []
    for path in paths:
        key = folder + path.name
        try:
            up = client.upload_file(path, key, conditional=key not in present)
        except PreconditionFailed:
            raise CheckFailed(
                f"{location}{path.name} appeared while this push was running: another push of "
                f"{project} {version} is writing the same version. Let it finish, then check "
                "`pipelinekit artifacts ls` and re-run if it did not complete."
            ) from None
        entries.append(
            FileEntry(
                name=path.name,
                key=key,
                size=up.size,
                sha256=up.sha256,
                s3_checksum=up.info.checksum,
                etag=up.info.etag,
            )
        )
    manifest = Manifest(
        project=project,
        version=version,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        tool=f"pipelinekit {__version__}",
        files=tuple(entries),
        image=Image(**image.as_json()) if image else None,
    )
    if not client.cfg.conditional_writes and client.head(manifest_key) is not None:
        raise _refused(location, client.endpoint, "it was released while this push ran")
    try:
        client.put_bytes(manifest_key, manifest.to_bytes(), conditional=True)
    except PreconditionFailed:
        # Either a concurrent push won, or botocore retried our own PUT after a lost answer.
        theirs = client.get_bytes(manifest_key)
        if theirs is None or not _same_files(parse_manifest(theirs, location), entries):
            raise _refused(
                location, client.endpoint, "it was released while this push ran"
            ) from None
    return PushResult(
        status="completed" if present or aborted else "uploaded",
        location=location,
        manifest=manifest,
        seconds=time.perf_counter() - started,
        aborted_uploads=aborted,
    )


def _same_files(manifest: Manifest, entries: Sequence[FileEntry]) -> bool:
    return manifest.same_content({e.name: (e.size, e.sha256) for e in entries})


def _already_released(
    data: bytes, paths: Sequence[Path], location: str, endpoint: str
) -> PushResult:
    """A re-run of a finished push (same bytes) is fine; anything else is refused."""
    manifest = parse_manifest(data, location + MANIFEST)
    sizes = {p.name: p.stat().st_size for p in paths}
    if sizes == {f.name: f.size for f in manifest.files} and manifest.same_content(
        {p.name: (sizes[p.name], sha256_file(p)) for p in paths}
    ):
        return PushResult(status="unchanged", location=location, manifest=manifest)
    raise _refused(location, endpoint, f"its manifest was written {manifest.created}")


def _refused(location: str, endpoint: str, when: str) -> CheckFailed:
    return CheckFailed(
        f"Refusing to upload: {location} (at {endpoint}) is already released ({when}) with "
        "different files, and released versions are never overwritten. Bump the version and "
        "rebuild (`pipelinekit release` computes the next one), or pass another --version."
    )


def sha256_file(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def pull(client: S3Client, project: str, version: str, dest: Path) -> PullResult:
    """Download a released version into `dest`, verifying each file against the manifest.

    Files are written under a temporary name and renamed only once verified, so `dest` never
    holds a partial or corrupted artifact. `version` may be `latest` (highest released).
    """
    if version == "latest":
        version = latest_version(client, project)
    detail = describe(client, project, version)
    if detail.manifest is None:
        raise _not_released(detail, client.endpoint)
    manifest = detail.manifest
    dest.mkdir(parents=True, exist_ok=True)
    downloaded: list[str] = []
    present: list[str] = []
    for entry in manifest.files:
        target = dest / check_segment(entry.name, "File name")
        if (
            target.is_file()
            and target.stat().st_size == entry.size
            and sha256_file(target) == entry.sha256
        ):
            present.append(entry.name)
            continue
        _download_verified(client, entry, target, detail.location)
        downloaded.append(entry.name)
    return PullResult(version, dest, tuple(downloaded), tuple(present), manifest)


def _download_verified(client: S3Client, entry: FileEntry, target: Path, location: str) -> None:
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        with partial.open("wb") as fh:
            client.download(entry.key, fh)
        size, digest = partial.stat().st_size, sha256_file(partial)
        if size != entry.size or digest != entry.sha256:
            raise CheckFailed(
                f"{location}{entry.name} does not match its manifest (got {size} bytes, "
                f"sha256 {digest[:16]}…; expected {entry.size} bytes, "
                f"{entry.sha256[:16]}…). The stored object was corrupted or replaced after the "
                "release; nothing was written to the destination. Restore it from the bucket's "
                "versioning or re-release under a new version."
            )
        os.replace(partial, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()


def _not_released(detail: VersionDetail, endpoint: str) -> UsageError:
    if detail.objects:
        return UsageError(
            f"{detail.location} (at {endpoint}) is not released: it holds "
            f"{len(detail.objects)} file(s) but no {MANIFEST}, so an upload was interrupted. "
            "Re-run the upload to complete it; `pipelinekit artifacts ls` lists released versions."
        )
    return UsageError(
        f"No version {detail.version} at {detail.location} (at {endpoint}). "
        "`pipelinekit artifacts ls` lists the released versions."
    )


def describe(client: S3Client, project: str, version: str) -> VersionDetail:
    """The manifest of a version, or (for an interrupted push) the keys it left behind."""
    check_segment(version, "Version")
    folder = object_key(client.cfg.prefix, project, version)
    location = f"s3://{client.bucket}/{folder}"
    client.check_bucket()
    data = client.get_bytes(folder + MANIFEST)
    if data is not None:
        return VersionDetail(version, location, parse_manifest(data, location + MANIFEST))
    keys = tuple(sorted(o.key.removeprefix(folder) for o in client.list_objects(folder)))
    return VersionDetail(version, location, None, keys)


def list_versions(client: S3Client, project: str) -> list[VersionInfo]:
    """Every version folder of `project`, oldest first (PEP 440 order where parseable)."""
    base = object_key(client.cfg.prefix, project, "")
    client.check_bucket()
    grouped: dict[str, list[tuple[str, int]]] = {}
    for obj in client.list_objects(base):
        version, _, name = obj.key.removeprefix(base).partition("/")
        if name:
            grouped.setdefault(version, []).append((name, obj.size))
    infos = [
        VersionInfo(
            version=v,
            released=any(name == MANIFEST for name, _ in items),
            files=sum(1 for name, _ in items if name != MANIFEST),
            size=sum(size for name, size in items if name != MANIFEST),
        )
        for v, items in grouped.items()
    ]
    return sorted(infos, key=lambda i: _version_key(i.version))


def _version_key(version: str) -> tuple[int, Version | str]:
    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)


def latest_version(client: S3Client, project: str) -> str:
    released = [
        i.version
        for i in list_versions(client, project)
        if i.released and _version_key(i.version)[0] == 1 and not Version(i.version).is_prerelease
    ]
    if not released:
        raise UsageError(
            f"No released version of {project} in s3://{client.bucket}/"
            f"{object_key(client.cfg.prefix, project, '')} (at {client.endpoint}) to call latest."
        )
    return released[-1]


def push_project(
    project_dir: Path,
    project: str,
    cfg: S3Config,
    *,
    files: Sequence[Path] = (),
    version: str | None = None,
    env: Mapping[str, str] | None = None,
    client: S3Client | None = None,
) -> PushResult:
    """The upload stage and `artifacts push`: the given files (default: dist/ and the docker
    report), the version from the wheel unless given, the image digest into the manifest."""
    paths = list(files) or stage_files(project_dir)
    version = version or version_from_files(paths, project)
    report = (project_dir / ".pipelinekit" / "reports" / IMAGE_REPORT).resolve()
    image = next((read_image_report(p) for p in paths if p.resolve() == report), None)
    return push(client or client_for(cfg, env), project, version, paths, image=image)
