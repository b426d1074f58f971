"""Publishing a release atomically: nothing local changes until the remote has accepted it.

The release commit and the annotated tag are built as loose objects (a private index,
`commit-tree`, `mktag`) and pushed by id with `git push --atomic`. Only after the remote has
taken both are the local branch, tag and files moved. A refused, failed or killed push
therefore leaves the clone exactly as it was (a few unreferenced objects for `git gc`), and
running the release again simply retries.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipelinekit.errors import ExternalError, UsageError, WriteError
from pipelinekit.util.fs import atomic_write_bytes
from pipelinekit.util.git import Git, GitError


@dataclass(frozen=True)
class FileChange:
    """New content for a file; `path` is relative to the repository root."""

    path: str
    before: str | None
    after: str


@dataclass(frozen=True)
class Published:
    commit: str
    tag_object: str


def build_commit(git: Git, head: str, files: list[FileChange], message: str) -> str:
    """A commit of HEAD's tree plus `files`, without touching the index, work tree or refs."""
    fd, index = tempfile.mkstemp(prefix="pipelinekit-release-index-")
    os.close(fd)
    os.unlink(index)  # git wants to create the index itself
    env = {"GIT_INDEX_FILE": index}
    try:
        git.run("read-tree", head, env=env)
        entries = []
        for change in files:
            mode = git.run("ls-tree", head, "--", change.path).split(" ", 1)[0] or "100644"
            blob = git.run("hash-object", "-w", "--stdin", stdin=change.after).strip()
            entries.append(f"{mode} {blob}\t{change.path}\n")
        git.run("update-index", "--index-info", stdin="".join(entries), env=env)
        tree = git.run("write-tree", env=env).strip()
    finally:
        Path(index).unlink(missing_ok=True)
    return _identity_checked(git, "commit-tree", tree, "-p", head, "-F", "-", stdin=message).strip()


def build_tag(git: Git, commit: str, name: str, message: str) -> str:
    """An annotated tag object for `commit` (not yet referenced by any ref)."""
    tagger = _identity_checked(git, "var", "GIT_COMMITTER_IDENT").strip()
    body = f"object {commit}\ntype commit\ntag {name}\ntagger {tagger}\n\n{message.rstrip()}\n"
    return git.run("mktag", stdin=body).strip()


_NO_IDENTITY = (
    "tell me who you are",
    "unable to auto-detect email address",
    "empty ident",
    "no email was given",
    "no name was given",
)
"""git's ways of saying it has no identity; matched on its whole stderr, as the phrase that
says so comes before the lines an error message keeps."""


def _identity_checked(git: Git, *args: str, stdin: str | None = None) -> str:
    try:
        return git.run(*args, stdin=stdin)
    except GitError as exc:
        if any(phrase in exc.stderr.lower() for phrase in _NO_IDENTITY):
            raise UsageError(
                "git has no identity for the release commit and tag. Set user.name and "
                "user.email (`git config user.email ci@example.com`) or the GIT_AUTHOR_NAME, "
                "GIT_AUTHOR_EMAIL, GIT_COMMITTER_NAME and GIT_COMMITTER_EMAIL variables."
            ) from exc
        raise


def publish(
    git: Git,
    *,
    root: Path,
    head: str,
    branch: str,
    detached: bool,
    remote: str,
    files: list[FileChange],
    commit_message: str,
    tag: str,
    tag_message: str,
) -> Published:
    """Push the release commit and tag in one atomic push, then update the clone to match."""
    if git.ok("rev-parse", "--verify", "--quiet", f"refs/tags/{tag}"):
        raise UsageError(
            f"Tag {tag} already exists locally; the policy computed a version that was "
            f"already released elsewhere. Check `git log -1 {tag}`; if it is stale, delete it "
            f"(`git tag -d {tag}`) and release again."
        )
    commit = build_commit(git, head, files, commit_message)
    tag_object = build_tag(git, commit, tag, tag_message)
    try:
        git.run(
            "push",
            "--atomic",
            "--porcelain",
            remote,
            f"{commit}:refs/heads/{branch}",
            f"{tag_object}:refs/tags/{tag}",
            network=True,
        )
    except ExternalError as exc:
        raise ExternalError(
            f"The remote `{remote}` did not accept the release {tag}; nothing was changed "
            f"there or in this clone (the push is atomic and local refs move only after it). "
            f"{exc.message}"
        ) from exc
    _update_local(git, root, head, branch, detached, commit, tag_object, tag, files)
    return Published(commit, tag_object)


def _update_local(
    git: Git,
    root: Path,
    head: str,
    branch: str,
    detached: bool,
    commit: str,
    tag_object: str,
    tag: str,
    files: list[FileChange],
) -> None:
    try:
        git.run("update-ref", "-m", f"release {tag}", f"refs/tags/{tag}", tag_object, "")
        if detached:
            git.run("update-ref", "--no-deref", "-m", f"release {tag}", "HEAD", commit, head)
        else:
            git.run("update-ref", "-m", f"release {tag}", f"refs/heads/{branch}", commit, head)
        for change in files:
            # as a checkout writes it (autocrlf, eol attributes): a CRLF clone stays CRLF
            content = git.raw("cat-file", "--filters", f"{commit}:{change.path}")
            atomic_write_bytes(root / change.path, content)
        if files:
            git.run("reset", "--quiet", "HEAD", "--", *(c.path for c in files))
    except (GitError, WriteError) as exc:
        raise WriteError(
            f"Release {tag} was pushed, but updating this clone failed: {exc.message} The "
            f"remote is correct; run `git fetch --tags && git reset --hard {commit}` here."
        ) from exc
