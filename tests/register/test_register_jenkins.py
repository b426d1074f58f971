"""`pipelinekit register jenkins` against the stateful fake Jenkins, through python-jenkins."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from pipelinekit.jenkins.client import JenkinsClient
from pipelinekit.util import http
from tests.register.conftest import TOKEN, run_cli
from tests.register.fake_jenkins import FakeJenkins

TEAM = '[tool.pipelinekit.register.jenkins]\nfolder = "ds/team-a"\n'


def writes(fake: FakeJenkins) -> list[str]:
    return [path for method, path, _ in fake.state.log if method == "POST"]


def test_cold_run_creates_folders_then_job(
    jenkins_env: FakeJenkins, make_repo: Callable[..., Path]
) -> None:
    repo = make_repo("churn", TEAM)
    out = run_cli("jenkins", str(repo))
    assert out.code == 0, out.error
    assert "+ folder ds" in out.output and "+ job ds/team-a/churn" in out.output
    assert writes(jenkins_env) == [
        "/createItem?name=ds",
        "/job/ds/createItem?name=team-a",
        "/job/ds/job/team-a/createItem?name=churn",
    ]
    assert jenkins_env.reads() == 2  # crumb + one tree read
    items = jenkins_env.state.items
    assert items["ds"].cls == items["ds/team-a"].cls == "com.cloudbees.hudson.plugins.folder.Folder"
    job = ET.fromstring(items["ds/team-a/churn"].xml)
    assert job.findtext(
        "definition/scm/userRemoteConfigs/hudson.plugins.git.UserRemoteConfig/url"
    ) == ("git@gitlab.example.com:ds/churn.git")


def test_rerun_unchanged_makes_zero_writes(
    jenkins_env: FakeJenkins, make_repo: Callable[..., Path]
) -> None:
    repo = make_repo("churn", TEAM)
    assert run_cli("jenkins", str(repo)).code == 0
    jenkins_env.clear_log()
    out = run_cli("jenkins", str(repo), "--verbose")
    assert out.code == 0
    assert "= job ds/team-a/churn" in out.output
    assert jenkins_env.writes() == 0
    assert [p for _, p, _ in jenkins_env.state.log][-1] == "/job/ds/job/team-a/job/churn/config.xml"


def test_dry_run_changes_nothing(jenkins_env: FakeJenkins, make_repo: Callable[..., Path]) -> None:
    repo = make_repo("churn", TEAM)
    out = run_cli("jenkins", str(repo), "--dry-run", "--format", "json")
    assert out.code == 0
    data = json.loads(out.output)["plans"][0]
    assert [(c["kind"], c["name"], c["action"]) for c in data["changes"]] == [
        ("folder", "ds", "create"),
        ("folder", "ds/team-a", "create"),
        ("job", "ds/team-a/churn", "create"),
    ]
    assert data["dry_run"] is True and jenkins_env.writes() == 0 and not jenkins_env.state.items


def test_settings_change_is_an_update_with_diff(
    jenkins_env: FakeJenkins, make_repo: Callable[..., Path]
) -> None:
    repo = make_repo("churn", TEAM)
    assert run_cli("jenkins", str(repo)).code == 0
    (repo / "pyproject.toml").write_text(
        (repo / "pyproject.toml").read_text() + 'script_path = "ci/Jenkinsfile"\n'
    )
    jenkins_env.clear_log()
    out = run_cli("jenkins", str(repo))
    assert out.code == 0
    assert "~ job ds/team-a/churn" in out.output
    assert "-    <scriptPath>Jenkinsfile</scriptPath>" in out.output
    assert "+    <scriptPath>ci/Jenkinsfile</scriptPath>" in out.output
    assert writes(jenkins_env) == ["/job/ds/job/team-a/job/churn/config.xml"]


def test_drift_is_shown_and_overwritten_only_with_force(
    jenkins_env: FakeJenkins, make_repo: Callable[..., Path]
) -> None:
    repo = make_repo("churn", TEAM)
    assert run_cli("jenkins", str(repo)).code == 0
    item = jenkins_env.state.items["ds/team-a/churn"]
    item.xml = item.xml.replace("<numToKeep>20</numToKeep>", "<numToKeep>500</numToKeep>")
    jenkins_env.clear_log()
    out = run_cli("jenkins", str(repo))
    assert out.code == 1
    assert "! job ds/team-a/churn" in out.output and "--force overwrites it" in out.output
    assert "-        <numToKeep>500</numToKeep>" in out.output
    assert "--force" in out.error and jenkins_env.writes() == 0
    dry = run_cli("jenkins", str(repo), "--dry-run", "--force")
    assert dry.code == 0 and jenkins_env.writes() == 0
    forced = run_cli("jenkins", str(repo), "--force")
    assert forced.code == 0 and jenkins_env.writes() == 1
    assert "<numToKeep>20</numToKeep>" in jenkins_env.state.items["ds/team-a/churn"].xml
    jenkins_env.clear_log()
    assert run_cli("jenkins", str(repo)).code == 0 and jenkins_env.writes() == 0


def test_foreign_job_is_never_touched(
    jenkins_env: FakeJenkins, make_repo: Callable[..., Path]
) -> None:
    hand_made = "<flow-definition><description>made by hand</description></flow-definition>"
    jenkins_env.put("churn", hand_made)
    jenkins_env.put("other", "<project><description>freestyle</description></project>")
    repo = make_repo("churn")
    for flags in ((), ("--force",)):
        out = run_cli("jenkins", str(repo), *flags)
        assert out.code == 1
        assert "x job churn" in out.output and "not managed by pipelinekit" in out.error
    assert jenkins_env.writes() == 0 and jenkins_env.state.items["churn"].xml == hand_made


def test_existing_item_of_another_class_is_foreign(
    jenkins_env: FakeJenkins, make_repo: Callable[..., Path]
) -> None:
    jenkins_env.put("churn", "<project><description>freestyle</description></project>")
    out = run_cli("jenkins", str(make_repo("churn")))
    assert out.code == 1 and "exists as FreeStyleProject" in out.output
    assert jenkins_env.writes() == 0


def test_folder_path_blocked_by_a_job(
    jenkins_env: FakeJenkins, make_repo: Callable[..., Path]
) -> None:
    jenkins_env.put("ds", "<flow-definition><description/></flow-definition>")
    out = run_cli("jenkins", str(make_repo("churn", TEAM)))
    assert out.code == 1 and "ds exists on Jenkins but is a WorkflowJob" in out.output
    assert jenkins_env.writes() == 0


def test_existing_folder_is_reused(
    jenkins_env: FakeJenkins, make_repo: Callable[..., Path]
) -> None:
    from tests.register.fake_jenkins import EMPTY_FOLDER_XML

    jenkins_env.put("ds", EMPTY_FOLDER_XML)
    assert run_cli("jenkins", str(make_repo("churn", TEAM))).code == 0
    assert writes(jenkins_env) == [
        "/job/ds/createItem?name=team-a",
        "/job/ds/job/team-a/createItem?name=churn",
    ]


def test_multibranch_and_inline_jobs(
    jenkins_env: FakeJenkins, make_repo: Callable[..., Path]
) -> None:
    mb = make_repo("mb", '[tool.pipelinekit.register.jenkins]\njob_kind = "multibranch"\n')
    inline = make_repo(
        "inl",
        '[tool.pipelinekit.register.jenkins]\ninline_script = true\njob_name = "inline job"\n',
    )
    assert run_cli("jenkins", str(mb)).code == 0
    assert run_cli("jenkins", str(inline)).code == 0
    assert jenkins_env.state.items["mb"].cls.endswith("WorkflowMultiBranchProject")
    script = ET.fromstring(jenkins_env.state.items["inline job"].xml).findtext("definition/script")
    assert script == (inline / "Jenkinsfile").read_text()
    assert "/createItem?name=inline%20job" in writes(jenkins_env)


@pytest.mark.parametrize(
    ("register", "message"),
    [
        ('job_name = "a/b"', "contains '/'"),
        ('job_name = "x%41"', "contains '%'"),
        ('job_name = ".."', "may not be '.', '..'"),
        ('folder = "ok/../up"', "folder name '..'"),
        ('job_name = "a\'b\\"${x}"', "contains '$'"),
        ('job_kind = "multibranch"\ninline_script = true', "inline_script only applies"),
    ],
)
def test_bad_names_and_settings_exit_2_before_any_request(
    jenkins_env: FakeJenkins, make_repo: Callable[..., Path], register: str, message: str
) -> None:
    repo = make_repo("churn", f"[tool.pipelinekit.register.jenkins]\n{register}\n")
    out = run_cli("jenkins", str(repo))
    assert out.code == 2 and message in out.error
    assert jenkins_env.state.log == []


def test_missing_inputs_exit_2(
    jenkins_env: FakeJenkins, make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    no_origin = make_repo("lone", origin="")
    assert "no git remote" in run_cli("jenkins", str(no_origin)).error
    inline = make_repo("inl", "[tool.pipelinekit.register.jenkins]\ninline_script = true\n")
    (inline / "Jenkinsfile").unlink()
    assert run_cli("jenkins", str(inline)).code == 2
    bad = make_repo("bad", "[tool.pipelinekit.register.jenkins]\nfoldr = 'x'\n")
    out = run_cli("jenkins", str(bad))
    assert out.code == 2 and "Did you mean `folder`?" in out.error
    assert run_cli("jenkins", str(bad), "--fleet", "f.toml").code == 2
    monkeypatch.delenv("JENKINS_URL")
    assert "No Jenkins URL" in run_cli("jenkins", str(make_repo("x"))).error
    monkeypatch.setenv("JENKINS_URL", jenkins_env.url)
    monkeypatch.delenv("JENKINS_USER")
    assert "no user" in run_cli("jenkins", str(make_repo("y"))).error


@pytest.mark.parametrize(
    ("method", "path", "status", "code", "text"),
    [
        ("GET", r"^/api/json", 404, 3, "HTTP 404"),
        ("POST", r"createItem\?name=churn", 409, 3, "HTTP 409"),
        ("POST", r"createItem\?name=churn", 500, 3, "HTTP 500"),
        ("GET", r"^/crumbIssuer", 403, 3, "HTTP 403"),
    ],
)
def test_server_errors_give_one_line_and_exit_3(
    jenkins_env: FakeJenkins,
    make_repo: Callable[..., Path],
    method: str,
    path: str,
    status: int,
    code: int,
    text: str,
) -> None:
    jenkins_env.fail(method, path, status, times=5)
    out = run_cli("jenkins", str(make_repo("churn")))
    assert out.code == code and text in out.error
    assert "\n" not in out.error and "Traceback" not in out.error and jenkins_env.url in out.error


def test_wrong_token_is_401(
    jenkins_env: FakeJenkins, make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JENKINS_TOKEN", "wrong-token-canary-42")
    out = run_cli("jenkins", str(make_repo("churn")))
    assert out.code == 3 and "HTTP 401" in out.error and "JENKINS_TOKEN" in out.error
    assert "wrong-token-canary-42" not in out.error + out.output


def test_user_without_write_permission_is_403(
    jenkins_env: FakeJenkins, make_repo: Callable[..., Path]
) -> None:
    jenkins_env.state.writers.clear()
    out = run_cli("jenkins", str(make_repo("churn")))
    assert (
        out.code == 3 and "denied user 'admin' permission to create churn (HTTP 403)" in out.error
    )


def test_anonymous_is_refused(
    jenkins_env: FakeJenkins, make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JENKINS_USER")
    monkeypatch.delenv("JENKINS_TOKEN")
    out = run_cli("jenkins", str(make_repo("churn")))
    assert out.code == 3 and "'anonymous'" in out.error


def test_reads_are_retried_writes_are_not(
    jenkins_env: FakeJenkins, make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http, "BACKOFF_SECONDS", 0.01)
    jenkins_env.fail("GET", r"^/api/json", 503, times=2)
    jenkins_env.fail("POST", r"createItem", 502, times=1)
    out = run_cli("jenkins", str(make_repo("churn")))
    assert out.code == 3 and "HTTP 502" in out.error
    tree_reads = [
        p for m, p, _ in jenkins_env.state.log if m == "GET" and p.startswith("/api/json")
    ]
    assert len(tree_reads) == 3 and jenkins_env.writes() == 1


def test_timeout_and_unreachable(
    jenkins_env: FakeJenkins, make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http, "BACKOFF_SECONDS", 0.01)
    repo = make_repo("churn", "[tool.pipelinekit.register.jenkins]\ntimeout = 0.2\n")
    jenkins_env.fail("POST", r"createItem", 0, times=1, delay=0.6)
    out = run_cli("jenkins", str(repo))
    assert out.code == 3 and "did not answer within 0.2 s" in out.error
    assert jenkins_env.writes() == 1  # the timed-out POST was not repeated
    monkeypatch.setenv("JENKINS_URL", "http://127.0.0.1:9")
    out = run_cli("jenkins", str(repo))
    assert out.code == 3 and "Cannot reach Jenkins at http://127.0.0.1:9" in out.error


def test_token_canary_never_printed(
    jenkins_env: FakeJenkins, make_repo: Callable[..., Path]
) -> None:
    repo = make_repo("churn", TEAM)
    jenkins_env.fail("POST", r"createItem\?name=churn", 500, times=1)
    outs = [run_cli("jenkins", str(repo), "--format", fmt) for fmt in ("text", "json")]
    outs.append(run_cli("jenkins", str(repo), "--dry-run", "-v"))
    for out in outs:
        assert TOKEN not in out.output + out.error


def test_client_reads_version_user_plugins(jenkins_env: FakeJenkins) -> None:
    client = JenkinsClient(jenkins_env.url, "admin", TOKEN, 5)
    assert client.version() == "2.462.3"
    assert client.whoami() == "admin"
    assert client.plugins()["git"] is True
    jenkins_env.fail("GET", r"pluginManager", 200, times=1)
    with pytest.raises(Exception, match="not JSON"):
        client.plugins()
