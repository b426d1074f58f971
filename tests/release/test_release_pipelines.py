"""What the CI says about the pipeline: merge-request and tag pipelines have no next version
(hunt #8), Jenkins' `GIT_BRANCH=origin/main` names the branch, a detached HEAD is released
only onto a branch it is on (hunt #10), and `release lint` finds its range in MR pipelines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import invoke
from .gitfactory import Repo, Tag, clone, published, run_git

PIPELINES = {
    "gitlab-mr": {
        "CI_PIPELINE_SOURCE": "merge_request_event",
        "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feature/x",
        "CI_COMMIT_REF_NAME": "feature/x",
    },
    "gitlab-tag": {"CI_COMMIT_TAG": "v1.0.0", "CI_COMMIT_REF_NAME": "v1.0.0"},
    "jenkins-pr": {"BRANCH_NAME": "PR-12", "CHANGE_ID": "12", "CHANGE_TARGET": "main"},
    "jenkins-tag": {"BRANCH_NAME": "v1.0.0", "TAG_NAME": "v1.0.0"},
    "github-pr": {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_REF_NAME": "12/merge"},
    "github-tag": {"GITHUB_REF_TYPE": "tag", "GITHUB_REF_NAME": "v1.0.0"},
}


@pytest.fixture
def detached(tmp_path: Path) -> tuple[Repo, Path]:
    repo, remote = published(tmp_path, "chore: init", Tag("v1.0.0"), "feat: x")
    repo.git("checkout", "-q", "--detach")
    return repo, remote


@pytest.mark.parametrize("kind", PIPELINES)
def test_merge_request_and_tag_pipelines_have_no_next_version(
    detached: tuple[Repo, Path], monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """Before: exit 2 "set CI_COMMIT_BRANCH", or advice to add `{ branch = "PR-12" }` to the
    channels (which would let PR and tag builds release)."""
    repo, remote = detached
    for name, value in PIPELINES[kind].items():
        monkeypatch.setenv(name, value)
    word = "tag pipeline" if kind.endswith("tag") else "merge-request pipeline"
    result = invoke("next", str(repo.path))
    assert (result.exit_code, result.stdout) == (0, "")
    assert word in result.stderr and "{ branch" not in result.stderr
    data = json.loads(invoke("next", str(repo.path), "--format", "json").stdout)
    assert data["version"] is None and word in data["reason"]
    before = run_git(remote, "for-each-ref")
    refused = invoke(str(repo.path))
    assert refused.exit_code == 2 and word in refused.stderr
    assert run_git(remote, "for-each-ref") == before
    # an explicit --branch is still honoured (e.g. to ask what main would release)
    assert invoke("next", str(repo.path), "--branch", "main").stdout.strip() == "1.1.0"


def test_jenkins_git_branch_is_read_without_its_remote(
    detached: tuple[Repo, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, remote = detached
    monkeypatch.setenv("GIT_BRANCH", "origin/main")
    assert invoke("next", str(repo.path)).stdout.strip() == "1.1.0"
    result = invoke(str(repo.path))
    assert result.exit_code == 0, result.stderr
    assert run_git(remote, "rev-parse", "main").strip() == repo.head()


def test_detached_head_is_not_released_onto_a_branch_the_remote_lacks(tmp_path: Path) -> None:
    repo, remote = published(tmp_path, "chore: init", Tag("v1.0.0"), "fix: a")
    repo.git("checkout", "-q", "--detach")
    result = invoke(str(repo.path), "--branch", "release/9.9")
    assert result.exit_code == 2
    assert "`origin` has no branch `release/9.9`" in result.stderr
    assert "release/9.9" not in run_git(remote, "branch", "--list")


def test_detached_head_without_a_tracking_ref_is_not_released(tmp_path: Path) -> None:
    """With allow_fetch = false and no `origin/main` here, nothing showed HEAD is on main."""
    repo, remote = published(tmp_path, "chore: init", Tag("v1.0.0"))
    text = (repo.path / "pyproject.toml").read_text()
    repo.commit(
        "fix: a",
        {"pyproject.toml": text + "\n[tool.pipelinekit.release]\nallow_fetch = false\n"},
    )
    repo.git("push", "-q", "origin", "main")
    repo.git("checkout", "-q", "--detach")
    repo.git("update-ref", "-d", "refs/remotes/origin/main")
    result = invoke(str(repo.path), "--branch", "main")
    assert result.exit_code == 2
    assert "this clone has no `origin/main`" in result.stderr
    assert run_git(remote, "tag", "--list").split() == ["v1.0.0"]


def test_detached_head_that_diverged_is_named_as_not_on_the_branch(tmp_path: Path) -> None:
    """Behind and ahead at once: the unreviewed commit is the problem, not a `git pull`."""
    repo, remote = published(tmp_path, "chore: init", Tag("v1.0.0"))
    other = clone(remote, tmp_path / "other")
    other.commit("fix: meanwhile")
    other.git("push", "-q", "origin", "main")
    repo.git("checkout", "-q", "--detach")
    repo.commit("feat: unreviewed")
    result = invoke(str(repo.path), "--branch", "main")
    assert result.exit_code == 2
    assert "1 commit(s) that are not on `origin/main`" in result.stderr
    assert "git pull" not in result.stderr


def test_lint_in_a_merge_request_pipeline_finds_its_range(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`release lint` without RANGE (the generated job): the target branch, fetched fresh."""
    repo, remote = published(tmp_path, "chore: init", Tag("v1.0.0"))
    ci = clone(remote, tmp_path / "ci")
    repo.commit("Non conventional commit, already on main")
    repo.git("push", "-q", "origin", "main")
    ci.git("checkout", "-q", "-b", "feature/x")
    ci.git("merge", "-q", "--no-edit", "origin/main")
    ci.commit("feat: the change")
    ci.commit("WIP")
    ci.git("fetch", "-q", "origin")
    ci.git("update-ref", "refs/remotes/origin/main", "v1.0.0")  # stale, as in a CI workspace
    ci.git("checkout", "-q", "--detach")
    monkeypatch.setenv("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main")
    result = invoke("lint", "--path", str(ci.path), "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["range"] == "origin/main..HEAD"
    assert [f["subject"] for f in data["findings"]] == ["WIP"]
    monkeypatch.delenv("CI_MERGE_REQUEST_TARGET_BRANCH_NAME")
    monkeypatch.setenv("CHANGE_TARGET", "main")  # Jenkins
    assert invoke("lint", "--path", str(ci.path)).exit_code == 1
    monkeypatch.delenv("CHANGE_TARGET")
    missing = invoke("lint", "--path", str(ci.path))
    assert missing.exit_code == 2
    assert "No RANGE given" in missing.stderr and "origin/main..HEAD" in missing.stderr
