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

from pipelinekit.config import Config
from pipelinekit.configfile import read_toml
from pipelinekit.errors import UsageError
from pipelinekit.register.settings import RegisterConfig, load_register_settings


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


_SECTION = re.compile(r'^\s*\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]')
_URL = re.compile(r"^\s*url\s*=(.*)$", re.IGNORECASE)


def origin_url(path: Path) -> str | None:
    """The `origin` remote's url from `.git/config`, or None when there is none to read.

    A line scan with git's own rules for what matters here (section names case-insensitive,
    subsection names exact, `#`/`;` comments, quoted values) rather than configparser, whose
    INI dialect is not git's and which costs more than everything else per repo in a fleet.
    """
    try:
        text = (path / ".git" / "config").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    in_origin = False
    for line in text.splitlines():
        section = _SECTION.match(line)
        if section:
            name, sub = section[1].lower(), section[2]
            in_origin = (name, sub) == ("remote", "origin") or (name, sub) == (
                "remote.origin",
                None,
            )
        elif in_origin and (url := _URL.match(line)):
            return _config_value(url[1]) or None
    return None


def _config_value(raw: str) -> str:
    """A git config value: quotes removed, `\\"` and `\\\\` unescaped, comments dropped."""
    out: list[str] = []
    quoted = escaped = False
    for char in raw.strip():
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char in "#;" and not quoted:
            break
        else:
            out.append(char)
    return "".join(out).strip()


def project_path_from_remote(remote: str) -> str | None:
    """`git@host:group/sub/name.git` or `https://host/group/name.git` -> `group/sub/name`."""
    match = re.match(
        r"^(?:[a-z+]+://[^/]+/|[^@/\s]+@[^:/\s]+:)(?P<path>[^\s]+?)(?:\.git)?/?$", remote
    )
    return match["path"] if match else None
