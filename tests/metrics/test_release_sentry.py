"""The release job's Sentry step and `release sentry`, end to end: a real git repository with
a bare origin, against the loopback stand-in shaped like Sentry's documented releases API
(tests/metrics/sentry_standin.py; no Sentry server can run here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.metrics.sentry_standin import sentry_standin
from tests.metrics.test_sentry import TOKEN
from tests.release.conftest import invoke, isolated_git  # noqa: F401 (autouse: git isolated)
from tests.release.gitfactory import Repo, Tag, published


@pytest.fixture(autouse=True)
def no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SENTRY_AUTH_TOKEN", raising=False)


def with_sentry(tmp_path: Path, url: str) -> Repo:
    repo, _ = published(tmp_path, "chore: init", Tag("v0.1.0"), "feat: parquet", "fix: typo")
    pyproject = repo.path / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + f'\n[tool.pipelinekit.sentry]\norg = "acme"\nproject = "demo"\nurl = "{url}"\n'
    )
    repo.commit("chore: report releases to sentry", {"pyproject.toml": pyproject.read_text()})
    repo.git("push", "-q", "origin", "main")
    return repo


def test_release_job_announces_the_release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with sentry_standin(TOKEN) as (url, state):
        repo = with_sentry(tmp_path, url)
        monkeypatch.setenv("SENTRY_AUTH_TOKEN", TOKEN)
        result = invoke(str(repo.path), "--format", "json")
        assert result.exit_code == 0, result.stderr
        data = json.loads(result.stdout)
        assert data["tag"] == "v0.2.0" and data["sentry"]["release"] == "0.2.0"
        release = state.releases["0.2.0"]
        subjects = sorted(c["message"] for c in release["commits"])
        assert subjects == ["chore(release): 0.2.0", "chore: report releases to sentry",
                            "feat: parquet", "fix: typo"]  # fmt: skip
        assert release["ref"] == repo.head() and release["dateReleased"]
        assert [d["environment"] for d in state.deploys["0.2.0"]] == ["production"]
        assert TOKEN not in result.stdout + result.stderr
        again = invoke("sentry", "v0.2.0", "--path", str(repo.path))
        assert again.exit_code == 0, again.stderr
        assert "deploy to production already recorded" in again.stdout
        # no TAG argument: the version tag on HEAD (the release commit)
        staging = invoke("sentry", "--path", str(repo.path), "--environment", "staging",
                         "--format", "json")  # fmt: skip
        assert staging.exit_code == 0, staging.stderr
        assert json.loads(staging.stdout)["steps"][-1] == "deploy to staging recorded"
        assert [d["environment"] for d in state.deploys["0.2.0"]] == ["production", "staging"]


def test_missing_token_stops_the_release_before_anything(tmp_path: Path) -> None:
    with sentry_standin(TOKEN) as (url, state):
        repo = with_sentry(tmp_path, url)
        head = repo.head()
        result = invoke(str(repo.path))
        assert result.exit_code == 2 and "SENTRY_AUTH_TOKEN is not set" in result.stderr
        assert repo.head() == head and "v0.2.0" not in repo.tags() and state.requests == []


def test_sentry_down_after_the_push_names_the_command_that_completes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with sentry_standin(TOKEN) as (url, state):
        repo = with_sentry(tmp_path, url)
        monkeypatch.setenv("SENTRY_AUTH_TOKEN", TOKEN)
        state.faults += [("GET", 503)] * 4
        result = invoke(str(repo.path))
        assert result.exit_code == 3
        assert "v0.2.0 was released and pushed" in result.stderr
        assert "pipelinekit release sentry v0.2.0" in result.stderr
        assert invoke("sentry", "v0.2.0", "--path", str(repo.path)).exit_code == 0
        assert "0.2.0" in state.releases


def test_release_sentry_without_configuration_is_exit_2(tmp_path: Path) -> None:
    repo, _ = published(tmp_path, "chore: init", Tag("v0.1.0"))
    result = invoke("sentry", "v0.1.0", "--path", str(repo.path))
    assert result.exit_code == 2 and "Sentry is not configured" in result.stderr
