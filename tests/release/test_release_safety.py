"""CI clones: shallow, tagless, detached, behind, dirty. Repaired when config allows, else
exit 2 with the exact fix; never a version guessed from a partial history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelinekit.errors import ExternalError, UsageError
from pipelinekit.release.plan import Repo as ReleaseRepo
from pipelinekit.release.plan import next_for
from pipelinekit.release.settings import ReleaseConfig

from .conftest import invoke
from .gitfactory import Tag, clone, conventional_history, linear


@pytest.fixture
def source(tmp_path: Path) -> tuple[Path, str]:
    """A history whose last release is 120 commits back, and the version its full clone gets."""
    history, _ = conventional_history(180, tag_every=60)
    for i in range(120):
        history.commit("fix: late fix" if i == 7 else f"docs: note {i}")
    path = history.write(tmp_path / "source")
    expected = invoke("next", str(path)).stdout.strip()
    assert expected
    return path, expected


@pytest.mark.parametrize("depth", ["1", "50"])
def test_shallow_clone_is_deepened_and_gets_the_right_version(
    tmp_path: Path, source: tuple[Path, str], depth: str
) -> None:
    path, expected = source
    repo = clone(path, tmp_path / "ci", "--depth", depth)
    assert repo.git("rev-parse", "--is-shallow-repository") == "true"
    result = invoke("next", str(repo.path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["version"] == expected
    assert any("unshallow" in n for n in data["notes"])
    assert repo.git("rev-parse", "--is-shallow-repository") == "false"


def test_shallow_clone_without_permission_stops_with_the_fix(
    tmp_path: Path, source: tuple[Path, str]
) -> None:
    path, _ = source
    repo = clone(path, tmp_path / "ci", "--depth", "50")
    with (repo.path / "pyproject.toml").open("a") as fh:
        fh.write("\n[tool.pipelinekit.release]\nallow_unshallow = false\n")
    result = invoke("next", str(repo.path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "shallow" in result.stderr and "git fetch --unshallow --tags origin" in result.stderr
    assert "GIT_DEPTH: 0" in result.stderr


def test_shallow_clone_without_remote_cannot_be_deepened(
    tmp_path: Path, source: tuple[Path, str]
) -> None:
    path, _ = source
    repo = clone(path, tmp_path / "ci", "--depth", "5")
    repo.git("remote", "remove", "origin")
    with pytest.raises(UsageError, match="no remote `origin`"):
        next_for(ReleaseRepo.open(repo.path, ReleaseConfig()), None)


def test_tagless_clone_fetches_tags_instead_of_restarting_at_zero(
    tmp_path: Path, source: tuple[Path, str]
) -> None:
    path, expected = source
    repo = clone(path, tmp_path / "ci", "--no-tags")
    assert repo.tags() == []
    result = invoke("next", str(repo.path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["version"] == expected
    assert any("missing release tag" in n for n in data["notes"])


def test_tagless_clone_without_permission_stops_with_the_fix(
    tmp_path: Path, source: tuple[Path, str]
) -> None:
    path, _ = source
    repo = clone(path, tmp_path / "ci", "--no-tags")
    with pytest.raises(UsageError) as err:
        next_for(ReleaseRepo.open(repo.path, ReleaseConfig(allow_fetch=False)), None)
    assert "git fetch --tags origin" in err.value.message


def test_tagless_clone_with_unreachable_remote_is_exit_3(
    tmp_path: Path, source: tuple[Path, str]
) -> None:
    path, _ = source
    repo = clone(path, tmp_path / "ci", "--no-tags")
    repo.git("remote", "set-url", "origin", str(tmp_path / "gone.git"))
    with pytest.raises(ExternalError) as err:
        next_for(ReleaseRepo.open(repo.path, ReleaseConfig()), None)
    assert err.value.exit_code == 3
    assert "ls-remote" in err.value.message


def test_project_that_never_released_is_not_mistaken_for_a_tagless_clone(tmp_path: Path) -> None:
    linear(tmp_path / "src", "chore: init", "feat: first")
    repo = clone(tmp_path / "src", tmp_path / "ci")
    assert invoke("next", str(repo.path)).stdout.strip() == "0.1.0"


def test_detached_head_needs_a_branch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = linear(tmp_path, "chore: init", Tag("v1.0.0"), "feat: a")
    repo.git("checkout", "-q", "--detach")
    result = invoke("next", str(tmp_path))
    assert result.exit_code == 2
    assert "detached" in result.stderr and "--branch" in result.stderr
    assert invoke("next", str(tmp_path), "--branch", "develop").stdout.strip() == "1.1.0-beta.1"
    monkeypatch.setenv("CI_COMMIT_BRANCH", "main")
    assert invoke("next", str(tmp_path)).stdout.strip() == "1.1.0"


def test_branch_option_must_match_checked_out_branch(tmp_path: Path) -> None:
    linear(tmp_path, "chore: init", "feat: a")
    result = invoke("next", str(tmp_path), "--branch", "develop")
    assert result.exit_code == 2
    assert "`main` is checked out" in result.stderr
