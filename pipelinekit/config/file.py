"""Where pipelinekit's config lives and reading it as raw TOML, without the settings models:
cheap enough for `release next`, which must not pay for building every section's model."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pipelinekit.errors import ConfigError

CONFIG_FILES = ("pyproject.toml", "pipelinekit.toml")
"""Where config is read from, in order: `[tool.pipelinekit]` in pyproject.toml, else the
top level of pipelinekit.toml (for setup.py-only projects, where adding a pyproject.toml would
change how pip builds them)."""


def config_location(project_dir: Path) -> tuple[Path, tuple[str, ...]]:
    """The file that holds (or will hold) the config and the table path inside it."""
    pyproject = project_dir / "pyproject.toml"
    if pyproject.is_file():
        return pyproject, ("tool", "pipelinekit")
    return project_dir / "pipelinekit.toml", ()


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file; a syntax error names the file, line and column."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        if path.read_bytes().startswith(b"\xef\xbb\xbf"):
            raise ConfigError(
                f"{path} starts with a byte-order mark (BOM), which TOML does not allow (pip "
                "and tomllib refuse it too). Save it as UTF-8 without BOM and run the command "
                "again."
            ) from exc
        raise ConfigError(
            f"{path} is not valid TOML: {exc}. Fix the syntax at that line and column and run "
            "the command again."
        ) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path} is not valid UTF-8 (byte {exc.object[exc.start]:#04x} at offset "
            f"{exc.start}), which TOML requires. Save it as UTF-8 and run the command again."
        ) from exc
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror}.") from exc


def read_config_table(project_dir: Path) -> tuple[Path, str, Any]:
    """The config file, the dotted path of pipelinekit's table in it, and that raw table
    ({} when there is none)."""
    path, table = config_location(project_dir)
    prefix = ".".join(table)
    if not path.is_file():
        return path, prefix, {}
    data: Any = read_toml(path)
    for key in table:
        data = data.get(key, {}) if isinstance(data, dict) else {}
    return path, prefix, data
