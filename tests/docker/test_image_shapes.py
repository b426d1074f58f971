"""Repository shapes the image got wrong (docs/dev/hunt-repositories.md items 2, 4, 9, 13):
each repository is built in a tmp folder, detected and planned for real, and its rendered
Dockerfile checked; the slow test builds every shape with a real dockerd and imports the
dependencies inside the image."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelinekit.config.models import Config
from pipelinekit.detect.repo import detect
from pipelinekit.docker.render import render_dockerfile
from pipelinekit.plan.model import ImageSpec
from pipelinekit.plan.planner import plan
from tests.repo_factory import write_files
from tests.support.dockerd import DockerEnv

SHAPES: dict[str, dict[str, str]] = {
    # item 2: includes that are not *.txt
    "includes": {
        "requirements.txt": "-r requirements/base.pip\n-c constraints\nsix\n",
        "requirements/base.pip": "attrs\n",
        "constraints": "attrs<99\n",
        "setup.py": 'from setuptools import setup\nsetup(name="inc", version="0.1", packages=["inc"])\n',
        "inc/__init__.py": "",
    },
    # item 4: src layout, no packaging metadata, requirements/ folder with a GPU variant
    "src_no_metadata": {
        "requirements/base.txt": "six\n",
        "requirements/dev.txt": "-r base.txt\npytest\n",
        "requirements/gpu.txt": "-r base.txt\nattrs\n",
        "src/mlcore/__init__.py": "VALUE = 1\n",
        "tests/test_core.py": "from mlcore import VALUE\n\n\ndef test_value():\n    assert VALUE\n",
    },
    # item 9: Pipfile
    "pipfile": {
        "Pipfile": '[packages]\nsix = "*"\nattrs = ">=20"\n\n[dev-packages]\npytest = "*"\n',
        "app/__init__.py": "",
    },
    # item 9: conda environment.yml, conda specs and its pip list
    "conda": {
        "environment.yml": "name: x\ndependencies:\n  - python=3.11\n  - six>=1.10\n"
        "  - pip\n  - pip:\n    - attrs\n",
        "app/__init__.py": "",
    },
    # item 13: setup.cfg alone (pip and `python -m build` refuse it: no setup.py, no pyproject)
    "setup_cfg_only": {
        "setup.cfg": "[metadata]\nname = cfgonly\nversion = 0.1\n\n[options]\n"
        "packages = find:\ninstall_requires =\n    six\n",
        "cfgonly/__init__.py": "",
    },
}


def spec_for(root: Path, **docker: object) -> ImageSpec:
    return plan(detect(root), Config.model_validate({"docker": docker})).image_spec


def shape(tmp_path: Path, name: str) -> Path:
    return write_files(tmp_path / name, SHAPES[name])


def test_include_files_of_any_suffix_are_copied_before_the_dependency_step(
    tmp_path: Path,
) -> None:
    spec = spec_for(shape(tmp_path, "includes"))
    assert sorted(spec.copied_files) == ["constraints", "requirements.txt", "requirements/base.pip"]
    text = render_dockerfile(spec, source="pyproject.toml")
    assert "COPY constraints requirements.txt .pipelinekit* ./" in text
    assert "COPY requirements/base.pip requirements/" in text
    assert text.index("COPY requirements/base.pip") < text.index("-r requirements.txt")


def test_src_layout_without_metadata_runs_from_src(tmp_path: Path) -> None:
    text = render_dockerfile(spec_for(shape(tmp_path, "src_no_metadata")), source="p")
    assert "ENV PYTHONPATH=/app/src\n" in text


def test_a_gpu_image_installs_the_gpu_requirement_file(tmp_path: Path) -> None:
    """requirements/gpu.txt has the role `other` (the tests do not install it); a GPU image
    does, after the runtime file."""
    root = shape(tmp_path, "src_no_metadata")
    gpu = spec_for(root, gpu=True)
    assert gpu.requirement_files == ("requirements/base.txt", "requirements/gpu.txt")
    text = render_dockerfile(gpu, source="p")
    assert "-r requirements/base.txt -r requirements/gpu.txt" in text
    assert spec_for(root).requirement_files == ("requirements/base.txt",)


@pytest.mark.parametrize(
    ("name", "lines"),
    [("pipfile", ("six", "attrs>=20")), ("conda", ("six>=1.10", "attrs"))],
)
def test_pipfile_and_conda_dependencies_are_in_the_dependency_layer(
    tmp_path: Path, name: str, lines: tuple[str, ...]
) -> None:
    spec = spec_for(shape(tmp_path, name))
    assert spec.requirement_lines == lines
    text = render_dockerfile(spec, source="p")
    assert "> /tmp/declared-requirements.txt" in text
    assert "-r /tmp/declared-requirements.txt" in text
    assert "pytest" not in text  # [dev-packages] is for the tests


def test_conda_names_are_pypi_names_and_conda_only_ones_left_out(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "c",
        {
            "environment.yml": "dependencies:\n  - pytorch::pytorch>=2\n  - r-base\n"
            "  - cudatoolkit=11.8\n  - pip:\n    - -e ./libs/x\n",
            "app/__init__.py": "",
        },
    )
    assert spec_for(root).requirement_lines == ("torch>=2",)


def test_setup_cfg_alone_is_shipped_as_source_without_a_package_job(tmp_path: Path) -> None:
    """pip: "Neither 'setup.py' nor 'pyproject.toml' found"; `python -m build`: "does not
    appear to be a Python project". So no wheel: no package job, the image ships the source
    with setup.cfg's install_requires in its dependency layer."""
    root = shape(tmp_path, "setup_cfg_only")
    pipeline = plan(detect(root), Config())
    assert "package" not in {job.name for job in pipeline.jobs}
    assert "docker" in {job.name for job in pipeline.jobs}
    spec = pipeline.image_spec
    assert not spec.installable and spec.requirement_lines == ("six",)
    text = render_dockerfile(spec, source="p")
    assert "pip wheel" in text and "--wheel-dir /wheels/app" not in text
    assert "COPY --from=builder /src /app" in text and "ENV PYTHONPATH=/app\n" in text


IMPORTS = {
    "includes": "import six, attrs, inc",
    "src_no_metadata": "import six, mlcore",
    "pipfile": "import six, attrs, app",
    "conda": "import six, attrs, app",
    "setup_cfg_only": "import six, cfgonly",
}


@pytest.mark.slow
def test_every_shape_builds_and_imports_its_dependencies(
    docker_env: DockerEnv, tmp_path: Path
) -> None:
    """A real `pipelinekit stage docker` per shape (wheels fetched on the host, no network in
    RUN steps), then the image imports the dependencies and the project's code."""
    from pipelinekit.stages import docker as stage
    from tests.docker.conftest import context, stage_env

    failures = []
    for name, check in IMPORTS.items():
        root = shape(tmp_path, name)
        result = stage.run(context(root, stage_env(docker_env)))
        if result.status != "passed":
            failures.append(f"{name}: {result.summary} {result.details}")
            continue
        image = json.loads((root / ".pipelinekit/reports/image.json").read_text())
        client = docker_env.client()
        try:
            out = client.containers.run(
                f"{image['image']}:{image['tags'][0]}",
                ["python", "-c", f"{check}; print('ok')"],
                remove=True,
                network_mode="none",
            )
        finally:
            client.close()
        if out.decode().strip() != "ok":
            failures.append(f"{name}: {out!r}")
    assert not failures, "\n".join(failures)
