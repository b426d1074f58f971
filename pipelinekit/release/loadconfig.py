"""Load only `[tool.pipelinekit.release]`, validated by the same model `Config.release` uses.

`release next` runs in every pipeline and is benchmarked against other tools; building every
section's pydantic model (what `pipelinekit.config.load_config` does) costs more than the
whole version computation. The release table is validated here with `ReleaseConfig` itself,
so a valid table means exactly what it means inside `Config`. On any problem the full loader
runs instead, so errors carry its usual file, key path and did-you-mean wording.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from pipelinekit.configfile import read_config_table
from pipelinekit.errors import ConfigError
from pipelinekit.release.settings import ReleaseConfig


def load_release_config(project_dir: Path) -> ReleaseConfig:
    """The release settings of the project in `project_dir` (defaults when there are none)."""
    try:
        _, _, data = read_config_table(project_dir)
        release = data.get("release", {})
        return ReleaseConfig.model_validate(release)
    except (ConfigError, ValidationError, AttributeError, TypeError):
        from pipelinekit.config import load_config

        return load_config(project_dir).release  # raises the located ConfigError
