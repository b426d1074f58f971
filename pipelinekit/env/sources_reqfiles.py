"""Requirement files as dependency sources: which `*requirements*.txt`/`.in` files are found,
and the role each gets from where it lives and what it is called.

Requirement files are passed to the installer as they are, so this module only finds them, names
their role (runtime, test, other, GPU variant) and notes pinned ones as locks; the lines themselves
are read by `reqfile`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipelinekit.detect.facts import DependencySource, LockFile, Role
from pipelinekit.env.reqfile import is_pinned, read_requirement_file
from pipelinekit.env.source_model import Discovery, str_list, table

_TEST_TOKENS = frozenset(
    {"test", "tests", "testing", "dev", "devel", "develop", "development", "ci"}
)
_RUNTIME_TOKENS = frozenset(
    {"", "base", "common", "core", "main", "prod", "production", "runtime", "install", "default"}
)
_GPU_TOKENS = frozenset({"gpu", "cuda"})
_REQUIREMENT_FILE = re.compile(
    r"(?:tests?/|src/)?[^/]*requirements?[^/]*\.(?:txt|in)|requirements/[^/]+\.(?:txt|in)"
)
_CONSTRAINT_FILE = re.compile(r"constraints?[^/]*\.txt")


def file_role(rel: str) -> Role:
    """A requirement file's role from where it is and what it is called: `tests/...`,
    `requirements-dev.txt`, `requirements/test.txt` -> test; `requirements.txt`,
    `requirements/base.txt` -> runtime; `requirements-docs.txt` -> other."""
    if rel.split("/")[0] in ("tests", "test") and "/" in rel:
        return "test"
    tokens = _name_tokens(rel)
    if tokens & _TEST_TOKENS:
        return "test"
    if tokens <= _RUNTIME_TOKENS:
        return "runtime"
    return "other"


def _name_tokens(rel: str) -> set[str]:
    """The words of a requirement file's name: `requirements/gpu-cu121.txt` -> gpu, cu121."""
    stem = rel.rpartition("/")[2].rsplit(".", 1)[0]
    return {
        t
        for t in re.split(r"[-_.\s]+", stem.lower())
        if t not in ("requirements", "requirement", "reqs")
    }


def is_gpu_variant(rel: str) -> bool:
    """A requirement file for the GPU build (`requirements-gpu.txt`, `requirements/cuda.txt`):
    its role is `other` (not installed for the tests), but a GPU image installs it."""
    return bool(_name_tokens(rel) & _GPU_TOKENS)


def requirement_files(
    root: Path, files: frozenset[str], pyproject: Mapping[str, Any], found: Discovery
) -> None:
    dynamic = table(pyproject, "tool", "setuptools", "dynamic")
    # `dependencies = {file = [...]}`, and one level deeper for extras:
    # `optional-dependencies.gpu = {file = [...]}`
    specs = [*dynamic.values(), *table(dynamic, "optional-dependencies").values()]
    listed = {f for spec in specs for f in str_list(table(spec).get("file"))}
    candidates = sorted(f for f in files if _REQUIREMENT_FILE.fullmatch(f) or f in listed)
    compiled = {f.rsplit(".", 1)[0] for f in candidates if f.endswith(".txt")}
    for rel in candidates:
        parsed = read_requirement_file(root / rel, root)
        found.included_files.update(f for f in parsed.files if f != rel)
        role = file_role(rel)
        if rel.endswith(".in") and rel.rsplit(".", 1)[0] in compiled:
            role = "other"  # pip-tools: the compiled .txt beside it is what gets installed
        found.sources.append(DependencySource(kind="requirements", path=rel, role=role))
        if role != "other" and is_pinned([line for line, _ in parsed.requirements]):
            found.locks.append(LockFile(kind="pinned", path=rel))
    for rel in sorted(f for f in files if _CONSTRAINT_FILE.fullmatch(f)):
        found.sources.append(DependencySource(kind="constraints", path=rel))
