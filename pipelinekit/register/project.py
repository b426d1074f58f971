"""What registration needs to know about one repository, read from its files alone.

Deliberately independent of `detect`: registering a fleet of 200 repositories must not spawn
200 `git` processes or scan 200 trees, so the name comes from the project metadata and the
remote from `.git/config` directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelinekit.config.file import read_toml
from pipelinekit.config.models import Config
from pipelinekit.errors import UsageError
from pipelinekit.register.load import load_register_settings
from pipelinekit.register.settings import RegisterConfig


@dataclass(frozen=True)
class RepoContext:
    label: str
    """How the repository is named in output (its path as given)."""
    path: Path
    name: str
    config: Config
    settings: RegisterConfig
    origin: str | None


def load_repo(
    path: Path, label: str | None = None, overrides: dict[str, Any] | None = None
) -> RepoContext:
    """Config, register settings (with fleet overrides), project name and origin remote."""
    if not path.is_dir():
        raise UsageError(f"{path} is not a directory; give the path of a repository.")
    config, settings = load_register_settings(path, overrides)
    return RepoContext(
        label=label or str(path),
        path=path,
        name=project_name(path),
        config=config,
        settings=settings,
        origin=origin_url(path),
    )


def project_name(path: Path) -> str:
    """PEP 621 or Poetry name, else the folder name."""
    pyproject = path / "pyproject.toml"
    if pyproject.is_file():
        data = read_toml(pyproject)
        for table in (data.get("project", {}), data.get("tool", {}).get("poetry", {})):
            name = table.get("name") if isinstance(table, dict) else None
            if isinstance(name, str) and name.strip():
                return name.strip()
    return path.resolve().name


_SECTION = re.compile(r'\s*\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]')
_URL = re.compile(r"\s*url\s*(?:=|$)", re.IGNORECASE)
_ESCAPES = {"n": "\n", "t": "\t", "b": "\b"}
_ORIGIN = {("remote", "origin"), ("remote.origin", None)}
"""`[remote "origin"]`, and the deprecated `[remote.origin]` spelling."""


def origin_url(path: Path) -> str | None:
    """The `origin` remote's (first) url from `.git/config`, or None when there is none.

    A scan with git's own rules for what matters here (section names case-insensitive,
    subsection names exact, keys after the `]`, `#`/`;` comments, quotes, escapes, `\\`
    line continuations, whitespace folding) instead of configparser, whose INI dialect is not
    git's and which cost more than everything else per repository in a fleet. Files git itself
    rejects as malformed may still yield a url here; `include` directives are not followed.
    """
    try:
        text = (path / ".git" / "config").read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    text = text.replace("\r\n", "\n")
    in_origin, pos = False, 0
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        start = pos
        section = _SECTION.match(text, pos, end)
        if section:
            in_origin = (section[1].lower(), section[2]) in _ORIGIN
            start = section.end()
        url = _URL.match(text, start, end) if in_origin else None
        if url:
            return _config_value(text, url.end()) or None
        pos = end + 1
    return None


def _config_value(text: str, pos: int) -> str:
    """The value starting at `pos`, parsed as git does up to its unescaped end of line."""
    out: list[str] = []
    spaces = 0
    quoted = False
    while pos < len(text) and text[pos] != "\n":
        char, pos = text[pos], pos + 1
        if char in " \t\v\f\r" and not quoted:  # git's isspace() is ASCII-only
            spaces += 1 if out else 0  # leading whitespace dropped, inner runs kept as spaces
            continue
        if char in "#;" and not quoted:
            break
        out.append(" " * spaces)
        spaces = 0
        if char == "\\" and pos < len(text):
            char, pos = text[pos], pos + 1
            if char != "\n":  # backslash-newline continues the value on the next line
                out.append(_ESCAPES.get(char, char))
        elif char != '"':
            out.append(char)
        else:
            quoted = not quoted
    return "".join(out)


def project_path_from_remote(remote: str) -> str | None:
    """`git@host:group/sub/name.git` or `https://host/group/name.git` -> `group/sub/name`."""
    match = re.match(
        r"^(?:[a-z+]+://[^/]+/|[^@/\s]+@[^:/\s]+:)(?P<path>[^\s]+?)(?:\.git)?/?$", remote
    )
    return match["path"] if match else None
