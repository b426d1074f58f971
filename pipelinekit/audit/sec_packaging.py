"""Packaging: the packaging and configuration files sp-repo-review checks, a version that can
be built and traced (no placeholder, some source), and dependencies that install the same way
tomorrow (a lock, or requirement files pinned with `==`)."""

from __future__ import annotations

import re

from pipelinekit.audit import tool_repo_review
from pipelinekit.audit.model import Check, Hit, Severity, Skip
from pipelinekit.audit.repo import AuditRepo
from pipelinekit.detect.facts import DependencySource

SECTION = "packaging"
PACKAGING_CHECKS = ("PY001", "PY002", "PY003", "PY008", "PP002", "PP003")


def repo_review(repo: AuditRepo) -> list[Hit]:
    return tool_repo_review.hits(repo, PACKAGING_CHECKS)


def line_of(text: str | None, pattern: str) -> int | None:
    """The first line matching `pattern` (a regex, multiline), 1-based."""
    if not text:
        return None
    match = re.search(pattern, text, re.MULTILINE)
    if not match:
        return None
    # `^\s*` also matches the blank lines before the line: count from what it found.
    found = match.group()
    return text.count("\n", 0, match.start() + len(found) - len(found.lstrip())) + 1


def version_source(repo: AuditRepo) -> list[Hit]:
    facts = repo.facts
    metadata = repo.in_project(facts.metadata_files[0]) if facts.metadata_files else None
    reason = facts.not_installable_reason or ""
    if "placeholder" in reason:
        return [
            Hit(
                "major",
                metadata,
                line_of(repo.text(metadata) if metadata else None, r"^\s*version\s*="),
                f"the committed version cannot be built ({reason}): keep a real version in the "
                "file (the release job bumps it) or derive it from git tags (setuptools-scm, "
                "hatch-vcs)",
                rule="placeholder",
            )
        ]
    if facts.build_system == "none":
        return [
            Hit(
                "minor",
                None,
                None,
                "the project has no packaging metadata, so no version: add a pyproject.toml "
                "with [project] name and version, so images and models trace back to a release",
                rule="no-metadata",
            )
        ]
    if facts.version_source == "none":
        return [
            Hit(
                "major",
                metadata,
                None,
                "the project states no version (none in the metadata, no dynamic version and "
                "no git-tag plugin): set [project] version or derive it from git tags",
                rule="no-version",
            )
        ]
    return []


def locks(repo: AuditRepo) -> list[Hit]:
    from pipelinekit.env.reqfile import is_pinned, logical_lines

    facts = repo.facts
    if facts.locks:
        return []
    sources = [s for s in facts.dependency_sources if s.role == "runtime" and not s.problem]
    if not sources:
        raise Skip("the project declares no dependencies")
    severity: Severity = "major" if _deployed(repo) else "minor"
    out = []
    for source in sources:
        path = repo.in_project(source.path)
        if source.kind == "requirements":
            lines = [ln for ln in logical_lines(repo.text(path) or "") if not ln.startswith("-")]
            if not lines or is_pinned(lines):
                continue
            loose = [ln for ln in lines if "==" not in ln and "@" not in ln]
            if not loose:
                continue
            out.append(
                Hit(
                    severity,
                    path,
                    line_of(repo.text(path), rf"^\s*{re.escape(loose[0])}"),
                    f"{len(loose)} of {len(lines)} requirements are not pinned (first: {loose[0]}) "
                    "and nothing locks them: compile a lock (`uv pip compile requirements.in -o "
                    "requirements.txt`, or `uv lock`) so every install gets the tested releases",
                    rule="unpinned",
                )
            )
    # Every other kind declares its requirements in its own file (pyproject, setup.py,
    # Pipfile, environment.yml): none of them locks what it names.
    declared = [s for s in sources if s.kind not in ("requirements", "constraints")]
    declared = [s for s in declared if _named(s)]
    if declared and not out:
        first = declared[0]
        path = repo.in_project(first.path)
        conda = first.kind == "conda"
        named = _named(first)
        loose = [r for r in named if not _pinned(r, conda=conda)]
        stated = (
            f"{len(loose)} of {len(named)} dependencies are ranges (first: {loose[0]})"
            if loose
            else "the direct dependencies are pinned but not theirs"
        )
        command = (
            f"`conda-lock -f {path}`"
            if first.kind in ("conda", "conda-pip")
            else LOCK_COMMANDS.get(first.kind, "`uv lock`, `pdm lock`")
        )
        out.append(
            Hit(
                severity,
                path,
                line_of(repo.text(path), _DECLARATION),
                f"{stated} and no lock file pins them: commit a lock "
                f"({command}) so CI and the "
                "image install the releases that were tested",
                rule="no-lock",
            )
        )
    return out


LOCK_COMMANDS = {
    "poetry": "`poetry lock`",
    "poetry-group": "`poetry lock`",
    "pdm-group": "`pdm lock`",
    "pipfile": "`pipenv lock`",
}
"""Source kind -> the command that locks it (`conda-lock -f FILE` for conda environments, `uv
lock` or `pdm lock` for the others)."""
_DECLARATION = (
    r"^[ \t]*(?:dependencies\s*[=:]|\[packages\]|\[tool\.poetry\.dependencies\])"
    r"|\binstall_requires\s*="
)
"""Where each kind's runtime requirements start (pyproject, Pipfile, Poetry, conda, setup)."""


def _named(source: DependencySource) -> list[str]:
    """The source's requirements; conda's `- pip` is the installer of its `pip:` sub-list (a
    source of its own), not a dependency to pin."""
    if source.kind != "conda":
        return list(source.requirements)
    return [r for r in source.requirements if not re.match(r"pip(?![\w.-])", r)]


def _pinned(requirement: str, *, conda: bool) -> bool:
    """`name==1.2.3` (PEP 508), or conda's `name=1.2.3` / `name==1.2.3=build`."""
    from pipelinekit.env.reqfile import exact_pin

    if conda:
        return bool(
            re.fullmatch(r"[\w.-]+(?:::[\w.-]+)?\s*==?\s*[\w.!+]+(?:=[\w.]+)?", requirement)
        )
    return exact_pin(requirement) is not None


def _deployed(repo: AuditRepo) -> bool:
    """The repository builds an image: what it installs there must be reproducible."""
    return any(f.rsplit("/", 1)[-1].startswith("Dockerfile") for f in repo.files)


CHECKS = (
    Check(
        "repo-review",
        SECTION,
        "Packaging files are complete (sp-repo-review PY001-PY003, PY008, PP002, PP003)",
        "A pyproject.toml with a build-system table, a README, a licence and a .gitignore are "
        "what makes a repository installable and safe to commit to; the Scientific Python "
        "guide's checks say what is missing and link the fix.",
        repo_review,
        tool="sp-repo-review",
    ),
    Check(
        "version-source",
        SECTION,
        "The project has a buildable version",
        "A placeholder version (`{{VERSION}}`) or none at all means a wheel or an image cannot "
        "name the release it was built from.",
        version_source,
    ),
    Check(
        "locks",
        SECTION,
        "Dependencies are locked or pinned",
        "`numpy>=1.24` installs a different numpy next month; a lock (uv.lock, poetry.lock, a "
        "compiled requirements.txt) makes CI, the image and production run what was tested.",
        locks,
    ),
)
