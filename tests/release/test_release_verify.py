"""`release verify` in the tag pipeline: format, annotated, policy version, version files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import invoke
from .gitfactory import PYPROJECT, Repo, Tag, clone, linear, published


def released(tmp_path: Path, *items: str | Tag) -> tuple[Repo, Path]:
    repo, remote = published(tmp_path, *items)
    result = invoke(str(repo.path))
    assert result.exit_code == 0, result.stderr
    return repo, remote


def bump_files(repo: Repo, version: str) -> None:
    repo.commit(
        f"chore(release): {version}",
        {
            "pyproject.toml": PYPROJECT.format(version=version),
            "demo/__init__.py": f'"""Demo."""\n\n__version__ = "{version}"\n',
        },
    )


def test_tag_made_by_release_verifies(tmp_path: Path) -> None:
    repo, _ = released(tmp_path, "chore: init", Tag("v0.1.0"), "feat: a")
    result = invoke("verify", "v0.2.0", "--path", str(repo.path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] is True
    assert [c["name"] for c in data["checks"]] == [
        "format",
        "annotated",
        "policy",
        "file pyproject.toml:project.version",
        "file demo/__init__.py:__version__",
    ]


def test_tag_pipeline_on_a_shallow_tag_clone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, remote = released(tmp_path, "chore: init", Tag("v0.1.0"), "fix: a", "docs: b")
    ci = clone(remote, tmp_path / "ci", "--depth", "1", "--branch", "v0.1.1")
    monkeypatch.setenv("CI_COMMIT_TAG", "v0.1.1")
    result = invoke("verify", "--path", str(ci.path))
    assert result.exit_code == 0, result.stderr
    assert "ok   policy: the policy computes 0.1.1" in result.stdout


def test_default_tag_is_the_one_on_head(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo, _ = released(tmp_path, "chore: init", Tag("v0.1.0"), "fix: a")
    monkeypatch.chdir(repo.path)
    assert invoke("verify").exit_code == 0
    repo.commit("docs: after")
    result = invoke("verify")
    assert result.exit_code == 2 and "HEAD carries no version tag" in result.stderr


def test_lightweight_tag_fails(tmp_path: Path) -> None:
    repo = linear(tmp_path, "chore: init", Tag("v0.1.0"), "feat: a")
    bump_files(repo, "0.2.0")
    repo.tag("v0.2.0", annotated=False)
    result = invoke("verify", "v0.2.0", "--path", str(repo.path))
    assert result.exit_code == 1
    assert "FAIL annotated: lightweight tag" in result.stdout
    assert "ok   policy" in result.stdout
    assert "is not a valid release" in result.stderr


def test_hand_made_tag_with_wrong_version_fails(tmp_path: Path) -> None:
    repo = linear(tmp_path, "chore: init", Tag("v0.1.0"), "fix: a")
    bump_files(repo, "1.0.0")
    repo.tag("v1.0.0")
    result = invoke("verify", "v1.0.0", "--path", str(repo.path))
    assert result.exit_code == 1
    assert "the policy computes 0.1.1" in result.stdout and "not 1.0.0" in result.stdout


def test_version_files_disagreeing_with_tag_fail(tmp_path: Path) -> None:
    repo = linear(tmp_path, "chore: init", Tag("v0.1.0"), "feat: a")
    repo.tag("v0.2.0")
    result = invoke("verify", "v0.2.0", "--path", str(repo.path), "--format", "json")
    assert result.exit_code == 1
    failed = [c for c in json.loads(result.stdout)["checks"] if not c["ok"]]
    assert [c["name"] for c in failed] == [
        "file pyproject.toml:project.version",
        "file demo/__init__.py:__version__",
    ]
    assert "= 0.1.0, expected the PEP 440 form of 0.2.0" in failed[0]["detail"]


def test_tag_outside_the_format_fails(tmp_path: Path) -> None:
    repo = linear(tmp_path, "chore: init", Tag("v0.1.0"), "feat: a", Tag("release-0.2.0"))
    result = invoke("verify", "release-0.2.0", "--path", str(repo.path))
    assert result.exit_code == 1
    assert "does not match tag_format 'v{version}'" in result.stdout


def test_unknown_tag_is_usage_error(tmp_path: Path) -> None:
    repo = linear(tmp_path, "chore: init")
    result = invoke("verify", "v9.9.9", "--path", str(repo.path))
    assert result.exit_code == 2 and "no tag v9.9.9" in result.stderr


def test_prereleases_verify_even_after_later_ones_exist(tmp_path: Path) -> None:
    repo, _ = published(tmp_path, "chore: init", Tag("v1.0.0"))
    repo.git("checkout", "-q", "-b", "develop")
    repo.commit("feat: a")
    assert invoke(str(repo.path), "--branch", "develop").exit_code == 0
    repo.commit("fix: b")
    result = invoke(str(repo.path))
    assert result.exit_code == 0, result.stderr
    assert repo.git("tag", "--points-at", "HEAD") == "v1.1.0-beta.2"
    assert (repo.path / "pyproject.toml").read_text().count('version = "1.1.0b2"') == 1
    for tag in ("v1.1.0-beta.1", "v1.1.0-beta.2"):
        result = invoke("verify", tag, "--path", str(repo.path))
        assert result.exit_code == 0, result.stdout + result.stderr
    # a skipped number is not what the policy would make
    repo.commit("fix: c")
    bump_files(repo, "1.1.0b4")
    repo.tag("v1.1.0-beta.4")
    result = invoke("verify", "v1.1.0-beta.4", "--path", str(repo.path))
    assert result.exit_code == 1 and "computes 1.1.0-beta.3" in result.stdout


def test_project_without_version_files_checks_the_rest(tmp_path: Path) -> None:
    repo = Repo.init(tmp_path)
    repo.commit("feat: first")
    repo.tag("v0.1.0")
    result = invoke("verify", "v0.1.0", "--path", str(tmp_path), "--format", "json")
    assert result.exit_code == 0
    assert [c["name"] for c in json.loads(result.stdout)["checks"]] == [
        "format",
        "annotated",
        "policy",
    ]


def test_tag_of_a_tree_is_not_a_release(tmp_path: Path) -> None:
    """Was: a raw `git rev-parse ... ^{commit}` error."""
    repo = linear(tmp_path, "chore: init", Tag("v1.0.0"))
    repo.git("tag", "-a", "v2.0.0", "-m", "a tree", "HEAD^{tree}")
    result = invoke("verify", "v2.0.0", "--path", str(tmp_path))
    assert result.exit_code == 2
    assert "Tag v2.0.0 points to a tree, not a commit" in result.stderr
