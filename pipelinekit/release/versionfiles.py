"""Reading and rewriting the version in project files, keeping their formatting.

Files are handled as text so the same code reads HEAD (to bump) and a tagged commit's blobs
(to verify). TOML is read with the stdlib's tomllib (fast: `release next` reads the versions
too) and rewritten through tomlkit, which preserves comments and layout.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pipelinekit.errors import ConfigError
from pipelinekit.release.settings import ReleaseConfig

Kind = Literal["toml", "python", "text"]
_TOML_KEYS = ("project.version", "tool.poetry.version")
_PY_CANDIDATES = ("__init__.py", "_version.py", "__about__.py", "version.py")
_SETTING = "tool.pipelinekit.release.version_files"


class Tree(Protocol):
    """A file tree to read from: the working tree or a commit."""

    def read(self, path: str) -> str | None: ...

    def dirs(self, path: str) -> list[str]: ...


@dataclass(frozen=True)
class VersionFile:
    """Where a version lives: `path` (relative to the project) and the key inside it."""

    path: str
    key: str
    kind: Kind

    @property
    def spec(self) -> str:
        return self.path if self.kind == "text" else f"{self.path}:{self.key}"


def _kind(path: str) -> Kind:
    if path.endswith(".toml"):
        return "toml"
    if path.endswith(".py"):
        return "python"
    return "text"


def _python_pattern(key: str) -> re.Pattern[str]:
    return re.compile(
        rf"^(?P<lead>[ \t]*{re.escape(key)}[ \t]*(?::[^=\n]+)?=[ \t]*)"
        r"(?P<q>['\"])(?P<v>[^'\"\n]*)(?P=q)",
        re.MULTILINE,
    )


def resolve(tree: Tree, config: ReleaseConfig) -> list[VersionFile]:
    """The configured version files, or the detected ones when `version_files` is unset."""
    if config.version_files is not None:
        files = []
        for spec in config.version_files:
            path, sep, key = spec.partition(":")
            kind = _kind(path)
            if not path or (sep and not key):
                raise ConfigError(f"`{_SETTING}` entry {spec!r} must be `path` or `path:key`.")
            default = "project.version" if kind == "toml" else "__version__"
            files.append(VersionFile(path, key or default, kind))
        return files
    return _detect(tree)


def _detect(tree: Tree) -> list[VersionFile]:
    found: list[VersionFile] = []
    pyproject = tree.read("pyproject.toml")
    if pyproject is not None:
        doc = _parse_toml("pyproject.toml", pyproject)
        for key in _TOML_KEYS:
            if isinstance(_get(doc, key), str):
                found.append(VersionFile("pyproject.toml", key, "toml"))
                break
    for package in [*(f"src/{d}" for d in tree.dirs("src")), *tree.dirs("")]:
        for name in _PY_CANDIDATES:
            path = f"{package}/{name}"
            text = tree.read(path)
            if text is not None and _python_pattern("__version__").search(text):
                found.append(VersionFile(path, "__version__", "python"))
                break
    return found


def read_version(vf: VersionFile, text: str) -> str:
    """The version string stored in `text` (the content of `vf.path`)."""
    if vf.kind == "toml":
        value = _get(_parse_toml(vf.path, text), vf.key)
        if not isinstance(value, str):
            raise ConfigError(
                f"{vf.path} has no string `{vf.key}`; fix `{_SETTING}` or add the key "
                '(e.g. version = "0.1.0").'
            )
        return value
    if vf.kind == "python":
        matches = _python_pattern(vf.key).findall(text)
        if len(matches) != 1:
            raise ConfigError(
                f'{vf.path} must assign `{vf.key} = "X.Y.Z"` exactly once (found '
                f"{len(matches)}); fix the file or `{_SETTING}`."
            )
        return str(matches[0][2])
    return text.strip()


def write_version(vf: VersionFile, text: str, version: str) -> str:
    """`text` with the version replaced by `version`, everything else byte-for-byte kept."""
    read_version(vf, text)  # same validation as reading, so a bad file is refused up front
    if vf.kind == "toml":
        import tomlkit
        from tomlkit.exceptions import TOMLKitError

        try:
            doc = tomlkit.parse(text)
        except TOMLKitError as exc:
            raise ConfigError(f"{vf.path} is not valid TOML ({exc}); fix it first.") from exc
        *parents, last = vf.key.split(".")
        table: Any = doc
        for part in parents:
            table = table[part]
        table[last] = version
        return tomlkit.dumps(doc)
    if vf.kind == "python":
        return _python_pattern(vf.key).sub(
            lambda m: f"{m['lead']}{m['q']}{version}{m['q']}", text, count=1
        )
    stripped = text.strip()
    return text.replace(stripped, version, 1) if stripped else version + "\n"


def _parse_toml(path: str, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}); fix it before releasing.") from exc


def _get(doc: Any, dotted: str) -> Any:
    node = doc
    for part in dotted.split("."):
        if not hasattr(node, "get"):
            return None
        node = node.get(part)
    return node
