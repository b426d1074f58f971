"""The base of every `[tool.pipelinekit.*]` section model: unknown keys are errors (with a
did-you-mean from config.py), and defaults are validated like user values."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)
