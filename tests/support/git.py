"""Real git repositories in tmp dirs, isolated from the user's and the machine's git config."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from tests.support import tools

DEFAULT_REMOTE = "https://gitlab.example.com/pipelinekit/demo.git"
# Fixed identity and dates make commits (and so SHAs) reproducible and independent of the
# machine; an empty global config keeps e.g. commit.gpgsign or hooksPath from leaking in.
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Pipelinekit Tests",
    "GIT_AUTHOR_EMAIL": "tests@pipelinekit.invalid",
    "GIT_COMMITTER_NAME": "Pipelinekit Tests",
    "GIT_COMMITTER_EMAIL": "tests@pipelinekit.invalid",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, **GIT_IDENTITY}
    env.update(extra or {})
    return env


def git(repo: Path, *args: str) -> str:
    """Run git in repo and return its stdout; CalledProcessError (with output) on failure."""
    tools.require("git")
    proc = subprocess.run(
        ["git", *args], cwd=repo, env=git_env(), capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, proc.args, proc.stdout, proc.stderr)
    return proc.stdout


def write_files(root: Path, files: Mapping[str, str]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def commit_all(repo: Path, message: str = "update") -> str:
    """Stage everything and commit (empty commits allowed); returns the new HEAD sha."""
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def init_repo(
    path: Path,
    files: Mapping[str, str] | None = None,
    *,
    remote: str | None = DEFAULT_REMOTE,
    branch: str = "main",
    commit: bool = True,
) -> Path:
    """A git repo at path with files written, an `origin` remote and one commit.

    gitlab-ci-local needs the `origin` remote (it derives CI_PROJECT_PATH from it); pointing
    refs/remotes/origin/HEAD at the branch stops its "Unable to retrieve default remote
    branch" noise. Its state folder is excluded so `commit_all` never commits it.
    """
    path.mkdir(parents=True, exist_ok=True)
    write_files(path, files or {})
    git(path, "init", "-q", "-b", branch)
    if remote is not None:
        git(path, "remote", "add", "origin", remote)
        git(path, "symbolic-ref", "refs/remotes/origin/HEAD", f"refs/remotes/origin/{branch}")
    exclude = path / ".git" / "info" / "exclude"
    exclude.parent.mkdir(parents=True, exist_ok=True)
    with exclude.open("a") as fh:
        fh.write(".gitlab-ci-local/\n")
    if commit:
        commit_all(path, "initial commit")
    return path
