"""The project's config with its register table, fleet overrides merged on top: kept apart
from the settings models because it reads the whole config (which embeds those models)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipelinekit.config.file import read_config_table
from pipelinekit.config.models import Config, parse_config
from pipelinekit.register.settings import RegisterConfig, parse_register


def load_register_settings(
    project_dir: Path, overrides: dict[str, Any] | None = None
) -> tuple[Config, RegisterConfig]:
    """The project's config and its register settings, with fleet `overrides` merged on top."""
    path, prefix, data = read_config_table(project_dir)
    if not isinstance(data, dict):
        data = {}
    data = dict(data)
    register_data = data.pop("register", {})
    config = parse_config(data, source=path, prefix=prefix)
    if overrides:
        register_data = deep_merge(
            register_data if isinstance(register_data, dict) else {}, overrides
        )
    return config, parse_register(register_data, source=path)


def deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """`extra` over `base`, tables merged key by key, everything else replaced."""
    merged = dict(base)
    for key, value in extra.items():
        old = merged.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            merged[key] = deep_merge(old, value)
        else:
            merged[key] = value
    return merged
