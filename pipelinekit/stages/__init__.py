"""Stage registry: stage name -> module, imported lazily so `pipelinekit stage lint` starts fast.

A stage is any module in this package that is not a helper (see NOT_STAGES): adding a stage is
adding its module, nothing else to register.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import cast

from pipelinekit.errors import UsageError
from pipelinekit.stages.base import StageModule

NOT_STAGES = frozenset({"base", "unittest_junit", "lint_findings", "lint_pylint", "lint_ruff"})


def implemented() -> tuple[str, ...]:
    """Names of the stages that have a module, sorted."""
    return tuple(
        sorted(
            info.name
            for info in pkgutil.iter_modules(__path__)
            if info.name not in NOT_STAGES and not info.name.startswith("_")
        )
    )


def get(name: str) -> StageModule:
    known = implemented()
    if name not in known:
        raise UsageError(
            f"Unknown stage {name!r}. Known stages: {', '.join(known)}. "
            "Run `pipelinekit plan` to see the stages of this repository."
        )
    return cast(StageModule, importlib.import_module(f"pipelinekit.stages.{name}"))
