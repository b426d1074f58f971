"""The fake Jenkins answers python-jenkins as a real Jenkins would (its own calls, unwrapped)."""

from __future__ import annotations

import jenkins
import pytest
import requests

from tests.register.conftest import TOKEN
from tests.register.fake_jenkins import FOLDER, FakeJenkins, parse_tree


def test_python_jenkins_round_trip(fake: FakeJenkins) -> None:
    server = jenkins.Jenkins(fake.url, username="admin", password=TOKEN, timeout=5)
    assert server.get_version() == "2.462.3"
    server.create_folder("team")
    assert fake.state.items["team"].cls == FOLDER
    server.create_job("team/job one", jenkins.EMPTY_CONFIG_XML)
    assert server.job_exists("team/job one")
    assert server.get_job_config("team/job one") == jenkins.EMPTY_CONFIG_XML
    server.reconfig_job("team/job one", jenkins.RECONFIG_XML)
    names = {j["fullname"] for j in server.get_all_jobs()}
    assert names == {"team", "team/job one"}
    assert server.get_whoami()["id"] == "admin"
    assert "git" in server.get_plugins()
    with pytest.raises(jenkins.JenkinsException, match="already exists"):
        server.create_folder("team")
    server.delete_job("team")
    assert not fake.state.items


def test_auth_crumb_and_names(fake: FakeJenkins) -> None:
    with pytest.raises(jenkins.JenkinsException, match="401"):
        jenkins.Jenkins(fake.url, username="admin", password="nope").get_whoami()
    assert (
        requests.post(f"{fake.url}/createItem?name=x", auth=("admin", TOKEN), timeout=5).status_code
        == 403
    )
    crumb = requests.get(
        f"{fake.url}/crumbIssuer/api/json", auth=("admin", TOKEN), timeout=5
    ).json()
    headers = {crumb["crumbRequestField"]: crumb["crumb"], "Content-Type": "text/xml"}
    bad = requests.post(
        f"{fake.url}/createItem?name=a%25b",
        data=b"<project/>",
        auth=("admin", TOKEN),
        headers=headers,
        timeout=5,
    )
    assert bad.status_code == 400 and "unsafe character" in bad.text
    form = {crumb["crumbRequestField"]: crumb["crumb"]}
    assert (
        requests.post(
            f"{fake.url}/job/none/createItem?name=x", auth=("admin", TOKEN), headers=form, timeout=5
        ).status_code
        == 404
    )
    assert (
        requests.post(
            f"{fake.url}/createItem",
            data={"name": "f", "mode": "other"},
            auth=("admin", TOKEN),
            headers=form,
            timeout=5,
        ).status_code
        == 400
    )
    assert (
        requests.post(
            f"{fake.url}/createItem?name=y",
            data=b"<broken",
            auth=("admin", TOKEN),
            headers=headers,
            timeout=5,
        ).status_code
        == 500
    )
    assert requests.get(f"{fake.url}/nothing", auth=("admin", TOKEN), timeout=5).status_code == 404


def test_tree_parser() -> None:
    assert parse_tree("jobs[name,url,jobs[name]]") == {
        "jobs": {"name": None, "url": None, "jobs": {"name": None}}
    }
