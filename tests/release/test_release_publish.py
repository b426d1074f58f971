"""`pipelinekit release`: files, changelog, annotated tag, atomic push; and nothing left behind
when the remote refuses, is unreachable, or the push is killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import invoke
from .gitfactory import GIT_ENV, Repo, Tag, clone, published, run_git


def snapshot(repo: Repo) -> dict[str, str]:
    """Everything a failed release must leave untouched."""
    return {
        "head": repo.head(),
        "refs": repo.git("for-each-ref"),
        "status": repo.git("status", "--porcelain", "--untracked-files=all"),
        "pyproject": (repo.path / "pyproject.toml").read_text(),
        "init": (repo.path / "demo/__init__.py").read_text(),
    }


def configure(repo: Repo, *lines: str) -> None:
    """Add `[tool.pipelinekit.release]` settings to pyproject.toml, committed and pushed."""
    pyproject = repo.path / "pyproject.toml"
    text = pyproject.read_text() + "\n[tool.pipelinekit.release]\n" + "\n".join(lines) + "\n"
    repo.commit("chore: configure releases", {"pyproject.toml": text})
    repo.git("push", "-q", "origin", "main")


def remote_refs(remote: Path) -> str:
    return run_git(remote, "for-each-ref")


def test_release_bumps_files_writes_changelog_tags_and_pushes(tmp_path: Path) -> None:
    repo, remote = published(
        tmp_path, "chore: init", Tag("v0.1.0"), "feat(io): parquet", "fix: typo"
    )
    result = (
        invoke("release", str(repo.path), "--format", "json")
        if False
        else invoke(str(repo.path), "--format", "json")
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["released"] is True and data["version"] == "0.2.0" and data["tag"] == "v0.2.0"
    # version files: only the version changed, comments and layout kept
    assert (
        repo.path / "pyproject.toml"
    ).read_text() == '[project]\nname = "demo"  # the distribution\nversion = "0.2.0"\n'
    assert '__version__ = "0.2.0"' in (repo.path / "demo/__init__.py").read_text()
    changelog = (repo.path / "CHANGELOG.md").read_text()
    assert changelog.startswith("# Changelog\n")
    assert "## 0.2.0 - " in changelog and "### Added\n\n- **io:** parquet (" in changelog
    assert "### Fixed\n\n- typo (" in changelog
    # one commit on top, annotated tag, clean tree, remote identical
    assert repo.git("log", "-1", "--format=%s") == "chore(release): 0.2.0"
    assert (repo.git("rev-parse", "HEAD~1") == data["commit"] and False) or repo.head() == data[
        "commit"
    ]
    assert repo.git("cat-file", "-t", "v0.2.0") == "tag"
    assert repo.git("tag", "-l", "--format=%(contents:subject)", "v0.2.0") == "Release 0.2.0"
    assert repo.status() == ""
    assert run_git(remote, "rev-parse", "main").strip() == repo.head()
    assert run_git(remote, "cat-file", "-t", "v0.2.0").strip() == "tag"
    assert run_git(remote, "rev-parse", "v0.2.0^{commit}").strip() == repo.head()
    assert repo.git("rev-parse", "origin/main") == repo.head()
    # a second run has nothing to do and says so
    again = invoke(str(repo.path))
    assert again.exit_code == 0 and "nothing to release" in again.stdout


def test_second_release_adds_section_on_top_with_links(tmp_path: Path) -> None:
    repo, _ = published(tmp_path, "chore: init", Tag("v0.1.0"), "feat: one")
    configure(repo, 'repository_url = "https://gitlab.example.com/ds/demo"')
    run_git(repo.path, "push", "-q", "origin", "main")
    assert invoke(str(repo.path)).exit_code == 0
    repo.commit("fix: two")
    assert invoke(str(repo.path)).exit_code == 0
    text = (repo.path / "CHANGELOG.md").read_text()
    assert text.index("## [0.2.1]") < text.index("## [0.2.0]")
    assert "[0.2.1]: https://gitlab.example.com/ds/demo/-/compare/v0.2.0...v0.2.1" in text
    assert "[0.2.0]: https://gitlab.example.com/ds/demo/-/compare/v0.1.0...v0.2.0" in text
    assert "/-/commit/" in text


def test_dry_run_prints_the_plan_and_changes_nothing(tmp_path: Path) -> None:
    repo, remote = published(tmp_path, "chore: init", Tag("v1.0.0"), "feat!: new api")
    before, remote_before = snapshot(repo), remote_refs(remote)
    result = invoke(str(repo.path), "--dry-run")
    assert result.exit_code == 0, result.stderr
    for expected in (
        "version:  2.0.0",
        "tag:      v2.0.0",
        "git push --atomic origin HEAD:main v2.0.0",
        "pyproject.toml, demo/__init__.py, CHANGELOG.md",
        "### Breaking changes",
    ):
        assert expected in result.stdout
    assert snapshot(repo) == before and remote_refs(remote) == remote_before
    as_json = json.loads(invoke("--dry-run", str(repo.path), "--format", "json").stdout)
    assert as_json["released"] is False and as_json["files"] == [
        "pyproject.toml",
        "demo/__init__.py",
        "CHANGELOG.md",
    ]


REFUSE = "#!/bin/sh\necho 'refused: releases need approval' >&2\nexit 1\n"


def test_push_rejected_by_remote_leaves_everything_as_it_was(tmp_path: Path) -> None:
    repo, remote = published(tmp_path, "chore: init", Tag("v1.0.0"), "fix: a", hook=REFUSE)
    before, remote_before = snapshot(repo), remote_refs(remote)
    result = invoke(str(repo.path))
    assert result.exit_code == 3
    assert "refused: releases need approval" in result.stderr
    assert "nothing was changed" in result.stderr
    assert snapshot(repo) == before
    assert remote_refs(remote) == remote_before
    assert not (repo.path / "CHANGELOG.md").exists()
    (remote / "hooks" / "pre-receive").unlink()
    retry = invoke(str(repo.path))
    assert retry.exit_code == 0, retry.stderr
    assert run_git(remote, "cat-file", "-t", "v1.0.1").strip() == "tag"


def test_push_killed_mid_way_leaves_nothing_half_done(tmp_path: Path) -> None:
    marker = tmp_path / "hook-started"
    hook = f"#!/bin/sh\ntouch {marker}\nsleep 60\n"
    repo, remote = published(tmp_path, "chore: init", Tag("v1.0.0"), "feat: a", hook=hook)
    before, remote_before = snapshot(repo), remote_refs(remote)
    code = "from pipelinekit.release.cli import release; release(['.'])"
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=repo.path,
        env={**os.environ, **GIT_ENV},
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the push never reached the remote's hook"
    os.killpg(proc.pid, signal.SIGKILL)  # like a cancelled CI job: the whole process group
    proc.wait(timeout=10)
    time.sleep(0.2)
    assert snapshot(repo) == before
    assert remote_refs(remote) == remote_before
    (remote / "hooks" / "pre-receive").unlink()
    retry = invoke(str(repo.path))
    assert retry.exit_code == 0, retry.stderr
    assert repo.git("describe", "--exact-match") == "v1.1.0"
    assert run_git(remote, "rev-parse", "main").strip() == repo.head()


def test_unreachable_remote_is_exit_3_and_token_is_redacted(tmp_path: Path) -> None:
    repo, _ = published(tmp_path, "chore: init", Tag("v1.0.0"), "fix: a")
    repo.git("remote", "set-url", "origin", "https://ci:s3cr3t-t0ken@127.0.0.1:9/ds/demo.git")
    before = snapshot(repo)
    result = invoke(str(repo.path))
    assert result.exit_code == 3
    assert "s3cr3t-t0ken" not in result.stderr + result.stdout
    assert snapshot(repo) == before


def test_detached_ci_checkout_releases_to_the_named_branch(tmp_path: Path) -> None:
    _, remote = published(tmp_path, "chore: init", Tag("v1.0.0"), "perf: faster")
    ci = clone(remote, tmp_path / "ci")
    ci.git("checkout", "-q", "--detach", "origin/main")
    result = invoke(str(ci.path), "--branch", "main")
    assert result.exit_code == 0, result.stderr
    assert run_git(remote, "rev-parse", "main").strip() == ci.head()
    assert ci.git("describe", "--exact-match") == "v1.0.1"
    assert ci.status() == ""


def test_detached_head_with_commits_not_on_the_branch_is_refused(tmp_path: Path) -> None:
    """A feature commit checked out detached, released with `--branch main`, must not reach
    main: only the branch's own tip may be released from a detached CI checkout."""
    _, remote = published(tmp_path, "chore: init", Tag("v1.0.0"), "perf: faster")
    ci = clone(remote, tmp_path / "ci")
    ci.git("checkout", "-q", "-b", "feature/x")
    ci.commit("feat: unreviewed")
    ci.git("checkout", "-q", "--detach")
    before = run_git(remote, "rev-parse", "main").strip()
    result = invoke(str(ci.path), "--branch", "main")
    assert result.exit_code == 2
    assert "1 commit(s) that are not on `origin/main`" in result.stderr
    assert run_git(remote, "rev-parse", "main").strip() == before
    assert run_git(remote, "tag", "--list").split() == ["v1.0.0"]


def test_behind_remote_is_refused_with_the_fix(tmp_path: Path) -> None:
    repo, remote = published(tmp_path, "chore: init", Tag("v1.0.0"), "fix: a")
    other = clone(remote, tmp_path / "other")
    other.commit("feat: pushed meanwhile")
    other.git("push", "-q", "origin", "main")
    result = invoke(str(repo.path))
    assert result.exit_code == 2
    assert "1 commit(s) behind `origin/main`" in result.stderr
    assert "git pull --ff-only origin main" in result.stderr


def test_dirty_tree_is_refused(tmp_path: Path) -> None:
    repo, _ = published(tmp_path, "chore: init", Tag("v1.0.0"), "fix: a")
    (repo.path / "pyproject.toml").write_text("[project]\nname='x'\nversion='9'\n")
    result = invoke(str(repo.path))
    assert result.exit_code == 2 and "uncommitted changes (pyproject.toml)" in result.stderr


def test_missing_identity_is_a_clear_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, _ = published(tmp_path, "chore: init", Tag("v1.0.0"), "fix: a")
    before = snapshot(repo)
    monkeypatch.setenv("GIT_COMMITTER_NAME", "")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "")
    result = invoke(str(repo.path))
    assert result.exit_code == 2
    assert "git has no identity" in result.stderr
    assert snapshot(repo) == before


def test_no_remote_to_push_to(tmp_path: Path) -> None:
    from .gitfactory import linear

    linear(tmp_path, "chore: init", "feat: a")
    result = invoke(str(tmp_path))
    assert result.exit_code == 2 and "No git remote `origin`" in result.stderr


def test_require_conventional_refuses_noise(tmp_path: Path) -> None:
    repo, _ = published(tmp_path, "chore: init", Tag("v1.0.0"), "feat: a", "oops")
    configure(repo, "require_conventional = true")
    result = invoke(str(repo.path), "--dry-run")
    assert result.exit_code == 1
    assert "'oops'" in result.stderr and "require_conventional" in result.stderr


def test_no_identity_at_all_gets_the_whole_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hunt #14: with no user.name/email anywhere (a CI container), git's "Please tell me who
    you are" came before the 4 lines an error keeps, so the raw, truncated git text was shown
    instead of what to set. `user.useConfigOnly` makes git refuse to guess from the host name,
    as it does in a container whose host name has no domain."""
    repo, remote = published(tmp_path, "chore: init", Tag("v1.0.0"), "fix: a")
    before, remote_before = snapshot(repo), remote_refs(remote)
    for name in ("AUTHOR", "COMMITTER"):
        monkeypatch.delenv(f"GIT_{name}_NAME")
        monkeypatch.delenv(f"GIT_{name}_EMAIL")
    monkeypatch.delenv("EMAIL", raising=False)
    repo.git("config", "user.useConfigOnly", "true")
    result = invoke(str(repo.path))
    assert result.exit_code == 2
    assert result.stderr.startswith("git has no identity for the release commit and tag.")
    assert "git config user.email" in result.stderr and "Omit --global" not in result.stderr
    assert snapshot(repo) == before and remote_refs(remote) == remote_before


RACE = """#!/bin/sh
# Another push wins the race: main moves while this push is being received.
unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
git update-ref refs/heads/main "$(git rev-parse refs/heads/main~1)"
"""


def test_lost_push_race_is_named_as_such(tmp_path: Path) -> None:
    """Was: exit 3 "Check the remote URL, network access and push rights"."""
    repo, remote = published(tmp_path, "chore: init", Tag("v1.0.0"), "fix: a", hook=RACE)
    before = snapshot(repo)
    result = invoke(str(repo.path))
    assert result.exit_code == 3
    assert "the remote moved meanwhile" in result.stderr
    assert "push rights" not in result.stderr
    assert snapshot(repo) == before
    assert run_git(remote, "tag", "--list").split() == ["v1.0.0"]
