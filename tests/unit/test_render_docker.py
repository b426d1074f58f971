"""Dockerfile and .dockerignore renderer: structure, escaping and overrides on synthetic models,
and hadolint over every template variant. Real builds are in tests/docker."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pipelinekit.config.models import Config
from pipelinekit.detect.facts import ProjectFacts
from pipelinekit.docker import cuda
from pipelinekit.docker.buildcontext import build_input, context_tar, load_overrides
from pipelinekit.docker.render import DOCKERIGNORE, render_dockerfile, render_dockerignore
from pipelinekit.plan.model import ImageSpec
from pipelinekit.plan.planner import plan
from tests.support.hadolint import hadolint


def spec_of(facts: ProjectFacts, **docker: object) -> ImageSpec:
    return plan(facts, Config.model_validate({"docker": docker})).image_spec


def test_cpu_image(facts: ProjectFacts) -> None:
    cpu = render_dockerfile(spec_of(facts), source="p")
    assert "ARG BASE_IMAGE=python:3.11-slim" in cpu
    assert "apt-get" not in cpu and "NVIDIA" not in cpu
    assert "RUN python3 -m venv /opt/venv" in cpu
    assert cpu.index("COPY requirements.txt pyproject.toml .pipelinekit* ./") < cpu.index(
        "COPY . ."
    )
    assert "pip wheel --no-deps --no-build-isolation \\" in cpu
    assert "pip install --find-links /src/wheelhouse -r /tmp/build-requirements.txt" in cpu
    assert "USER 10001" in cpu and 'CMD ["python", "-c", "import churn"]' in cpu
    assert 'SETUPTOOLS_SCM_PRETEND_VERSION="${VERSION}"' in cpu


def test_gpu_image_follows_the_framework_cuda_line(facts: ProjectFacts) -> None:
    tf = facts.model_copy(update={"gpu_frameworks": ("tensorflow",), "python_version": "3.10"})
    gpu = render_dockerfile(spec_of(tf), source="p")
    assert f"ARG BASE_IMAGE={cuda.cuda_image(cuda.FRAMEWORK_CUDA['tensorflow'])}" in gpu
    assert "TF_FORCE_GPU_ALLOW_GROWTH=true" in gpu and "NVIDIA_VISIBLE_DEVICES=all" in gpu
    assert "NVIDIA_DRIVER_CAPABILITIES=compute,utility" in gpu
    # Ubuntu 22.04's own python3.10: no PPA, but still installed (CUDA images have none).
    assert "ppa:deadsnakes" not in gpu and "python3.10 python3.10-venv" in gpu
    assert "RUN python3.10 -m venv /opt/venv" in gpu
    torch = render_dockerfile(
        spec_of(facts.model_copy(update={"gpu_frameworks": ("torch",)})), source="p"
    )
    assert cuda.cuda_image(cuda.FRAMEWORK_CUDA["torch"]) in torch
    assert "ppa:deadsnakes/ppa" in torch and "TF_FORCE" not in torch
    assert 'if ! python3.11 -c "import ensurepip"' in torch  # skipped when the base has it
    pinned = render_dockerfile(spec_of(facts, gpu=True, cuda="12.4.1"), source="p")
    assert "ARG BASE_IMAGE=nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04" in pinned


@pytest.mark.parametrize(
    ("files", "line", "base"),
    [
        (
            {
                "requirements.txt": (
                    "--extra-index-url https://download.pytorch.org/whl/cu121\ntorch==2.3.0+cu121\n"
                )
            },
            "12.1",
            "nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04",
        ),
        (
            {
                "environment.yml": "dependencies:\n  - python=3.11\n  - pytorch\n  - pytorch-cuda=12.1\n"
            },
            "12.1",
            "nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04",
        ),
        (
            {"requirements.txt": "jax[cuda12_pip]>=0.4.20\n"},
            "12",
            "nvidia/cuda:12.5.1-cudnn-runtime-ubuntu22.04",
        ),
        (
            {"requirements.txt": "cupy-cuda11x\ntorch==2.3.0+cu121\n"},
            "11",
            "nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04",
        ),
        ({"requirements.txt": "torch>=2.3\n"}, None, cuda.cuda_image(cuda.FRAMEWORK_CUDA["torch"])),
    ],
)
def test_a_declared_cuda_line_chooses_the_base(
    tmp_path: Path, files: dict[str, str], line: str | None, base: str
) -> None:
    """The hunt's finding 10: a `+cu121` wheel, conda's `pytorch-cuda`, `jax[cuda12]` or
    `cupy-cuda11x` needs that CUDA runtime (the oldest when several are declared); the
    framework table applies only when nothing names a line, and the config beats both."""
    from pipelinekit.detect.repo import detect
    from tests.repo_factory import write_files

    write_files(tmp_path, {"gpuproj/__init__.py": "", **files})
    found = detect(tmp_path)
    assert found.cuda_line == line
    assert render_dockerfile(spec_of(found), source="p").count(f"ARG BASE_IMAGE={base}") == 1
    pinned = spec_of(found, cuda="12.4.1")
    assert pinned.base == "nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04"


def test_custom_base_with_its_own_python(facts: ProjectFacts) -> None:
    noble = spec_of(
        facts.model_copy(update={"python_version": "3.12"}),
        base_image="nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04",
        gpu=True,
    )
    text = render_dockerfile(noble, source="p")
    assert "ppa:" not in text and "python3.12 python3.12-venv" in text


def test_dockerfile_without_dependency_list_builds_deps_with_app(facts: ProjectFacts) -> None:
    setup_py = facts.model_copy(
        update={
            "dependency_files": (),
            "dependency_sources": (),
            "config_file": "pipelinekit.toml",
            "static_dependencies": False,
        }
    )
    text = render_dockerfile(spec_of(setup_py), source="p")
    assert "/wheels/deps" not in text and "--no-build-isolation" not in text
    assert (
        "pip wheel \\\n    --find-links /src/.pipelinekit/wheelhouse --wheel-dir /wheels/app ."
        in text
    )
    assert "pip install --no-index /wheels/app/*.whl" in text


def test_dockerfile_label_escapes_name(facts: ProjectFacts) -> None:
    text = render_dockerfile(spec_of(facts.model_copy(update={"name": 'x"y\\z'})), source="p")
    assert 'org.opencontainers.image.title="x\\"y\\\\z"' in text
    dollar = render_dockerfile(spec_of(facts.model_copy(update={"name": "a${HOME}"})), source="p")
    assert 'org.opencontainers.image.title="a\\${HOME}"' in dollar


def test_hostile_values_are_refused_or_quoted(facts: ProjectFacts) -> None:
    spec = spec_of(facts)
    with pytest.raises(ValueError, match="cannot be used in a Dockerfile"):
        render_dockerfile(spec.model_copy(update={"requirement_files": ("a\nb.txt",)}), source="p")
    spaced = spec.model_copy(
        update={
            "requirement_files": ("requirements dev.txt",),
            "copied_files": ("requirements dev.txt", "it's $HOME.txt"),
        }
    )
    text = render_dockerfile(spaced, source="p")
    assert (
        'COPY ["requirements dev.txt", "it\'s \\$HOME.txt", "pyproject.toml", ".pipelinekit*", "./"]'
        in text
    )
    assert "-r 'requirements dev.txt'" in text
    assert "'requirements dev.txt' 'it'\"'\"'s $HOME.txt'" in text  # sed's arguments
    with pytest.raises(ValueError, match=r"not X\.Y"):
        render_dockerfile(spec.model_copy(update={"python_version": "3.11; rm"}), source="p")
    text = render_dockerfile(spec.model_copy(update={"base": "x y\n"}), source="p")
    assert 'ARG BASE_IMAGE="x y\\n"' in text
    odd = render_dockerfile(spec.model_copy(update={"packages": ("ok", "not-valid")}), source="p")
    assert 'CMD ["python", "-c", "import ok"]' in odd


def test_dockerignore_keeps_data_and_git_out_but_the_wheelhouse_in(facts: ProjectFacts) -> None:
    lines = render_dockerignore(spec_of(facts), source="p").splitlines()
    for entry in (".git", "data", "**/.ipynb_checkpoints", ".venv", ".pipelinekit", "notebooks"):
        assert entry in lines
    assert lines.index("!.pipelinekit/wheelhouse") > lines.index(".pipelinekit")


def test_dockerignore_never_drops_a_package_named_like_data(facts: ProjectFacts) -> None:
    """A flat project whose packages are `data` and `features`: `data` must reach the build."""
    flat = facts.model_copy(update={"packages": ("data", "features"), "source_dirs": (".",)})
    lines = render_dockerignore(spec_of(flat), source="p").splitlines()
    assert "data" not in lines and "notebooks" in lines
    src = facts.model_copy(update={"packages": ("notebooks",), "source_dirs": ("notebooks",)})
    assert "notebooks" not in render_dockerignore(spec_of(src), source="p").splitlines()


def test_dockerfile_copies_nested_requirement_files_at_their_paths(facts: ProjectFacts) -> None:
    nested = facts.model_copy(
        update={
            "dependency_files": ("requirements.txt", "requirements/base.txt", "environment.yml")
        }
    )
    text = render_dockerfile(spec_of(nested), source="p")
    assert "COPY requirements.txt pyproject.toml .pipelinekit* ./" in text
    assert "COPY requirements/base.txt requirements/" in text
    assert "environment.yml" not in text  # conda files are not pip input
    assert "-r requirements.txt -r /tmp/pyproject-requirements.txt" in text


def test_dockerfile_for_project_without_metadata_ships_source(facts: ProjectFacts) -> None:
    bare = facts.model_copy(
        update={"build_system": "none", "installable": False, "config_file": "pipelinekit.toml"}
    )
    text = render_dockerfile(spec_of(bare), source="p")
    assert "pip wheel --no-deps" not in text and "/wheels/app" not in text
    assert "RUN rm -rf /src/wheelhouse /src/.pipelinekit" in text  # no wheels in the image
    assert "COPY --from=builder /src /app" in text and "ENV PYTHONPATH=/app/src\n" in text
    assert "-r requirements.txt" in text


VARIANTS = {
    "cpu": {},
    "cpu-no-metadata": {
        "build_system": "none",
        "installable": False,
        "config_file": "pipelinekit.toml",
    },
    "cpu-setup-py": {"dependency_files": (), "config_file": "pipelinekit.toml"},
    "cpu-setup-py-requirements": {"config_file": "pipelinekit.toml"},
    "torch-3.11-ppa": {"gpu_frameworks": ("torch",)},
    "tensorflow-3.10": {"gpu_frameworks": ("tensorflow",), "python_version": "3.10"},
    "jax-3.12-nested": {
        "gpu_frameworks": ("jax",),
        "python_version": "3.12",
        "dependency_files": ("requirements.txt", "requirements/gpu.txt"),
    },
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_template_variant_is_hadolint_clean(facts: ProjectFacts, variant: str) -> None:
    text = render_dockerfile(spec_of(facts.model_copy(update=VARIANTS[variant])), source="p")
    assert hadolint(text) == [], text


def test_repo_overrides_replace_shipped_templates(facts: ProjectFacts, tmp_path: Path) -> None:
    (tmp_path / "dockerfiles").mkdir()
    (tmp_path / "dockerfiles" / "cpu.Dockerfile.j2").write_text(
        '{% extends "base.Dockerfile.j2" %}\n{% block runtime_env %}ENV TEAM=ml\n{% endblock %}\n'
    )
    overrides = load_overrides(tmp_path)
    assert list(overrides) == ["cpu.Dockerfile.j2"]
    text = render_dockerfile(spec_of(facts), source="p", templates=overrides)
    assert "ENV TEAM=ml" in text and "FROM base AS runtime" in text


def test_build_input_prefers_the_committed_files(facts: ProjectFacts, tmp_path: Path) -> None:
    spec = spec_of(facts)
    rendered = build_input(tmp_path, spec, "pyproject.toml")
    assert (
        rendered.origin == "rendered" and rendered.ignore == DOCKERIGNORE
    )  # nothing named like code
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / ".dockerignore").write_text("# comment\n\ndata\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "big.csv").write_text("1")
    (tmp_path / "app.py").write_text("")
    committed = build_input(tmp_path, spec, "pyproject.toml")
    assert committed.origin == "Dockerfile" and committed.ignore == ("data",)
    import tarfile

    with tarfile.open(fileobj=context_tar(tmp_path, committed)) as tar:
        names = set(tar.getnames())
    assert "app.py" in names and ".pipelinekit.Dockerfile" in names
    assert "data/big.csv" not in names


def test_dependency_layer_drops_local_source_lines(facts: ProjectFacts, tmp_path: Path) -> None:
    """`-e .` or `./libs/x` cannot be built before the source is copied: the layer's copy of
    the file loses those lines (run here with the real sed), everything else stays."""
    text = render_dockerfile(spec_of(facts), source="p")
    command = next(line for line in text.splitlines() if "sed -i -E" in line)
    command = command.strip().removesuffix("&& \\").strip()
    (tmp_path / "requirements.txt").write_text(
        "-r base.txt\n-c constraints.txt\nnumpy>=1.26\n-e .\n  --editable ./libs/feature\n"
        "--editable=./libs/other\n./vendor/localdep\nfile:///opt/wheels/x.whl\n~/src/y\n"
        "torch @ https://example.com/torch.whl\ngit+https://example.com/repo.git#egg=z\n"
        "--extra-index-url https://download.pytorch.org/whl/cu121\n"
    )
    subprocess.run(["bash", "-c", command], cwd=tmp_path, check=True)
    assert (tmp_path / "requirements.txt").read_text().splitlines() == [
        "-r base.txt",
        "-c constraints.txt",
        "numpy>=1.26",
        "torch @ https://example.com/torch.whl",
        "git+https://example.com/repo.git#egg=z",
        "--extra-index-url https://download.pytorch.org/whl/cu121",
    ]
