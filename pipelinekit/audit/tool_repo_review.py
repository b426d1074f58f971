"""sp-repo-review's checks (the Scientific Python development guide's) through repo-review's
plugin API, run once and shared: a curated selection joins the packaging section and the
code-quality section. The repository's own `[tool.repo-review] ignore` is honoured, as the
repo-review command honours it; the selection is pipelinekit's (the guide's checks of pytest
options and GitHub Actions are advice for library maintainers, not production readiness)."""

from __future__ import annotations

import posixpath

from pipelinekit.audit.model import Hit, Severity, Skip
from pipelinekit.audit.repo import AuditRepo

SELECTED: dict[str, tuple[Severity, str | None]] = {
    "PY001": ("minor", None),
    "PY002": ("minor", None),
    "PY003": ("minor", None),
    "PY008": ("minor", None),
    "PP002": ("major", "pyproject.toml"),
    "PP003": ("minor", "pyproject.toml"),
    "MY100": ("minor", "pyproject.toml"),
}
"""repo-review check -> severity of its failure, and the file it is about (None: the
repository as a whole, such as a missing file)."""


def results(repo: AuditRepo) -> dict[str, tuple[bool | None, str, str, str]]:
    """Check name -> (result, description, error message, url) for the selected checks."""
    return repo.once("repo-review", lambda: _process(repo))


def _process(repo: AuditRepo) -> dict[str, tuple[bool | None, str, str, str]]:
    try:
        from repo_review.processor import process
    except ImportError as exc:
        raise Skip(
            "repo-review and sp-repo-review are not installed (pip install 'pipelinekit[audit]')"
        ) from exc
    subdir = "" if repo.facts.root in ("", ".") else repo.facts.root
    try:
        _families, found = process(repo.root, select=frozenset(SELECTED), subdir=subdir)
    except Exception as exc:  # a plugin's bug must not take the whole audit down
        raise Skip(f"repo-review failed: {type(exc).__name__}: {exc}") from exc
    return {r.name: (r.result, r.description, r.err_msg, r.url) for r in found}


def hits(repo: AuditRepo, names: tuple[str, ...]) -> list[Hit]:
    found = results(repo)
    if not any(name in found for name in names):
        raise Skip("sp-repo-review is not installed or has none of these checks")
    out = []
    for name in names:
        result, description, err_msg, url = found.get(name, (None, "", "", ""))
        if result is not False:
            continue
        severity, about = SELECTED[name]
        path = repo.in_project(about) if about else None
        if path is not None and not (repo.root / path).is_file():
            path = None
        why = " ".join(err_msg.strip().split("\n\n")[0].split()) or description
        message = f"{description}: {why}" + (f" ({url})" if url else "")
        out.append(Hit(severity, posixpath.normpath(path) if path else None, None, message, name))
    return out
