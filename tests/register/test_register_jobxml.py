"""config.xml built by pipelinekit, parsed back and checked element by element."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from pipelinekit.errors import UsageError
from pipelinekit.jenkins import jobxml
from pipelinekit.jenkins.client import item_url


def spec(**over: object) -> jobxml.JobSpec:
    base: dict[str, object] = {
        "full_name": "ds/churn",
        "kind": "pipeline",
        "repo_url": "https://git.example.com/ds/churn.git",
        "branch": "main",
        "script_path": "ci/Jenkinsfile",
        "credentials_id": "git-creds",
        "description": "Churn model",
        "keep_builds": 15,
    }
    base.update(over)
    return jobxml.JobSpec(**base)  # type: ignore[arg-type]


def test_pipeline_from_scm_element_by_element() -> None:
    root = ET.fromstring(jobxml.job_xml(spec()))
    assert root.tag == "flow-definition"
    assert root.findtext("keepDependencies") == "false"
    assert root.findtext("disabled") == "false"
    rotator = root.find("properties/jenkins.model.BuildDiscarderProperty/strategy")
    assert rotator is not None and rotator.get("class") == "hudson.tasks.LogRotator"
    assert rotator.findtext("numToKeep") == "15"
    definition = root.find("definition")
    assert definition is not None
    assert definition.get("class") == "org.jenkinsci.plugins.workflow.cps.CpsScmFlowDefinition"
    assert definition.findtext("scriptPath") == "ci/Jenkinsfile"
    assert definition.findtext("lightweight") == "true"
    scm = definition.find("scm")
    assert scm is not None and scm.get("class") == "hudson.plugins.git.GitSCM"
    remote = scm.find("userRemoteConfigs/hudson.plugins.git.UserRemoteConfig")
    assert remote is not None
    assert remote.findtext("url") == "https://git.example.com/ds/churn.git"
    assert remote.findtext("credentialsId") == "git-creds"
    assert scm.findtext("branches/hudson.plugins.git.BranchSpec/name") == "*/main"
    desc = root.findtext("description") or ""
    assert desc.startswith("Churn model\n\n") and "[pipelinekit:sha256=" in desc


def test_inline_pipeline_escapes_script() -> None:
    script = 'pipeline { echo "a\'b ${x}" && <tag> }'
    root = ET.fromstring(jobxml.job_xml(spec(inline_script=script, credentials_id=None)))
    definition = root.find("definition")
    assert definition is not None
    assert definition.get("class") == "org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition"
    assert definition.findtext("script") == script
    assert definition.findtext("sandbox") == "true"
    assert root.find(".//credentialsId") is None


def test_multibranch_with_tags_and_orphan_strategy() -> None:
    text = jobxml.job_xml(spec(kind="multibranch"))
    root = ET.fromstring(text)
    assert root.tag == jobxml.MULTIBRANCH_CLASS
    orphans = root.find("orphanedItemStrategy")
    assert orphans is not None and orphans.findtext("pruneDeadBranches") == "true"
    assert orphans.findtext("numToKeep") == "15"
    source = root.find("sources/data/jenkins.branch.BranchSource/source")
    assert source is not None and source.get("class") == "jenkins.plugins.git.GitSCMSource"
    assert source.findtext("remote") == "https://git.example.com/ds/churn.git"
    assert source.findtext("credentialsId") == "git-creds"
    traits = [t.tag for t in source.find("traits") or []]
    assert traits == [
        "jenkins.plugins.git.traits.BranchDiscoveryTrait",
        "jenkins.plugins.git.traits.TagDiscoveryTrait",
    ]
    strategies = root.find("sources/data/jenkins.branch.BranchSource/buildStrategies")
    assert strategies is not None
    assert strategies.find("jenkins.branch.buildstrategies.basic.TagBuildStrategyImpl") is not None
    assert root.findtext("factory/scriptPath") == "ci/Jenkinsfile"
    # the source id is stable between runs, or Jenkins would forget branch history
    assert source.findtext("id") == ET.fromstring(
        jobxml.job_xml(spec(kind="multibranch"))
    ).findtext("sources/data/jenkins.branch.BranchSource/source/id")
    assert jobxml.item_class(text) == jobxml.MULTIBRANCH_CLASS


def test_folder_xml_carries_marker() -> None:
    text = jobxml.folder_xml("Team <A> & co")
    root = ET.fromstring(text)
    assert root.tag == jobxml.FOLDER_CLASS
    assert (root.findtext("description") or "").startswith("Team <A> & co")
    assert jobxml.ownership(text).owned and not jobxml.ownership(text).edited
    assert "&lt;A&gt; &amp; co" in text


def test_xml_specials_and_unicode_in_description_are_escaped() -> None:
    text = jobxml.job_xml(spec(description="a'b\"${x} <&> données"))
    assert ET.fromstring(text).findtext("description", "").startswith("a'b\"${x} <&> données")
    assert "<&>" not in text


def test_canonical_ignores_plugin_versions_and_whitespace() -> None:
    text = jobxml.job_xml(spec())
    saved = text.replace("<flow-definition>", '<flow-definition plugin="workflow-job@1400.v1">')
    saved = saved.replace("\n  ", "\n\t\t")
    assert jobxml.canonical(saved) == jobxml.canonical(text)
    assert not jobxml.ownership(saved).edited


def test_ownership_detects_hand_edits_and_foreign_configs() -> None:
    text = jobxml.job_xml(spec())
    edited = text.replace("<numToKeep>15</numToKeep>", "<numToKeep>99</numToKeep>")
    assert jobxml.ownership(edited).owned and jobxml.ownership(edited).edited
    foreign = "<flow-definition><description>hand made</description></flow-definition>"
    assert not jobxml.ownership(foreign).owned
    assert not jobxml.ownership("<flow-definition/>").owned
    with pytest.raises(ValueError, match="not well-formed"):
        jobxml.parse("<broken")


@pytest.mark.parametrize(
    "name",
    ["", " x", "a/b", "..", ".", "x.", "a%b", "a:b", "a<b>", "a&b", "a$b", "a'b\"${x}", "tab\x01"],
)
def test_hostile_names_are_rejected(name: str) -> None:
    with pytest.raises(UsageError, match="Jenkins job name"):
        jobxml.check_item_name(name)


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("données", "job/donn%C3%A9es/"),
        ('it\'s "q"', "job/it%27s%20%22q%22/"),
        ("a b/c+d", "job/a%20b/job/c%2Bd/"),
    ],
)
def test_allowed_names_are_percent_encoded(name: str, url: str) -> None:
    for part in name.split("/"):
        jobxml.check_item_name(part)
    assert item_url(name) == url


def test_split_path_and_control_characters() -> None:
    assert jobxml.split_path("") == []
    assert jobxml.split_path("a/b") == ["a", "b"]
    with pytest.raises(UsageError, match="folder name"):
        jobxml.split_path("a/../b")
    with pytest.raises(UsageError, match="control characters"):
        jobxml.job_xml(spec(description="bell\x07"))


@pytest.mark.parametrize("kind", ["pipeline", "multibranch"])
def test_job_config_canonical_form_is_that_of_the_written_xml(kind: str) -> None:
    """`job_config` skips parsing its own output; the result must be what parsing gives."""
    for description in ("plain", '<xml> & "quotes" ünïcode\nsecond line', "crlf\r\nand\rcr"):
        xml, canon = jobxml.job_config(spec(kind=kind, description=description))
        assert canon == jobxml.canonical(xml)
        assert xml == jobxml.job_xml(spec(kind=kind, description=description))
