"""Dockerfile and .dockerignore renderer: structure and escaping on synthetic models.
hadolint checks every layout's Dockerfile in tests/integration; real builds in tests/docker."""

from __future__ import annotations

from pipelinekit.config import Config
from pipelinekit.docker.render import render_dockerfile, render_dockerignore
from pipelinekit.facts import ProjectFacts
from pipelinekit.pipeline import plan


def test_dockerfile_cpu_and_gpu(facts: ProjectFacts) -> None:
    cpu = render_dockerfile(plan(facts, Config()).image_spec, source="p")
    assert "ARG BASE_IMAGE=python:3.11-slim" in cpu
    assert "apt-get" not in cpu and "NVIDIA" not in cpu
    assert cpu.index("COPY requirements.txt pyproject.toml ./") < cpu.index("COPY . .")
    assert "pip wheel --no-deps --wheel-dir /wheels/app ." in cpu
    assert "USER 10001" in cpu and 'CMD ["python", "-c", "import churn"]' in cpu
    tf = facts.model_copy(update={"gpu_frameworks": ("tensorflow",), "python_version": "3.10"})
    gpu = render_dockerfile(plan(tf, Config()).image_spec, source="p")
    assert "nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04" in gpu
    assert "TF_FORCE_GPU_ALLOW_GROWTH=true" in gpu and "NVIDIA_VISIBLE_DEVICES=all" in gpu
    assert "ppa:deadsnakes" not in gpu and "python3.10 -m venv /opt/venv" in gpu
    torch311 = facts.model_copy(update={"gpu_frameworks": ("torch",)})
    gpu311 = render_dockerfile(plan(torch311, Config()).image_spec, source="p")
    assert "ppa:deadsnakes/ppa" in gpu311 and "TF_FORCE" not in gpu311


def test_dockerfile_without_dependency_list_builds_deps_with_app(facts: ProjectFacts) -> None:
    setup_py = facts.model_copy(update={"dependency_files": (), "config_file": "pipelinekit.toml"})
    text = render_dockerfile(plan(setup_py, Config()).image_spec, source="p")
    assert "/wheels/deps" not in text
    assert "RUN pip wheel --wheel-dir /wheels/app ." in text
    assert "pip install --no-index /wheels/app/*.whl" in text


def test_dockerfile_label_escapes_name(facts: ProjectFacts) -> None:
    text = render_dockerfile(
        plan(facts.model_copy(update={"name": 'x"y\\z'}), Config()).image_spec, source="p"
    )
    assert 'org.opencontainers.image.title="x\\"y\\\\z"' in text


def test_dockerignore_keeps_data_and_git_out() -> None:
    lines = render_dockerignore(source="p").splitlines()
    for entry in (".git", "data", "**/.ipynb_checkpoints", ".venv", ".pipelinekit"):
        assert entry in lines


def test_dockerfile_copies_nested_requirement_files_at_their_paths(facts: ProjectFacts) -> None:
    nested = facts.model_copy(
        update={
            "dependency_files": ("requirements.txt", "requirements/base.txt", "environment.yml")
        }
    )
    text = render_dockerfile(plan(nested, Config()).image_spec, source="p")
    assert "COPY requirements.txt pyproject.toml ./" in text
    assert "COPY requirements/base.txt requirements/" in text
    assert "environment.yml" not in text  # conda files are not pip input
    assert "-r requirements.txt -r /tmp/pyproject-requirements.txt" in text


def test_dockerfile_for_project_without_metadata_ships_source(facts: ProjectFacts) -> None:
    bare = facts.model_copy(update={"build_system": "none", "config_file": "pipelinekit.toml"})
    text = render_dockerfile(plan(bare, Config()).image_spec, source="p")
    assert "pip wheel --no-deps" not in text and "/wheels/app" not in text
    assert "COPY --from=builder /src /app" in text and "ENV PYTHONPATH=/app" in text
    assert "-r requirements.txt" in text
