"""Settings sections written as stdlib dataclasses, and a pydantic-free fast accept for them.

`release next` runs in every pipeline and is measured against other release tools; importing
pydantic and building a model costs more than the whole version computation. A section that
this command needs is therefore a frozen stdlib dataclass: pydantic validates it like any
model inside `Config` (it reads the annotations and runs `__post_init__`), while `from_table`
builds it directly when every value of the TOML table already has exactly the annotated type.

`from_table` only ever accepts; anything it does not recognise returns None and the caller
falls back to pydantic, which remains the one authority on what is invalid and how to say so.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from typing import Any, TypeVar

T = TypeVar("T")

PYDANTIC_CONFIG: dict[str, Any] = {"extra": "forbid"}
"""`__pydantic_config__` of every dataclass section: unknown keys are errors, as in `Section`."""


class FieldProblem(ValueError):
    """A value rejected by a dataclass section's `__post_init__`, naming its field, so the
    config error can point at `section.field` rather than at the whole section."""

    def __init__(self, field: str, value: object, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


class FieldProblems(ValueError):
    """Several `FieldProblem`s of one section, so that one config error lists them all."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def raise_problems(problems: list[FieldProblem]) -> None:
    """Raise nothing, the one problem, or all of them together."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise FieldProblems(problems)


def from_table(cls: type[T], data: object) -> T | None:
    """`cls` built from `data` when every value has exactly its annotated type (and is a value
    every emitter can carry), else None: the full loader then reports what is wrong."""
    if not isinstance(data, dict) or value_problems(data, ""):
        return None
    hints = field_types(cls)
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in hints:
            return None
        ok, converted = _convert(value, hints[key])
        if not ok:
            return None
        kwargs[key] = converted
    try:
        return cls(**kwargs)
    except (ValueError, TypeError):
        return None


_HINTS: dict[type[Any], dict[str, Any]] = {}


def field_types(cls: type[Any]) -> dict[str, Any]:
    """Field name -> resolved annotation of a dataclass section, computed once per class."""
    if cls not in _HINTS:
        names = {f.name for f in dataclasses.fields(cls) if f.init}
        _HINTS[cls] = {k: v for k, v in typing.get_type_hints(cls).items() if k in names}
    return _HINTS[cls]


def _convert(value: object, annotation: Any) -> tuple[bool, Any]:
    """(True, value as the field takes it) when `value` is exactly of type `annotation`."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        return any(type(value) is type(a) and value == a for a in args), value
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            ok, converted = _convert(value, arg)
            if ok:
                return True, converted
        return False, None
    if origin is list and type(value) is list:
        items = [_convert(item, args[0]) for item in value]
        return all(ok for ok, _ in items), [converted for _, converted in items]
    if origin is dict and type(value) is dict:
        pairs = {k: _convert(v, args[1]) for k, v in value.items()}
        keys_ok = all(type(k) is str for k in value) and args[0] is str
        return keys_ok and all(ok for ok, _ in pairs.values()), {
            k: converted for k, (_, converted) in pairs.items()
        }
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        built = from_table(annotation, value)
        return built is not None, built
    if annotation is type(None):
        return value is None, None
    if annotation in (bool, str, int, float):
        return type(value) is annotation, value
    return False, None


MAX_VALUE = 10_000
"""Characters a configured string may have: a Jenkinsfile string literal stops at 65,535 bytes,
and no name, URL or argument needs more."""
_CREDENTIAL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://(?:[^/@:\s]*:[^/@\s]+|[^/@:\s]{12,})@")
"""`scheme://user:password@` or `scheme://TOKEN@` (a lone name like `git@` is not one)."""
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
"""Control characters (tab and newline aside) no shell, YAML, Groovy, XML or Dockerfile value
can carry safely: NUL ends a C string in the middle."""


def value_problems(data: Any, prefix: str) -> list[str]:
    """Strings anywhere in `data` that no emitter can carry: control characters, or longer
    than MAX_VALUE. One line per key."""
    problems: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            problems += value_problems(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            problems += value_problems(value, f"{prefix}.{index}")
    elif isinstance(data, str):
        bad = _CONTROL.search(data)
        if bad:
            problems.append(
                f"`{prefix}` holds the control character {bad.group()!r}, which no generated "
                "file can carry; remove it."
            )
        elif _CREDENTIAL.search(data):
            problems.append(
                f"`{prefix}` holds a credential in a URL, which would be written into generated "
                "files and logs; give it through the environment instead (a masked CI/CD "
                "variable, a Jenkins credential, netrc) and keep the URL without it."
            )
        elif len(data) > MAX_VALUE:
            problems.append(
                f"`{prefix}` is {len(data):,} characters long; at most {MAX_VALUE:,} fit the "
                "generated files."
            )
    return problems
