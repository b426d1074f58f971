"""`pipelinekit doctor`: the external tools the stages use (present, versions) and the servers
the project registers on (reachable, credentials accepted, plugins present).

Each check is one row of data; `text_lines` prints them as one aligned table, the command prints
them as JSON otherwise. A server with no URL configured is skipped rather than failed: not every
team uses both.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pipelinekit.errors import PipelinekitError
from pipelinekit.register.load import load_register_settings
from pipelinekit.register.settings import RegisterConfig


@dataclass(frozen=True)
class ToolCheck:
    name: str
    purpose: str
    version: str | None


TOOLS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("python", (sys.executable, "--version"), "runs every stage"),
    ("git", ("git", "--version"), "history, release, gitlab-ci-local"),
    ("ruff", (sys.executable, "-m", "ruff", "--version"), "stage lint"),
    ("pytest", (sys.executable, "-m", "pytest", "--version"), "stage test"),
    ("coverage", (sys.executable, "-m", "coverage", "--version"), "stage coverage"),
    ("docker", ("docker", "--version"), "stage docker"),
    ("sonar-scanner", ("sonar-scanner", "--version"), "stage sonar"),
    ("hadolint", ("hadolint", "--version"), "Dockerfile lint"),
)
_VERSION = re.compile(r"\d+(?:\.\d+)+")


def tool_version(argv: tuple[str, ...], timeout: float = 10.0) -> str | None:
    if shutil.which(argv[0]) is None:
        return None
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    match = _VERSION.search(proc.stdout + proc.stderr)
    return match.group() if match else None


def check_tools() -> list[ToolCheck]:
    return [ToolCheck(name, purpose, tool_version(argv)) for name, argv, purpose in TOOLS]


def text_lines(tools: list[ToolCheck], servers: list[ServerCheck]) -> list[str]:
    """Tools and servers as one table: status, name, what was found."""
    from pipelinekit.util.table import table_lines

    rows = [
        ("ok" if t.version else "--", t.name, t.version or "not found", f"({t.purpose})")
        for t in tools
    ]
    return table_lines([*rows, *((s.status, s.name, s.detail) for s in servers)])


REQUIRED_PLUGINS = (
    "workflow-aggregator",
    "git",
    "junit",
    "coverage",
    "warnings-ng",
    "docker-workflow",
    "credentials-binding",
    "pipeline-utility-steps",
)
"""What the generated Jenkinsfile and job config.xml use."""
FOLDER_PLUGIN = "cloudbees-folder"
MULTIBRANCH_PLUGINS = ("workflow-multibranch", "basic-branch-build-strategies")


@dataclass(frozen=True)
class ServerCheck:
    name: str
    status: Literal["ok", "fail", "skip"]
    detail: str


def doctor_servers(project_dir: Path | None = None) -> list[ServerCheck]:
    """Reachability, auth and plugin checks for the Jenkins and GitLab the project registers on."""
    try:
        _, settings = load_register_settings(project_dir or Path("."))
    except PipelinekitError as exc:
        return [ServerCheck("register settings", "fail", exc.message)]
    return _jenkins(settings) + _gitlab(settings)


def _jenkins(settings: RegisterConfig) -> list[ServerCheck]:
    from pipelinekit.jenkins.client import jenkins_client_from

    js = settings.jenkins
    if not (os.environ.get("JENKINS_URL") or js.url):
        return [ServerCheck("jenkins", "skip", "no JENKINS_URL or register.jenkins.url set")]
    try:
        client = jenkins_client_from(js.url, js.user, js.timeout)
        version = client.version()
    except PipelinekitError as exc:
        return [ServerCheck("jenkins reachable", "fail", exc.message)]
    checks = [ServerCheck("jenkins reachable", "ok", f"Jenkins {version} at {client.url}")]
    try:
        user = client.whoami()
        plugins = client.plugins()
    except PipelinekitError as exc:
        return [*checks, ServerCheck("jenkins auth", "fail", exc.message)]
    if user in {"", "anonymous"}:
        detail = "requests run as anonymous: set JENKINS_USER and JENKINS_TOKEN"
        checks.append(ServerCheck("jenkins auth", "fail", detail))
    else:
        checks.append(ServerCheck("jenkins auth", "ok", f"authenticated as {user}"))
    needed = list(REQUIRED_PLUGINS)
    if js.folder:
        needed.append(FOLDER_PLUGIN)
    if js.job_kind == "multibranch":
        needed.extend(MULTIBRANCH_PLUGINS)
    missing = [p for p in needed if not plugins.get(p)]
    if missing:
        detail = (
            f"missing or inactive: {', '.join(missing)}; install them in Manage Jenkins > Plugins"
        )
        checks.append(ServerCheck("jenkins plugins", "fail", detail))
    else:
        checks.append(
            ServerCheck("jenkins plugins", "ok", f"all {len(needed)} required plugins active")
        )
    return checks


def _gitlab(settings: RegisterConfig) -> list[ServerCheck]:
    from pipelinekit.gitlab.client import gitlab_client_from

    gs = settings.gitlab
    if not (os.environ.get("GITLAB_URL") or gs.url):
        return [ServerCheck("gitlab", "skip", "no GITLAB_URL or register.gitlab.url set")]
    if not os.environ.get("GITLAB_TOKEN"):
        return [
            ServerCheck(
                "gitlab auth", "fail", "GITLAB_TOKEN is not set; GitLab's API needs a token"
            )
        ]
    try:
        client = gitlab_client_from(gs.url, gs.timeout)
        version = client.get("/version", "the version") or {}
        user = client.get("/user", "the token's user") or {}
    except PipelinekitError as exc:
        return [ServerCheck("gitlab", "fail", exc.message)]
    return [
        ServerCheck(
            "gitlab reachable", "ok", f"GitLab {version.get('version', '?')} at {client.url}"
        ),
        ServerCheck("gitlab auth", "ok", f"authenticated as {user.get('username', '?')}"),
    ]
