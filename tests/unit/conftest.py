from __future__ import annotations

import pytest

from pipelinekit.detect.facts import DependencySource, ProjectFacts, TestFacts


@pytest.fixture
def facts() -> ProjectFacts:
    """A typical src-layout project with pytest tests and a requirements file."""
    return ProjectFacts(
        name="churn-model",
        packages=("churn",),
        layout="src",
        source_dirs=("src",),
        build_system="setuptools",
        python=">=3.10",
        python_version="3.11",
        tests=TestFacts(dirs=("tests",), framework="pytest"),
        dependency_files=("requirements.txt",),
        dependency_sources=(
            DependencySource(kind="project", path="pyproject.toml", requirements=("numpy",)),
            DependencySource(kind="requirements", path="requirements.txt"),
        ),
        metadata_files=("pyproject.toml",),
        installable=True,
        static_dependencies=True,
        config_file="pyproject.toml",
    )


@pytest.fixture(autouse=True)
def planned_stages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unit tests plan with the two stages every version has, so they do not change as stage
    modules are added; tests that plan more stages patch `implemented` themselves."""
    monkeypatch.setattr("pipelinekit.stages.implemented", lambda: ("lint", "test"))
