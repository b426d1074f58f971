"""The base of every `[tool.pipelinekit.*]` section model, and validation with clear errors:
unknown keys are errors with a did-you-mean and the valid keys, wrong values name the key path
and the value given."""

from __future__ import annotations

import dataclasses
import difflib
import re
import typing
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from pipelinekit.config.plaintable import FieldProblem, FieldProblems, field_types, value_problems
from pipelinekit.errors import ConfigError

_UNKNOWN_KEY = {"extra_forbidden", "unexpected_keyword_argument"}
"""pydantic's error types for a key a model (resp. a dataclass section) does not have."""

ModelT = TypeVar("ModelT", bound=BaseModel)

_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_IMAGE_REFERENCE = re.compile(
    rf"(?:[A-Za-z0-9.-]+(?::[0-9]+)?/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?"
)
"""Docker's image reference grammar: [registry[:port]/]path[:tag][@digest]."""


def _image_reference(value: str) -> str:
    if not _IMAGE_REFERENCE.fullmatch(value):
        raise ValueError(
            "expected an image reference such as 'docker:27-dind' or "
            "'registry.example.com/team/image:tag'"
        )
    return value


ImageReference = Annotated[str, AfterValidator(_image_reference)]
"""A config value that lands in `FROM`, `image:` or `services:`: it must be one."""


class Section(BaseModel):
    # strict: TOML has real booleans and numbers, so `enabled = "yes"` or `threshold = "85"` is
    # a typo to report, not a value to guess at (an int still fills a float field).
    model_config = ConfigDict(extra="forbid", validate_default=True, strict=True)


def validate_table(model: type[ModelT], data: Any, *, source: Path | str, prefix: str) -> ModelT:
    """`data` (a TOML table) as `model`; any problem is one ConfigError naming every key."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: `{prefix}` must be a table, not {type(data).__name__}.")
    problems = value_problems(data, prefix)
    if problems:
        raise ConfigError(f"{source}: invalid pipelinekit configuration: {' '.join(problems)}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, model, source, prefix)) from exc


def _describe(exc: ValidationError, model: type[BaseModel], source: Path | str, prefix: str) -> str:
    problems = []
    for err in _expanded(exc.errors()):
        loc = [str(p) for p in err["loc"]]
        key = ".".join([prefix, *loc] if prefix else loc)
        if err["type"] in _UNKNOWN_KEY:
            known = _known_keys(model, loc[:-1])
            hint = difflib.get_close_matches(loc[-1], known, n=1)
            suggestion = f" Did you mean `{hint[0]}`?" if hint else ""
            problems.append(
                f"unknown key `{key}`.{suggestion} Valid keys here: {', '.join(sorted(known))}."
            )
        else:
            problems.append(f"`{key}`: {err['msg']} (got {shorten(repr(err.get('input')))}).")
    return (
        f"{source}: invalid pipelinekit configuration: {' '.join(problems)} "
        "Correct the key or value; docs/configuration.md lists every key and its default."
    )


def shorten(text: str, limit: int = 80) -> str:
    """A value as shown in a message: whole when short, else its start and length."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def _expanded(errors: list[Any]) -> list[Any]:
    """pydantic's errors, with each problem a dataclass section's `__post_init__` reported
    (see `pipelinekit.config.plaintable`) moved to the field it names."""
    out = []
    for err in errors:
        cause = err.get("ctx", {}).get("error")
        found = cause.problems if isinstance(cause, FieldProblems) else [cause]
        if not all(isinstance(p, FieldProblem) for p in found):
            out.append(err)
            continue
        for problem in found:
            loc = (*err["loc"], problem.field)
            out.append({**err, "loc": loc, "msg": str(problem), "input": problem.value})
    return out


def _known_keys(model: type[Any], path: list[str]) -> list[str]:
    current: Any = model
    for part in path:
        if typing.get_origin(current) in (list, dict):  # `part` is an index or a table key
            current = typing.get_args(current)[-1]
        else:
            current = _fields(current).get(part)
    return list(_fields(current))


def _fields(model: type[Any]) -> dict[str, Any]:
    """Key -> annotation of a pydantic model or a dataclass section ({} for anything else)."""
    if not isinstance(model, type):
        return {}
    if issubclass(model, BaseModel):
        return {f.alias or name: f.annotation for name, f in model.model_fields.items()}
    if dataclasses.is_dataclass(model):
        return field_types(model)
    return {}
