"""Register settings, repo facts and the doctor's server checks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import responses

from pipelinekit.doctor import doctor_servers
from pipelinekit.errors import ConfigError
from pipelinekit.register.load import load_register_settings
from pipelinekit.register.project import origin_url, project_name, project_path_from_remote
from pipelinekit.register.settings import RegisterConfig, parse_register
from tests.register.conftest import GITLAB_TOKEN, TOKEN
from tests.register.fake_jenkins import FakeJenkins


def test_defaults_and_overrides(make_repo: Callable[..., Path]) -> None:
    repo = make_repo(
        "churn",
        '[tool.pipelinekit.ci]\ndefault_branch = "trunk"\n'
        '[tool.pipelinekit.register.jenkins]\nfolder = "a"\n',
    )
    config, settings = load_register_settings(
        repo, {"jenkins": {"job_kind": "multibranch"}, "concurrency": 2}
    )
    assert config.ci.default_branch == "trunk"
    assert settings.jenkins.folder == "a" and settings.jenkins.job_kind == "multibranch"
    assert settings.concurrency == 2 and settings.gitlab.commit_mode == "direct"
    assert load_register_settings(repo.parent / "nothing-here")[1] == RegisterConfig()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"jenkins": {"url": "ftp://x"}}, "must be an http(s) URL"),
        ({"jenkins": {"job_knd": "x"}}, "Did you mean `job_kind`?"),
        ({"gitlab": {"variables": [{"key": "1BAD"}]}}, "letters, digits and underscores"),
        ({"gitlab": {"url": "gitlab"}}, "must be an http(s) URL"),
        ({"concurrency": 0}, "tool.pipelinekit.register.concurrency"),
        ({"nope": {"x": 1}}, "unknown key `tool.pipelinekit.register.nope`"),
        ([], "must be a table"),
    ],
)
def test_invalid_settings_name_the_key(data: object, message: str) -> None:
    with pytest.raises(ConfigError, match=None) as info:
        parse_register(data, source="pyproject.toml")
    assert message in info.value.message


def test_project_facts(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.poetry]\nname = "poet"\n')
    assert project_name(tmp_path) == "poet"
    (tmp_path / "pyproject.toml").write_text("[tool.x]\n")
    assert project_name(tmp_path) == tmp_path.name
    assert origin_url(tmp_path) is None
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text('[remote "upstream"]\nurl = x\n')
    assert origin_url(tmp_path) is None
    (tmp_path / ".git" / "config").write_text("not ini [[[")
    assert origin_url(tmp_path) is None


@pytest.mark.parametrize(
    ("remote", "path"),
    [
        ("git@gitlab.example.com:ds/sub/churn.git", "ds/sub/churn"),
        ("https://gitlab.example.com/ds/churn.git", "ds/churn"),
        ("ssh://git@gitlab.example.com:2222/ds/churn", "ds/churn"),
        ("/local/path", None),
    ],
)
def test_project_path_from_remote(remote: str, path: str | None) -> None:
    assert project_path_from_remote(remote) == path


def test_doctor_all_good(
    jenkins_env: FakeJenkins, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_URL", "https://gitlab.example.com")
    monkeypatch.setenv("GITLAB_TOKEN", GITLAB_TOKEN)
    with responses.RequestsMock() as rsps:
        rsps.add_passthru(jenkins_env.url)
        rsps.get("https://gitlab.example.com/api/v4/version", json={"version": "17.5.0"})
        rsps.get("https://gitlab.example.com/api/v4/user", json={"username": "bot"})
        checks = doctor_servers(tmp_path)
    assert [(c.name, c.status) for c in checks] == [
        ("jenkins reachable", "ok"),
        ("jenkins auth", "ok"),
        ("jenkins plugins", "ok"),
        ("gitlab reachable", "ok"),
        ("gitlab auth", "ok"),
    ]
    assert "Jenkins 2.462.3" in checks[0].detail and "bot" in checks[4].detail


def test_doctor_names_missing_plugins_and_bad_auth(
    jenkins_env: FakeJenkins, make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(
        "mb", '[tool.pipelinekit.register.jenkins]\njob_kind = "multibranch"\nfolder = "x"\n'
    )
    del jenkins_env.state.plugins["warnings-ng"]
    jenkins_env.state.plugins["basic-branch-build-strategies"] = False
    checks = doctor_servers(repo)
    assert checks[2].status == "fail"
    assert "warnings-ng, basic-branch-build-strategies" in checks[2].detail
    assert [c.status for c in checks[3:]] == ["skip"]
    monkeypatch.setenv("JENKINS_TOKEN", "bad-token-value")
    checks = doctor_servers(repo)
    assert checks[1].name == "jenkins auth" and "HTTP 401" in checks[1].detail
    monkeypatch.delenv("JENKINS_USER")
    monkeypatch.delenv("JENKINS_TOKEN")
    jenkins_env.state.users["anonymous"] = ""
    checks = doctor_servers(repo)
    assert checks[1].status == "fail"


def test_doctor_unreachable_and_unset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_repo: Callable[..., Path]
) -> None:
    monkeypatch.setattr("pipelinekit.util.http.BACKOFF_SECONDS", 0.0)
    assert [c.status for c in doctor_servers(tmp_path)] == ["skip", "skip"]
    monkeypatch.setenv("JENKINS_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("GITLAB_URL", "https://gitlab.example.com")
    checks = doctor_servers(tmp_path)
    assert checks[0].status == "fail" and "Cannot reach Jenkins" in checks[0].detail
    assert "GITLAB_TOKEN is not set" in checks[1].detail
    monkeypatch.setenv("GITLAB_TOKEN", GITLAB_TOKEN)
    with responses.RequestsMock() as rsps:
        rsps.get(
            "https://gitlab.example.com/api/v4/version",
            status=401,
            json={"message": "401 Unauthorized"},
        )
        assert "HTTP 401" in doctor_servers(tmp_path)[1].detail
    bad = make_repo("bad", "[tool.pipelinekit.register]\nx = 1\n")
    assert doctor_servers(bad)[0].name == "register settings"
    assert TOKEN not in "".join(c.detail for c in doctor_servers(tmp_path))


@pytest.mark.parametrize(
    "config",
    [
        '[remote "origin"]\n\turl = git@gitlab.example.com:ds/churn.git\n',
        '[core]\n\tbare = false\n[Remote "origin"]\n  URL=https://h/x.git ; comment\n',
        '[remote "upstream"]\n\turl = wrong\n[remote "origin"]\n\turl = "https://h/a b.git"\n',
        '[remote "Origin"]\n\turl = not-this\n[remote "origin"]\n\tfetch = x\n\turl = y # c\n',
        "[remote.origin]\n\turl = legacy\n",
        '[remote "origin"]\n\turl = first\n\turl = second\n',
        '# comment\n[remote "origin"] ; trailing\n\turl = "q\\"uote"\n',
        '[remote "origin"]\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n',
        '[remote "origin"] url = same-line\n',
        '[remote "origin"]\n\turl = abc\\\ndef\n',
        '[remote "origin"]\n\turl = a\\tb  c\td \n',
        '[remote "origin"]\n\turl = "x "\n',
        '\ufeff[remote "origin"]\n\turl = bom\n',
        '[remote "origin"]\r\n\turl = crlf\r\n',
        '[remote "origin"]\n\turl = a\x1cb\n',
        '[remote "origin"]\n\turl\n\turl = second\n',
        '[remote "origin"]\n\turl = ; only a comment\n\turl = second\n',
        '[remote "origin"]\n\tpushurl = p\n\turl = u # \\\n',
    ],
)
def test_origin_url_reads_git_config_as_git_does(tmp_path: Path, config: str) -> None:
    """Compared with real git's answer for the same file (its first url is the fetch url)."""
    import subprocess

    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text(config)
    git = subprocess.run(
        [
            "git",
            "config",
            "--file",
            str(tmp_path / ".git" / "config"),
            "--get-all",
            "remote.origin.url",
        ],
        capture_output=True,
        text=True,
    )
    first = git.stdout.split("\n")[0] if git.returncode == 0 else ""
    assert origin_url(tmp_path) == (first or None)  # an empty url is no url
