"""Stage registry: stage name -> module, imported lazily so `pipelinekit stage lint` starts fast."""

from __future__ import annotations

import importlib
from typing import cast

from pipelinekit.errors import UsageError
from pipelinekit.stages.base import StageModule

IMPLEMENTED: tuple[str, ...] = ("lint", "test")
"""Stages that have a module; the planner only plans these."""


def get(name: str) -> StageModule:
    if name not in IMPLEMENTED:
        raise UsageError(
            f"Unknown stage {name!r}. Known stages: {', '.join(IMPLEMENTED)}. "
            "Run `pipelinekit plan` to see the stages of this repository."
        )
    return cast(StageModule, importlib.import_module(f"pipelinekit.stages.{name}"))
