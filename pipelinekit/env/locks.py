"""Lock files as pins: every locked release as `name==version` (with its marker).

uv.lock and pylock.toml are installed natively by uv; poetry.lock, pdm.lock and Pipfile.lock
(and uv.lock where only pip can run) are honoured by passing their pins as constraints beside
the manifest's own requirements: the resolver may then pick nothing but the locked release of
any package the lock holds. A declared requirement the lock does not hold means the lock no
longer matches its manifest, which `stale_names` finds before anything is installed.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelinekit.detect.facts import LockFile
from pipelinekit.env.reqfile import exact_pin, logical_lines, normalize
from pipelinekit.errors import ConfigError

REFRESH = {
    "uv": "run `uv lock`",
    "poetry": "run `poetry lock` (Poetry 1.x: `poetry lock --no-update`)",
    "pdm": "run `pdm lock --update-reuse`",
    "pipfile": "run `pipenv lock`",
    "pylock": "export it again (`uv export --format pylock.toml -o pylock.toml` or "
    "`pdm export -f pylock`)",
    "pinned": "compile it again (`uv pip compile` or `pip-compile`)",
}
"""How to bring each kind of lock back in line with its manifest."""


KINDS: dict[str, str] = {
    "uv.lock": "uv",
    "poetry.lock": "poetry",
    "pdm.lock": "pdm",
    "Pipfile.lock": "pipfile",
}


def lock_file(path: str) -> LockFile | None:
    """The LockFile a path names, by its file name; None for a name no reader knows."""
    name = path.rsplit("/", 1)[-1]
    if name in KINDS:
        return LockFile(kind=KINDS[name], path=path)  # type: ignore[arg-type]
    if name.startswith("pylock") and name.endswith(".toml"):
        return LockFile(kind="pylock", path=path)
    if name.endswith(".txt"):
        return LockFile(kind="pinned", path=path)
    return None


@dataclass(frozen=True)
class Pin:
    name: str
    """PEP 503 normalised."""
    version: str
    marker: str | None = None

    def constraint(self) -> str:
        return f"{self.name}=={self.version}" + (f" ; {self.marker}" if self.marker else "")


def read_pins(project_dir: Path, lock: LockFile) -> list[Pin]:
    """The releases `lock` pins. Packages from git, paths or URLs are left out (a version is no
    constraint on them); a package locked at several versions keeps one pin per version only
    when each carries a marker, else it is left to the resolver."""
    path = project_dir / lock.path
    try:
        text = path.read_text(encoding="utf-8")
        if lock.kind == "pipfile":
            data: Any = json.loads(text)
        elif lock.kind == "pinned":
            data = text
        else:
            data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(
            f"{path} cannot be read as a {lock.kind} lock ({_short(exc)}). "
            f"{REFRESH[lock.kind].capitalize()}"
            ' to write it again, or set [tool.pipelinekit.test] lock = "none" to ignore it.'
        ) from exc
    reader = {
        "uv": _uv,
        "poetry": _poetry,
        "pdm": _pdm,
        "pipfile": _pipfile,
        "pylock": _pylock,
        "pinned": _pinned,
    }[lock.kind]
    return _unambiguous(reader(data))


def _short(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200]


def _unambiguous(pins: Iterable[Pin]) -> list[Pin]:
    by_name: dict[str, list[Pin]] = {}
    for pin in pins:
        by_name.setdefault(pin.name, []).append(pin)
    out: list[Pin] = []
    for name in sorted(by_name):
        versions = list({p.version: p for p in by_name[name]}.values())
        if len(versions) == 1:
            out.append(Pin(name, versions[0].version))
        elif all(p.marker for p in versions):
            out.extend(versions)
    return out


def _items(data: Any, key: str) -> Iterator[dict[str, Any]]:
    items = data.get(key) if isinstance(data, dict) else None
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            yield item


def _table(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _uv(data: Any) -> Iterator[Pin]:
    for item in _items(data, "package"):
        source = _table(item.get("source"))
        if "registry" not in source or not isinstance(item.get("version"), str):
            continue  # the project itself (editable/virtual), git, path and URL sources
        markers = item.get("resolution-markers")
        marker = (
            " or ".join(f"({m})" for m in markers)
            if isinstance(markers, list) and markers
            else None
        )
        yield Pin(normalize(item["name"]), item["version"], marker)


def _poetry(data: Any) -> Iterator[Pin]:
    for item in _items(data, "package"):
        source = _table(item.get("source"))
        if source.get("type") not in (None, "legacy") or not isinstance(item.get("version"), str):
            continue
        marker = item.get("markers")
        if isinstance(marker, dict):  # lock 2.1: one marker per group; any group will do
            values = {m for m in marker.values() if isinstance(m, str)}
            marker = " or ".join(f"({m})" for m in sorted(values)) if values else None
        yield Pin(
            normalize(item["name"]), item["version"], marker if isinstance(marker, str) else None
        )


def _pdm(data: Any) -> Iterator[Pin]:
    for item in _items(data, "package"):
        if not isinstance(item.get("version"), str) or any(
            k in item for k in ("git", "path", "url", "editable")
        ):
            continue
        marker = item.get("marker")
        yield Pin(
            normalize(item["name"]), item["version"], marker if isinstance(marker, str) else None
        )


def _pipfile(data: Any) -> Iterator[Pin]:
    for section in ("default", "develop"):
        packages = data.get(section) if isinstance(data, dict) else None
        for name, spec in (packages or {}).items() if isinstance(packages, dict) else []:
            version = spec.get("version") if isinstance(spec, dict) else None
            if isinstance(version, str) and version.startswith("=="):
                marker = spec.get("markers")
                yield Pin(normalize(name), version[2:], marker if isinstance(marker, str) else None)


def _pylock(data: Any) -> Iterator[Pin]:
    for item in _items(data, "packages"):
        if isinstance(item.get("version"), str) and not any(
            k in item for k in ("vcs", "directory", "archive")
        ):
            marker = item.get("marker")
            yield Pin(
                normalize(item["name"]),
                item["version"],
                marker if isinstance(marker, str) else None,
            )


def _pinned(text: Any) -> Iterator[Pin]:
    for line in logical_lines(str(text)):
        pin = exact_pin(line)
        if pin:
            yield Pin(*pin)


def stale_names(pins: Iterable[Pin], declared: Iterable[str]) -> list[str]:
    """Declared requirement names (PEP 503) that the lock does not hold."""
    held = {pin.name for pin in pins}
    return sorted({name for name in declared if name not in held})
