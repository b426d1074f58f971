"""The source model every reader shares: what discovery collects and the small table helpers.

`sources` dispatches to one reader per family of declarations (`sources_pyproject`,
`sources_setup`, `sources_reqfiles`, `sources_pipfile_conda`); they all build the same
`Discovery`, read TOML/INI values the same way and give extras and groups a role from their name,
so those pieces live here, below all of them, instead of in the dispatcher they would have to
import back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pipelinekit.detect.facts import DependencySource, LockFile, Role, SourceKind
from pipelinekit.env.reqfile import normalize, parse_requirement

TEST_NAMES = ("test", "tests", "testing", "dev")
"""Extras and groups installed for tests by default ([tool.pipelinekit.test] extras/groups)."""


@dataclass
class Discovery:
    """What `discover` found: the sources in install order, the locks, and interpreter pins
    from Pipfile and conda files (as PEP 440 specifiers)."""

    sources: list[DependencySource] = field(default_factory=list)
    locks: list[LockFile] = field(default_factory=list)
    python_pins: dict[str, str] = field(default_factory=dict)
    indexes: list[str] = field(default_factory=list)
    pipfile_sources: list[object] = field(default_factory=list)
    """Package index URLs besides PyPI (Poetry/PDM/Pipfile sources, uv indexes)."""
    included_files: set[str] = field(default_factory=set)
    """Files reached through `-r`/`-c` includes (part of the environment's key)."""


def table(data: object, *keys: str) -> dict[str, Any]:
    """The nested TOML table at `keys`, or {} when any level is missing or not a table."""
    current: Any = data
    for key in keys:
        current = current.get(key) if isinstance(current, dict) else None
    return current if isinstance(current, dict) else {}


def str_list(value: object) -> list[str]:
    """A TOML/ast value as a list of strings: a lone string is one item, other items are dropped."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, str)]
    return []


def role_of(name: str | None) -> Role:
    """test for the conventional test names, other for the rest (docs, gpu, lint, ...)."""
    return "test" if name is not None and normalize(name) in TEST_NAMES else "other"


def split_self(lines: Iterable[str], project: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(requirements, extras of the project itself): `mypkg[test]` in an extra of mypkg means
    'also install my extra test'."""
    kept: list[str] = []
    extras: list[str] = []
    for line in lines:
        parsed = parse_requirement(line)
        if project and parsed and parsed[0] == project and "@" not in line:
            extras.extend(sorted(parsed[1]))
        else:
            kept.append(line.strip())
    return tuple(kept), tuple(extras)


def add_file(found: Discovery, source: DependencySource) -> None:
    """Add a file named by a tool (tox, conda); one already found takes the tool's role, so
    `requirements-tox.txt` that tox installs for the tests is a test source."""
    for index, known in enumerate(found.sources):
        if known.path == source.path:
            if known.role == "other":
                found.sources[index] = known.model_copy(update={"role": source.role})
            return
    found.sources.append(source)


def include_kind(include: re.Match[str]) -> SourceKind:
    """`-r x` / `--requirement x` include a requirement file, `-c` / `--constraint` constrain."""
    return "constraints" if (include[1] or include[2]) in ("-c", "--constraint") else "requirements"
