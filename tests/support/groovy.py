"""Check Jenkinsfiles with Groovy 2.4, the Groovy line of Jenkins core.

Two checks, both batched so that many files share one JVM start (~0.7 s each start):

- `parse_many` compiles each file (`GroovyShell.parse`), which catches syntax errors and
  unresolvable classes, as Jenkins would before running anything.
- `record_many` runs each file as a script in which every unknown method records a node
  (`pipeline`, `stage`, `sh`, ... any name), closures are executed so the nesting shows, and
  assignments (`FOO = 'x'` in `environment {}`, `env.X = ...`) record `=` nodes.

A recorded node is `{"name": str, "args": [...], "children": [node...], "line": int | None}`.
Argument values are JSON: plain strings, numbers, maps, lists, plus tagged objects for what
Groovy evaluated:
- `{"gstring": "text", "values": [...]}`: a double-quoted string that interpolated. A
  single-quoted `'echo $HOME ${x}'` stays a plain string, so tests can tell the two apart.
- `{"ref": "env.BRANCH_NAME"}`: a name the file reads that nobody defined (`env.*`,
  `params.*`, `WORKSPACE`, `scm`, `any`). Inside a GString it renders as `${env.BRANCH_NAME}`.
- `{"call": name, "args": [...], "children": [...]}`: a call used as a value, e.g.
  `buildDiscarder(logRotator(...))` or `TOKEN = credentials('id')`; it is not also a child.
- `{"closure": [node...]}`: a closure passed other than as the last argument, e.g. the
  branches of a scripted `parallel(a: {...})`, executed and recorded.

The recorder follows the code that runs: of an `if`, only the branch taken (a `Ref` is truthy
and equals nothing) is recorded.

Shared libraries: a file under a library's `vars/` or `src/` (a folder holding both) compiles
with that `src/` on the classpath, so steps can import the library's classes; `@NonCPS`
resolves as in Jenkins. `record_library_step` can also bind globals (`env`) and stub what a
step returns (`sh(returnStdout: true, ...)` giving real `pipelinekit plan` output).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from tests.support import tools

SUPPORT_SCRIPT = Path(__file__).with_name("jenkins_support.groovy")
DEFAULT_TIMEOUT = 300.0


class Node(TypedDict):
    name: str
    args: list[Any]
    children: list[Node]
    line: int | None


@dataclass(frozen=True)
class GroovyError:
    """A compile or runtime error in a Groovy file; line/column are 1-based when known."""

    path: Path
    message: str
    line: int | None
    column: int | None

    def __str__(self) -> str:
        where = f":{self.line}" if self.line is not None else ""
        where += f":{self.column}" if self.line is not None and self.column is not None else ""
        return f"{self.path}{where}: {self.message}"


class RecordingFailed(AssertionError):
    """The recorder could not compile or run a file (an AssertionError: it fails a test)."""

    def __init__(self, error: GroovyError) -> None:
        super().__init__(str(error))
        self.error = error


class StepReturn(TypedDict):
    """A stubbed step result: calls named `name` whose JSON-encoded args contain `contains`
    (None: any call of that name) return `value` instead of their recorded node."""

    name: str
    contains: str | None
    value: Any


def library_classpath(path: Path) -> list[str]:
    """The `src/` of the shared library `path` belongs to (a folder with vars/ and src/)."""
    for folder in path.parents:
        library = folder.parent
        if folder.name in {"vars", "src"} and (library / "vars").is_dir():
            return [str(library / "src")] if (library / "src").is_dir() else []
    return []


def _run(
    mode: str,
    items: list[tuple[Path, list[Any] | None]],
    timeout: float,
    extras: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    groovy = tools.require("java17", "groovy")
    with tempfile.TemporaryDirectory(prefix="pk-groovy-") as tmp:
        request = Path(tmp) / "request.json"
        result = Path(tmp) / "result.json"
        files = [
            {"path": str(path), "invoke": invoke, "classpath": library_classpath(path)}
            for path, invoke in items
        ]
        for file, extra in zip(files, extras or [], strict=False):
            file.update(extra)
        request.write_text(json.dumps({"mode": mode, "files": files}))
        proc = subprocess.run(
            [str(groovy), str(SUPPORT_SCRIPT), str(request), str(result)],
            env=tools.java_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if proc.returncode != 0 or not result.exists():
            raise RuntimeError(
                f"groovy {SUPPORT_SCRIPT.name} failed (exit {proc.returncode}):\n"
                f"{proc.stdout}{proc.stderr}"
            )
        data: dict[str, Any] = json.loads(result.read_text())
        return data


def _error(path: Path, raw: dict[str, Any]) -> GroovyError:
    return GroovyError(path, str(raw["message"]).strip(), raw.get("line"), raw.get("column"))


def _paths(paths: Iterable[Path | str]) -> list[Path]:
    return [Path(p).resolve() for p in paths]


def parse_many(
    paths: Iterable[Path | str], *, timeout: float = DEFAULT_TIMEOUT
) -> dict[Path, GroovyError | None]:
    """Compile every file in one JVM; maps each (resolved) path to its error or None."""
    resolved = _paths(paths)
    if not resolved:
        return {}
    data = _run("parse", [(p, None) for p in resolved], timeout)
    out: dict[Path, GroovyError | None] = {}
    for path in resolved:
        raw = data[str(path)]["error"]
        out[path] = None if raw is None else _error(path, raw)
    return out


def parse_groovy(path: Path | str, *, timeout: float = DEFAULT_TIMEOUT) -> GroovyError | None:
    """Compile one file; prefer `parse_many` for several (one JVM start each call)."""
    return next(iter(parse_many([path], timeout=timeout).values()))


def record_many(
    paths: Iterable[Path | str], *, timeout: float = DEFAULT_TIMEOUT
) -> dict[Path, Node | GroovyError]:
    """Run every file under the recorder in one JVM; maps each path to its tree or error.

    The tree's root is a synthetic node named "<script>" whose children are the top-level calls.
    """
    resolved = _paths(paths)
    if not resolved:
        return {}
    data = _run("record", [(p, None) for p in resolved], timeout)
    return {path: _tree_or_error(path, data[str(path)]) for path in resolved}


def _tree_or_error(path: Path, raw: dict[str, Any]) -> Node | GroovyError:
    if raw["error"] is not None:
        return _error(path, raw["error"])
    tree: Node = raw["tree"]
    return tree


def record_jenkinsfile(path: Path | str, *, timeout: float = DEFAULT_TIMEOUT) -> Node:
    """Recorded tree of one file; raises RecordingFailed if it does not compile or run."""
    result = next(iter(record_many([path], timeout=timeout).values()))
    if isinstance(result, GroovyError):
        raise RecordingFailed(result)
    return result


@dataclass(frozen=True)
class LibraryCall:
    """One `record_library_steps` item: the step file, call arguments, globals and stubs."""

    path: Path | str
    args: list[Any]
    binding: dict[str, Any] | None = None
    returns: list[StepReturn] | None = None


def record_library_step(
    path: Path | str,
    *call_args: Any,
    binding: dict[str, Any] | None = None,
    returns: list[StepReturn] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Node:
    """Record a shared-library step (vars/NAME.groovy): run the file, then `call(*call_args)`.

    Arguments go through JSON, so dicts arrive as Groovy maps: `record_library_step(p, {"x": 1})`
    calls `call([x: 1])`. `binding` sets script globals (`{"env": {"BRANCH_NAME": "main"}}`:
    then `env.TAG_NAME` is null, as in Jenkins, instead of a Ref); `returns` stubs step results.
    """
    call = LibraryCall(path, list(call_args), binding, returns)
    return record_library_steps([call], timeout=timeout)[0]


def record_library_steps(
    calls: Iterable[LibraryCall], *, timeout: float = DEFAULT_TIMEOUT
) -> list[Node]:
    """Several `record_library_step` calls in one JVM (each ~0.7 s cheaper); trees in order.
    Raises RecordingFailed for the first call that does not compile or run."""
    calls = list(calls)
    items: list[tuple[Path, list[Any] | None]] = [(Path(c.path).resolve(), c.args) for c in calls]
    # Keyed by position: the same step file may be recorded with different arguments.
    keys = [f"{i}:{path}" for i, (path, _) in enumerate(items)]
    extras: list[dict[str, Any]] = [
        {"key": key, "binding": c.binding, "returns": c.returns or []}
        for key, c in zip(keys, calls, strict=True)
    ]
    data = _run("record", items, timeout, extras)
    trees: list[Node] = []
    for (path, _), key in zip(items, keys, strict=True):
        result = _tree_or_error(path, data[key])
        if isinstance(result, GroovyError):
            raise RecordingFailed(result)
        trees.append(result)
    return trees


# --- helpers for asserting on recorded trees ------------------------------------------------


def walk(node: Node) -> Iterator[Node]:
    """The node and all its descendants, depth first, in source order."""
    yield node
    for child in node["children"]:
        yield from walk(child)


def find_all(node: Node, name: str) -> list[Node]:
    """Every descendant (or the node itself) with this name, in source order."""
    return [n for n in walk(node) if n["name"] == name]


def find_one(node: Node, name: str) -> Node:
    """The single descendant with this name; AssertionError if there are none or several."""
    found = find_all(node, name)
    assert len(found) == 1, f"expected one {name!r} node, found {len(found)}"
    return found[0]


def child(node: Node, name: str) -> Node:
    """The single direct child with this name."""
    found = [c for c in node["children"] if c["name"] == name]
    assert len(found) == 1, f"expected one {name!r} child of {node['name']!r}, got {len(found)}"
    return found[0]


def stage_names(node: Node) -> list[str]:
    """Names of all `stage(...)` nodes below node, nested ones included, in source order."""
    return [text(s["args"][0]) for s in find_all(node, "stage") if s["args"]]


def stage(node: Node, name: str) -> Node:
    """The single `stage(name)` node below node."""
    found = [s for s in find_all(node, "stage") if s["args"] and text(s["args"][0]) == name]
    assert len(found) == 1, f"expected one stage {name!r}, found {len(found)}"
    return found[0]


def assignments(node: Node) -> dict[str, Any]:
    """`NAME = value` children of node (e.g. an `environment` block) as a dict."""
    return {c["args"][0]: c["args"][1] for c in node["children"] if c["name"] == "="}


def text(value: Any) -> str:
    """The text of a plain string or a recorded GString; TypeError for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "gstring" in value:
        return str(value["gstring"])
    raise TypeError(f"not a string value: {value!r}")
