"""`[tool.pipelinekit.docker]`: image build, tags, push and GPU smoke-test settings."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from pipelinekit.config.base import ImageReference, Section

_CUDA = re.compile(r"^(auto|\d+\.\d+(\.\d+)?)$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class DockerConfig(Section):
    enabled: bool = True
    gpu: bool | None = None
    """None: a GPU (CUDA) image when a GPU framework is detected, else a CPU image."""
    base_image: ImageReference | None = None
    cuda: str = "auto"
    """CUDA line of the GPU image; "auto": the framework's line (see pipelinekit/docker/cuda.py)."""
    image: str | None = None
    """Image repository, e.g. registry.example.com/team/model; default: the project name."""
    registry: str | None = None
    """Registry host (and namespace) prefixed to `image` when it names none; pushing needs one."""
    credentials_id: str = "docker-registry"
    push: bool | None = None
    """None: push when the image names a registry. False: build (and smoke-test) only."""
    latest: bool = True
    """Move `latest` (and the X.Y / X tags) on stable releases."""
    build_args: dict[str, str] = Field(default_factory=dict)
    cache_from: list[str] = Field(default_factory=list)
    """Images whose layers the build may reuse (pull them first on fresh CI machines)."""
    prefetch: bool = True
    """Download every wheel on the host so the image build needs no network (PIP_NO_INDEX=1)."""
    network_mode: str | None = None
    """Network for RUN steps during the build (e.g. "host"); default: the daemon's."""
    username_env: str = "DOCKER_USERNAME"
    password_env: str = "DOCKER_PASSWORD"
    """Env variables holding registry credentials; without them the docker config is used."""
    push_retries: int = Field(default=3, ge=0, le=10)
    smoke_test: bool = True
    """Run the built image once before pushing: its CMD, or a GPU check for GPU images."""
    smoke_command: list[str] | None = None
    """An extra command the smoke test runs in the image, e.g. ["python", "-m", "app", "-V"]."""
    gpu_required: bool = False
    """Fail (exit 1) instead of skipping the GPU smoke test when the daemon has no GPU runtime."""
    timeout_seconds: int = Field(default=3600, ge=60, le=86400)

    @field_validator("cuda")
    @classmethod
    def _cuda(cls, value: str) -> str:
        if not _CUDA.match(value):
            raise ValueError('expected "auto" or a CUDA version such as "12.4.1"')
        return value

    @field_validator("username_env", "password_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        if not _ENV_NAME.match(value):
            raise ValueError("expected an environment variable name")
        return value
