"""The files a release rewrites (version files, changelog), built from HEAD's blobs.

Reading HEAD rather than the working tree means an untracked or ignored file never reaches
the release commit (one at a release path is refused: the release would overwrite it), a
symbolic link is followed to the tracked file it names, and a CRLF file keeps its CRLF line
endings: only the changed lines change.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from pipelinekit.errors import UsageError
from pipelinekit.release import versionfiles
from pipelinekit.release.trees import CommitTree

if TYPE_CHECKING:
    from pipelinekit.release.gitops import FileChange
    from pipelinekit.release.plan import Repo


def head_tree(repo: Repo, commit: str = "HEAD") -> CommitTree:
    """The tree of `commit` (default HEAD), with paths relative to the project's folder."""
    prefix = repo.project.relative_to(repo.root).as_posix()
    return CommitTree(repo.git, commit, "" if prefix == "." else f"{prefix}/")


def tracked(repo: Repo, tree: CommitTree, path: str) -> tuple[str, str | None]:
    """(repository path, HEAD's text or None) of the project file `path`, links followed."""
    real, exists = tree.locate(path)
    if not exists and os.path.lexists(repo.root / real):
        raise UsageError(
            f"{real} exists in the working tree but not in HEAD (untracked or ignored); the "
            "release commit is built from HEAD and would overwrite it. Commit it (`git add "
            f"{real}`) if it belongs to the release, or move it away, and run again."
        )
    return real, tree.read(path) if exists else None


def keep_newlines(text: str, edit: Callable[[str], str]) -> str:
    """`edit(text)` done on LF text, with CRLF line endings restored when `text` had them."""
    if "\r\n" not in text:
        return edit(text)
    return edit(text.replace("\r\n", "\n")).replace("\n", "\r\n")


def current_versions(repo: Repo, tree: CommitTree) -> list[tuple[versionfiles.VersionFile, str]]:
    """Each version file with HEAD's text; a configured file that is missing is refused."""
    found = []
    for vf in versionfiles.resolve(tree, repo.config):
        _, text = tracked(repo, tree, vf.path)
        if text is None:
            raise UsageError(
                f"Version file {vf.path} (from `tool.pipelinekit.release.version_files`) is "
                "not in HEAD; create and commit it, or remove it from the list."
            )
        found.append((vf, text))
    return found


def version_changes(
    tree: CommitTree, files: list[tuple[versionfiles.VersionFile, str]], pep440: str
) -> list[FileChange]:
    from pipelinekit.release.gitops import FileChange

    changes = []
    for vf, text in files:
        edit = functools.partial(versionfiles.write_version, vf, version=pep440)
        changes.append(FileChange(tree.locate(vf.path)[0], text, keep_newlines(text, edit)))
    return changes


def changelog_change(repo: Repo, tree: CommitTree, section: str, link: str | None) -> FileChange:
    from pipelinekit.release import changelog
    from pipelinekit.release.gitops import FileChange

    assert repo.config.changelog_file
    real, before = tracked(repo, tree, repo.config.changelog_file)
    after = keep_newlines(before or "", lambda t: changelog.insert_section(t, section, link))
    return FileChange(real, before, after)
