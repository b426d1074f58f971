"""The repository's own test command: what its tox, nox, Makefile or GitHub workflow runs, so the
test stage deselects what the repository's CI deselects (`-m "not slow"`, `--ignore=e2e`).

A line counts only where pytest is the command (after `VAR=x`, `python -m`, `coverage run -m`,
`poetry run`, `uv run` and the like), not where it is a word (`pip install pytest`, `echo`), and
not a run that tests nothing (`pytest --version`, `--collect-only`). Within one file a run from
a test-named session, target, job or step wins over the others.
"""

from __future__ import annotations

import ast
import configparser
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

_SELECT_WITH_VALUE = frozenset({"-m", "-k", "--ignore", "--ignore-glob", "--deselect", "-p"})
"""pytest options that choose what runs (kept from the repository's own command)."""
_TAKES_VALUE = frozenset(
    {"-n", "--numprocesses", "--dist", "--cov", "--cov-report", "--cov-config", "--junitxml"}
    | {"--junit-xml", "-c", "--rootdir", "--maxfail", "--timeout", "-W", "-o", "--log-level"}
    | {"--durations", "--basetemp", "-r", "--tb", "--color", "--cov-fail-under", "--reruns"}
    | {"--confcutdir", "--import-mode", "--html"}
)
"""Other pytest options whose value is the next word (dropped with it)."""
_NOT_A_RUN = frozenset({"--version", "-V", "--help", "-h", "--collect-only", "--co", "--fixtures"})
_RUNNERS = (
    ("poetry", "run"),
    ("uv", "run"),
    ("pdm", "run"),
    ("pipenv", "run"),
    ("hatch", "run"),
    ("rye", "run"),
)
"""`<tool> run pytest ...`: the tool only provides the environment."""
_WRAPPERS = frozenset({"time", "xvfb-run", "exec", "env", "command"})
_SEGMENT = re.compile(r"\s*(?:&&|\|\||;|\|)\s*")
_PYTHON = re.compile(r"(?:.*/)?python(?:\d+(?:\.\d+)?)?")


@dataclass(frozen=True)
class _Candidate:
    where: str
    command: str
    preferred: bool
    """From a test-named session, target, job or step."""


def test_command(root: Path, files: frozenset[str]) -> tuple[str, list[str], list[str]] | None:
    """(where, selecting options, paths) of the repository's own pytest run, most
    authoritative file first: tox's `[testenv] commands`, a noxfile session, a Makefile `test`
    target, a GitHub workflow step. Only what selects tests is kept (`-m "not slow"`, `-k`,
    `--ignore`, paths): reports, coverage and parallelism are the test stage's business."""
    sources: list[list[_Candidate]] = []
    if "tox.ini" in files:
        sources.append(_tox(root / "tox.ini"))
    if "noxfile.py" in files:
        sources.append(_nox(root / "noxfile.py"))
    for name in ("Makefile", "makefile", "GNUmakefile"):
        if name in files:
            sources.append(_make(root / name, name))
    # .github is a dot-folder, which detection's walk prunes: look for it directly.
    for path in sorted((root / ".github" / "workflows").glob("*.y*ml")):
        sources.append(_workflow(path))
    for candidates in sources:
        runs = [(c, args) for c in candidates if (args := pytest_args(c.command, root)) is not None]
        if runs:
            where, args = next(((c, a) for c, a in runs if c.preferred), runs[0])
            return where.where, *_split(args)
    return None


def _split(args: list[str]) -> tuple[list[str], list[str]]:
    options: list[str] = []
    paths: list[str] = []
    pending = False
    for arg in args:
        if pending or arg.startswith("-"):
            options.append(arg)
            pending = arg in _SELECT_WITH_VALUE
        else:
            paths.append(arg)
    return options, paths


def pytest_args(command: str, root: Path) -> list[str] | None:
    """The selecting arguments of the first pytest run in a shell line; None when no segment
    of it runs pytest as its command."""
    for segment in _SEGMENT.split(command):
        try:
            words = shlex.split(segment)
        except ValueError:
            continue
        rest = _after_pytest(words)
        if rest is None or _NOT_A_RUN & {w.partition("=")[0] for w in rest}:
            continue
        return _selecting(rest, root)
    return None


def _after_pytest(words: list[str]) -> list[str] | None:
    """The words after `pytest` when pytest is the segment's command, else None."""
    index = 0
    while index < len(words) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[index]):
        index += 1  # VAR=value prefixes
    while index < len(words):
        word = words[index]
        if word in ("pytest", "py.test"):
            return words[index + 1 :]
        if word in _WRAPPERS:
            index += 1
        elif tuple(words[index : index + 2]) in _RUNNERS:
            index += 2
        elif _PYTHON.fullmatch(word) or word == "coverage":
            # python [-X opts] -m pytest; coverage run [opts] -m pytest
            rest = words[index + 1 :]
            if "-m" not in rest or rest.index("-m") + 1 >= len(rest):
                return None
            module = rest.index("-m") + 1
            return rest[module + 1 :] if rest[module] == "pytest" else None
        else:
            return None
    return None


def _selecting(tokens: list[str], root: Path) -> list[str]:
    kept: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        name, eq, _ = token.partition("=")
        if name in _SELECT_WITH_VALUE:
            if eq:
                kept.append(token)
            elif index + 1 < len(tokens):
                kept += [token, tokens[index + 1]]
                index += 1
        elif name in _TAKES_VALUE and not eq:
            index += 1  # drop the option's value with it
        elif not token.startswith("-") and (root / token.split("::")[0]).exists():
            kept.append(token)  # a path or node id to run
        index += 1
    return kept


_POSARGS = re.compile(r"\{posargs(?::([^{}]*))?\}|\[\]")


def _tox(path: Path) -> list[_Candidate]:
    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return []
    value = parser.get("testenv", "commands", fallback="")
    lines = [line.strip() for line in _joined(value) if line.strip()]
    # `{posargs:tests}` runs `tests` unless told otherwise; `{toxinidir}/x` is `x` here.
    lines = [_POSARGS.sub(lambda m: m[1] or "", line) for line in lines]
    lines = [re.sub(r"\{toxinidir\}/?", "", line) for line in lines]
    return [_Candidate("tox.ini [testenv] commands", line, True) for line in lines]


def _nox(path: Path) -> list[_Candidate]:
    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return []
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "run"
            ):
                words = _literal_words(node.args)
                if words:
                    found.append(_Candidate("noxfile.py", shlex.join(words), _testy(function.name)))
    return found


def _literal_words(args: Iterable[ast.expr]) -> list[str] | None:
    """`session.run("pytest", "-m", "not slow", *session.posargs)` -> its literal words; a
    computed word other than a starred (forwarded) list makes the call unknowable."""
    words = []
    for arg in args:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            words.append(arg.value)
        elif not isinstance(arg, ast.Starred):
            return None
    return words or None


def _make(path: Path, name: str) -> list[_Candidate]:
    try:
        lines = _joined(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return []
    recipe: list[_Candidate] = []
    target = ""
    for line in lines:
        header = re.match(r"^([A-Za-z0-9_.-]+(?:\s+[A-Za-z0-9_.-]+)*)\s*:(?!=)", line)
        if header:
            target = header[1]
        elif line.startswith("\t") and _testy(target):
            where = f"{name} {target.split()[0]} target"
            recipe.append(_Candidate(where, line.strip().lstrip("@-"), True))
        elif line.strip() and not line.startswith("\t"):
            target = ""
    return recipe


def _workflow(path: Path) -> list[_Candidate]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, yaml.YAMLError):
        return []
    jobs = data.get("jobs") if isinstance(data, dict) else None
    where = f".github/workflows/{path.name}"
    runs = []
    for job_name, job in jobs.items() if isinstance(jobs, dict) else []:
        steps = job.get("steps") if isinstance(job, dict) else None
        for step in steps if isinstance(steps, list) else []:
            if isinstance(step, dict) and isinstance(step.get("run"), str):
                preferred = _testy(str(job_name)) or _testy(str(step.get("name", "")))
                runs += [_Candidate(where, line, preferred) for line in _joined(step["run"])]
    return runs


def _joined(text: str) -> list[str]:
    """Lines with backslash continuations joined, as the shell reads them."""
    return re.sub(r"\\\r?\n", " ", text).splitlines()


def _testy(name: str) -> bool:
    return "test" in name.lower()
