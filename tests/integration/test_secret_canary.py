"""The secret canary: every command runs with credentials in the environment (tokens, passwords,
access keys, index and server URLs with passwords) and in the repository (a remote URL with a
password), against servers that do not answer (127.0.0.1:9, the discard port), so the error
paths run too; no canary may appear in any output, JSON and --debug tracebacks included, or in
any file the commands write.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.git import commit_all, git, init_repo

PASSWORD = "cnryPw0rd9x"
SECRETS = {
    "JENKINS_URL": f"http://admin:{PASSWORD}1@127.0.0.1:9/",
    "JENKINS_USER": "admin",
    "JENKINS_TOKEN": "cnryJenkinsTok3n",
    "GITLAB_URL": f"http://oauth2:{PASSWORD}2@127.0.0.1:9",
    "GITLAB_TOKEN": "glpat-cnryGitlabTok3nabcdefgh",
    "SONAR_HOST_URL": f"http://u:{PASSWORD}3@127.0.0.1:9",
    "SONAR_TOKEN": "squ_0123456789abcdef0123456789abcdef0cnry0",
    "AWS_ACCESS_KEY_ID": "AKIACNRYABCDEFGHIJKL",
    "AWS_SECRET_ACCESS_KEY": "cnrySecretAccessKey",
    "AWS_SESSION_TOKEN": "cnrySessionTok",
    "AWS_ENDPOINT_URL": f"http://k:{PASSWORD}4@127.0.0.1:9",
    "DOCKER_PASSWORD": "cnryDockerPw",
    "CI_REGISTRY_PASSWORD": "cnryRegistryPw",
    "PIP_INDEX_URL": f"https://user:{PASSWORD}5@127.0.0.1:9/simple",
    "UV_INDEX_URL": f"https://user:{PASSWORD}6@127.0.0.1:9/simple",
    "CI_JOB_TOKEN": "cnryJobTok3n",
}
CANARIES = [PASSWORD, *(v for k, v in SECRETS.items() if not k.endswith(("_URL", "_USER")))]

COMMANDS = [
    ["detect"],
    ["detect", "--format", "json"],
    ["init", "--no-baseline"],
    ["plan"],
    ["plan", "--format", "json"],
    ["render"],
    ["render", "--check"],
    ["stage", "lint"],
    ["stage", "test"],
    ["stage", "sonar"],
    ["--debug", "stage", "sonar"],
    ["register", "jenkins", "--dry-run"],
    ["register", "gitlab", "--dry-run", "--format", "json"],
    ["--debug", "register", "gitlab", "--dry-run"],
    ["release", "next"],
    ["release", "--dry-run"],
    ["env", "show", "--format", "json"],
    ["baseline", "update"],
]


@pytest.fixture
def repo(example_copy: Path) -> Path:
    with (example_copy / "pyproject.toml").open("a") as fh:
        fh.write(
            '\n[tool.pipelinekit.sonar]\nenabled = true\nproject_key = "churn"\n'
            '\n[tool.pipelinekit.s3]\nbucket = "artifacts"\n'
        )
    init_repo(example_copy, remote=f"http://ci:{PASSWORD}7@127.0.0.1:9/group/churn.git")
    return example_copy


def leaks(text: str) -> list[str]:
    return [canary for canary in CANARIES if canary in text]


def test_no_command_prints_or_writes_a_secret(repo: Path) -> None:
    env = {
        **os.environ,
        **SECRETS,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "UV_HTTP_RETRIES": "0",  # the unreachable index fails at once
        "AWS_MAX_ATTEMPTS": "1",
    }
    codes = {}
    for command in COMMANDS:
        done = subprocess.run(
            [sys.executable, "-m", "pipelinekit", *command, str(repo)],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert not leaks(done.stdout + done.stderr), (command, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr or command[0] == "--debug", done.stderr
        codes[" ".join(command)] = done.returncode
    for command in (["artifacts", "ls"], ["doctor", "--format", "json"]):
        done = subprocess.run(
            [sys.executable, "-m", "pipelinekit", *command],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert not leaks(done.stdout + done.stderr), (command, done.stdout, done.stderr)
        codes[" ".join(command)] = done.returncode
    # the error paths ran: unreachable servers are exit 3, not skipped
    assert codes["register jenkins --dry-run"] == 3 and codes["release next"] == 3
    assert codes["stage test"] == 3 and codes["artifacts ls"] == 3
    written = [
        path
        for path in repo.rglob("*")
        if path.is_file() and ".git" not in path.parts and ".pipelinekit" not in path.parts[-3:-1]
    ]
    for path in [*written, *(repo / ".pipelinekit").rglob("*.log")]:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert not leaks(text), path
    commit_all(repo, "generated")
    assert not leaks(git(repo, "log", "-p", "--all"))
