"""The configuration reference (docs/configuration.md), generated from the pydantic models so
it cannot drift from what `load_config` accepts. `python -m pipelinekit.config.reference` prints it;
a test regenerates it and compares with the committed file."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import itertools
import json
import textwrap
import types
import typing
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from pipelinekit.config.models import Config
from pipelinekit.config.plaintable import field_types

HEADER = """# Configuration reference

Generated from pipelinekit's settings models by
`python -m pipelinekit.config.reference`; do not edit.

pipelinekit reads `[tool.pipelinekit]` in the project's `pyproject.toml` (or the top level of
`pipelinekit.toml` for projects without one). Every key is optional: defaults come from the
repository itself. Unknown keys are errors, with a did-you-mean.
"""


def attribute_docs(model: type[Any]) -> dict[str, str]:
    """Field name -> the docstring under its annotation, read from the class source.

    Read here rather than with pydantic's `use_attribute_docstrings`, which parses every
    model's source at import time and would slow every command down for the docs' sake."""
    docs: dict[str, str] = {}
    for klass in reversed(model.__mro__):
        if klass in (BaseModel, object) or not _is_section(klass):
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(klass)))
        except (OSError, TypeError, SyntaxError):
            continue
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for node, following in itertools.pairwise(body):
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                docs[node.target.id] = inspect.cleandoc(following.value.value)
    return docs


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:  # a validated type reads as its base type
        return _type_name(args[0])
    if origin is typing.Literal:
        return " \\| ".join(json.dumps(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        return " \\| ".join(_type_name(a) for a in args)
    if origin in (list, tuple, set, frozenset):
        return f"list of {_type_name(args[0])}" if args else "list"
    if origin is dict:
        return f"table of {_type_name(args[1])}" if len(args) == 2 else "table"
    if annotation is type(None):
        return "none"
    if _is_section(annotation):
        return "table"
    return getattr(annotation, "__name__", str(annotation))


def _is_section(annotation: Any) -> bool:
    """A pydantic model or a dataclass section (see `pipelinekit.config.plaintable`)."""
    return isinstance(annotation, type) and (
        issubclass(annotation, BaseModel) or dataclasses.is_dataclass(annotation)
    )


def _fields(model: type[Any]) -> list[tuple[str, Any, str, str]]:
    """(key, annotation, default as shown, description) of each field of a section."""
    if issubclass(model, BaseModel):
        return [
            (
                f.alias or name,
                f.annotation,
                _default(f.default_factory, f.default),
                f.description or "",
            )
            for name, f in model.model_fields.items()
        ]
    hints = field_types(model)
    return [
        (f.name, hints[f.name], _default(f.default_factory, f.default), "")
        for f in dataclasses.fields(model)
    ]


def _default(factory: Any, default: Any) -> str:
    if factory is not None and factory is not dataclasses.MISSING:
        value = factory()
    elif default is PydanticUndefined or default is dataclasses.MISSING:
        return "required"
    else:
        value = default
    if _is_section(type(value)):
        return "(table)"
    if value is None:
        return "not set"
    return f"`{json.dumps(value, default=_plain)}`"


def _plain(value: Any) -> Any:
    """A nested section as the table a user would write."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: v for k, v in dataclasses.asdict(value).items() if v is not None}
    return str(value)


def _model_of(annotation: Any) -> type[Any] | None:
    if _is_section(annotation):
        return typing.cast(type[Any], annotation)
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _section(model: type[Any], path: str, out: list[str]) -> None:
    rows: list[str] = []
    nested: list[tuple[str, type[Any]]] = []
    docs = attribute_docs(model)
    names = {f.alias or n: n for n, f in getattr(model, "model_fields", {}).items()}
    for key, annotation, default, field_doc in _fields(model):
        sub = _model_of(annotation)
        if sub is not None and typing.get_origin(annotation) is None:
            nested.append((f"{path}.{key}", sub))
            continue
        text = field_doc or docs.get(names.get(key, key), "")
        description = " ".join(text.split()).replace("|", "\\|")
        rows.append(f"| `{key}` | {_type_name(annotation)} | {default} | {description} |")
        if sub is not None:  # a list/table of tables: document the item's keys too
            nested.append((f"{path}.{key}[]", sub))
    if rows:
        doc = " ".join((model.__doc__ or "").split())
        out += ["", f"## `[{path}]`", ""]
        if doc and not doc.startswith(("Usage docs", "!!!")):
            out += [doc, ""]
        out += ["| key | type | default | meaning |", "| --- | --- | --- | --- |", *rows]
    for sub_path, sub in nested:
        _section(sub, sub_path, out)


def render() -> str:
    out = [HEADER.rstrip()]
    _section(Config, "tool.pipelinekit", out)
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(render(), end="")
