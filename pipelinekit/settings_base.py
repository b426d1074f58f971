"""The base of every `[tool.pipelinekit.*]` section model, and validation with clear errors:
unknown keys are errors with a did-you-mean and the valid keys, wrong values name the key path
and the value given."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from pipelinekit.errors import ConfigError

ModelT = TypeVar("ModelT", bound=BaseModel)


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


def validate_table(model: type[ModelT], data: Any, *, source: Path | str, prefix: str) -> ModelT:
    """`data` (a TOML table) as `model`; any problem is one ConfigError naming every key."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: `{prefix}` must be a table, not {type(data).__name__}.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, model, source, prefix)) from exc


def _describe(exc: ValidationError, model: type[BaseModel], source: Path | str, prefix: str) -> str:
    problems = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        key = ".".join([prefix, *loc] if prefix else loc)
        if err["type"] == "extra_forbidden":
            known = _known_keys(model, loc[:-1])
            hint = difflib.get_close_matches(loc[-1], known, n=1)
            suggestion = f" Did you mean `{hint[0]}`?" if hint else ""
            problems.append(
                f"unknown key `{key}`.{suggestion} Valid keys here: {', '.join(sorted(known))}."
            )
        else:
            problems.append(f"`{key}`: {err['msg']} (got {err.get('input')!r}).")
    return (
        f"{source}: invalid pipelinekit configuration: {' '.join(problems)} "
        "Correct the key or value; docs/configuration.md lists every key and its default."
    )


def _known_keys(model: type[BaseModel], path: list[str]) -> list[str]:
    for part in path:
        fields = {f.alias or name: f for name, f in model.model_fields.items()}
        annotation = fields[part].annotation if part in fields else None
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
        else:
            return []
    return [f.alias or name for name, f in model.model_fields.items()]
