"""Versions a release never makes: a prerelease of a version already released (hunt #2), one
below the version in the files (hunt #6), one that counts a build-metadata tag (hunt #9)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import invoke
from .gitfactory import BASE_TIME, PYPROJECT, Repo, Tag, published, run_git

DAY = 86_400


def bump_files(repo: Repo, pep440: str) -> None:
    repo.commit(
        f"chore(release): {pep440}",
        {
            "pyproject.toml": PYPROJECT.format(version=pep440),
            "demo/__init__.py": f'"""Demo."""\n\n__version__ = "{pep440}"\n',
        },
    )


def _final_released_after_beta(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Repo, Path]:
    """v1.1.0-beta.1 on develop, develop merged into main and released as v1.1.0, then a new
    feature on develop (which does not contain main's release commit). Each step is a day
    later (tags order by their date, and a test runs within one second)."""
    repo, remote = published(tmp_path, "chore: init", Tag("v1.0.0"))
    monkeypatch.setenv("GIT_COMMITTER_DATE", f"{BASE_TIME + DAY} +0000")
    repo.git("checkout", "-q", "-b", "develop")
    repo.commit("feat: a")
    repo.git("push", "-q", "-u", "origin", "develop")
    assert invoke(str(repo.path)).exit_code == 0  # v1.1.0-beta.1
    monkeypatch.setenv("GIT_COMMITTER_DATE", f"{BASE_TIME + 2 * DAY} +0000")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "develop", "-m", "Merge branch 'develop'")
    repo.git("push", "-q", "origin", "main")
    assert invoke(str(repo.path)).exit_code == 0  # v1.1.0
    monkeypatch.setenv("GIT_COMMITTER_DATE", f"{BASE_TIME + 3 * DAY} +0000")
    repo.git("checkout", "-q", "develop")
    repo.commit("feat: b")
    repo.git("push", "-q", "origin", "develop")
    return repo, remote


def _refused_by_next_dry_run_and_release(repo: Repo, remote: Path, *needles: str) -> None:
    """`next`, the dry run and the release all exit 2 saying `needles`; the remote is untouched."""
    before = run_git(remote, "for-each-ref")
    for args in (("next",), ("--dry-run",), ()):
        result = invoke(*args, str(repo.path))
        assert result.exit_code == 2, (args, result.stdout)
        for needle in needles:
            assert needle in result.stderr, (args, result.stderr)
    assert run_git(remote, "for-each-ref") == before


def test_no_prerelease_of_a_version_already_released(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: develop went on to 1.1.0-beta.2, which sorts before the released 1.1.0."""
    repo, remote = _final_released_after_beta(tmp_path, monkeypatch)
    _refused_by_next_dry_run_and_release(
        repo, remote, "1.1.0 was already released (v1.1.0)", "git merge v1.1.0"
    )
    repo.git("merge", "-q", "--no-edit", "v1.1.0")  # the fix the message gives
    assert invoke("next", str(repo.path)).stdout.strip() == "1.2.0-beta.1"


def test_verify_rejects_a_prerelease_made_after_its_final_release(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, _ = _final_released_after_beta(tmp_path, monkeypatch)
    bump_files(repo, "1.1.0b2")
    repo.tag("v1.1.0-beta.2")
    result = invoke("verify", "v1.1.0-beta.2", "--path", str(repo.path))
    assert result.exit_code == 1
    assert "v1.1.0 was released before this prerelease of it" in result.stdout
    # the beta made before the final release is still a good tag
    assert invoke("verify", "v1.1.0-beta.1", "--path", str(repo.path)).exit_code == 0


def test_release_never_lowers_the_version_in_the_files(tmp_path: Path) -> None:
    """Before: tag v1.0.0 with pyproject 2.3.0 released 1.0.1 into the files, silently."""
    repo, remote = published(tmp_path, "chore: init", Tag("v1.0.0"))
    bump_files(repo, "2.3.0")
    repo.commit("fix: x")
    repo.git("push", "-q", "origin", "main")
    _refused_by_next_dry_run_and_release(
        repo,
        remote,
        "computes 1.0.1, below the 2.3.0 in pyproject.toml:project.version",
        "git tag -a v2.3.0 <commit> && git push origin v2.3.0",
    )
    assert 'version = "2.3.0"' in (repo.path / "pyproject.toml").read_text()


def test_first_release_below_the_files_names_initial_version(tmp_path: Path) -> None:
    """Before: no tags and pyproject 1.4.0 gave `release next` 0.1.0."""
    repo, _ = published(tmp_path, "chore: init")
    bump_files(repo, "1.4.0")
    repo.commit("feat: x")
    result = invoke("next", str(repo.path))
    assert result.exit_code == 2
    assert "computes 0.1.0, below the 1.4.0" in result.stderr
    assert 'initial_version = "1.4.0"' in result.stderr
    text = (repo.path / "pyproject.toml").read_text()
    config = text + '\n[tool.pipelinekit.release]\ninitial_version = "1.4.0"\n'
    repo.commit("chore: adopt", {"pyproject.toml": config})
    assert invoke("next", str(repo.path)).stdout.strip() == "1.5.0"


def test_first_prerelease_of_the_version_in_the_files_is_no_step_back(tmp_path: Path) -> None:
    repo, _ = published(tmp_path, "chore: init", "feat: a")  # files say 0.1.0, never released
    repo.git("checkout", "-q", "-b", "develop")
    assert invoke("next", str(repo.path)).stdout.strip() == "0.1.0-beta.1"


def test_build_metadata_tags_are_not_releases(tmp_path: Path) -> None:
    """Before: `v1.1.0+build.7` counted as the 1.1.0 release, so 1.1.0 was never released and
    the next fix came out as 1.1.1, while verify rejected that same tag."""
    repo, _ = published(tmp_path, "chore: init", Tag("v1.0.0"), "feat: x")
    repo.tag("v1.1.0+build.7")
    repo.git("push", "-q", "origin", "v1.1.0+build.7")
    data = json.loads(invoke("next", str(repo.path), "--format", "json").stdout)
    assert data["version"] == "1.1.0" and data["previous_tag"] == "v1.0.0"
    assert any("v1.1.0+build.7" in n and "ignored" in n for n in data["notes"])
    plan = invoke(str(repo.path), "--dry-run")
    assert "bump:     minor from v1.0.0" in plan.stdout
    assert "v1.1.0+build.7" in plan.stdout  # the note
    verify = invoke("verify", "v1.1.0+build.7", "--path", str(repo.path))
    assert verify.exit_code == 1
    assert "carries build metadata (+build.7)" in verify.stdout


def test_version_like_tags_of_another_format_are_noted(tmp_path: Path) -> None:
    repo, _ = published(tmp_path, "chore: init", Tag("v1.0.0"), "fix: a", Tag("1.5.0"), "fix: b")
    data = json.loads(invoke("next", str(repo.path), "--format", "json").stdout)
    assert data["version"] == "1.0.1"
    assert any("1.5.0" in n and "tag_format 'v{version}'" in n for n in data["notes"])
