"""Every place a repository declares requirements, found from its files alone.

One `DependencySource` per declaration: the `[project]` table, each extra, each PEP 735
dependency group, Poetry's main table and groups, PDM dev groups, Hatch environments,
requirement files where they conventionally live (root `*requirements*.txt`, `requirements/`,
`tests/`, `src/` as Kedro keeps them), setup.py and setup.cfg lists, tox `deps`, Pipfile
sections and conda environment files. Each carries a role from its name (runtime, test, other)
that decides what the test environment installs by default; the Docker image takes the runtime
ones only.

Table-based sources are turned into PEP 508 lines here (Poetry's `^1.2` becomes `>=1.2,<2.0`),
so the installer gets one syntax; requirement files are passed to the installer as they are.
Nothing here imports or runs the project's code. This module is the dispatcher: the model
is `source_model`, and each family of files has its reader (`sources_pyproject`,
`sources_setup`, `sources_reqfiles`, `sources_pipfile_conda`).
"""

from __future__ import annotations

import configparser
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipelinekit.detect.facts import LockFile, LockKind
from pipelinekit.env.reqfile import normalize
from pipelinekit.env.source_model import Discovery, table
from pipelinekit.env.sources_pipfile_conda import conda_sources, pipfile_sources
from pipelinekit.env.sources_pyproject import pyproject_sources
from pipelinekit.env.sources_reqfiles import requirement_files
from pipelinekit.env.sources_setup import setup_cfg_sources, setup_py_sources, tox_sources

LOCK_FILES: tuple[tuple[str, LockKind], ...] = (
    ("uv.lock", "uv"),
    ("poetry.lock", "poetry"),
    ("pdm.lock", "pdm"),
    ("Pipfile.lock", "pipfile"),
)
"""Lock file -> kind, in the order a lock is preferred when a repository has several."""
CONDA_FILES = ("environment.yml", "environment.yaml", "conda.yml", "conda.yaml")
_PYLOCK = re.compile(r"pylock(?:\.[^/.]+)?\.toml")


def discover(
    root: Path,
    files: frozenset[str],
    pyproject: Mapping[str, Any],
    setup_cfg: configparser.RawConfigParser | None,
    setup_py: Mapping[str, object] | None,
    tox_ini: configparser.RawConfigParser | None,
) -> Discovery:
    """Every dependency source of the project at `root` (`files` relative to it)."""
    found = Discovery()
    project_name = normalize(_project_name(pyproject, setup_cfg, setup_py))
    add = found.sources.append
    for source in pyproject_sources(pyproject, project_name):
        add(source)
    if setup_cfg is not None:
        for source in setup_cfg_sources(setup_cfg, project_name):
            add(source)
    if setup_py is not None:
        for source in setup_py_sources(setup_py, project_name):
            add(source)
    requirement_files(root, files, pyproject, found)
    for rel in CONDA_FILES:
        if rel in files:
            conda_sources(root, rel, found)
    if "Pipfile" in files:
        pipfile_sources(root, found)
    if tox_ini is not None:
        tox_sources(root, "tox.ini", tox_ini, project_name, found)
    legacy = table(pyproject, "tool", "tox").get("legacy_tox_ini")
    if isinstance(legacy, str):
        parser = configparser.RawConfigParser(strict=False)
        try:
            parser.read_string(legacy)
        except configparser.Error:
            pass
        else:
            tox_sources(root, "pyproject.toml", parser, project_name, found)
    found.locks[:0] = _locks(files)
    found.indexes = _indexes(pyproject, found)
    return found


def _project_name(
    pyproject: Mapping[str, Any],
    setup_cfg: configparser.RawConfigParser | None,
    setup_py: Mapping[str, object] | None,
) -> str:
    for candidate in (
        table(pyproject, "project").get("name"),
        table(pyproject, "tool", "poetry").get("name"),
        setup_cfg.get("metadata", "name", fallback=None) if setup_cfg else None,
        (setup_py or {}).get("name"),
    ):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()
    return ""


# -- package indexes ----------------------------------------------------------------------------

_PYPI = re.compile(r"https?://(pypi\.org|pypi\.python\.org|files\.pythonhosted\.org)/")


def _indexes(pyproject: Mapping[str, Any], found: Discovery) -> list[str]:
    """Index URLs of Poetry, PDM, uv and Pipfile sources, PyPI itself left out."""
    entries: list[object] = []
    for keys in (("tool", "poetry", "source"), ("tool", "pdm", "source"), ("tool", "uv", "index")):
        value: Any = pyproject
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        entries += value if isinstance(value, list) else []
    entries += found.pipfile_sources
    urls = [str(e["url"]) for e in entries if isinstance(e, dict) and isinstance(e.get("url"), str)]
    return list(dict.fromkeys(u for u in urls if not _PYPI.match(u)))


# -- locks --------------------------------------------------------------------------------------


def _locks(files: frozenset[str]) -> list[LockFile]:
    """Lock files beside the manifest, preferred first (pinned requirement files come after)."""
    locks = [LockFile(kind=kind, path=name) for name, kind in LOCK_FILES if name in files]
    locks += [LockFile(kind="pylock", path=f) for f in sorted(files) if _PYLOCK.fullmatch(f)]
    return locks
