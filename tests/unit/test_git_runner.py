"""The one git runner (pipelinekit.util.git) against real repositories: a GIT_DIR inherited
from a hook does not redirect it, optional queries answer None instead of failing, a hung
local command stops at the local timeout with an error naming the command."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pipelinekit.util import git as git_runner
from pipelinekit.util.git import Git, GitError


def _repo(path: Path) -> Path:
    path.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    return path


def test_an_inherited_git_dir_does_not_redirect_the_runner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours, other = _repo(tmp_path / "ours"), _repo(tmp_path / "other")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    top = Git(ours).run("rev-parse", "--show-toplevel").strip()
    assert Path(top) == ours.resolve()


def test_query_is_none_outside_a_repository_and_the_output_inside(tmp_path: Path) -> None:
    outside = tmp_path / "plain"
    outside.mkdir()
    assert Git(outside).query("rev-parse", "HEAD") is None
    repo = _repo(tmp_path / "repo")
    (repo / "a.txt").write_text("a\n")
    assert Git(repo).query("ls-files", "-z", "--others", "--exclude-standard") == "a.txt\0"


def test_a_hung_local_command_stops_at_the_local_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repo(tmp_path / "repo")
    monkeypatch.setattr(git_runner, "LOCAL_TIMEOUT", 0.5)
    # an editor that never returns stands in for a hung filesystem or a held lock
    who = {
        f"GIT_{r}_{k}": v
        for r in ("AUTHOR", "COMMITTER")
        for k, v in (("NAME", "t"), ("EMAIL", "t@x"))
    }
    hung = Git(repo, env={"GIT_EDITOR": "sleep 30 #", **who})
    with pytest.raises(GitError) as caught:
        hung.run("commit", "--allow-empty", "-q")
    assert "`git commit --allow-empty -q`" in caught.value.message
    assert "did not finish within" in caught.value.message
