"""Reused CI workspaces: local release tags that are stale or partial are made the remote's, or
refused with the fix; never a version that already exists, never a good tag failed (hunt #1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import invoke
from .gitfactory import Repo, Tag, clone, published, run_git


@pytest.fixture
def moved_on(tmp_path: Path) -> tuple[Repo, Path, Repo]:
    """A CI workspace that knows v1.0.0, while v1.1.0 was released elsewhere and a fix pushed
    after it; the workspace fetched the branch (not the tags) and is on its tip, detached."""
    dev, remote = published(tmp_path, "chore: init", Tag("v1.0.0"), "feat: one")
    ci = clone(remote, tmp_path / "ci", "--no-tags")
    ci.git("fetch", "-q", "origin", "refs/tags/v1.0.0:refs/tags/v1.0.0")
    assert invoke(str(dev.path)).exit_code == 0  # v1.1.0
    dev.commit("fix: after release")
    dev.git("push", "-q", "origin", "main")
    ci.git("fetch", "-q", "--no-tags", "origin")
    ci.git("checkout", "-q", "--detach", "origin/main")
    assert ci.tags() == ["v1.0.0"]
    return dev, remote, ci


def test_stale_workspace_gets_the_released_tags_before_computing(
    moved_on: tuple[Repo, Path, Repo], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: `next` and `--dry-run` said 1.1.0 (already released), `release` made 1.1.1."""
    _, remote, ci = moved_on
    monkeypatch.setenv("BRANCH_NAME", "main")
    data = json.loads(invoke("next", str(ci.path), "--format", "json").stdout)
    assert data["version"] == "1.1.1" and data["previous_tag"] == "v1.1.0"
    assert any("1 missing release tag(s) fetched" in n for n in data["notes"])
    assert invoke(str(ci.path), "--dry-run").stdout.startswith("version:  1.1.1 ")
    assert invoke("next", str(ci.path)).stdout.strip() == "1.1.1"
    result = invoke(str(ci.path))
    assert result.exit_code == 0, result.stderr
    assert run_git(remote, "tag", "--list").split() == ["v1.0.0", "v1.1.0", "v1.1.1"]


def test_verify_of_a_tag_build_with_partial_tags_fetches_the_rest(
    moved_on: tuple[Repo, Path, Repo], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Jenkins tag build fetched only v1.0.0 and its own v1.1.1: verify failed the good tag
    ("computes 1.1.0") and advised deleting it."""
    dev, _, _ = moved_on
    assert invoke(str(dev.path)).exit_code == 0  # v1.1.1
    build = clone(dev.path.parent / "origin.git", tmp_path / "jt", "--no-tags")
    for tag in ("v1.0.0", "v1.1.1"):
        build.git("fetch", "-q", "origin", f"refs/tags/{tag}:refs/tags/{tag}")
    build.git("checkout", "-q", "--detach", "v1.1.1")
    monkeypatch.setenv("TAG_NAME", "v1.1.1")
    result = invoke("verify", "--path", str(build.path))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Delete" not in result.stdout + result.stderr
    assert "v1.1.0" in build.tags()


def test_missing_tags_without_allow_fetch_stop_with_the_fix(
    moved_on: tuple[Repo, Path, Repo], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, ci = moved_on
    text = (ci.path / "pyproject.toml").read_text()
    (ci.path / "pyproject.toml").write_text(
        text + "\n[tool.pipelinekit.release]\nallow_fetch = false\n"
    )
    monkeypatch.setenv("BRANCH_NAME", "main")
    for args in (("next",), ("--dry-run",)):
        result = invoke(*args, str(ci.path))
        assert result.exit_code == 2 and result.stdout == ""
        assert "lacks 1 release tag(s) of `origin` (e.g. v1.1.0)" in result.stderr
        assert "git fetch --tags origin" in result.stderr
    assert ci.tags() == ["v1.0.0"]


def test_a_tag_that_moved_on_the_remote_is_refused_without_advising_deletion(
    tmp_path: Path,
) -> None:
    repo, remote = published(tmp_path, "chore: init", "fix: a", Tag("v1.0.0"), "feat: b")
    ci = clone(remote, tmp_path / "ci")
    repo.git("tag", "-f", "-a", "v1.0.0", "-m", "moved", "HEAD")
    repo.git("push", "-q", "-f", "origin", "v1.0.0")
    result = invoke("next", str(ci.path))
    assert result.exit_code == 2
    assert "Release tag v1.0.0 here is" in result.stderr
    assert "git fetch --force --tags origin" in result.stderr
    assert "delete" not in result.stderr.lower()
    ci.git("fetch", "-q", "--force", "--tags", "origin")
    ci.git("pull", "-q", "--ff-only")
    fixed = invoke("next", str(ci.path))  # the remote's v1.0.0 includes "feat: b"
    assert fixed.exit_code == 0 and fixed.stdout == ""
    assert "No releasable change since v1.0.0" in fixed.stderr


def test_a_tag_only_this_clone_has_counts_with_a_note(tmp_path: Path) -> None:
    repo, remote = published(tmp_path, "chore: init", Tag("v1.0.0"), "feat: a")
    repo.tag("v1.1.0")  # not pushed
    repo.commit("fix: b")
    data = json.loads(invoke("next", str(repo.path), "--format", "json").stdout)
    assert data["version"] == "1.1.1"
    assert any("v1.1.0 exist only in this clone" in n for n in data["notes"])
    assert run_git(remote, "tag", "--list").split() == ["v1.0.0"]


def test_a_moved_non_release_tag_does_not_break_the_tag_fetch(tmp_path: Path) -> None:
    """Tags are fetched by name: `git fetch --tags` would fail on a floating `latest` tag that
    moved on the remote ("would clobber existing tag")."""
    repo, remote = published(tmp_path, "chore: init", Tag("v1.0.0"), "feat: a")
    repo.tag("latest")
    repo.git("push", "-q", "origin", "latest")
    ci = clone(remote, tmp_path / "ci")
    repo.tag("v1.1.0")
    repo.commit("fix: b")
    repo.git("tag", "-f", "-a", "latest", "-m", "moved")
    repo.git("push", "-q", "-f", "origin", "main", "v1.1.0", "latest")
    ci.git("pull", "-q", "--no-tags", "--ff-only", "origin", "main")
    result = invoke(str(ci.path))
    assert result.exit_code == 0, result.stderr
    assert ci.git("describe", "--exact-match") == "v1.1.1"
    assert ci.git("rev-parse", "latest") != repo.git("rev-parse", "latest")  # left alone


def test_next_behind_a_release_says_to_update_not_to_merge(tmp_path: Path) -> None:
    """Before: `next` printed the existing 1.1.0 while `--dry-run` refused, advising to merge
    main into develop on main itself."""
    repo, remote = published(tmp_path, "chore: init", Tag("v1.0.0"), "feat: a")
    ci = clone(remote, tmp_path / "ci")
    assert invoke(str(repo.path)).exit_code == 0  # v1.1.0 on top of "feat: a"
    for args in (("next",), ("--dry-run",)):
        result = invoke(*args, str(ci.path))
        assert result.exit_code == 2, result.stdout
        assert "tag v1.1.0 already exists" in result.stderr
        assert "HEAD is behind that release" in result.stderr and "git pull" in result.stderr
        assert "merge main into develop" not in result.stderr
