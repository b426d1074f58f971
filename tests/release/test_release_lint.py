"""`release lint RANGE`: the merge-request check for commit messages."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import invoke
from .gitfactory import History, Repo, Tag, clone, linear


def test_clean_range_passes(tmp_path: Path) -> None:
    linear(tmp_path, "chore: init", Tag("v1.0.0"), "feat(io): a", "fix!: b")
    result = invoke("lint", "v1.0.0..HEAD", "--path", str(tmp_path))
    assert result.exit_code == 0 and result.stdout.strip() == ""


def test_noise_and_unknown_types_fail(tmp_path: Path) -> None:
    linear(tmp_path, "chore: init", Tag("v1.0.0"), "feat: ok", "Fixed stuff", "feature: nope")
    result = invoke("lint", "v1.0.0..HEAD", "--path", str(tmp_path), "--format", "json")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["findings"]
    assert [(f["subject"], f["problem"].split(" ")[0]) for f in findings] == [
        ("feature: nope", "unknown"),
        ("Fixed stuff", "not"),
    ]
    assert "git rebase -i" in result.stderr


def test_merge_commits_are_exempt(tmp_path: Path) -> None:
    h = History()
    h.commit("chore: init")
    h.tag("v1.0.0")
    h.commit("fix: on branch", branch="topic", start=1)
    h.commit("Merge branch 'topic'", merge=h.heads["topic"])
    h.write(tmp_path)
    assert invoke("lint", "v1.0.0..HEAD", "--path", str(tmp_path)).exit_code == 0


def test_bad_range_is_usage_error(tmp_path: Path) -> None:
    linear(tmp_path, "chore: init")
    result = invoke("lint", "origin/main..HEAD", "--path", str(tmp_path))
    assert result.exit_code == 2 and "`origin/main` is not a commit here" in result.stderr


def test_git_reapply_message_is_not_flagged(tmp_path: Path) -> None:
    """git 2.43+ words a revert of a revert `Reapply "<subject>"` (hunt #3): git's own message
    is accepted, like `Revert "..."`."""
    repo = linear(tmp_path, "chore: init", Tag("v1.0.0"), "feat: add A")
    repo.commit(f'Revert "feat: add A"\n\nThis reverts commit {repo.head()}.')
    repo.commit(f'Reapply "feat: add A"\n\nThis reverts commit {repo.head()}.')
    result = invoke("lint", "HEAD~2..HEAD", "--path", str(tmp_path))
    assert (result.exit_code, result.stdout.strip()) == (0, "")
    assert invoke("next", str(tmp_path)).stdout.strip() == "1.1.0"


def _shallow_merge_request(tmp_path: Path) -> Repo:
    """Non-conventional legacy commits on main below a depth-20 clone's boundary, and a
    feature branch forked before 25 newer main commits (GitLab MR pipelines clone shallow)."""
    h = History()
    h.commit("chore: init")
    h.tag("v1.0.0")
    for i in range(20):
        h.commit(f"legacy {i}")
    fork = len(h.commits)
    h.commit("feat: f1", branch="feature", start=fork)
    for i in range(25):
        h.commit(f"chore: m{i}")
    h.write(tmp_path / "origin")
    ci = clone(tmp_path / "origin", tmp_path / "mr", "--depth", "20", "--no-single-branch")
    ci.git("checkout", "-q", "--detach", "origin/feature")
    return ci


def test_shallow_merge_request_clone_is_deepened_before_linting(tmp_path: Path) -> None:
    """Hunt #7: the shallow boundary put main's legacy commits into origin/main..HEAD."""
    ci = _shallow_merge_request(tmp_path)
    result = invoke("lint", "origin/main..HEAD", "--path", str(ci.path), "--format", "json")
    assert result.exit_code == 0, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert data["findings"] == [] and any("unshallow" in n for n in data["notes"])
    assert ci.git("rev-parse", "--is-shallow-repository") == "false"


def test_shallow_clone_without_permission_says_why_lint_cannot_run(tmp_path: Path) -> None:
    ci = _shallow_merge_request(tmp_path)
    (ci.path / "pyproject.toml").write_text("[tool.pipelinekit.release]\nallow_unshallow = false\n")
    result = invoke("lint", "origin/main..HEAD", "--path", str(ci.path))
    assert result.exit_code == 2 and result.stdout == ""
    assert "shallow" in result.stderr and "git fetch --unshallow" in result.stderr
