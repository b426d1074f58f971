"""Sentry releases against a loopback stand-in shaped like Sentry's documented releases,
commits and deploys API (tests/metrics/sentry_standin.py; no Sentry server can run here)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelinekit.config.models import parse_config
from pipelinekit.errors import ExternalError, UsageError
from pipelinekit.metrics.sentry import SentryClient
from pipelinekit.metrics.sentry_release import announce_tag
from pipelinekit.metrics.settings import SentryConfig
from pipelinekit.util.http import make_session
from tests.metrics.sentry_standin import SentryState, sentry_standin

TOKEN = "sntrys_0123456789abcdef-token"


@pytest.fixture
def sentry() -> Iterator[tuple[str, SentryState]]:
    with sentry_standin(TOKEN) as served:
        yield served


def settings(url: str, **extra: object) -> SentryConfig:
    return SentryConfig(org="acme", project="demo", url=url, **extra)  # type: ignore[arg-type]


def client(url: str, token: str = TOKEN) -> SentryClient:
    return SentryClient(url, "acme", token, timeout=5, session=make_session(retries=2, backoff=0))


def announce(edge_repo: Path, url: str, tag: str = "v1.1.0", **extra: object) -> list[str]:
    done = announce_tag(
        edge_repo, "v{version}", tag, settings(url, **extra), {"SENTRY_AUTH_TOKEN": TOKEN},
        client=client(url),
    )  # fmt: skip
    return list(done.steps)


def test_release_is_created_with_commits_finalized_and_deployed(
    edge_repo: Path, sentry: tuple[str, SentryState]
) -> None:
    url, state = sentry
    steps = announce(edge_repo, url, repository="acme/demo")
    assert steps == ["created", "3 commits", "finalized", "deploy to production recorded"]
    assert state.methods() == ["GET", "POST", "PUT", "PUT", "GET", "POST"]
    release = state.releases["1.1.0"]
    assert release["projects"] == [{"slug": "demo", "name": "demo"}]
    assert release["dateReleased"] == "2024-01-07T23:00:00Z"  # the tag's time, not now
    commits = {c["message"]: c for c in release["commits"]}
    assert sorted(commits) == ["docs: e", "feat: c", "feat: d"]
    assert commits["feat: c"]["timestamp"] == "2024-01-05T00:00:00Z"
    assert commits["feat: c"]["author_email"] == "ann@example.com"
    assert commits["feat: c"]["repository"] == "acme/demo" and len(commits["feat: c"]["id"]) == 40
    assert state.deploys["1.1.0"][0]["environment"] == "production"


def test_re_running_creates_nothing_twice(edge_repo: Path, sentry: tuple[str, SentryState]) -> None:
    url, state = sentry
    announce(edge_repo, url)
    state.requests.clear()
    steps = announce(edge_repo, url)
    assert steps == ["exists", "3 commits", "deploy to production already recorded"]
    assert "POST" not in state.methods()
    assert len(state.deploys["1.1.0"]) == 1


def test_release_name_and_a_release_without_commits(
    edge_repo: Path, sentry: tuple[str, SentryState]
) -> None:
    url, state = sentry
    steps = announce(edge_repo, url, "v1.1.1", release_name="demo@{version}", environment="prod")
    assert steps == ["created", "finalized", "deploy to prod recorded"]
    assert "demo@1.1.1" in state.releases
    assert any("/releases/demo%401.1.1/" in path for _, path, _ in state.requests)


def test_idempotent_calls_are_retried_and_posts_are_not(
    edge_repo: Path, sentry: tuple[str, SentryState]
) -> None:
    url, state = sentry
    state.faults += [("GET", 503), ("PUT", 502)]
    assert announce(edge_repo, url)[0] == "created"
    assert state.methods()[:2] == ["GET", "GET"] and state.methods().count("PUT") == 3
    state.requests.clear()
    state.faults.append(("POST", 503))
    with pytest.raises(ExternalError, match=r"HTTP 503"):
        announce(edge_repo, url, "v1.1.2")
    assert state.methods().count("POST") == 1


def test_a_lost_answer_to_a_write_is_healed_by_a_re_run(
    edge_repo: Path, sentry: tuple[str, SentryState]
) -> None:
    """Sentry created the release but the answer was lost: the re-run reads it back."""
    url, state = sentry
    state.answer_after.append(("POST", 503))
    with pytest.raises(ExternalError):
        announce(edge_repo, url)
    assert announce(edge_repo, url)[0] == "exists"
    assert len(state.releases) == 1 and len(state.deploys["1.1.0"]) == 1


def test_a_refused_token_is_exit_3_and_never_printed(
    edge_repo: Path, sentry: tuple[str, SentryState]
) -> None:
    url, _ = sentry
    wrong = "sntrys_wrong-token-0000000000"
    with pytest.raises(ExternalError) as raised:
        announce_tag(edge_repo, "v{version}", "v1.1.0", settings(url), {"SENTRY_AUTH_TOKEN": wrong},
                     client=client(url, wrong))  # fmt: skip
    assert raised.value.exit_code == 3 and "SENTRY_AUTH_TOKEN" in raised.value.message
    assert wrong not in raised.value.message


def test_unreachable_sentry_and_unknown_org(
    edge_repo: Path, sentry: tuple[str, SentryState]
) -> None:
    url, _ = sentry
    from tests.support.pushgateway import free_port

    down = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ExternalError, match="did not answer GET"):
        announce(edge_repo, down)
    other = SentryClient(url, "nobody", TOKEN, session=make_session(0, 0))
    assert other.release("1.0.0") is None
    with pytest.raises(ExternalError, match="HTTP 404"):
        other.create_release("1.0.0", "demo", "abc")


def test_token_and_tag_are_checked_before_anything(edge_repo: Path) -> None:
    with pytest.raises(UsageError, match="SENTRY_AUTH_TOKEN is not set"):
        announce_tag(edge_repo, "v{version}", "v1.1.0", settings("http://127.0.0.1:9"), {})
    with pytest.raises(UsageError, match="not a stable release tag"):
        announce_tag(edge_repo, "v{version}", "v1.1.0-rc.1", settings("http://127.0.0.1:9"),
                     {"SENTRY_AUTH_TOKEN": TOKEN})  # fmt: skip


def test_config_validation() -> None:
    from pipelinekit.errors import ConfigError

    with pytest.raises(ConfigError, match="set both `org` and `project`"):
        parse_config({"sentry": {"org": "acme"}}, source="pyproject.toml")
    with pytest.raises(ConfigError, match="release_name"):
        parse_config({"sentry": {"org": "a", "project": "b", "release_name": "x"}}, source="p")
    with pytest.raises(ConfigError, match="pushgateway"):
        parse_config({"metrics": {"pushgateway": "gateway:9091"}}, source="p")
    assert parse_config({"sentry": {"org": "a", "project": "b"}}, source="p").sentry.configured


def test_docker_job_records_a_deploy_of_a_release_image(
    edge_repo: Path, sentry: tuple[str, SentryState]
) -> None:
    from pipelinekit.detect.repo import detect
    from pipelinekit.stages.base import StageContext
    from pipelinekit.stages.docker import _sentry

    url, state = sentry
    config = parse_config(
        {"sentry": {"org": "acme", "project": "demo", "url": url, "docker": True}}, source="p"
    )
    env = {"CI_COMMIT_TAG": "v1.1.2", "SENTRY_AUTH_TOKEN": TOKEN}
    ctx = StageContext(project_dir=edge_repo, facts=detect(edge_repo), config=config, env=env)
    note = _sentry(ctx, "registry.example.com/demo", "sha256:abc")
    assert note == "sentry: release 1.1.2: created, 1 commits, finalized, deploy to image recorded"
    assert state.deploys["1.1.2"][0]["name"] == "registry.example.com/demo@sha256:abc"
    branch_build = StageContext(
        project_dir=edge_repo, facts=ctx.facts, config=config, env={"SENTRY_AUTH_TOKEN": TOKEN}
    )
    assert _sentry(branch_build, "registry.example.com/demo", "sha256:abc") is None
