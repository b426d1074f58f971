"""Real builds of the example repository's image against a real dockerd (no network in RUN
steps), a push into the loopback registry, and the failure paths through the CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from pipelinekit.docker import tags
from pipelinekit.docker.client import DockerClient
from pipelinekit.stages import docker as stage
from tests.docker.conftest import CANARY, configure, context, stage_env
from tests.integration.test_envrepos import ENVREPOS
from tests.support.dockerd import DockerEnv

pytestmark = pytest.mark.slow

MANIFEST_TYPES = ", ".join(
    [
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
    ]
)
DEPS_STEP = "pip wheel --find-links /src/wheelhouse --wheel-dir /wheels/deps"


def registry_digest(registry: str, repo: str, tag: str) -> str:
    request = urllib.request.Request(
        f"http://{registry}/v2/{repo}/manifests/{tag}", headers={"Accept": MANIFEST_TYPES}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(response.headers["Docker-Content-Digest"])


def registry_tags(registry: str, repo: str) -> set[str]:
    with urllib.request.urlopen(f"http://{registry}/v2/{repo}/tags/list", timeout=10) as resp:
        return set(json.load(resp)["tags"])


def cli(project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipelinekit", "stage", "docker", str(project)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_build_push_labels_and_digest(docker_env: DockerEnv, project: Path) -> None:
    configure(project, f'registry = "{docker_env.registry}/team"')
    env = stage_env(
        docker_env,
        PIPELINEKIT_VERSION="1.4.2",
        CI_COMMIT_SHA="0123456789abcdef0123456789abcdef01234567",
        CI_PROJECT_URL=f"https://ci-user:{CANARY}@gitlab.example.com/team/churn-model",
        DOCKER_USERNAME="ci-user",
        DOCKER_PASSWORD=CANARY,
    )
    done = cli(project, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert CANARY not in done.stdout + done.stderr

    report = json.loads((project / ".pipelinekit/reports/image.json").read_text())
    assert CANARY not in json.dumps(report)
    expected = ["1.4.2", "1.4", "1", "latest", "sha-0123456789ab"]
    assert report["image"] == f"{docker_env.registry}/team/churn-model"
    assert report["tags"] == expected and report["smoke_test"] == "passed"
    assert registry_tags(docker_env.registry, "team/churn-model") == set(expected)
    for tag in expected:  # every tag points at the one manifest the stage recorded
        assert registry_digest(docker_env.registry, "team/churn-model", tag) == report["digest"]

    client = docker_env.client()
    try:
        image = client.images.get(f"{report['image']}:1.4.2")
        labels = image.labels
        assert image.attrs["Config"]["User"] == "10001"
    finally:
        client.close()
    assert labels["org.opencontainers.image.version"] == "1.4.2"
    assert labels["org.opencontainers.image.revision"].startswith("0123456789ab")
    assert labels["org.opencontainers.image.created"] == "2023-11-14T22:13:20Z"
    assert (
        labels["org.opencontainers.image.source"] == "https://gitlab.example.com/team/churn-model"
    )


def test_code_only_change_reuses_the_dependency_layer(docker_env: DockerEnv, project: Path) -> None:
    env = stage_env(docker_env, PIPELINEKIT_VERSION="1.4.2", CI_COMMIT_SHA="a" * 40)
    first = stage.run(context(project, env))
    assert first.status == "passed"
    module = project / "src" / "churn" / "features.py"
    module.write_text(module.read_text() + "\n\nANSWER = 42\n")

    # As in CI: the next commit has another sha and time, and so other labels.
    env.update(CI_COMMIT_SHA="b" * 40, SOURCE_DATE_EPOCH="1700000500")
    second = stage.run(context(project, env))
    assert second.status == "passed", second.details
    rebuilt = [line for line in second.details.splitlines() if line.startswith("rebuilt step")]
    assert any("COPY . ." in line for line in rebuilt), rebuilt  # the source did change
    assert not any(DEPS_STEP in line for line in rebuilt), rebuilt  # deps came from the cache
    assert not any("/wheels/deps" in line and "pip install" in line for line in rebuilt)

    client = docker_env.client()
    try:  # the new code is in the image
        out = client.containers.run(
            "churn-model:1.4.2",
            ["python", "-c", "import churn.features as f; print(f.ANSWER)"],
            remove=True,
            network_mode="none",
        )
    finally:
        client.close()
    assert out.strip() == b"42"


def test_docker_accepts_every_derived_tag(docker_env: DockerEnv, project: Path) -> None:
    """The tag rules meet the real daemon's reference grammar, build metadata included."""
    client = DockerClient({"DOCKER_HOST": docker_env.base_url})
    try:
        image_id = client.api.inspect_image("python:3.11-slim")["Id"]
        for version in ("1.4.2", "2.0.0-rc.1", "1.0.0+build.7", "0.3.0-alpha.1+sha.abc"):
            wanted = tags.image_tags(version, "abcdef0123456789")
            client.tag(image_id, "tagcheck", wanted)
            present = {
                t.split(":", 1)[1]
                for t in client.api.inspect_image(image_id)["RepoTags"]
                if t.startswith("tagcheck:")
            }
            assert set(wanted) <= present
    finally:
        client.close()


def test_build_failure_exits_1_naming_the_step(docker_env: DockerEnv, project: Path) -> None:
    init = project / "src" / "churn" / "__init__.py"
    init.write_text(init.read_text().replace("__version__", "__version__ = (", 1))
    done = cli(project, stage_env(docker_env, PIPELINEKIT_VERSION="1.4.2"))
    assert done.returncode == 1, done.stdout + done.stderr
    message = done.stderr.strip()
    assert "The image build failed at step" in message
    assert "pip wheel --no-deps --no-build-isolation" in message  # the app-wheel step
    assert "Traceback" not in message and len(message.splitlines()) == 1


def test_push_refused_is_exit_3_without_the_password(docker_env: DockerEnv, project: Path) -> None:
    configure(project, 'registry = "127.0.0.1:9"\npush_retries = 0')  # nothing listens there
    env = stage_env(
        docker_env, PIPELINEKIT_VERSION="1.4.2", DOCKER_USERNAME="u", DOCKER_PASSWORD=CANARY
    )
    done = cli(project, env)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "Pushing 127.0.0.1:9/churn-model:1.4.2 failed" in done.stderr
    assert CANARY not in done.stdout + done.stderr


def test_project_without_dependencies_builds(docker_env: DockerEnv, tmp_path: Path) -> None:
    """An empty dependency list still gives a working image (no `*.whl` glob to fail)."""
    project = tmp_path / "tiny"
    (project / "src" / "tiny").mkdir(parents=True)
    (project / "src" / "tiny" / "__init__.py").write_text('VALUE = "ok"\n')
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=68"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "tiny"\nversion = "0.2.0"\ndependencies = []\n'
        '[tool.setuptools.packages.find]\nwhere = ["src"]\n'
    )
    result = stage.run(context(project, stage_env(docker_env)))
    assert result.status == "passed", result.details
    assert "version 0.2.0 from project metadata" in result.summary
    assert "smoke test passed: image CMD" in result.details


def test_image_installs_the_locked_releases(docker_env: DockerEnv, tmp_path: Path) -> None:
    """The image's dependency layer comes from the same environment model as the tests: the
    uv.lock's attrs 22.2.0, not the newest release `attrs>=21` allows, and no test extra."""
    project = tmp_path / "locked"
    shutil.copytree(ENVREPOS / "extras_uv_lock", project)
    result = stage.run(context(project, stage_env(docker_env)))
    assert result.status == "passed", result.details
    constraints = project / ".pipelinekit" / "wheelhouse" / "constraints.txt"
    assert "attrs==22.2.0" in constraints.read_text().splitlines()
    report = json.loads((project / ".pipelinekit/reports/image.json").read_text())
    client = docker_env.client()
    try:
        out = client.containers.run(
            f"{report['image']}:{report['tags'][0]}",
            ["python", "-c", PRINT_VERSIONS],
            remove=True,
            network_mode="none",
        )
    finally:
        client.close()
    assert out.decode().split() == ["22.2.0", "absent"]


PRINT_VERSIONS = (
    "import importlib.metadata as m\n"
    "def v(name):\n"
    "    try:\n"
    "        return m.version(name)\n"
    "    except m.PackageNotFoundError:\n"
    "        return 'absent'\n"
    "print(v('attrs'), v('pytest'))"
)
