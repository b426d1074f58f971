"""Load only `[tool.pipelinekit.release]`, without pydantic when the table is plainly valid.

`release next` runs in every pipeline and is benchmarked against other release tools; the
pydantic import and model build that `pipelinekit.config.models.load_config` pays cost more than the
whole version computation. `ReleaseConfig` is a stdlib dataclass, so a table whose values all
have exactly the annotated types is built directly (its `__post_init__` checks still run);
anything else goes through the full loader, whose errors carry the usual file, key path and
did-you-mean wording.
"""

from __future__ import annotations

from pathlib import Path

from pipelinekit.config.file import read_config_table
from pipelinekit.config.plaintable import from_table
from pipelinekit.errors import ConfigError
from pipelinekit.release.settings import ReleaseConfig


def load_release_config(project_dir: Path) -> ReleaseConfig:
    """The release settings of the project in `project_dir` (defaults when there are none)."""
    try:
        _, _, data = read_config_table(project_dir)
    except ConfigError:
        data = None
    if isinstance(data, dict):
        config = from_table(ReleaseConfig, data.get("release", {}))
        if config is not None:
            return config
    from pipelinekit.config.models import load_config

    return load_config(project_dir).release  # validates, or raises the located ConfigError
