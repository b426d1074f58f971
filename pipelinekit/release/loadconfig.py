"""Load only `[tool.pipelinekit.release]`, validated by the same model `Config.release` uses.

`release next` runs in every pipeline and is benchmarked against other tools; building every
section's pydantic model (what `pipelinekit.config.load_config` does) costs more than the
whole version computation. The release table is validated here with `ReleaseConfig` itself,
so a valid table means exactly what it means inside `Config`. On any problem the full loader
runs instead, so errors carry its usual file, key path and did-you-mean wording.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pipelinekit.release.settings import ReleaseConfig


def _location(project_dir: Path) -> tuple[Path, tuple[str, ...]]:
    # Mirrors pipelinekit.config.config_location (a test keeps the two in step).
    pyproject = project_dir / "pyproject.toml"
    if pyproject.is_file():
        return pyproject, ("tool", "pipelinekit")
    return project_dir / "pipelinekit.toml", ()


def load_release_config(project_dir: Path) -> ReleaseConfig:
    """The release settings of the project in `project_dir` (defaults when there are none)."""
    path, table = _location(project_dir)
    if not path.is_file():
        return ReleaseConfig()
    try:
        with path.open("rb") as fh:
            data: Any = tomllib.load(fh)
        for key in table:
            data = data.get(key, {})
        release = data.get("release", {})
        return ReleaseConfig.model_validate(release)
    except (OSError, tomllib.TOMLDecodeError, ValidationError, AttributeError, TypeError):
        from pipelinekit.config import load_config

        return load_config(project_dir).release  # raises the located ConfigError
