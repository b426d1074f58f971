"""What gets uploaded and under which keys: pure functions, no network.

Key layout `<prefix>/<project>/<version>/<file>`. The version comes from the built wheel's
PEP 427 file name (what pip will install) rather than from metadata, so the key always names
what is actually in the folder; an sdist is the fallback, `--version` the override.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)

from pipelinekit.errors import UsageError
from pipelinekit.plan import reports

MANIFEST = "manifest.json"
IMAGE_REPORT = reports.IMAGE
"""Written by the docker stage into `.pipelinekit/reports/`; uploaded beside the dist files."""
DIST_DIR = "dist"
_SAFE_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+!-]*")


def object_key(prefix: str, project: str, version: str, name: str = "") -> str:
    """`<prefix>/<project>/<version>/<name>`; with no name, the version's folder (ending '/')."""
    return "/".join(part for part in (prefix, project, version) if part) + "/" + name


def check_segment(value: str, what: str) -> str:
    """Project names and versions become key segments: no '/', no '..', nothing surprising."""
    if not _SAFE_SEGMENT.fullmatch(value) or ".." in value:
        raise UsageError(
            f"{what} {value!r} cannot be used in an S3 key: use letters, digits and . _ + ! - "
            "only (a PEP 440 version such as 1.4.0 or 1.4.0rc1)."
        )
    return value


def check_files(files: Sequence[Path]) -> list[Path]:
    """Existing regular files with distinct names; `manifest.json` is reserved for us."""
    problems: list[str] = []
    seen: dict[str, Path] = {}
    for path in files:
        if not path.is_file():
            problems.append(f"{path} is not a file")
        elif path.name == MANIFEST:
            problems.append(f"{path}: the name {MANIFEST} is reserved for the release manifest")
        elif path.name in seen:
            problems.append(f"{path} and {seen[path.name]} would both be stored as {path.name}")
        else:
            check_segment(path.name, "File name")
            seen[path.name] = path
    if problems:
        raise UsageError("Cannot upload: " + "; ".join(problems) + ". Nothing was uploaded.")
    if not seen:
        raise UsageError("Nothing to upload: no files were given.")
    return list(seen.values())


def stage_files(project_dir: Path) -> list[Path]:
    """Everything in `<project>/dist/` plus the docker stage's image.json when present."""
    dist = project_dir / DIST_DIR
    files = sorted(p for p in dist.iterdir() if p.is_file()) if dist.is_dir() else []
    image = project_dir / ".pipelinekit" / "reports" / IMAGE_REPORT
    if image.is_file():
        files.append(image)
    if not files:
        raise UsageError(
            f"Nothing to upload: {dist} is empty or missing and no docker image report exists. "
            "Run the package stage first (`pipelinekit stage package`)."
        )
    return files


def version_from_files(files: Iterable[Path], project: str) -> str:
    """The one version of the project's wheels (else sdists) among `files`."""
    wheels: set[str] = set()
    sdists: set[str] = set()
    want = canonicalize_name(project)
    for path in files:
        try:
            if path.suffix == ".whl":
                name, version, _build, _tags = parse_wheel_filename(path.name)
                if name == want:
                    wheels.add(str(version))
            elif path.name.endswith((".tar.gz", ".zip")):
                name, version = parse_sdist_filename(path.name)
                if name == want:
                    sdists.add(str(version))
        except (InvalidWheelFilename, InvalidSdistFilename):
            continue
    versions = wheels or sdists
    if len(versions) == 1:
        return versions.pop()
    if not versions:
        raise UsageError(
            f"Cannot tell the version: no wheel or sdist of {project!r} among the files "
            "(expected e.g. dist/<name>-<version>-py3-none-any.whl). Build the package first or "
            "pass --version."
        )
    raise UsageError(
        f"Cannot tell the version: dist holds {project!r} in several versions "
        f"({', '.join(sorted(versions))}). Empty dist/ and rebuild, or pass --version."
    )


@dataclass(frozen=True)
class ImageInfo:
    image: str
    tags: tuple[str, ...]
    digest: str | None

    def as_json(self) -> dict[str, Any]:
        return {"image": self.image, "tags": list(self.tags), "digest": self.digest}


def read_image_report(path: Path) -> ImageInfo:
    """The docker stage's `{"image", "tags", "digest"}`; other keys are not ours to copy."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        image = data["image"]
        tags = data.get("tags") or []
        digest = data.get("digest")
        if not (
            isinstance(image, str)
            and isinstance(tags, list)
            and all(isinstance(t, str) for t in tags)
            and (digest is None or isinstance(digest, str))
        ):
            raise TypeError
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UsageError(
            f"{path} is not a docker image report ({{'image': str, 'tags': [str], 'digest': "
            f"str}}): {type(exc).__name__}. Re-run the docker stage or remove the file."
        ) from exc
    return ImageInfo(image=image, tags=tuple(tags), digest=digest)
