"""Project environments on disk: `.pipelinekit/envs/<key>`, built once, reused until a source
changes.

The key hashes the interpreter's exact version, the spec (sources, lock, extras, groups, how
the project is installed) and the content of every file that decides what is installed
(pyproject.toml by its dependency tables only, so editing `[tool.ruff]` rebuilds nothing). An
environment counts as built only once its marker is written, last; a lock file keeps two
pipelinekit processes from building the same one at once; the newest few are kept.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from pipelinekit.env.engine import choose_engine, env_python, remove_inputs
from pipelinekit.env.inputs import (
    brought_by_project,
    describe,
    not_installed_note,
    plan_install,
)
from pipelinekit.env.model import EnvSpec
from pipelinekit.env.python import Interpreter, find_interpreter, query
from pipelinekit.util.fs import atomic_write
from pipelinekit.util.stream import LineSink

ENVS_DIR = Path(".pipelinekit") / "envs"
MARKER = "pipelinekit-env.json"
FORMAT = 1
"""Bumped when what a key covers changes, so old environments are not reused."""
KEEP = 3
"""Environments kept per project (the newest by use); older ones are removed."""
_PYPROJECT_TABLES = (
    ("build-system",),
    ("project",),
    ("dependency-groups",),
    ("tool", "poetry"),
    ("tool", "pdm"),
    ("tool", "hatch"),
    ("tool", "uv"),
    ("tool", "setuptools"),
)


@dataclass(frozen=True)
class ProjectEnv:
    path: Path
    python: Path
    key: str
    pythonpath: tuple[Path, ...]
    """Source folders to put on the import path (the project is not installed)."""
    reused: bool
    notes: tuple[str, ...] = ()


def ensure(
    project_dir: Path,
    spec: EnvSpec,
    *,
    out: LineSink,
    environ: Mapping[str, str] | None = None,
    rebuild: bool = False,
) -> ProjectEnv:
    """The built environment for `spec`: reused when its key is unchanged, else built now."""
    env = dict(os.environ if environ is None else environ)
    notes: list[str] = []
    if spec.pretend_version and "SETUPTOOLS_SCM_PRETEND_VERSION" not in env:
        env["SETUPTOOLS_SCM_PRETEND_VERSION"] = "0.0.0"
        notes.append("the version comes from git, and this is no git checkout: built as 0.0.0")
    engine = choose_engine(env, notes.append)
    interpreter = find_interpreter(spec.python, env)
    # Reading the inputs first finds a stale lock or a missing file before anything is reused,
    # and gives the key every file they reach.
    plan = plan_install(project_dir, spec, native_locks=engine.name == "uv")
    key = env_key(project_dir, spec, interpreter, engine.name, plan.key_paths)
    env_dir = project_dir / ENVS_DIR / key[:16]
    pythonpath = tuple(project_dir / p for p in spec.source_paths)
    _ignore_in_git(project_dir / ENVS_DIR.parent)
    with _locked(env_dir.with_suffix(".lock")):
        if not rebuild and is_built(env_dir, key):
            (env_dir / MARKER).touch()
            version = json.loads((env_dir / MARKER).read_text(encoding="utf-8"))["python"]
            out(
                f"environment: reusing {ENVS_DIR / key[:16]} (Python {version}; nothing it "
                "is built from changed)"
            )
            notes = not_installed_note(spec)
            return ProjectEnv(env_dir, env_python(env_dir), key, pythonpath, True, tuple(notes))
        started = time.monotonic()
        where = interpreter.path if interpreter else f"{spec.python} (uv finds or downloads it)"
        out(
            f"environment: Python {interpreter.version if interpreter else spec.python} "
            f"({where}), chosen by {spec.python_from or 'the default'}"
        )
        for line in (*notes, *plan.notes):
            out(f"environment: {line}")
        out(f"environment: installing {_summary(spec, plan.native is not None)} with {engine.name}")
        shutil.rmtree(env_dir, ignore_errors=True)
        try:
            engine.create(
                env_dir, interpreter.path if interpreter else spec.python, project_dir, out
            )
            engine.install(env_dir, plan, project_dir, out)
        except BaseException:
            shutil.rmtree(env_dir, ignore_errors=True)  # never leave half an environment to reuse
            raise
        finally:
            remove_inputs(env_dir)  # they may hold index credentials from requirement lines
        made = query(str(env_python(env_dir)))
        version = made.version if made else spec.python
        atomic_write(
            env_dir / MARKER, json.dumps({"key": key, "python": version, "format": FORMAT})
        )
        out(f"environment: ready in {time.monotonic() - started:.1f} s ({ENVS_DIR / key[:16]})")
    _prune(project_dir / ENVS_DIR, keep=env_dir)
    return ProjectEnv(env_dir, env_python(env_dir), key, pythonpath, False, tuple(plan.notes))


def _summary(spec: EnvSpec, native: bool) -> str:
    parts = []
    if spec.install_project:
        extras = f" with extras {', '.join(spec.project_extras)}" if spec.project_extras else ""
        parts.append(f"the project (editable{extras})" if spec.purpose == "test" else "the project")
    parts += [describe(s) for s in spec.sources if not brought_by_project(spec, s)]
    if spec.lock is not None:
        parts.append(f"locked by {spec.lock.path}" + (" (synced by uv)" if native else ""))
    return "; ".join(dict.fromkeys(parts)) or "nothing but the test tools"


def env_key(
    project_dir: Path,
    spec: EnvSpec,
    interpreter: Interpreter | None,
    engine: str,
    extra: Iterable[Path] = (),
) -> str:
    digest = hashlib.sha256()
    payload = spec.model_dump(mode="json", exclude={"left_out", "python_from"})
    payload.update(
        format=FORMAT, engine=engine, interpreter=interpreter.version if interpreter else None
    )
    digest.update(json.dumps(payload, sort_keys=True).encode())
    files = {project_dir / rel for rel in spec.key_files} | {p.resolve() for p in extra}
    for path in sorted(files):
        digest.update(f"\0{path}\0".encode())
        digest.update(_file_digest(path))
    return digest.hexdigest()


def _file_digest(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError:
        return b"-"
    if path.name == "pyproject.toml":
        import tomllib

        try:
            parsed = tomllib.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError):
            return hashlib.sha256(data).digest()
        tables = {}
        for keys in _PYPROJECT_TABLES:
            value: object = parsed
            for key in keys:
                value = value.get(key) if isinstance(value, dict) else None
            tables[".".join(keys)] = value
        return hashlib.sha256(json.dumps(tables, sort_keys=True, default=str).encode()).digest()
    return hashlib.sha256(data).digest()


def _ignore_in_git(folder: Path) -> None:
    """`.pipelinekit/` holds environments, reports and logs: keep it out of `git add -A`."""
    ignore = folder / ".gitignore"
    if not ignore.exists():
        folder.mkdir(parents=True, exist_ok=True)
        ignore.write_text("# pipelinekit's working folder: never committed\n*\n", encoding="utf-8")


def is_built(env_dir: Path, key: str) -> bool:
    """The environment for `key` is complete and its interpreter still runs."""
    try:
        marker = json.loads((env_dir / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    python = env_python(env_dir)
    return (
        isinstance(marker, dict)
        and marker.get("key") == key
        and python.exists()  # follows the symlink: the base interpreter is still there
        and os.access(python, os.X_OK)
    )


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _prune(envs: Path, keep: Path) -> None:
    """Remove all but the KEEP most recently used environments (never `keep`)."""
    built = (
        [d for d in envs.iterdir() if d.is_dir() and (d / MARKER).is_file()]
        if envs.is_dir()
        else []
    )
    built.sort(key=lambda d: (d / MARKER).stat().st_mtime, reverse=True)
    for old in [d for d in built if d != keep][KEEP - 1 :]:
        shutil.rmtree(old, ignore_errors=True)
        for leftover in envs.glob(f"{old.name}.*"):
            leftover.unlink(missing_ok=True)
