"""Code quality: likely bugs (ruff's bugbear rules), docstrings (interrogate), a type checker
(sp-repo-review's MY100), scripts that hard-code absolute paths instead of taking arguments,
and notebooks committed with outputs, large blobs or cells run out of order."""

from __future__ import annotations

import ast
import itertools
import json
import re
from typing import Any

from pipelinekit.audit import tool_repo_review, tool_ruff
from pipelinekit.audit.model import Check, Hit, Skip
from pipelinekit.audit.repo import AuditRepo, is_test_path

SECTION = "code_quality"


def bugbear(repo: AuditRepo) -> list[Hit]:
    return tool_ruff.hits(repo, ("B",), {"B": "major", "B9": "minor"})


def type_checker(repo: AuditRepo) -> list[Hit]:
    return tool_repo_review.hits(repo, ("MY100",))


# --- docstrings ---------------------------------------------------------------------------------


def code_files(repo: AuditRepo) -> list[str]:
    """The project's importable code (its packages and modules), else every Python file that
    is not a test: what others call, where a docstring is the documentation."""
    facts = repo.facts
    roots = [
        repo.in_project(f"{folder}/{name}" if folder != "." else name)
        for folder in facts.source_dirs or (".",)
        for name in (*facts.packages, *facts.modules)
    ]
    files = [
        f for f in repo.python_files if any(f == f"{r}.py" or f.startswith(f"{r}/") for r in roots)
    ]
    return files or [f for f in repo.python_files if not is_test_path(f)]


def docstrings(repo: AuditRepo) -> list[Hit]:
    files = code_files(repo)
    if not files:
        raise Skip("no Python code to measure")
    try:
        from interrogate.config import InterrogateConfig
    except ImportError as exc:
        raise Skip("interrogate is not installed (pip install 'pipelinekit[audit]')") from exc
    conf = InterrogateConfig(
        ignore_init_method=True,
        ignore_init_module=True,
        ignore_magic=True,
        ignore_private=True,
        ignore_semiprivate=True,
        ignore_nested_functions=True,
        ignore_property_setters=True,
        ignore_overloaded_functions=True,
        fail_under=repo.settings.docstring_coverage,
    )
    try:
        results = _coverage(repo, files, conf)
    except (SyntaxError, ValueError):
        # interrogate reads every file as UTF-8 and parses it, and one it cannot (a Python 2
        # script, a latin-1 module, a template) ends its whole run: measure the others.
        files = [f for f in files if _interrogate_reads(repo, f)]
        if not files:
            raise Skip("no Python code interrogate can parse (UTF-8, Python 3)") from None
        results = _coverage(repo, files, conf)
    if results.perc_covered >= repo.settings.docstring_coverage:
        return []
    out = []
    for result in results.file_results:
        missing = [n for n in result.nodes if not n.covered]
        if not missing:
            continue
        first = min(missing, key=lambda n: n.lineno or 0)
        path = _relative(repo, result.filename)
        out.append(
            Hit(
                "minor",
                path,
                first.lineno or 1,
                f"{len(missing)} of {result.total} public modules, classes and functions have no "
                f"docstring (first: {first.path.split(':')[-1] or first.name}); the project has "
                f"{results.perc_covered:.0f}%, below {repo.settings.docstring_coverage:g}%: "
                "say in one line what each does and why",
            )
        )
    return out


def _coverage(repo: AuditRepo, files: list[str], conf: Any) -> Any:
    from interrogate.coverage import InterrogateCoverage

    return InterrogateCoverage(paths=[str(repo.root / f) for f in files], conf=conf).get_coverage()


def _interrogate_reads(repo: AuditRepo, path: str) -> bool:
    """interrogate opens files as strict UTF-8 (a PEP 263 coding line does not help) and
    parses them with the running Python."""
    try:
        (repo.root / path).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return repo.tree(path) is not None


def _relative(repo: AuditRepo, filename: str) -> str:
    from pathlib import Path

    return Path(filename).resolve().relative_to(repo.root).as_posix()


# --- scripts with hard-coded absolute paths -----------------------------------------------------

_ABSOLUTE = re.compile(
    r"^(?:/(?!dev/|proc/|sys/|usr/bin/|bin/)[\w.~-]+(?:/[\w .~-]+)+/?"
    r"|[A-Za-z]:[\\/][^\n]+|~/[^\n]+)$"
)
ARG_PARSERS = frozenset(
    {"argparse", "click", "typer", "fire", "docopt", "hydra", "absl", "optparse", "getopt"}
    | {"jsonargparse", "simple_parsing", "tap", "omegaconf", "configargparse"}
)
"""Modules that read a script's parameters from its command line or a config file."""


def script_paths(repo: AuditRepo) -> list[Hit]:
    out = []
    for path in repo.python_files:
        if "__main__" not in (repo.text(path) or ""):  # no script: not worth parsing
            continue
        tree = repo.tree(path)
        if tree is None or not _has_main_guard(tree) or _takes_arguments(repo, path, tree):
            continue
        docstrings = _docstring_nodes(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and _ABSOLUTE.match(node.value.strip())
            ):
                out.append(
                    Hit(
                        "major",
                        path,
                        node.lineno,
                        f"hard-coded absolute path {node.value.strip()!r} in a script that "
                        "takes no arguments: read it from the command line (argparse, click, "
                        "typer) or an environment variable, so it runs on another machine",
                    )
                )
    return out


def _has_main_guard(tree: ast.Module) -> bool:
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare):
            names = [node.test.left, *node.test.comparators]
            if any(isinstance(n, ast.Name) and n.id == "__name__" for n in names):
                return True
    return False


def _takes_arguments(repo: AuditRepo, path: str, tree: ast.Module) -> bool:
    if repo.imports(path) & ARG_PARSERS:
        return True
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("argv", "environ", "getenv"):
            value = node.value
            if isinstance(value, ast.Name) and value.id in ("sys", "os"):
                return True
    return False


def _docstring_nodes(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


# --- notebooks ---------------------------------------------------------------------------------


def notebooks(repo: AuditRepo) -> list[Hit]:
    books = [f for f in repo.files if f.endswith(".ipynb") and repo.own(f)]
    if not books:
        raise Skip("no notebooks")
    out: list[Hit] = []
    limit = repo.settings.notebook_output_kb * 1024
    for path in books:
        try:
            cells = json.loads((repo.root / path).read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError, AttributeError):
            out.append(
                Hit(
                    "minor",
                    path,
                    None,
                    "notebook is not valid JSON: open and save it in Jupyter",
                    rule="invalid-json",
                )
            )
            continue
        code = [c for c in cells if isinstance(c, dict) and c.get("cell_type") == "code"]
        with_output = [
            i for i, c in enumerate(cells, 1) if isinstance(c, dict) and c.get("outputs")
        ]
        for index, cell in enumerate(cells, 1):
            size = len(json.dumps(cell.get("outputs", []))) if isinstance(cell, dict) else 0
            if size > limit:
                out.append(
                    Hit(
                        "major",
                        path,
                        None,
                        f"cell {index} carries {size // 1024} KiB of output (images, data) "
                        "committed with the code: clear the outputs before committing "
                        "(nbstripout as a git filter does it every time)",
                        rule="large-output",
                    )
                )
        if with_output and not any(h.path == path and h.severity == "major" for h in out):
            out.append(
                Hit(
                    "minor",
                    path,
                    None,
                    f"committed with the outputs of {len(with_output)} cells: clear them "
                    "(`jupyter nbconvert --clear-output --inplace`, or nbstripout) so diffs show "
                    "code and results do not leak data",
                    rule="outputs",
                )
            )
        counts = [c.get("execution_count") for c in code]
        ran = [n for n in counts if isinstance(n, int)]
        if any(b <= a for a, b in itertools.pairwise(ran)):
            out.append(
                Hit(
                    "minor",
                    path,
                    None,
                    f"cells were run out of order (execution counts {_short(ran)}): restart the "
                    "kernel and run all cells, so the notebook reproduces from top to bottom",
                    rule="execution-order",
                )
            )
    return out


def _short(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:8])
    return shown + (", ..." if len(numbers) > 8 else "")


CHECKS = (
    Check(
        "bugbear",
        SECTION,
        "No likely bugs (ruff's flake8-bugbear rules)",
        "Mutable default arguments, loop variables captured by closures, `except:` that "
        "swallows KeyboardInterrupt: the bugs bugbear finds pass tests and fail in production.",
        bugbear,
        tool="ruff",
    ),
    Check(
        "docstrings",
        SECTION,
        "Public modules, classes and functions have docstrings",
        "Code that goes to production is read by people who did not write it; interrogate "
        "measures how much of the public surface says what it does.",
        docstrings,
        tool="interrogate",
    ),
    Check(
        "type-checker",
        SECTION,
        "A type checker is configured (sp-repo-review MY100)",
        "Type annotations checked by mypy (or pyright, ty) catch wrong arguments before a "
        "pipeline runs for hours and fails at its last step.",
        type_checker,
        tool="sp-repo-review",
    ),
    Check(
        "script-paths",
        SECTION,
        "Scripts take their paths as arguments",
        "A `__main__` script with `/home/alice/data.csv` written into it runs on one laptop; "
        "parameters on the command line (argparse, click) make it run in CI and production.",
        script_paths,
    ),
    Check(
        "notebooks",
        SECTION,
        "Notebooks are committed clean",
        "Outputs in a committed notebook bloat the repository, leak data and make diffs "
        "unreadable; cells run out of order mean the notebook does not reproduce.",
        notebooks,
    ),
)
