"""Validate and execute .gitlab-ci.yml files.

`validate_gitlab_ci` checks GitLab's own JSON schema plus what the schema cannot see (stages,
needs, extends, only/except with rules, cycles). `run_gitlab_ci_local` executes a pipeline
with gitlab-ci-local 4.73 in a git repository (see `tests.support.git.init_repo`).

Where gitlab-ci-local puts things, relative to the repo (its `.gitlab-ci-local/` state dir):
- `output/<job>.log`: the job's script output (`job_log`);
- `builds/<job>/`: with shell isolation (the default here), each job runs in its own copy of
  the repo's git-TRACKED files (untracked files are not copied: `git add` them first);
  without isolation every job runs in the repo itself (`job_dir`);
- `artifacts/<job>/`: the job's exported `artifacts: paths` (`artifacts_dir`);
- `expanded-gitlab-ci.yml`: the configuration after includes, extends and defaults.
The executor is chosen per job: a job with `image:` would use docker (no daemon here), so
`force_shell=True` (the default) passes `--force-shell-executor`; jobs without an image run
in the shell anyway. gitlab-ci-local ignores `only/except` and does not process `reports`.
"""

from __future__ import annotations

import base64
import copy
import functools
import json
import os
import re
import signal
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import jsonschema
import yaml
from jsonschema.exceptions import best_match

from tests.support import tools

# Top-level keys that configure the pipeline rather than define a job.
RESERVED_KEYS = frozenset(
    {
        "default",
        "workflow",
        "variables",
        "include",
        "stages",
        "image",
        "services",
        "cache",
        "before_script",
        "after_script",
    }
)
DEFAULT_STAGES = ("build", "test", "deploy")
DEFAULT_JOB_STAGE = "test"
MAX_EXTENDS_DEPTH = 11  # GitLab's limit on extends nesting
STATE_DIR = ".gitlab-ci-local"
DEFAULT_TIMEOUT = 300.0
MAX_MESSAGE = 300


# --- loading --------------------------------------------------------------------------------


class _GitlabLoader(yaml.SafeLoader):
    """SafeLoader that accepts GitLab's `!reference [job, key]` tag (kept as the plain list)."""


def _construct_reference(loader: yaml.SafeLoader, node: yaml.Node) -> list[Any]:
    assert isinstance(node, yaml.SequenceNode)
    return list(loader.construct_sequence(node, deep=True))


_GitlabLoader.add_constructor("!reference", _construct_reference)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_GitlabLoader)  # a SafeLoader subclass: safe


@functools.cache
def load_schema() -> dict[str, Any]:
    path = tools.require("gitlab-ci-schema")
    schema: dict[str, Any] = json.loads(path.read_text())
    return schema


@functools.cache
def _validator() -> jsonschema.Draft7Validator:
    schema = load_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def is_job_key(key: str) -> bool:
    """A real job: not a reserved keyword and not hidden (`.template`)."""
    return key not in RESERVED_KEYS and not key.startswith(".")


def job_names(doc: Mapping[str, Any]) -> list[str]:
    return [k for k, v in doc.items() if is_job_key(k) and isinstance(v, dict)]


# --- validation -----------------------------------------------------------------------------


def _shorten(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 3] + "..."


def _schema_errors(doc: Any, origin: str) -> list[str]:
    errors = []
    for error in sorted(_validator().iter_errors(doc), key=lambda e: list(map(str, e.path))):
        # best_match descends into oneOf/anyOf to the most specific reason.
        best = best_match([error]) or error
        where = "/".join(str(p) for p in best.absolute_path) or "<root>"
        errors.append(f"schema: {origin}{where}: {_shorten(best.message)}")
    return errors


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """GitLab's merge for extends/include: hashes merge recursively, anything else replaces."""
    merged = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _include_entries(include: Any) -> list[Any]:
    if include is None:
        return []
    return list(include) if isinstance(include, list) else [include]


def _resolve_includes(
    doc: dict[str, Any], base_dir: Path | None, errors: list[str], depth: int = 0
) -> dict[str, Any]:
    """doc with its local includes merged in (included first, doc's own keys win)."""
    merged: dict[str, Any] = {}
    for entry in _include_entries(doc.get("include")):
        local: str | None = None
        if isinstance(entry, str) and not re.match(r"^https?://", entry):
            local = entry
        elif isinstance(entry, dict) and isinstance(entry.get("local"), str):
            local = entry["local"]
        if local is None:
            errors.append(
                f"include: cannot resolve {entry!r} offline; only local includes are checked"
            )
            continue
        if base_dir is None:
            errors.append(f"include: local {local!r} needs base_dir= to be resolved")
            continue
        matches = sorted(base_dir.glob(local.lstrip("/"))) if "*" in local else []
        files = matches or [base_dir / local.lstrip("/")]
        for file in files:
            if not file.is_file():
                errors.append(f"include: local file {local!r} not found under {base_dir}")
                continue
            included = load_yaml(file.read_text())
            if not isinstance(included, dict):
                errors.append(f"include: {local!r} is not a mapping")
                continue
            errors.extend(_schema_errors(included, f"{local}: "))
            if depth > 100:
                errors.append("include: nested too deeply (include cycle?)")
                continue
            merged = deep_merge(merged, _resolve_includes(included, base_dir, errors, depth + 1))
    own = {k: v for k, v in doc.items() if k != "include"}
    return deep_merge(merged, own)


def _resolve_extends(doc: Mapping[str, Any], errors: list[str]) -> dict[str, dict[str, Any]]:
    """Every job-like key (hidden ones too) with its `extends` chain merged in."""
    resolved: dict[str, dict[str, Any]] = {}

    def resolve(name: str, chain: tuple[str, ...]) -> dict[str, Any]:
        if name in resolved:
            return resolved[name]
        job = doc[name]
        parents = job.get("extends", [])
        parents = [parents] if isinstance(parents, str) else list(parents)
        if len(chain) > MAX_EXTENDS_DEPTH:
            errors.append(f"{chain[0]}: extends nests deeper than {MAX_EXTENDS_DEPTH} levels")
            return dict(job)
        merged: dict[str, Any] = {}
        for parent in parents:
            if parent in chain or parent == name:
                errors.append(f"{name}: circular extends: {' -> '.join((*chain, name, parent))}")
                continue
            if not isinstance(doc.get(parent), dict) or parent in RESERVED_KEYS:
                errors.append(f"{name}: extends unknown job {parent!r}")
                continue
            merged = deep_merge(merged, resolve(parent, (*chain, name)))
        merged = deep_merge(merged, {k: v for k, v in job.items() if k != "extends"})
        resolved[name] = merged
        return merged

    for key, value in doc.items():
        if key not in RESERVED_KEYS and isinstance(value, dict):
            resolve(key, ())
    return resolved


def _need_names(job: Mapping[str, Any]) -> list[str]:
    """Names of same-pipeline jobs in `needs`; cross-project/pipeline needs are skipped."""
    names = []
    for need in job.get("needs") or []:
        if isinstance(need, str):
            names.append(need)
        elif isinstance(need, dict) and "job" in need:
            if "project" in need or "pipeline" in need:
                continue
            names.append(str(need["job"]))
    return names


def _find_cycle(graph: Mapping[str, list[str]]) -> list[str] | None:
    """One dependency cycle as [a, b, ..., a], or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def validate_gitlab_ci(yaml_text: str, *, base_dir: Path | str | None = None) -> list[str]:
    """Errors in a .gitlab-ci.yml; an empty list means valid.

    base_dir resolves `include: local` files (other include kinds are reported, since they
    cannot be fetched offline).
    """
    try:
        doc = load_yaml(yaml_text)
    except yaml.YAMLError as exc:
        return [f"yaml: {exc}"]
    if not isinstance(doc, dict):
        return [f"yaml: top level must be a mapping, got {type(doc).__name__}"]

    errors = _schema_errors(doc, "")
    root = Path(base_dir) if base_dir is not None else None
    doc = _resolve_includes(doc, root, errors)
    jobs_all = _resolve_extends(doc, errors)
    jobs = {name: job for name, job in jobs_all.items() if is_job_key(name)}
    if not jobs:
        errors.append("pipeline defines no jobs")

    declared = doc.get("stages")
    stages = [".pre", *(declared if isinstance(declared, list) else DEFAULT_STAGES), ".post"]
    stage_of = {name: job.get("stage", DEFAULT_JOB_STAGE) for name, job in jobs.items()}

    graph: dict[str, list[str]] = {}
    for name, job in jobs.items():
        stage = stage_of[name]
        if stage not in stages:
            errors.append(f"{name}: stage {stage!r} is not in stages {stages}")
        if not any(key in job for key in ("script", "trigger", "run")):
            errors.append(f"{name}: has no script, trigger or run (after extends)")
        if "rules" in job and ("only" in job or "except" in job):
            mixed = [key for key in ("only", "except") if key in job]
            errors.append(f"{name}: mixes rules with {'/'.join(mixed)}")

        needs = _need_names(job)
        graph[name] = [n for n in needs if n in jobs]
        for keyword, targets in (("needs", needs), ("dependencies", job.get("dependencies"))):
            for target in targets or []:
                if target not in jobs:
                    errors.append(f"{name}: {keyword} unknown job {target!r}")
                elif (
                    stage in stages
                    and stage_of[target] in stages
                    and stages.index(stage_of[target]) > stages.index(stage)
                ):
                    errors.append(
                        f"{name}: {keyword} {target!r}, which is in the later stage "
                        f"{stage_of[target]!r}"
                    )

    cycle = _find_cycle(graph)
    if cycle:
        errors.append(f"needs cycle: {' -> '.join(cycle)}")
    return errors


# --- gitlab-ci-local --------------------------------------------------------------------------


class GitlabRun(NamedTuple):
    returncode: int
    output: str  # stdout and stderr interleaved, colour off


def _run_gcl(repo_dir: Path, args: Sequence[str], timeout: float) -> GitlabRun:
    tools.require("git", "rsync", "node")
    gcl = tools.require("gitlab-ci-local")
    # A private --home keeps the user's ~/.gitlab-ci-local/variables.yml out of the run.
    with tempfile.TemporaryDirectory(prefix="pk-gcl-home-") as home:
        cmd = [str(gcl), "--home", home, "--no-color", *args]
        proc = subprocess.Popen(
            cmd,
            cwd=repo_dir,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # so a timeout can kill the job shells too
        )
        try:
            output, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            output, _ = proc.communicate()
            raise AssertionError(
                f"gitlab-ci-local timed out after {timeout:.0f}s; output so far:\n{output}"
            ) from None
    return GitlabRun(proc.returncode, output)


def run_gitlab_ci_local(
    repo_dir: Path | str,
    *,
    variables: Mapping[str, str] | None = None,
    unset: Iterable[str] = (),
    jobs: Sequence[str] | None = None,
    needs: bool = False,
    shell_isolation: bool = True,
    force_shell: bool = True,
    extra_args: Sequence[str] = (),
    timeout: float = DEFAULT_TIMEOUT,
) -> GitlabRun:
    """Run the pipeline (or only `jobs`, plus what they need when needs=True).

    Exit code 0 when every job that must pass passed, 1 otherwise. A tag pipeline is
    `variables={"CI_COMMIT_TAG": "v1.2.3"}, unset=["CI_COMMIT_BRANCH"]`.
    """
    args: list[str] = ["--max-job-name-padding", "0"]
    if force_shell:
        args.append("--force-shell-executor")
    if shell_isolation:
        # Artifacts stay in the state dir instead of being copied back over the repo.
        args += ["--shell-isolation", "--no-artifacts-to-source"]
    for key, value in (variables or {}).items():
        args += ["--variable", f"{key}={value}"]
    for key in unset:
        args += ["--unset-variable", key]
    if needs:
        args.append("--needs")
    args += [*extra_args, *(jobs or [])]
    return _run_gcl(Path(repo_dir), args, timeout)


def list_jobs(
    repo_dir: Path | str,
    *,
    variables: Mapping[str, str] | None = None,
    unset: Iterable[str] = (),
    timeout: float = 120.0,
) -> list[dict[str, Any]]:
    """Jobs as gitlab-ci-local sees them after rules (`--list-json`, when:never included):
    dicts with name, stage, when, allow_failure and needs."""
    args = ["--list-json"]
    for key, value in (variables or {}).items():
        args += ["--variable", f"{key}={value}"]
    for key in unset:
        args += ["--unset-variable", key]
    returncode, output = _run_gcl(Path(repo_dir), args, timeout)
    if returncode != 0:
        raise AssertionError(f"gitlab-ci-local --list-json failed ({returncode}):\n{output}")
    # Warnings may precede the JSON on the merged stream; the array starts at the first "[".
    found = re.search(r"^\[", output, re.MULTILINE)  # warnings may contain "[NAME]"
    start = found.start() if found else -1
    if start < 0:
        raise AssertionError(f"no JSON job list in gitlab-ci-local output:\n{output}")
    jobs: list[dict[str, Any]] = json.JSONDecoder().raw_decode(output[start:])[0]
    return jobs


def safe_job_name(name: str) -> str:
    """gitlab-ci-local's file name for a job: runs of chars outside [A-Za-z0-9_-] become
    unpadded base64url (so `test: [3.11]` does not collide with `test-3-11`)."""

    def encode(match: re.Match[str]) -> str:
        return base64.urlsafe_b64encode(match.group().encode()).decode().rstrip("=")

    return re.sub(r"[^A-Za-z0-9_-]+", encode, name)


def state_dir(repo_dir: Path | str) -> Path:
    return Path(repo_dir) / STATE_DIR


def job_log(repo_dir: Path | str, job: str) -> str:
    return (state_dir(repo_dir) / "output" / f"{safe_job_name(job)}.log").read_text()


def job_dir(repo_dir: Path | str, job: str, *, shell_isolation: bool = True) -> Path:
    """Where the job ran: its copy under builds/ with isolation, else the repo itself."""
    if not shell_isolation:
        return Path(repo_dir)
    return state_dir(repo_dir) / "builds" / safe_job_name(job)


def artifacts_dir(repo_dir: Path | str, job: str) -> Path:
    return state_dir(repo_dir) / "artifacts" / safe_job_name(job)
