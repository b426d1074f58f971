"""`[tool.pipelinekit.docker]`: image build, tags, push and GPU smoke-test settings."""

from __future__ import annotations

from pipelinekit.settings_base import Section


class DockerConfig(Section):
    enabled: bool = True
    gpu: bool | None = None
    """None: a GPU (CUDA) image when a GPU framework is detected, else a CPU image."""
    base_image: str | None = None
    cuda: str = "12.4.1"
    image: str | None = None
    """Image repository, e.g. registry.example.com/team/model; default: the project name."""
    registry: str | None = None
    credentials_id: str = "docker-registry"
