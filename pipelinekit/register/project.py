"""What registration needs to know about one repository, read from its files alone.

Deliberately independent of `detect`: registering a fleet of 200 repositories must not spawn
200 `git` processes or scan 200 trees, so the name comes from the project metadata and the
remote from `.git/config` directly.
"""

from __future__ import annotations

import configparser
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


def origin_url(path: Path) -> str | None:
    """The `origin` remote from `.git/config`, or None when there is none to read."""
    git_config = path / ".git" / "config"
    if not git_config.is_file():
        return None
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    try:
        parser.read(git_config, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return None
    section = 'remote "origin"'
    return parser.get(section, "url", fallback=None) if parser.has_section(section) else None


def project_path_from_remote(remote: str) -> str | None:
    """`git@host:group/sub/name.git` or `https://host/group/name.git` -> `group/sub/name`."""
    match = re.match(
        r"^(?:[a-z+]+://[^/]+/|[^@/\s]+@[^:/\s]+:)(?P<path>[^\s]+?)(?:\.git)?/?$", remote
    )
    return match["path"] if match else None
