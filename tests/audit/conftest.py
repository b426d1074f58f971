"""Fixtures for the audit: golden repositories (tests/auditrepos) copied into real git
repositories, audited once per module against the loopback OSV stand-in."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelinekit.audit.model import AuditReport
from pipelinekit.audit.runner import audit
from pipelinekit.project import load_project
from tests.audit.osv import OsvStandIn, osv_server

AUDITREPOS = Path(__file__).resolve().parents[1] / "auditrepos"
GIT = ["git", "-c", "user.name=Audit Test", "-c", "user.email=audit@example.com"]


def make_repo(
    name: str, target: Path, commits: list[str], tags: list[str], osv_url: str | None = None
) -> Path:
    """A copy of golden repository `name` as a git repository with `commits` (messages; the
    files come with the first) and `tags` on the last commit."""
    shutil.copytree(AUDITREPOS / name, target)
    if osv_url:
        pyproject = target / "pyproject.toml"
        text = pyproject.read_text(encoding="utf-8")
        if "[tool.pipelinekit.audit]" not in text:
            text += "\n[tool.pipelinekit.audit]\n"
        text = text.replace(
            "[tool.pipelinekit.audit]\n",
            f'[tool.pipelinekit.audit]\nvulnerability_url = "{osv_url}"\n',
        )
        pyproject.write_text(text, encoding="utf-8")
    subprocess.run(["git", "init", "-q", "-b", "main", str(target)], check=True)
    subprocess.run(["git", "-C", str(target), "add", "-A"], check=True)
    for message in commits:
        subprocess.run(
            [*GIT, "-C", str(target), "commit", "-q", "--allow-empty", "-m", message], check=True
        )
    for tag in tags:
        subprocess.run([*GIT, "-C", str(target), "tag", tag], check=True)
    return target


def run_audit(path: Path) -> AuditReport:
    project = load_project(path)
    return audit(project.repo, project.facts, project.config)


@pytest.fixture(scope="module")
def osv() -> Iterator[OsvStandIn]:
    with osv_server() as server:
        yield server


@pytest.fixture(scope="module")
def unhealthy(tmp_path_factory: pytest.TempPathFactory, osv: OsvStandIn) -> AuditReport:
    target = tmp_path_factory.mktemp("unhealthy") / "repo"
    make_repo("unhealthy", target, ["initial import", "more changes", "fix: typo"], [], osv.url)
    return run_audit(target)


@pytest.fixture(scope="module")
def healthy(tmp_path_factory: pytest.TempPathFactory, osv: OsvStandIn) -> AuditReport:
    target = tmp_path_factory.mktemp("healthy") / "repo"
    commits = ["feat: serve the model", "fix: read the bucket from the environment"]
    make_repo("healthy", target, commits, ["v1.4.0"], osv.url)
    return run_audit(target)
