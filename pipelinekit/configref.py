"""The configuration reference (docs/configuration.md), generated from the pydantic models so
it cannot drift from what `load_config` accepts. `python -m pipelinekit.configref` prints it;
a test regenerates it and compares with the committed file."""

from __future__ import annotations

import ast
import inspect
import itertools
import json
import textwrap
import types
import typing
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from pipelinekit.config import Config

HEADER = """# Configuration reference

Generated from pipelinekit's settings models by `python -m pipelinekit.configref`; do not edit.

pipelinekit reads `[tool.pipelinekit]` in the project's `pyproject.toml` (or the top level of
`pipelinekit.toml` for projects without one). Every key is optional: defaults come from the
repository itself. Unknown keys are errors, with a did-you-mean.
"""


def attribute_docs(model: type[BaseModel]) -> dict[str, str]:
    """Field name -> the docstring under its annotation, read from the class source.

    Read here rather than with pydantic's `use_attribute_docstrings`, which parses every
    model's source at import time and would slow every command down for the docs' sake."""
    docs: dict[str, str] = {}
    for klass in reversed(model.__mro__):
        if not (isinstance(klass, type) and issubclass(klass, BaseModel)) or klass is BaseModel:
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
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "table"
    return getattr(annotation, "__name__", str(annotation))


def _default(field: FieldInfo) -> str:
    if field.default_factory is not None:
        value = field.default_factory()  # type: ignore[call-arg]
    elif field.default is PydanticUndefined:
        return "required"
    else:
        value = field.default
    if isinstance(value, BaseModel):
        return "(table)"
    if value is None:
        return "not set"
    return f"`{json.dumps(value, default=str)}`"


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _section(model: type[BaseModel], path: str, out: list[str]) -> None:
    rows: list[str] = []
    nested: list[tuple[str, type[BaseModel]]] = []
    docs = attribute_docs(model)
    for name, field in model.model_fields.items():
        key = field.alias or name
        sub = _model_of(field.annotation)
        if sub is not None and typing.get_origin(field.annotation) is None:
            nested.append((f"{path}.{key}", sub))
            continue
        text = field.description or docs.get(name, "")
        description = " ".join(text.split()).replace("|", "\\|")
        rows.append(
            f"| `{key}` | {_type_name(field.annotation)} | {_default(field)} | {description} |"
        )
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
