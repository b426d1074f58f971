"""GPU images on a daemon without a GPU runtime (this machine): the smoke test is skipped for
real, or fails when required; the device request sent is checked byte for byte."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipelinekit.docker.client import DockerClient, NoGpuRuntime
from pipelinekit.stages import docker as stage
from tests.docker.conftest import GPU_BASE, configure, context, stage_env
from tests.support.dockerd import DockerEnv

pytestmark = pytest.mark.slow


def test_no_gpu_runtime_skips_the_gpu_check_plainly(docker_env: DockerEnv, project: Path) -> None:
    configure(project, 'gpu = true\ncuda = "12.5.1"')
    result = stage.run(context(project, stage_env(docker_env, PIPELINEKIT_VERSION="1.4.2")))
    assert result.status == "passed" and result.exit_code == 0
    assert "GPU smoke test skipped (no GPU runtime)" in result.summary
    assert "could not select device driver" in result.details
    report = json.loads((project / ".pipelinekit/reports/image.json").read_text())
    assert report["smoke_test"] == "skipped" and report["digest"] is None


def test_gpu_required_fails_with_the_reason(docker_env: DockerEnv, project: Path) -> None:
    configure(project, 'gpu = true\ncuda = "12.5.1"\ngpu_required = true')
    result = stage.run(context(project, stage_env(docker_env, PIPELINEKIT_VERSION="1.4.2")))
    assert result.status == "failed" and result.exit_code == 1
    assert "gpu_required = true" in result.summary and "GPU runtime" in result.summary


def test_gpu_run_sends_exactly_one_all_gpus_device_request(docker_env: DockerEnv) -> None:
    client = DockerClient({"DOCKER_HOST": docker_env.base_url})
    sent: list[dict[str, Any]] = []

    def record(response: Any, *args: Any, **kwargs: Any) -> None:
        request = response.request
        if request.method == "POST" and "/containers/create" in request.url:
            sent.append(json.loads(request.body))

    client.api.hooks["response"].append(record)
    before = {c["Id"] for c in client.api.containers(all=True)}
    try:
        with pytest.raises(NoGpuRuntime, match="could not select device driver"):
            client.run(GPU_BASE, ["nvidia-smi"], gpu=True)
        after = {c["Id"] for c in client.api.containers(all=True)}
    finally:
        client.close()
    assert len(sent) == 1
    host = sent[0]["HostConfig"]
    assert host["DeviceRequests"] == [
        {"Driver": "", "Count": -1, "DeviceIDs": [], "Capabilities": [["gpu"]], "Options": {}}
    ]
    assert host["NetworkMode"] == "none" and sent[0]["User"] == "10001"
    assert after == before  # the container the failed start left behind was removed


def test_cpu_smoke_failure_fails_the_stage_before_any_push(
    docker_env: DockerEnv, project: Path
) -> None:
    configure(
        project,
        f'registry = "{docker_env.registry}"\nsmoke_command = ["python", "-c", "raise SystemExit(3)"]',
    )
    result = stage.run(context(project, stage_env(docker_env, PIPELINEKIT_VERSION="1.4.2")))
    assert result.status == "failed"
    assert "exited 3" in result.summary and "not pushed" in result.summary
