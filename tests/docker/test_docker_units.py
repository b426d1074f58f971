"""Fast tests of the docker modules: tags, version/labels, CUDA table, wheel prefetch command,
and the client's handling of daemon streams (a scripted low-level API stands in)."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipelinekit.config.models import Config
from pipelinekit.docker import cuda, meta, prefetch, tags
from pipelinekit.docker.client import DockerClient, NoGpuRuntime, registry_auth
from pipelinekit.docker.settings import DockerConfig
from pipelinekit.errors import CheckFailed, ConfigError, ExternalError
from pipelinekit.plan.planner import plan
from pipelinekit.project import load_project
from pipelinekit.stages import docker as stage
from pipelinekit.stages.base import StageContext
from pipelinekit.util.redact import MASK, redact
from tests.docker.conftest import CANARY, configure, context

SHA = "abcdef0123456789abcdef0123456789abcdef01"


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("1.4.2", ["1.4.2", "1.4", "1", "latest"]),
        ("2.0.0-rc.1", ["2.0.0-rc.1"]),
        ("1.0.0+build.7", ["1.0.0_build.7", "1.0.0", "1.0", "1", "latest"]),
        ("0.3.0-alpha.1+sha.abc", ["0.3.0-alpha.1_sha.abc", "0.3.0-alpha.1"]),
        ("0.3.0", ["0.3.0", "0.3", "latest"]),  # no bare `0`: 0.x minors are not compatible
        ("v2.1.0", ["2.1.0", "2.1", "2", "latest"]),
        ("1.4.2rc1", ["1.4.2rc1"]),  # PEP 440 prerelease
        ("2024.5", ["2024.5", "2024", "latest"]),
        ("1.2.3.dev4", ["1.2.3.dev4"]),
        ("not a version!", ["not_a_version_"]),
    ],
)
def test_version_tags(version: str, expected: list[str]) -> None:
    assert tags.version_tags(version) == expected
    assert tags.image_tags(version, SHA) == [*expected, "sha-abcdef012345"]


def test_only_release_builds_get_version_tags() -> None:
    release = {"CI_COMMIT_TAG": "v1.4.2"}
    assert tags.build_tags("1.4.2", SHA, release, latest=True)[:4] == [
        "1.4.2",
        "1.4",
        "1",
        "latest",
    ]
    assert tags.build_tags("1.4.2", SHA, {"TAG_NAME": "v1.4.2"}, latest=False) == [
        "1.4.2",
        "sha-abcdef012345",
    ]
    branch = {"CI_COMMIT_BRANCH": "feature/x+y"}
    assert tags.build_tags("1.4.2", SHA, branch, latest=True) == ["feature_x_y", "sha-abcdef012345"]
    assert tags.build_tags("1.4.2", SHA, {"BRANCH_NAME": "main"}, latest=True)[0] == "main"
    assert tags.build_tags("1.4.2", None, {}, latest=True) == ["1.4.2"]


def test_tags_without_latest_and_sanitized_to_docker_grammar() -> None:
    assert tags.version_tags("1.4.2", latest=False) == ["1.4.2"]
    assert tags.sanitize("-.x" + "y" * 200) == "x" + "y" * 127
    assert tags.image_tags("1.0.0", None) == ["1.0.0", "1.0", "1", "latest"]


def test_cuda_table_and_tag_spelling() -> None:
    assert cuda.cuda_for(("torch",)) == cuda.FRAMEWORK_CUDA["torch"]
    assert cuda.cuda_for(("torch", "tensorflow")) == "12.5.1"  # the oldest line wins
    assert cuda.cuda_for(()) == cuda.DEFAULT_CUDA
    assert cuda.cuda_image("12.4.1") == "nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04"
    assert cuda.cuda_image("12.3.2") == "nvidia/cuda:12.3.2-cudnn9-runtime-ubuntu22.04"
    assert cuda.cuda_image("11.8.0") == "nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04"
    auto = "nvidia/cuda:auto-cudnn-runtime-ubuntu22.04"
    assert cuda.resolve_base(auto, ("tensorflow",)) == cuda.cuda_image("12.5.1")
    assert cuda.resolve_base("nvidia/cuda:12.2.2-cudnn-runtime-ubuntu22.04", ()).endswith(
        "12.2.2-cudnn8-runtime-ubuntu22.04"
    )
    assert cuda.resolve_base("registry/x:1", ("torch",)) == "registry/x:1"
    assert cuda.distro_python("nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04") == "3.12"
    assert cuda.distro_python("ubuntu:22.04") == "3.10"
    assert cuda.distro_python("python:3.11-slim") is None


def test_settings_validate_cuda_and_env_names() -> None:
    assert DockerConfig(cuda="12.4").cuda == "12.4"
    with pytest.raises(ValueError, match="CUDA version"):
        DockerConfig(cuda="latest")
    with pytest.raises(ValueError, match="environment variable"):
        DockerConfig(password_env="A-B")


def test_describe_version() -> None:
    assert meta.describe_version("v1.4.2", "9") == "1.4.2"
    assert meta.describe_version("v1.4.2-3-gabc1234", "9") == "1.4.2-dev.3"
    assert meta.describe_version("1.4.2-3-gabc1234-dirty", "9") == "1.4.2-dev.3"
    assert meta.describe_version(None, "7") == "0.0.0-dev.7"
    assert meta.describe_version(None, None) == "0.0.0-dev.0"


def _git(repo: Path, *args: str) -> None:
    from tests.support.git import git

    git(repo, *args)


def test_version_sources_in_order(tmp_path: Path) -> None:
    repo = tmp_path / "p"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    (repo / "f").write_text("x")
    _git(repo, "add", "f")
    _git(repo, "commit", "-q", "-m", "one")
    _git(repo, "tag", "v1.4.2")
    _git(repo, "remote", "add", "origin", f"https://bot:{CANARY}@git.example.com/p.git")
    found = meta.resolve(repo, "my-proj", None, {})
    assert (found.version, found.version_source) == ("1.4.2", "git describe")
    assert found.created == "2024-01-01T00:00:00Z" and found.revision and len(found.revision) == 40
    assert found.source == "https://git.example.com/p.git"
    assert meta.resolve(repo, "my-proj", "0.9.0", {}).version == "0.9.0"
    (repo / "dist").mkdir()
    (repo / "dist" / "my_proj-2.0.0-py3-none-any.whl").write_text("")
    (repo / "dist" / "other-9.0.0-py3-none-any.whl").write_text("")
    assert meta.resolve(repo, "My.Proj", "0.9.0", {}).version == "2.0.0"
    pinned = meta.resolve(repo, "my-proj", "0.9.0", {"PIPELINEKIT_VERSION": "3.0.0-rc.1"})
    assert pinned.version == "3.0.0-rc.1"
    ci = meta.resolve(repo, "p", None, {"SOURCE_DATE_EPOCH": "bad", "GIT_COMMIT": "c0ffee"})
    assert ci.created == "1970-01-01T00:00:00Z" and ci.build_args()["REVISION"] == "c0ffee"


def test_version_outside_git(tmp_path: Path) -> None:
    found = meta.resolve(tmp_path, "x", None, {"SOURCE_DATE_EPOCH": "0"})
    assert found.version == "0.0.0-dev.0" and found.revision is None
    assert found.build_args()["REVISION"] == "unknown" and found.source == ""


def test_prefetch_requirements_and_command(example_copy: Path) -> None:
    loaded = load_project(example_copy)
    spec = plan(loaded.facts, loaded.config).image_spec
    args, reqs = prefetch.requirements(example_copy, spec)
    assert args == ["-r", str(example_copy / "requirements.txt")]
    assert reqs == ["numpy>=1.24,<3", "setuptools>=68", "wheel"]
    dest = example_copy / "wh"
    same = spec.model_copy(
        update={"python_version": f"{sys.version_info[0]}.{sys.version_info[1]}"}
    )
    assert prefetch.pip_command(same, dest, args, reqs)[1:4] == ["-m", "pip", "wheel"]
    other = prefetch.pip_command(spec.model_copy(update={"python_version": "3.9"}), dest, [], [])
    assert other[3] == "download" and "cp39" in other and "--only-binary=:all:" in other
    bare = spec.model_copy(
        update={"requirement_files": (), "pyproject_dependencies": False, "installable": False}
    )
    assert prefetch.prefetch(example_copy, bare, {}) is None


def test_prefetch_failure_is_external(example_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = load_project(example_copy)
    spec = plan(loaded.facts, loaded.config).image_spec

    def fail(*args: Any, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(args[0], 1, "", "ERROR: No matching distribution\n")

    monkeypatch.setattr(prefetch.subprocess, "run", fail)
    with pytest.raises(ExternalError, match=r"No matching distribution.*prefetch = false"):
        prefetch.prefetch(example_copy, spec, {})

    def missing(*args: Any, **kwargs: Any) -> None:
        raise FileNotFoundError("pip")

    monkeypatch.setattr(prefetch.subprocess, "run", missing)
    with pytest.raises(ExternalError, match="Could not run pip"):
        prefetch.prefetch(example_copy, spec, {})


class FakeAPI:
    """Scripted replies of docker's low-level APIClient."""

    def __init__(self) -> None:
        self.build_stream: list[dict[str, Any]] = []
        self.push_replies: list[Any] = []
        self.pushed: list[tuple[str, str, Any]] = []
        self.removed: list[Any] = []
        self.fail_start: Exception | None = None
        self.exit_code = 0

    def build(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        yield from self.build_stream

    def tag(self, image: str, repo: str, tag: str) -> None:
        if "bad" in tag:
            from docker.errors import APIError

            raise APIError("invalid tag format")

    def push(self, repo: str, tag: str, auth_config: Any, stream: bool, decode: bool) -> Any:
        self.pushed.append((repo, tag, auth_config))
        reply = self.push_replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return iter(reply)

    def create_host_config(self, **kwargs: Any) -> dict[str, Any]:
        return kwargs

    def create_container(self, image: str, **kwargs: Any) -> dict[str, str]:
        return {"Id": "c1"}

    def start(self, container: Any) -> None:
        if self.fail_start:
            raise self.fail_start

    def wait(self, container: Any, timeout: int) -> dict[str, int]:
        return {"StatusCode": self.exit_code}

    def logs(self, container: Any, stdout: bool, stderr: bool) -> bytes:
        return f"out {CANARY}\n".encode()

    def remove_container(self, container: Any, force: bool) -> None:
        self.removed.append(container)


class FakeDocker:
    def __init__(self) -> None:
        self.api = FakeAPI()

    def info(self) -> dict[str, Any]:
        return {"Runtimes": {"runc": {}, "io.containerd.runc.v2": {}}}

    def close(self) -> None:
        pass


def fake_client() -> tuple[DockerClient, FakeAPI]:
    client = DockerClient.__new__(DockerClient)
    fake = FakeDocker()
    client._client = fake
    client.host = "unix:///fake.sock"
    return client, fake.api


def test_build_stream_parsing() -> None:
    client, api = fake_client()
    api.build_stream = [
        {"stream": "Step 1/3 : FROM base\n"},
        {"stream": " ---> Using cache\n"},
        {"stream": "Step 2/3 : RUN pip wheel x\n ---> Running in 1\n"},
        {"stream": "Step 3/3 : COPY . .\n"},
        {"aux": {"ID": "sha256:abc"}},
    ]
    lines: list[str] = []
    outcome = client.build(
        io.BytesIO(),
        dockerfile="D",
        buildargs={},
        cache_from=[],
        network_mode=None,
        on_line=lines.append,
    )
    assert outcome.image_id == "sha256:abc"
    assert outcome.steps == ["1/3 FROM base", "2/3 RUN pip wheel x", "3/3 COPY . ."]
    assert outcome.cached == ["1/3 FROM base"] and "Step 1/3 : FROM base" in lines
    assert client.runtimes() == ["io.containerd.runc.v2", "runc"]


def test_build_error_names_the_step_and_hides_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_TOKEN", CANARY)
    client, api = fake_client()
    api.build_stream = [
        {"stream": "Step 4/9 : RUN make\n"},
        {"stream": f"using {CANARY}\n"},
        {
            "error": "x",
            "errorDetail": {"message": "The command '/bin/sh -c make' returned a non-zero code: 2"},
        },
    ]
    with pytest.raises(CheckFailed) as failed:
        client.build(io.BytesIO(), dockerfile="D", buildargs={}, cache_from=[], network_mode=None)
    assert (
        "at step 4/9 RUN make" in failed.value.message
        and "non-zero code: 2" in failed.value.message
    )
    assert CANARY not in failed.value.message and MASK in failed.value.message
    api.build_stream = []
    with pytest.raises(CheckFailed, match="before the first step: no image was produced"):
        client.build(io.BytesIO(), dockerfile="D", buildargs={}, cache_from=[], network_mode=None)


def test_tag_refused_is_external() -> None:
    client, _ = fake_client()
    with pytest.raises(ExternalError, match="refused to tag the image as r:bad"):
        client.tag("id", "r", ["ok", "bad"])


def test_push_retries_transient_errors_then_records_the_digest() -> None:
    from docker.errors import APIError

    client, api = fake_client()
    api.push_replies = [
        APIError("502 Server Error: Bad Gateway"),
        [{"error": "net/http: TLS handshake timeout"}],
        [{"status": "Pushed"}, {"aux": {"Tag": "1", "Digest": "sha256:d1", "Size": 5}}],
    ]
    waits: list[float] = []
    digest = client.push(
        "r", "1", auth={"username": "u", "password": CANARY}, retries=3, sleep=waits.append
    )
    assert digest == "sha256:d1" and waits == [2.0, 4.0] and len(api.pushed) == 3


def test_push_gives_up_and_refusals_are_not_retried() -> None:
    client, api = fake_client()
    api.push_replies = [[{"error": "connection refused"}], [{"error": "connection refused"}]]
    with pytest.raises(ExternalError, match="failed after 2 attempts: connection refused"):
        client.push("r", "1", auth=None, retries=1, sleep=lambda s: None)
    api.push_replies = [[{"error": "unauthorized: authentication required"}]]
    with pytest.raises(ExternalError, match="refused the push of r:1"):
        client.push("r", "1", auth=None, retries=5, sleep=lambda s: None)
    assert len(api.pushed) == 3


def test_run_paths() -> None:
    from docker.errors import APIError

    client, api = fake_client()
    api.exit_code = 4
    result = client.run("img", None, gpu=False)
    assert result.exit_code == 4 and result.output.startswith("out ")
    api.fail_start = APIError('could not select device driver "" with capabilities: [[gpu]]')
    with pytest.raises(NoGpuRuntime):
        client.run("img", ["x"], gpu=True)
    with pytest.raises(ExternalError, match="could not run img"):
        client.run("img", ["x"], gpu=False)
    api.fail_start = TimeoutError("read timed out")
    with pytest.raises(ExternalError, match="did not finish"):
        client.run("img", ["x"], gpu=False)
    assert len(api.removed) == 4  # every container is removed, whatever happened


def test_registry_auth_registers_the_password() -> None:
    assert registry_auth({}, "U", "P") is None
    auth = registry_auth({"U": "me", "P": CANARY + "x"}, "U", "P")
    assert auth == {"username": "me", "password": CANARY + "x"}
    assert redact(f"token {CANARY}x") == f"token {MASK}"
    gitlab = {"CI_REGISTRY_USER": "gitlab-ci-token", "CI_REGISTRY_PASSWORD": CANARY + "y"}
    assert registry_auth(gitlab, "U", "P") == {
        "username": "gitlab-ci-token",
        "password": CANARY + "y",
    }


def test_daemon_unreachable_is_exit_3_with_how_to_fix(example_copy: Path) -> None:
    with pytest.raises(ExternalError) as err:
        DockerClient({"DOCKER_HOST": "unix:///nonexistent/docker.sock"})
    assert err.value.exit_code == 3 and "DOCKER_HOST" in err.value.message
    done = subprocess.run(
        [sys.executable, "-m", "pipelinekit", "stage", "docker", str(example_copy)],
        env={
            "PATH": "/usr/bin:/bin",
            "DOCKER_HOST": "tcp://127.0.0.1:9",
            "HOME": str(example_copy),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 3, done.stderr
    assert "Cannot reach the Docker daemon at tcp://127.0.0.1:9" in done.stderr
    assert "Traceback" not in done.stderr


def test_image_repository_and_push_rules(example_copy: Path) -> None:
    cfg = DockerConfig()
    assert stage.image_repository(cfg, "Churn_Model!", {}) == "churn_model"
    gitlab = {"CI_REGISTRY_IMAGE": "registry.gitlab.example.com/g/p"}
    assert stage.image_repository(cfg, "x", gitlab) == "registry.gitlab.example.com/g/p"
    team = DockerConfig(registry="reg.io/team/")
    assert stage.image_repository(team, "x", gitlab) == "reg.io/team/x"
    full = DockerConfig(registry="other.io", image="reg.io:5000/a/b")
    assert stage.image_repository(full, "x", {}) == "reg.io:5000/a/b"
    configure(example_copy, "push = true")
    with pytest.raises(ConfigError, match="names no registry"):
        stage.run(context(example_copy, {}))


def test_disabled_stage_is_skipped(example_copy: Path) -> None:
    loaded = load_project(example_copy)
    config = Config.model_validate({"docker": {"enabled": False}})
    result = stage.run(StageContext(loaded.project_dir, loaded.facts, config, env={}))
    assert result.status == "skipped" and result.exit_code == 0
