"""Conventional Commits 1.0 parsing and reading the commits of a range from git.

The history is read with a single `git log -z` in a machine-readable format; parsing is pure
so it can be property-tested without a repository.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipelinekit.util.git import Git

_HEADER = re.compile(
    r"^(?P<type>[A-Za-z][A-Za-z0-9_-]*)(?:\((?P<scope>[^()\r\n]*)\))?(?P<bang>!)?: (?P<desc>\S.*)$"
)
_BREAKING_FOOTER = re.compile(r"^BREAKING[ -]CHANGE: ?(?P<text>.*)$", re.MULTILINE)
_GIT_REVERT = re.compile(r'^(?:Revert|Reapply) "(?P<subject>.*)"$')
"""git's own revert subject; since git 2.43 reverting a revert says `Reapply "<subject>"`."""
_REVERTS_SHA = re.compile(r"(?:This reverts commit|^Refs:)\s+(?P<sha>[0-9a-f]{7,40})", re.MULTILINE)
_SQUASHED = re.compile(r"^\s*[*-] (?P<header>[A-Za-z][A-Za-z0-9_-]*(?:\([^()\r\n]*\))?!?: \S.*)$")


@dataclass(frozen=True)
class Commit:
    """A commit as git stores it."""

    sha: str
    parents: tuple[str, ...]
    message: str

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0].strip()

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


@dataclass(frozen=True)
class Conventional:
    """The meaning of one Conventional Commits message (or one line of a squash body)."""

    type: str
    scope: str | None
    description: str
    breaking: bool
    breaking_notes: tuple[str, ...] = ()
    reverts: str | None = None
    """The sha (possibly abbreviated) this commit reverts, when it says so."""


@dataclass(frozen=True)
class ParsedCommit:
    """A commit and what it means: `changes` is empty for a non-conventional commit."""

    commit: Commit
    changes: tuple[Conventional, ...] = field(default_factory=tuple)

    @property
    def conventional(self) -> bool:
        return bool(self.changes)


def parse_message(message: str) -> Conventional | None:
    """Parse a full commit message; None when its header is not a Conventional Commit.

    The substring tests in front of the regexes are what make 10k messages parse in
    milliseconds: most bodies have no footer, revert or squash list to look for.
    """
    header, _, body = message.strip().partition("\n")
    header = header.strip()
    if header.startswith(('Revert "', 'Reapply "')):
        git_revert = _GIT_REVERT.match(header)
        if git_revert:
            # git's own revert message: `Revert "<subject>"` + "This reverts commit <sha>."
            return Conventional(
                type="revert",
                scope=None,
                description=git_revert["subject"],
                breaking=False,
                reverts=_reverted(body),
            )
    match = _HEADER.match(header)
    if match is None:
        return None
    kind = match["type"].lower()
    notes: tuple[str, ...] = ()
    breaking = bool(match["bang"])
    if "BREAKING" in body:
        footers = [m["text"].strip() for m in _BREAKING_FOOTER.finditer(body)]
        breaking = breaking or bool(footers)
        notes = tuple(n for n in footers if n)
    return Conventional(
        type=kind,
        scope=(match["scope"] or "").strip() or None,
        description=match["desc"].strip(),
        breaking=breaking,
        breaking_notes=notes,
        reverts=_reverted(body) if kind == "revert" else None,
    )


def _reverted(body: str) -> str | None:
    found = _REVERTS_SHA.search(body)
    return found["sha"] if found else None


def parse_commit(commit: Commit, *, squash: bool = True) -> ParsedCommit:
    """Parse a commit; with `squash`, `* type: ...` body lines count as commits of their own."""
    main = parse_message(commit.message)
    changes = [main] if main is not None else []
    _, _, body = commit.message.partition("\n")
    if squash and ("* " in body or "- " in body):
        for line in body.splitlines():
            nested = _SQUASHED.match(line)
            if nested:
                parsed = parse_message(nested["header"])
                if parsed is not None:
                    changes.append(parsed)
    return ParsedCommit(commit, tuple(changes))


def read_commits(git: Git, revisions: list[str]) -> list[Commit]:
    """Commits selected by `git log` `revisions` (e.g. `["HEAD", "^v1.2.0"]`), newest first."""
    out = git.run("log", "-z", "--format=%H%x1f%P%x1f%B", *revisions, "--")
    commits = []
    for record in out.split("\0"):
        if not record.strip():
            continue
        sha, parents, message = record.split("\x1f", 2)
        commits.append(Commit(sha.strip(), tuple(parents.split()), message.rstrip("\n")))
    return commits
