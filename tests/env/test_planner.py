"""plan_env: what the test environment (and the image's runtime one) is built from, and
the `[tool.pipelinekit.test]` overrides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipelinekit.config.models import Config, parse_config
from pipelinekit.detect.repo import detect
from pipelinekit.env.planner import plan_env
from pipelinekit.errors import ConfigError
from tests.repo_factory import write_files

PYPROJECT = """\
[project]
name = "svc"
version = "1.0"
dependencies = ["attrs"]
[project.optional-dependencies]
test = ["pytest"]
docs = ["sphinx"]
[dependency-groups]
dev = ["six"]
lint = ["ruff"]
[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"
"""


def repo(root: Path, **extra: str) -> Path:
    return write_files(
        root,
        {
            "pyproject.toml": PYPROJECT,
            "svc/__init__.py": "",
            "tests/test_svc.py": "def test_x():\n    pass\n",
            "requirements-dev.txt": "iniconfig\n",
            "requirements-docs.txt": "mkdocs\n",
            **extra,
        },
    )


def config(**test: Any) -> Config:
    return parse_config({"test": test}, source="p")


def chosen(spec: Any) -> list[str]:
    return [f"{s.kind}:{s.name or s.path}" for s in spec.sources]


def test_default_test_environment(tmp_path: Path) -> None:
    spec = plan_env(detect(repo(tmp_path)), Config())
    assert spec.install_project and spec.project_extras == ("test",)
    assert chosen(spec) == [
        "project:pyproject.toml",
        "extra:test",
        "group:dev",
        "requirements:requirements-dev.txt",
    ]
    assert sorted(f"{s.kind}:{s.name or s.path}" for s in spec.left_out) == [
        "extra:docs",
        "group:lint",
        "requirements:requirements-docs.txt",
    ]
    assert spec.test_tools == ("pytest", "coverage")
    assert spec.key_files == ("pyproject.toml", "requirements-dev.txt", "requirements-docs.txt")


def test_runtime_environment_is_what_the_image_needs(tmp_path: Path) -> None:
    spec = plan_env(detect(repo(tmp_path)), Config(), purpose="runtime")
    assert chosen(spec) == ["project:pyproject.toml"]
    assert spec.test_tools == () and spec.project_extras == ()


def test_overrides(tmp_path: Path) -> None:
    facts = detect(repo(tmp_path, **{"ci/reqs.txt": "rich\n"}))
    spec = plan_env(
        facts,
        config(
            extras=["docs"],
            groups=["lint"],
            requirements=["ci/reqs.txt"],
            dependencies=["hypothesis"],
            python="3.10",
            lock="none",
        ),
    )
    assert chosen(spec) == [
        "project:pyproject.toml",
        "extra:docs",
        "group:lint",
        "requirements:ci/reqs.txt",
    ]
    assert spec.dependencies == ("hypothesis",) and spec.python == "3.10"
    assert spec.python_from == "[tool.pipelinekit.test] python"


def test_unknown_extra_is_a_config_error_listing_what_exists(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"extras: tset not found.*declares docs, test"):
        plan_env(detect(repo(tmp_path)), config(extras=["tset"]))


@pytest.mark.parametrize("value", ["2.7", "3.7", "3", "three"])
def test_python_override_must_be_38_or_newer(value: str) -> None:
    with pytest.raises(ConfigError, match=r"3\.8 or newer"):
        config(python=value)


def test_not_installable_projects_are_tested_from_source(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT.replace('version = "1.0"', 'version = "{{VERSION}}"'),
            "src/svc/__init__.py": "",
            "tests/test_svc.py": "",
        },
    )
    spec = plan_env(detect(tmp_path), Config())
    assert not spec.install_project
    assert "placeholder" in (spec.not_installed_reason or "")
    assert spec.source_paths == ("src",)
    forced = plan_env(detect(tmp_path), config(install_project=False))
    assert forced.not_installed_reason == "[tool.pipelinekit.test] install_project = false"


def test_python_override_outside_the_projects_range_is_a_config_error(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT.replace(
                'version = "1.0"', 'version = "1.0"\nrequires-python = ">=3.10"'
            ),
            "svc/__init__.py": "",
        },
    )
    with pytest.raises(
        ConfigError, match=r"python = '3.9' is outside what the project allows \('>=3.10'"
    ):
        plan_env(detect(tmp_path), config(python="3.9"))


def test_dependencies_must_be_requirements() -> None:
    with pytest.raises(
        ConfigError, match=r"test.dependencies.*'six>>1' is not a PEP 508 requirement"
    ):
        config(dependencies=["six>>1"])


def test_install_project_true_needs_metadata(tmp_path: Path) -> None:
    write_files(tmp_path, {"svc/__init__.py": "", "tests/test_x.py": ""})
    with pytest.raises(ConfigError, match="no packaging metadata"):
        plan_env(detect(tmp_path), config(install_project=True))


@pytest.mark.parametrize(
    ("files", "setting", "lock"),
    [
        ({"uv.lock": "", "poetry.lock": ""}, "auto", ("uv", "uv.lock")),
        ({"uv.lock": ""}, "none", None),
        ({}, "locks/prod.txt", ("pinned", "locks/prod.txt")),
        ({}, "sub/poetry.lock", ("poetry", "sub/poetry.lock")),
        ({"requirements.txt": "attrs==22.2.0\n"}, "auto", None),  # a pinned file is just installed
    ],
)
def test_lock_choice(tmp_path: Path, files: dict[str, str], setting: str, lock: Any) -> None:
    spec = plan_env(detect(repo(tmp_path, **files)), config(lock=setting))
    assert (None if spec.lock is None else (spec.lock.kind, spec.lock.path)) == lock


def test_unreadable_lock_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a lock pipelinekit can read"):
        plan_env(detect(repo(tmp_path)), config(lock="Gemfile.lock"))


def test_self_referenced_extras_are_installed_with_the_project(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "pyproject.toml": """\
                [project]
                name = "svc"
                version = "1"
                [project.optional-dependencies]
                plots = ["matplotlib"]
                [tool.hatch.envs.test]
                dependencies = ["pytest"]
                features = ["plots"]
                [build-system]
                requires = ["hatchling"]
                build-backend = "hatchling.build"
            """,
            "svc/__init__.py": "",
        },
    )
    spec = plan_env(detect(tmp_path), Config())
    assert spec.project_extras == ("plots",)
    assert chosen(spec) == ["project:pyproject.toml", "hatch-env:test", "extra:plots"]
