"""Jenkins job `config.xml`: built with ElementTree, compared in a normalised form.

Every value goes through ElementTree, so quotes, `&`, `<` and unicode in descriptions, URLs or
inline scripts come out escaped, never concatenated. The description carries an ownership
marker with a hash of the configuration as pipelinekit wrote it: a live config whose hash no
longer matches was edited outside pipelinekit (drift), and one without a marker is not ours.
"""

from __future__ import annotations

import hashlib
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Literal

from pipelinekit.errors import UsageError

FOLDER_CLASS = "com.cloudbees.hudson.plugins.folder.Folder"
MULTIBRANCH_CLASS = "org.jenkinsci.plugins.workflow.multibranch.WorkflowMultiBranchProject"
PIPELINE_CLASS = "org.jenkinsci.plugins.workflow.job.WorkflowJob"

MARKER_TEXT = (
    "Managed by pipelinekit (pipelinekit register jenkins): edits made here are reported as "
    "drift and overwritten only with --force."
)
_MARKER = re.compile(r"\[pipelinekit:sha256=([0-9a-f]*)\]")
_UNSAFE = set("?*/\\%!@#$^&|<>[]:;")
"""Characters `jenkins.model.Jenkins.checkGoodName` refuses in an item name."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_item_name(name: str, what: str = "job") -> str:
    """Apply Jenkins' own item-name rules so the server never has to reject a name mid-run."""
    if not name or name != name.strip():
        raise UsageError(f"Jenkins {what} name {name!r} is empty or has surrounding spaces.")
    bad = sorted({c for c in name if c in _UNSAFE or _CONTROL.match(c)})
    if bad:
        raise UsageError(
            f"Jenkins {what} name {name!r} contains {''.join(bad)!r}, which Jenkins refuses in "
            "item names (?*/\\%!@#$^&|<>[]:; and control characters). Choose another name in "
            "[tool.pipelinekit.register.jenkins]."
        )
    if name in {".", ".."} or name.endswith("."):
        raise UsageError(f"Jenkins {what} name {name!r} may not be '.', '..' or end with '.'.")
    return name


def split_path(path: str, what: str = "folder") -> list[str]:
    """`a/b/c` into checked segments; '' is the Jenkins root."""
    return [check_item_name(part, what) for part in path.split("/")] if path else []


def check_text(value: str, field: str) -> str:
    """XML 1.0 cannot carry control characters; refuse them before anything is sent."""
    if _CONTROL.search(value):
        raise UsageError(f"Jenkins job {field} contains control characters; remove them.")
    return value


@dataclass(frozen=True)
class JobSpec:
    """Everything that decides one job's config.xml."""

    full_name: str
    kind: Literal["pipeline", "multibranch"]
    repo_url: str
    branch: str
    script_path: str
    credentials_id: str | None
    description: str
    keep_builds: int
    inline_script: str | None = None


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _owner(parent: ET.Element, tag: str) -> None:
    _sub(parent, tag, **{"class": MULTIBRANCH_CLASS, "reference": "../.."})


def _git_scm(parent: ET.Element, spec: JobSpec) -> None:
    scm = _sub(parent, "scm", **{"class": "hudson.plugins.git.GitSCM"})
    _sub(scm, "configVersion", "2")
    remote = _sub(_sub(scm, "userRemoteConfigs"), "hudson.plugins.git.UserRemoteConfig")
    _sub(remote, "url", spec.repo_url)
    if spec.credentials_id:
        _sub(remote, "credentialsId", spec.credentials_id)
    branch = _sub(_sub(scm, "branches"), "hudson.plugins.git.BranchSpec")
    _sub(branch, "name", f"*/{spec.branch}")
    _sub(scm, "doGenerateSubmoduleConfigurations", "false")
    _sub(scm, "submoduleCfg", **{"class": "empty-list"})
    _sub(scm, "extensions")


def _pipeline(spec: JobSpec) -> ET.Element:
    root = ET.Element("flow-definition")
    _sub(root, "actions")
    _sub(root, "description", spec.description)
    _sub(root, "keepDependencies", "false")
    props = _sub(root, "properties")
    discard = _sub(props, "jenkins.model.BuildDiscarderProperty")
    rotator = _sub(discard, "strategy", **{"class": "hudson.tasks.LogRotator"})
    for tag, value in (("daysToKeep", -1), ("numToKeep", spec.keep_builds)):
        _sub(rotator, tag, str(value))
    _sub(rotator, "artifactDaysToKeep", "-1")
    _sub(rotator, "artifactNumToKeep", "-1")
    _sub(props, "org.jenkinsci.plugins.workflow.job.properties.DisableConcurrentBuildsJobProperty")
    if spec.inline_script is not None:
        cls = "org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition"
        definition = _sub(root, "definition", **{"class": cls})
        _sub(definition, "script", check_text(spec.inline_script, "inline script"))
        _sub(definition, "sandbox", "true")
    else:
        cls = "org.jenkinsci.plugins.workflow.cps.CpsScmFlowDefinition"
        definition = _sub(root, "definition", **{"class": cls})
        _git_scm(definition, spec)
        _sub(definition, "scriptPath", spec.script_path)
        _sub(definition, "lightweight", "true")
    _sub(root, "triggers")
    _sub(root, "disabled", "false")
    return root


def _multibranch(spec: JobSpec) -> ET.Element:
    root = ET.Element(MULTIBRANCH_CLASS)
    _sub(root, "actions")
    _sub(root, "description", spec.description)
    _sub(root, "properties")
    _owner(
        _sub(root, "folderViews", **{"class": "jenkins.branch.MultiBranchProjectViewHolder"}),
        "owner",
    )
    _sub(root, "healthMetrics")
    _owner(_sub(root, "icon", **{"class": "jenkins.branch.MetadataActionFolderIcon"}), "owner")
    orphans = _sub(
        root,
        "orphanedItemStrategy",
        **{"class": "com.cloudbees.hudson.plugins.folder.computed.DefaultOrphanedItemStrategy"},
    )
    _sub(orphans, "pruneDeadBranches", "true")
    _sub(orphans, "daysToKeep", "-1")
    _sub(orphans, "numToKeep", str(spec.keep_builds))
    _sub(orphans, "abortBuilds", "false")
    _sub(root, "triggers")
    _sub(root, "disabled", "false")
    sources = _sub(
        root, "sources", **{"class": "jenkins.branch.MultiBranchProject$BranchSourceList"}
    )
    branch_source = _sub(_sub(sources, "data"), "jenkins.branch.BranchSource")
    source = _sub(branch_source, "source", **{"class": "jenkins.plugins.git.GitSCMSource"})
    # A stable id: Jenkins keys branch history by it, so it must not change between runs.
    _sub(source, "id", str(uuid.uuid5(uuid.NAMESPACE_URL, f"pipelinekit:{spec.full_name}")))
    _sub(source, "remote", spec.repo_url)
    if spec.credentials_id:
        _sub(source, "credentialsId", spec.credentials_id)
    traits = _sub(source, "traits")
    _sub(traits, "jenkins.plugins.git.traits.BranchDiscoveryTrait")
    _sub(traits, "jenkins.plugins.git.traits.TagDiscoveryTrait")
    strategies = _sub(branch_source, "buildStrategies")
    _sub(strategies, "jenkins.branch.buildstrategies.basic.BranchBuildStrategyImpl")
    tags = _sub(strategies, "jenkins.branch.buildstrategies.basic.TagBuildStrategyImpl")
    _sub(tags, "atLeastMillis", "-1")
    _sub(tags, "atMostMillis", "604800000")
    strategy = _sub(
        branch_source, "strategy", **{"class": "jenkins.branch.DefaultBranchPropertyStrategy"}
    )
    _sub(strategy, "properties", **{"class": "empty-list"})
    _owner(sources, "owner")
    factory_cls = "org.jenkinsci.plugins.workflow.multibranch.WorkflowBranchProjectFactory"
    factory = _sub(root, "factory", **{"class": factory_cls})
    _owner(factory, "owner")
    _sub(factory, "scriptPath", spec.script_path)
    return root


def _folder(description: str) -> ET.Element:
    root = ET.Element(FOLDER_CLASS)
    _sub(root, "actions")
    _sub(root, "description", description)
    _sub(root, "properties")
    _sub(
        root,
        "folderViews",
        **{"class": "com.cloudbees.hudson.plugins.folder.views.DefaultFolderViewHolder"},
    )
    _sub(root, "healthMetrics")
    return root


def job_xml(spec: JobSpec) -> str:
    """The job's config.xml, its description ending in the ownership marker and hash."""
    return job_config(spec)[0]


def job_config(spec: JobSpec) -> tuple[str, str]:
    """The job's config.xml and its canonical form, from one build of the tree (a fleet of
    200 jobs would otherwise parse back every config it has just written)."""
    check_text(spec.description, "description")
    root = _pipeline(spec) if spec.kind == "pipeline" else _multibranch(spec)
    return _seal(root), _canonical(root)


def folder_xml(description: str) -> str:
    """A folder pipelinekit creates; the marker tells later runs the folder is ours."""
    return _seal(_folder(check_text(description, "folder description")))


def _seal(root: ET.Element) -> str:
    """Add the marker and hash to the description (in place) and serialise."""
    desc = root.find("description")
    assert desc is not None  # every builder above adds one
    base = (desc.text or "").rstrip()
    desc.text = f"{base}\n\n{MARKER_TEXT} {_BLANK}".lstrip()
    ET.indent(root)  # whitespace is not part of the canonical form, so indent first
    desc.text = desc.text.replace(_BLANK, f"[pipelinekit:sha256={_digest(_canonical(root))}]")
    return "<?xml version='1.1' encoding='UTF-8'?>\n" + ET.tostring(root, encoding="unicode") + "\n"


_BLANK = "[pipelinekit:sha256=]"


def _digest(canonical_text: str) -> str:
    """Hash of a canonical form with the recorded hash itself blanked out."""
    blanked = _MARKER.sub(_BLANK, canonical_text)
    return hashlib.sha256(blanked.encode()).hexdigest()[:16]


def parse(xml_text: str) -> ET.Element:
    """Parse a config.xml; a broken one from the server is reported, not a traceback."""
    try:
        return ET.fromstring(xml_text.encode())
    except ET.ParseError as exc:
        raise ValueError(f"not well-formed XML ({exc})") from exc


def _esc(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _canonical(root: ET.Element) -> str:
    """One string per meaning: sorted attributes, trimmed text, no whitespace-only text, and
    none of the `plugin="x@1.2"` attributes Jenkins adds when it saves a config. A direct walk,
    because C14N in pure Python is the slowest step of a 200-job run."""
    out: list[str] = []

    def walk(element: ET.Element) -> None:
        attrs = "".join(
            f' {k}="{_esc(v)}"' for k, v in sorted(element.attrib.items()) if k != "plugin"
        )
        out.append(f"<{element.tag}{attrs}>")
        # XML parsers turn \r\n and \r into \n: the tree we built and the same config read
        # back must give one form.
        text = (element.text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
        if text:
            out.append(_esc(text))
        for child in element:
            walk(child)
        out.append(f"</{element.tag}>")

    walk(root)
    return "".join(out)


def canonical(xml_text: str) -> str:
    """The form two configs are compared in: equal text means equal jobs."""
    return _canonical(parse(xml_text))


def pretty(xml_text: str) -> list[str]:
    """Normalised, indented lines for a readable diff."""
    root = parse(xml_text)
    for element in root.iter():
        element.attrib.pop("plugin", None)
        if element.text is not None and not element.text.strip():
            element.text = None
    ET.indent(root)
    return ET.tostring(root, encoding="unicode").splitlines()


@dataclass(frozen=True)
class Ownership:
    owned: bool
    edited: bool
    """True when the live config no longer matches the hash pipelinekit recorded."""


def inspect(xml_text: str) -> tuple[Ownership, str]:
    """Ownership and canonical form of a live config from a single parse."""
    root = parse(xml_text)
    canon = _canonical(root)
    desc = root.find("description")
    found = _MARKER.search(desc.text or "") if desc is not None else None
    if found is None:
        return Ownership(owned=False, edited=False), canon
    return Ownership(owned=True, edited=found.group(1) != _digest(canon)), canon


def ownership(xml_text: str) -> Ownership:
    """Is this live config ours, and was it changed since pipelinekit wrote it?"""
    return inspect(xml_text)[0]


def item_class(xml_text: str) -> str:
    """The Jenkins class a config.xml creates (its root tag, `flow-definition` spelled out)."""
    tag = parse(xml_text).tag
    return PIPELINE_CLASS if tag == "flow-definition" else tag
