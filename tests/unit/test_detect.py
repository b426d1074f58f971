"""detect(): every field for every realistic layout, then the edge cases one at a time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipelinekit.detect.deps import Dep, gpu_framework
from pipelinekit.detect.facts import ProjectFacts, TestFacts
from pipelinekit.detect.repo import detect
from pipelinekit.env.python import python_version
from pipelinekit.env.reqfile import parse_requirement
from pipelinekit.env.sources_pipfile_conda import conda_python_spec
from pipelinekit.env.sources_pyproject import poetry_to_pep440
from pipelinekit.errors import ConfigError, DetectError
from tests.repo_factory import LAYOUTS, notebook, virtualenv, write

EXPECTED: dict[str, dict[str, Any]] = {
    "src_setuptools": dict(
        name="churn-predictor",
        packages=("churn_predictor",),
        layout="src",
        source_dirs=("src",),
        build_system="setuptools",
        python=">=3.9,<3.13",
        python_version="3.11",
        requires_python=">=3.9,<3.13",
        python_from="requires-python",
        metadata_files=("pyproject.toml",),
        tool_pins={"ruff": "0.4.4"},
        installable=True,
        version="1.4.2",
        version_source="static",
        tests=TestFacts(dirs=("tests",), framework="pytest"),
        notebooks=("notebooks/exploration.ipynb",),
        gpu_frameworks=("torch",),
        gpu_declared_in={"torch": "pyproject.toml"},
        dependency_files=("requirements-dev.txt",),
        static_dependencies=True,
        tool_configs=("coverage", "pytest", "ruff"),
        config_file="pyproject.toml",
        is_git=True,
    ),
    "flat_poetry": dict(
        name="scikit-learn-demo",
        packages=("skdemo",),
        layout="flat",
        source_dirs=(".",),
        build_system="poetry",
        python=">=3.10,<4.0",
        python_version="3.11",
        requires_python=">=3.10,<4.0",
        python_from="tool.poetry.dependencies.python",
        metadata_files=("pyproject.toml",),
        formatter="black",
        ruff_settings=(
            "--preview",
            "--select",
            "E,F,W,C90",
            "--ignore",
            "E121,E123,E126,E226,E24,E704",
            "--line-length",
            "88",
            "--extend-select",
            "I",
        ),
        ruff_settings_from=".flake8 [flake8]; isort settings",
        installable=True,
        version="0.3.0",
        version_source="static",
        tests=TestFacts(dirs=("skdemo/tests",), framework="pytest"),
        notebooks=("notebooks/Model Comparison.ipynb",),
        gpu_frameworks=("tensorflow",),
        gpu_declared_in={"tensorflow": "pyproject.toml"},
        dependency_files=("poetry.lock",),
        tool_configs=("black", "flake8", "isort"),
        config_file="pyproject.toml",
    ),
    "setup_py_only": dict(
        cuda_line="12",
        cuda_line_from="setup.py",
        name="jax-forecast",
        packages=("forecast",),
        layout="flat",
        source_dirs=(".",),
        build_system="setuptools",
        python=">=3.9",
        python_version="3.10",
        requires_python=">=3.9",
        python_from=".python-version",
        metadata_files=("setup.py",),
        installable=True,
        version="2.0.1",
        version_source="static",
        tests=TestFacts(dirs=("tests",), framework="unittest"),
        gpu_frameworks=("jax",),
        gpu_declared_in={"jax": "setup.py"},
        config_file="pipelinekit.toml",
    ),
    "subfolder_project": dict(
        root="ml",
        name="fraud-detection",
        packages=("fraud",),
        layout="src",
        source_dirs=("src",),
        build_system="pdm",
        python=">=3.11",
        python_version="3.11",
        requires_python=">=3.11",
        python_from="requires-python",
        metadata_files=("pyproject.toml",),
        installable=True,
        version="0.9.0",
        version_source="static",
        tests=TestFacts(dirs=("tests",), framework="pytest"),
        notebooks=("notebooks/EDA v2 (final).ipynb", "notebooks/Feature Importance.ipynb"),
        dependency_files=("pdm.lock",),
        static_dependencies=True,
        tool_configs=("mypy",),
        config_file="pyproject.toml",
    ),
    "package_named_src": dict(
        name="legacy-scorer",
        packages=("src",),
        layout="flat",
        source_dirs=(".",),
        build_system="setuptools",
        python="==3.9.*",
        python_version="3.9",
        requires_python=None,
        python_from=".python-version",
        metadata_files=("setup.py", "setup.cfg"),
        ruff_settings=(
            "--preview",
            "--select",
            "E,F,W,C90",
            "--ignore",
            "E121,E123,E126,E226,E24,E704",
            "--line-length",
            "120",
        ),
        ruff_settings_from="setup.cfg [flake8]",
        installable=True,
        version=None,
        version_source="dynamic",
        tests=TestFacts(dirs=("tests",), framework="pytest"),
        gpu_frameworks=("onnxruntime",),
        gpu_declared_in={"onnxruntime": "setup.py"},
        dependency_files=("requirements.txt",),
        tool_configs=("coverage", "flake8"),
        config_file="pipelinekit.toml",
    ),
    "hatch_vcs_dynamic": dict(
        cuda_line="12.1",
        cuda_line_from="environment.yml",
        name="vision-lab",
        packages=("vision_lab",),
        layout="src",
        source_dirs=("src",),
        build_system="hatch",
        python=">=3.12",
        python_version="3.12",
        requires_python=">=3.12",
        python_from="environment.yml",
        metadata_files=("pyproject.toml",),
        installable=True,
        version=None,
        version_source="git",
        tests=TestFacts(dirs=("tests",), framework="pytest"),
        notebooks=("experiments/augment.ipynb",),
        gpu_frameworks=("torch",),
        gpu_declared_in={"torch": "environment.yml"},
        dependency_files=("environment.yml",),
        static_dependencies=True,
        tool_configs=("mypy", "ruff"),
        config_file="pyproject.toml",
    ),
    "no_tests_cpu": dict(
        name="csv-cleaner",
        packages=(),
        modules=("csv_cleaner",),
        layout="flat",
        source_dirs=(".",),
        build_system="setuptools",
        python=">=3.8",
        python_version="3.11",
        requires_python=">=3.8",
        python_from="setup.cfg python_requires",
        metadata_files=("setup.py", "setup.cfg"),
        ruff_settings=("--extend-select", "I"),
        ruff_settings_from="isort settings",
        installable=True,
        version="0.2.0",
        version_source="static",
        tests=TestFacts(dirs=(), framework=None),
        tool_configs=("isort",),
        config_file="pipelinekit.toml",
    ),
    "requirements_only": dict(
        cuda_line="12",
        cuda_line_from="base.txt",
        name="requirements_only",
        packages=("gpu_kernels",),
        layout="flat",
        source_dirs=(".",),
        build_system="none",
        python="==3.10.*",
        python_version="3.10",
        requires_python=None,
        python_from="runtime.txt",
        metadata_files=(),
        installable=False,
        not_installable_reason="it has no packaging metadata: no pyproject.toml [project] and no setup.py",
        version=None,
        version_source="none",
        tests=TestFacts(dirs=(".",), framework="pytest"),
        notebooks=("Benchmarks.ipynb",),
        gpu_frameworks=("cupy",),
        gpu_declared_in={"cupy": "base.txt"},
        dependency_files=("base.txt", "requirements.txt"),
        config_file="pipelinekit.toml",
    ),
}


def build(tmp_path: Path, layout: str) -> Path:
    repo = tmp_path / layout
    LAYOUTS[layout](repo)
    return repo


def test_every_layout_has_expectations() -> None:
    assert set(EXPECTED) == set(LAYOUTS)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_layout_facts(tmp_path: Path, layout: str) -> None:
    facts = detect(build(tmp_path, layout))
    sources = {"dependency_sources", "locks"}  # test_layout_dependency_sources
    assert facts.model_dump(exclude=sources) == ProjectFacts(**EXPECTED[layout]).model_dump(
        exclude=sources
    )


SOURCES: dict[str, tuple[list[tuple[str, str, str | None, str]], list[tuple[str, str]]]] = {
    "flat_poetry": (
        [
            ("poetry", "pyproject.toml", None, "runtime"),
            ("poetry-group", "pyproject.toml", "dev", "test"),
            ("poetry-group", "pyproject.toml", "gpu", "other"),
        ],
        [("poetry", "poetry.lock")],
    ),
    "hatch_vcs_dynamic": (
        [
            ("project", "pyproject.toml", None, "runtime"),
            ("extra", "pyproject.toml", "dev", "test"),
            ("conda", "environment.yml", None, "runtime"),
            ("conda-pip", "environment.yml", "pip", "runtime"),
        ],
        [],
    ),
    "no_tests_cpu": ([("setup", "setup.cfg", "install_requires", "runtime")], []),
    "package_named_src": (
        [
            ("setup", "setup.py", "install_requires", "runtime"),
            ("requirements", "requirements.txt", None, "runtime"),
        ],
        [("pinned", "requirements.txt")],
    ),
    "requirements_only": ([("requirements", "requirements.txt", None, "runtime")], []),
    "setup_py_only": (
        [
            ("setup", "setup.py", "install_requires", "runtime"),
            ("extra", "setup.py", "docs", "other"),
        ],
        [],
    ),
    "src_setuptools": (
        [
            ("project", "pyproject.toml", None, "runtime"),
            ("extra", "pyproject.toml", "viz", "other"),
            ("requirements", "requirements-dev.txt", None, "test"),
        ],
        [],
    ),
    "subfolder_project": (
        [
            ("project", "pyproject.toml", None, "runtime"),
            ("pdm-group", "pyproject.toml", "test", "test"),
        ],
        [("pdm", "pdm.lock")],
    ),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_layout_dependency_sources(tmp_path: Path, layout: str) -> None:
    """Where each layout declares its requirements, with the role that decides whether the
    test environment installs it; and its locks."""
    facts = detect(build(tmp_path, layout))
    sources = [(s.kind, s.path, s.name, s.role) for s in facts.dependency_sources]
    assert (sources, [(lock.kind, lock.path) for lock in facts.locks]) == SOURCES[layout]


def test_json_keys_are_the_stable_contract(tmp_path: Path) -> None:
    data = detect(build(tmp_path, "src_setuptools")).model_dump(mode="json")
    assert data["tests"] == {
        "dirs": ["tests"],
        "framework": "pytest",
        "args": [],
        "command_from": None,
    }
    assert data["gpu_frameworks"] == ["torch"]


# -- bad input ----------------------------------------------------------------------------------


def test_missing_path_is_a_detect_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(DetectError, match="does not exist") as exc:
        detect(missing)
    assert str(missing) in exc.value.message
    assert exc.value.exit_code == 2


def test_file_path_is_a_detect_error(tmp_path: Path) -> None:
    path = write(tmp_path, "setup.py", "")
    with pytest.raises(DetectError, match="is not a folder"):
        detect(path)


def test_dynamic_optional_dependency_files_are_scanned(tmp_path: Path) -> None:
    """Bug hunt: `optional-dependencies.gpu = {file = [...]}` was not read: cupy unseen."""
    write(
        tmp_path,
        "pyproject.toml",
        '[project]\nname = "k"\nversion = "1"\ndynamic = ["optional-dependencies"]\n'
        '[tool.setuptools.dynamic]\noptional-dependencies.gpu = {file = ["deps/gpu.in"]}\n',
    )
    write(tmp_path, "deps/gpu.in", "cupy-cuda12x>=13\n")
    write(tmp_path, "k/__init__.py")
    facts = detect(tmp_path)
    assert facts.gpu_frameworks == ("cupy",) and facts.gpu_declared_in == {"cupy": "deps/gpu.in"}
    assert facts.cuda_line == "12"


def test_notebooks_with_their_requirements_are_a_project(tmp_path: Path) -> None:
    """Bug hunt: a notebooks-only data-science repository was "No Python project found"."""
    write(tmp_path, "environment.yml", "dependencies:\n  - pandas\n")
    write(tmp_path, "notebooks/Explore data.ipynb", "{}")
    facts = detect(tmp_path)
    assert (facts.root, facts.packages, facts.modules) == (".", (), ())
    assert facts.notebooks == ("notebooks/Explore data.ipynb",)
    with pytest.raises(DetectError):
        detect(write(tmp_path / "bare", "requirements.txt", "pandas\n").parent)


def test_scripts_with_their_requirements_are_a_project(tmp_path: Path) -> None:
    """Bug hunt (15): scripts/ plus requirements.txt was "No Python project found"; the scripts
    alone, without a dependency file, are still not a project."""
    write(tmp_path / "bare", "scripts/train.py", "print('train')\n")
    with pytest.raises(DetectError):
        detect(tmp_path / "bare")
    write(tmp_path / "bare", "requirements.txt", "pandas\n")
    facts = detect(tmp_path / "bare")
    assert (facts.root, facts.packages, facts.modules) == (".", (), ())
    assert "requirements.txt" in facts.dependency_files


def test_modules_in_any_folder_with_their_requirements_are_a_project(tmp_path: Path) -> None:
    """Audit hunt (N5): app/run.py plus requirements.txt was "No Python project found" (the
    audit could not run on it); a folder the tree walk skips (.venv, node_modules) or a folder
    without modules does not count."""
    write(tmp_path / "bare", "requirements.txt", "numpy\n")
    write(tmp_path / "bare", "node_modules/x/build.py", "print(1)\n")
    write(tmp_path / "bare", "data/rows.csv", "a,b\n")
    with pytest.raises(DetectError):
        detect(tmp_path / "bare")
    write(tmp_path / "bare", "app/run.py", "import sys\n")
    facts = detect(tmp_path / "bare")
    assert (facts.root, facts.packages) == (".", ())
    assert "requirements.txt" in facts.dependency_files
    # A surer project below (metadata) is still the one chosen: root dev tools do not hide it.
    write(tmp_path / "bare", "services/api/pyproject.toml", '[project]\nname = "api"\n')
    write(tmp_path / "bare", "services/api/api/__init__.py")
    assert detect(tmp_path / "bare").root == "services/api"


def test_no_python_project_names_path_and_what_is_looked_for(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "# docs only\n")
    write(tmp_path, "docs/index.md", "hi\n")
    write(tmp_path, "tests/unit/__init__.py")  # a tests package alone is not a project
    virtualenv(tmp_path, ".venv")
    with pytest.raises(DetectError) as exc:
        detect(tmp_path)
    assert str(tmp_path) in exc.value.message
    assert "pyproject.toml" in exc.value.message
    assert "__init__.py" in exc.value.message


def test_malformed_pyproject_is_a_config_error_with_line(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\nversion = \n')
    with pytest.raises(ConfigError, match=r"line 3"):
        detect(tmp_path)


def test_malformed_setup_py_falls_back_to_setup_cfg(tmp_path: Path) -> None:
    write(tmp_path, "setup.py", "from setuptools import setup\nsetup(name='x',\n")
    write(tmp_path, "setup.cfg", "[metadata]\nname = cfg-name\n[options]\npackages = find:\n")
    write(tmp_path, "cfgpkg/__init__.py")
    facts = detect(tmp_path)
    assert (facts.name, facts.packages, facts.build_system) == (
        "cfg-name",
        ("cfgpkg",),
        "setuptools",
    )


def test_malformed_setup_py_alone_uses_folder_name_and_discovery(tmp_path: Path) -> None:
    repo = tmp_path / "broken-repo"
    write(repo, "setup.py", "def (:\n")
    write(repo, "mypkg/__init__.py")
    write(repo, "setup.cfg", "[metadata\nname = oops\n")  # malformed INI is ignored too
    facts = detect(repo)
    assert (facts.name, facts.packages, facts.version_source) == ("broken-repo", ("mypkg",), "none")


# -- finding the project root -------------------------------------------------------------------


def test_subfolder_with_tests_wins_over_one_without(tmp_path: Path) -> None:
    write(tmp_path, "tools/setup.py", "from setuptools import setup\nsetup(name='tools')\n")
    write(tmp_path, "python/pyproject.toml", '[project]\nname = "core"\n')
    write(tmp_path, "python/core/__init__.py")
    write(tmp_path, "python/tests/test_core.py", "def test_x():\n    pass\n")
    assert detect(tmp_path).root == "python"


def test_metadata_wins_over_a_bare_package_and_depth_two_is_searched(tmp_path: Path) -> None:
    write(tmp_path, "analysis/helpers/__init__.py")
    write(tmp_path, "analysis/tests/test_helpers.py", "def test_x():\n    pass\n")
    write(tmp_path, "services/scoring/pyproject.toml", '[project]\nname = "scoring"\n')
    write(tmp_path, "services/scoring/scoring/__init__.py")
    facts = detect(tmp_path)
    assert (facts.root, facts.name, facts.packages) == ("services/scoring", "scoring", ("scoring",))


def test_equal_candidates_are_picked_by_name_and_the_others_named(tmp_path: Path) -> None:
    for name in ("zeta", "alpha"):
        write(tmp_path, f"{name}/setup.cfg", f"[metadata]\nname = {name}\n")
    facts = detect(tmp_path)
    assert (facts.root, facts.other_projects) == ("alpha", ("zeta",))


def test_a_tools_only_root_pyproject_does_not_hide_the_workspace_members(tmp_path: Path) -> None:
    """The hunt's finding 8: a uv workspace root holds only `[tool.uv.workspace]` and
    `[tool.ruff]`; the project is its member (and the other member is named)."""
    write(
        tmp_path, "pyproject.toml", '[tool.uv.workspace]\nmembers = ["packages/*"]\n[tool.ruff]\n'
    )
    write(
        tmp_path,
        "packages/core/pyproject.toml",
        '[project]\nname = "core"\ndependencies = ["torch"]\n',
    )
    write(tmp_path, "packages/core/src/core/__init__.py")
    write(tmp_path, "packages/core/tests/test_core.py", "def test_x():\n    pass\n")
    write(tmp_path, "packages/cli/pyproject.toml", '[project]\nname = "cli"\n')
    write(tmp_path, "packages/cli/cli/__init__.py")
    facts = detect(tmp_path)
    assert (facts.root, facts.packages, facts.gpu_frameworks) == (
        "packages/core",
        ("core",),
        ("torch",),
    )
    assert facts.other_projects == ("packages/cli",)


def test_tool_settings_beside_a_package_are_still_its_project(tmp_path: Path) -> None:
    write(tmp_path, "setup.cfg", "[flake8]\nmax-line-length = 100\n")
    write(tmp_path, "tidy/__init__.py")
    write(tmp_path, "sub/other/pyproject.toml", '[project]\nname = "other"\n')
    facts = detect(tmp_path)
    assert (facts.root, facts.packages, facts.other_projects) == (".", ("tidy",), ())


def test_candidates_inside_a_virtualenv_or_package_are_ignored(tmp_path: Path) -> None:
    virtualenv(tmp_path, "myenv")  # odd name: recognised by its pyvenv.cfg
    write(tmp_path, "myenv/lib/setup.py", "")
    write(tmp_path, "conda/conda-meta/history")
    write(tmp_path, "conda/pyproject.toml", "")
    write(tmp_path, "app/src/app/__init__.py")
    assert detect(tmp_path).root == "app"


def test_scripts_only_folder_is_a_modules_project(tmp_path: Path) -> None:
    write(tmp_path, "train.py", "import torch\n")
    write(tmp_path, "setup.py.bak")
    write(tmp_path, "conftest.py")
    facts = detect(tmp_path)
    assert (facts.root, facts.packages, facts.modules) == (".", (), ("train",))
    assert facts.gpu_declared_in == {"torch": "train.py"}


# -- packages and layout ------------------------------------------------------------------------


def test_src_namespace_package_without_init_counts(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "ns"\n')
    write(tmp_path, "src/acme/vision/core.py")
    write(tmp_path, "tests/__init__.py")
    facts = detect(tmp_path)
    assert (facts.packages, facts.layout, facts.source_dirs) == (("acme",), "src", ("src",))
    assert facts.build_system == "setuptools"  # PEP 517 fallback without [build-system]


def test_flat_layout_excludes_tooling_packages(tmp_path: Path) -> None:
    write(tmp_path, "setup.cfg", "[metadata]\nname = many\n")
    for name in ("core", "api", "tests", "docs", "examples", "benchmarks", "scripts", "notebooks"):
        write(tmp_path, f"{name}/__init__.py")
    write(tmp_path, "data/raw.csv")
    write(tmp_path, "my-dir/__init__.py")  # not importable
    assert detect(tmp_path).packages == ("api", "core")


def test_poetry_packages_from_src_and_a_module(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        """\
        [tool.poetry]
        name = "mixed"
        version = "1.0.0"
        packages = [{ include = "alpha", from = "src" }, { include = "beta/**/*.py" }]
        """,
    )
    facts = detect(tmp_path)
    assert (facts.packages, facts.source_dirs, facts.layout) == (
        ("alpha", "beta"),
        (".", "src"),
        "src",
    )
    assert facts.build_system == "poetry"

    write(
        tmp_path, "pyproject.toml", '[tool.poetry]\nname = "m"\npackages = [{include = "m.py"}]\n'
    )
    assert detect(tmp_path).modules == ("m",)


def test_setuptools_find_where_include_exclude(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        """\
        [project]
        name = "found"
        [tool.setuptools.packages.find]
        where = ["lib"]
        include = ["found*"]
        exclude = ["found_experimental"]
        namespaces = false
        """,
    )
    for name in ("found", "found_utils", "found_experimental", "other"):
        write(tmp_path, f"lib/{name}/__init__.py")
    write(tmp_path, "lib/found_ns/x.py")  # namespaces = false: not a package
    facts = detect(tmp_path)
    assert (facts.packages, facts.source_dirs, facts.layout) == (
        ("found", "found_utils"),
        ("lib",),
        "src",
    )


def test_setuptools_explicit_packages_and_package_dir(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        """\
        [project]
        name = "explicit"
        [tool.setuptools]
        packages = ["explicit", "explicit.sub", "helper"]
        package-dir = {"" = "src", "helper" = "vendor/helper"}
        """,
    )
    facts = detect(tmp_path)
    assert (facts.packages, facts.source_dirs) == (("explicit", "helper"), ("src", "vendor"))


def test_setup_cfg_find_with_package_dir(tmp_path: Path) -> None:
    write(
        tmp_path,
        "setup.cfg",
        """\
        [metadata]
        name = cfgsrc
        version = attr: cfgsrc.__version__

        [options]
        package_dir =
            =src
        packages = find_namespace:
        setup_requires = setuptools_scm

        [options.packages.find]
        where = src
        exclude =
            tests*
        """,
    )
    write(tmp_path, "src/cfgsrc/__init__.py")
    write(tmp_path, "src/tests/test_x.py")
    facts = detect(tmp_path)
    assert (facts.packages, facts.layout) == (("cfgsrc",), "src")
    assert (facts.version, facts.version_source) == (None, "git")


def test_setup_cfg_explicit_packages_and_modules(tmp_path: Path) -> None:
    write(tmp_path, "setup.cfg", "[options]\npackages =\n    one\n    one.two\n")
    assert detect(tmp_path).packages == ("one",)
    write(tmp_path, "setup.cfg", "[options]\npy_modules = tool_a, tool_b\n")
    assert detect(tmp_path).modules == ("tool_a", "tool_b")


def test_setup_py_find_packages_in_src_with_package_dir(tmp_path: Path) -> None:
    write(
        tmp_path,
        "setup.py",
        """\
        import setuptools
        META = {"name": "spy", "python_requires": ">=3.8,<3.11"}
        BASE = ["pandas"]
        setuptools.setup(
            package_dir={"": "src"},
            packages=setuptools.find_packages("src", exclude=("spy_tests",)),
            install_requires=BASE + ["tensorflow-gpu==2.10"],
            use_scm_version={"write_to": "src/spy/_version.py"},
            **META,
        )
        """,
    )
    write(tmp_path, "src/spy/__init__.py")
    write(tmp_path, "src/spy_tests/__init__.py")
    facts = detect(tmp_path)
    assert (facts.name, facts.packages, facts.source_dirs) == ("spy", ("spy",), ("src",))
    assert (facts.python, facts.python_version) == (">=3.8,<3.11", "3.10")
    assert facts.gpu_declared_in == {"tensorflow": "setup.py"}
    assert facts.version_source == "git"


def test_setup_py_explicit_packages_and_py_modules(tmp_path: Path) -> None:
    write(tmp_path, "setup.py", "from setuptools import setup\nsetup(packages=['a', 'a.b'])\n")
    assert detect(tmp_path).packages == ("a",)
    write(tmp_path, "setup.py", "from setuptools import setup\nsetup(py_modules=['cli'])\n")
    assert detect(tmp_path).modules == ("cli",)


def test_setup_py_without_setup_call(tmp_path: Path) -> None:
    write(tmp_path, "setup.py", "print('legacy')\n")
    write(tmp_path, "legacy/__init__.py")
    facts = detect(tmp_path)
    assert (facts.packages, facts.build_system, facts.version_source) == (
        ("legacy",),
        "setuptools",
        "none",
    )


def test_hatch_and_flit_declarations(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        """\
        [build-system]
        requires = ["flit_core>=3.4"]
        build-backend = "flit_core.buildapi"
        [project]
        name = "Flit-Tool"
        dynamic = ["version", "description"]
        """,
    )
    write(tmp_path, "src/flit_tool.py")
    facts = detect(tmp_path)
    assert (facts.build_system, facts.modules, facts.source_dirs) == (
        "flit",
        ("flit_tool",),
        ("src",),
    )
    assert (facts.version, facts.version_source) == (None, "dynamic")

    write(
        tmp_path,
        "pyproject.toml",
        """\
        [build-system]
        build-backend = "flit_core.buildapi"
        [project]
        name = "flit-pkg"
        [tool.flit.module]
        name = "flitpkg"
        """,
    )
    write(tmp_path, "flitpkg/__init__.py")
    assert detect(tmp_path).packages == ("flitpkg",)


def test_modules_found_in_src_when_no_package(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "single"\n')
    write(tmp_path, "src/single.py")
    write(tmp_path, "src/_private.py")
    facts = detect(tmp_path)
    assert (facts.modules, facts.source_dirs, facts.layout) == (("single",), ("src",), "src")


def test_metadata_without_any_code(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "empty"\nversion = "0.0.1"\n')
    facts = detect(tmp_path)
    assert (facts.packages, facts.modules, facts.source_dirs) == ((), (), ())


# -- build system, version ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("backend", "expected"),
    [
        ("setuptools.build_meta", "setuptools"),
        ("setuptools.build_meta:__legacy__", "setuptools"),
        ("poetry.core.masonry.api", "poetry"),
        ("poetry.masonry.api", "poetry"),
        ("hatchling.build", "hatch"),
        ("flit_core.buildapi", "flit"),
        ("pdm.backend", "pdm"),
        ("pdm.pep517.api", "pdm"),
        ("maturin", "none"),
    ],
)
def test_build_backend_mapping(tmp_path: Path, backend: str, expected: str) -> None:
    write(tmp_path, "pyproject.toml", f'[build-system]\nbuild-backend = "{backend}"\n')
    write(tmp_path, "pkg/__init__.py")
    assert detect(tmp_path).build_system == expected


def test_poetry_without_build_system_and_no_metadata_build_systems(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.poetry]\nname = "p"\n')
    write(tmp_path, "p/__init__.py")
    assert detect(tmp_path).build_system == "poetry"
    write(tmp_path, "pyproject.toml", "[tool.ruff]\nline-length = 90\n")
    assert detect(tmp_path).build_system == "none"


@pytest.mark.parametrize(
    ("pyproject", "expected"),
    [
        ('[project]\nname = "a"\ndynamic = ["version"]\n', (None, "dynamic")),
        (
            '[project]\nname = "a"\ndynamic = ["version"]\n[tool.setuptools_scm]\n',
            (None, "git"),
        ),
        ('[build-system]\nrequires = ["setuptools-scm>=8"]\n[project]\nname="a"\n', (None, "git")),
        ('[tool.pdm.version]\nsource = "scm"\n[project]\nname = "a"\n', (None, "git")),
        (
            '[tool.poetry]\nname = "a"\nversion = "0.0.0"\n'
            "[tool.poetry-dynamic-versioning]\nenable = true\n",
            (None, "git"),
        ),
        ('[tool.poetry]\nname = "a"\nversion = "2.1.0"\n', ("2.1.0", "static")),
        ('[project]\nname = "a"\n', (None, "none")),
    ],
)
def test_version_sources(tmp_path: Path, pyproject: str, expected: tuple[str | None, str]) -> None:
    write(tmp_path, "pyproject.toml", pyproject)
    facts = detect(tmp_path)
    assert (facts.version, facts.version_source) == expected


def test_versioneer_in_setup_py_is_git(tmp_path: Path) -> None:
    write(
        tmp_path,
        "setup.py",
        "import versioneer\nfrom setuptools import setup\n"
        "setup(name='v', version=versioneer.get_version(), cmdclass=versioneer.get_cmdclass())\n",
    )
    write(tmp_path, "v/__init__.py")
    assert detect(tmp_path).version_source == "git"


def test_setup_cfg_versioneer_section_is_git(tmp_path: Path) -> None:
    write(tmp_path, "setup.cfg", "[metadata]\nname = v\n\n[versioneer]\nVCS = git\n")
    write(tmp_path, "v/__init__.py")
    assert detect(tmp_path).version_source == "git"


# -- Python requirement -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("^3.10", ">=3.10,<4.0"),
        ("^3.10.2", ">=3.10.2,<4.0"),
        ("~3.10", ">=3.10,<3.11"),
        ("~3.9.1", ">=3.9.1,<3.10"),
        ("~3", ">=3,<4.0"),
        ("^0.2", ">=0.2,<0.3"),
        (">=3.8,<3.12", ">=3.8,<3.12"),
        (">=3.8 <3.12", ">=3.8,<3.12"),
        ("3.10", "==3.10"),
        ("3.10.*", "==3.10.*"),
        ("~=3.9", "~=3.9"),
        ("^2.7 || ^3.9", ">=2.7,<3.0 || >=3.9,<4.0"),
        ("*", None),
    ],
)
def test_poetry_to_pep440(spec: str, expected: str | None) -> None:
    assert poetry_to_pep440(spec) == expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (None, "3.11"),
        ("", "3.11"),
        (">=3.8", "3.11"),
        (">=3.12", "3.13"),
        ("<3.11", "3.10"),
        (">=3.10.2,<3.11", "3.10"),
        ("==3.9.7", "3.9"),
        ("==3.10.*", "3.10"),
        ("!=3.11.*,>=3.9", "3.13"),
        (">=3.14", "3.14"),
        ("<3.8", "3.7"),
        ("==2.7.*", "3.11"),
        ("not a spec", "3.11"),
        (">=2.7,<3.0 || >=3.9,<4.0", "3.11"),
        ("<3.0 || ==3.9.*", "3.9"),
    ],
)
def test_python_version_choice(spec: str | None, expected: str) -> None:
    assert python_version(spec) == expected


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({".python-version": "# pyenv\n3.12.1\n"}, "==3.12.*"),
        ({".python-version": "pypy3.10-7.3.12\n"}, "==3.10.*"),
        ({"runtime.txt": "python-3.9.7\n"}, "==3.9.*"),
        ({"environment.yml": "dependencies:\n  - python=3.10\n"}, "==3.10.*"),
        ({"environment.yml": "dependencies:\n  - python>=3.9,<3.12\n"}, ">=3.9,<3.12"),
        ({"Pipfile": '[requires]\npython_version = "3.11"\n'}, "==3.11.*"),
        ({"Pipfile": '[requires]\npython_full_version = "3.10.4"\n'}, "==3.10.4"),
        (
            {"pyproject.toml": '[tool.poetry.dependencies]\npython = {version = "~3.10"}\n'},
            ">=3.10,<3.11",
        ),
        ({"setup.cfg": "[options]\npython_requires = >=3.10\n"}, ">=3.10"),
        ({".python-version": "system\n"}, None),
    ],
)
def test_python_requirement_sources(
    tmp_path: Path, files: dict[str, str], expected: str | None
) -> None:
    write(tmp_path, "pkg/__init__.py")
    for rel, text in files.items():
        write(tmp_path, rel, text)
    assert detect(tmp_path).python == expected


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("=3.10", "==3.10.*"),
        ("3.10", "==3.10.*"),
        ("=3.10.4=h123_0", "==3.10.4.*"),
        ("3.11.*", "==3.11.*"),
        ("==3.10.4", "==3.10.4"),
        (" >= 3.9", ">=3.9"),
        ("", None),
    ],
)
def test_conda_python_spec(constraint: str, expected: str | None) -> None:
    assert conda_python_spec(constraint) == expected


# -- tests --------------------------------------------------------------------------------------


def test_testpaths_from_pytest_ini_win_and_globs_expand(tmp_path: Path) -> None:
    write(tmp_path, "pkg/__init__.py")
    write(tmp_path, "pytest.ini", "[pytest]\ntestpaths = suites/* missing ./checks/\n")
    write(tmp_path, "pyproject.toml", '[tool.pytest.ini_options]\ntestpaths = ["other"]\n')
    for rel in ("suites/unit/test_a.py", "suites/e2e/test_b.py", "checks/test_c.py", "other/t.py"):
        write(tmp_path, rel)
    facts = detect(tmp_path)
    assert facts.tests == TestFacts(
        dirs=("checks", "suites/e2e", "suites/unit"), framework="pytest"
    )


@pytest.mark.parametrize(
    ("config_file", "text"),
    [
        ("tox.ini", "[tox]\nenvlist = py311\n[pytest]\ntestpaths = qa\n"),
        ("setup.cfg", "[tool:pytest]\ntestpaths =\n    qa\n"),
        ("pyproject.toml", '[tool.pytest.ini_options]\ntestpaths = "qa"\n'),
    ],
)
def test_testpaths_from_other_config_files(tmp_path: Path, config_file: str, text: str) -> None:
    write(tmp_path, "pkg/__init__.py")
    write(tmp_path, config_file, text)
    write(tmp_path, "qa/check_things.py", "def test_x():\n    pass\n")
    write(tmp_path, "tests/test_ignored.py")
    assert detect(tmp_path).tests == TestFacts(dirs=("qa",), framework="pytest")


def test_configured_testpaths_that_do_not_exist_fall_back_to_discovery(tmp_path: Path) -> None:
    write(tmp_path, "pkg/__init__.py")
    write(tmp_path, "tox.ini", "[pytest]\ntestpaths = gone\n")
    write(tmp_path, "test/test_a.py", "import unittest\n\nclass T(unittest.TestCase):\n    pass\n")
    assert detect(tmp_path).tests.dirs == ("test",)


def test_tests_inside_src_packages(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "inpkg"\n')
    write(tmp_path, "src/inpkg/__init__.py")
    write(tmp_path, "src/inpkg/core/tests/test_core.py", "def test_x():\n    pass\n")
    write(tmp_path, "src/inpkg/io/tests/test_io.py", "def test_y():\n    pass\n")
    write(tmp_path, "vendor/lib/tests/test_vendor.py")  # not inside the package
    facts = detect(tmp_path)
    assert facts.tests.dirs == ("src/inpkg/core/tests", "src/inpkg/io/tests")


def test_tests_dir_with_only_init_is_not_a_test_dir(tmp_path: Path) -> None:
    write(tmp_path, "setup.cfg", "[metadata]\nname = x\n")
    write(tmp_path, "x/__init__.py")
    write(tmp_path, "tests/__init__.py")
    assert detect(tmp_path).tests == TestFacts()


@pytest.mark.parametrize(
    ("test_source", "expected"),
    [
        (
            "import unittest\n\nclass TestA(unittest.TestCase):\n"
            "    def test_a(self):\n        pass\n",
            "unittest",
        ),
        ("from unittest import TestCase\n\nclass A(TestCase):\n    pass\n", "unittest"),
        ("def test_bare():\n    assert 1\n", "pytest"),
        ("class TestPlain:\n    def test_a(self):\n        pass\n", "pytest"),
        ("import unittest\nimport pytest\n\nclass T(unittest.TestCase):\n    pass\n", "pytest"),
        ("# nothing recognisable\n", "pytest"),
    ],
)
def test_framework_from_test_sources(tmp_path: Path, test_source: str, expected: str) -> None:
    write(tmp_path, "setup.py", "from setuptools import setup\nsetup(name='f')\n")
    write(tmp_path, "f/__init__.py")
    write(tmp_path, "tests/test_f.py", test_source)
    assert detect(tmp_path).tests.framework == expected


def test_conftest_or_declared_pytest_means_pytest(tmp_path: Path) -> None:
    unittest_source = "import unittest\n\nclass T(unittest.TestCase):\n    pass\n"
    write(tmp_path, "f/__init__.py")
    write(tmp_path, "tests/test_f.py", unittest_source)
    write(tmp_path, "tests/conftest.py", "")
    assert detect(tmp_path).tests.framework == "pytest"

    (tmp_path / "tests/conftest.py").unlink()
    write(tmp_path, "requirements/test.txt", "pytest-mock==3.12\n")
    assert detect(tmp_path).tests.framework == "pytest"


# -- dependencies and GPU frameworks ------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("torch>=2.1", ("torch", frozenset())),
        (
            "tensorflow[and-cuda]==2.15 ; sys_platform == 'linux'",
            ("tensorflow", frozenset({"and-cuda"})),
        ),
        ("Jax[CUDA12_pip, tpu]", ("jax", frozenset({"cuda12-pip", "tpu"}))),
        ("Cupy_Cuda12x", ("cupy-cuda12x", frozenset())),
        ("torch @ https://download.pytorch.org/whl/torch-2.1.0.whl", ("torch", frozenset())),
        (
            "https://download.pytorch.org/whl/cu121/torch-2.1.0%2Bcu121-cp311-linux_x86_64.whl",
            ("torch", frozenset()),
        ),
        ("-e git+https://github.com/org/repo.git@v1#egg=cudf", ("cudf", frozenset())),
        ("git+https://github.com/org/repo.git@main", None),
        ("./local/package", None),
        ("--extra-index-url https://download.pytorch.org/whl/cu121", None),
        ("-e .", None),
        ("", None),
    ],
)
def test_parse_requirement(line: str, expected: tuple[str, frozenset[str]] | None) -> None:
    assert parse_requirement(line) == expected


@pytest.mark.parametrize(
    ("name", "extras", "expected"),
    [
        ("torch", (), "torch"),
        ("pytorch", (), "torch"),
        ("pytorch-cuda", (), "torch"),
        ("torchvision", (), "torch"),
        ("tensorflow", ("and-cuda",), "tensorflow"),
        ("tensorflow-gpu", (), "tensorflow"),
        ("tensorflow-cpu", (), None),
        ("jax", ("cuda12",), "jax"),
        ("jax", ("cpu",), None),
        ("cupy-cuda12x", (), "cupy"),
        ("cupy", (), "cupy"),
        ("cudf-cu12", (), "rapids"),
        ("cuml", (), "rapids"),
        ("onnxruntime-gpu", (), "onnxruntime"),
        ("onnxruntime", (), None),
        ("paddlepaddle-gpu", (), "paddle"),
        ("paddlepaddle", (), None),
        ("numpy", (), None),
        ("lightning", (), "torch"),
        ("sentence-transformers", (), "torch"),
        ("ultralytics", (), "torch"),
        ("transformers", ("torch",), "torch"),
        ("transformers", ("sentencepiece",), None),
        ("dask-cuda", (), "rapids"),
        ("numba-cuda", ("cu12",), "numba"),
        ("numba", (), None),
        ("pycuda", (), "pycuda"),
        ("cuda-python", (), "cuda-python"),
        ("cupy-cuda11x", (), "cupy"),
    ],
)
def test_gpu_framework_names(name: str, extras: tuple[str, ...], expected: str | None) -> None:
    assert gpu_framework(Dep(name, frozenset(extras), "requirements.txt")) == expected


def test_requirements_includes_comments_and_continuations(tmp_path: Path) -> None:
    write(tmp_path, "app/__init__.py")
    write(
        tmp_path,
        "requirements.txt",
        """\
        # top
        -r requirements/base.txt
        --requirement=requirements/ml.txt
        -c constraints.txt
        numpy \\
            ==1.26  # pinned
        """,
    )
    write(tmp_path, "requirements/base.txt", "-r ../requirements.txt\npandas\n")  # a cycle
    write(tmp_path, "requirements/ml.txt", "--index-url https://x/simple\ncudf-cu12==24.2\n")
    write(tmp_path, "constraints.txt", "torch==2.2\n")  # pins, declares nothing
    write(tmp_path, "requirements-gpu.txt", "paddlepaddle-gpu\ntorch\n")
    facts = detect(tmp_path)
    assert facts.gpu_declared_in == {
        "paddle": "requirements-gpu.txt",
        "rapids": "requirements/ml.txt",
        "torch": "requirements-gpu.txt",
    }
    assert facts.dependency_files == (
        "constraints.txt",
        "requirements-gpu.txt",
        "requirements.txt",
        "requirements/base.txt",
        "requirements/ml.txt",
    )


def test_conda_pip_section_includes_requirements(tmp_path: Path) -> None:
    write(tmp_path, "app/__init__.py")
    write(
        tmp_path,
        "conda.yml",
        """\
        dependencies:
          - conda-forge::numpy
          - pip:
            - -r pip-reqs.txt
            - onnxruntime-gpu
        """,
    )
    write(tmp_path, "pip-reqs.txt", "jax[cuda12]\n")
    facts = detect(tmp_path)
    assert facts.gpu_declared_in == {"jax": "pip-reqs.txt", "onnxruntime": "conda.yml"}
    assert facts.dependency_files == ("conda.yml", "pip-reqs.txt")


def test_malformed_conda_and_pipfile_are_listed_but_not_parsed(tmp_path: Path) -> None:
    write(tmp_path, "app/__init__.py", "import torch\n")
    write(tmp_path, "environment.yaml", "dependencies: [unclosed\n")
    write(tmp_path, "Pipfile", "[packages\n")
    facts = detect(tmp_path)
    assert facts.dependency_files == ("Pipfile", "environment.yaml")
    assert facts.gpu_declared_in == {"torch": "app/__init__.py"}


def test_pipfile_and_lock_files(tmp_path: Path) -> None:
    write(tmp_path, "app/__init__.py")
    write(
        tmp_path,
        "Pipfile",
        """\
        [[source]]
        url = "https://pypi.org/simple"
        name = "pypi"

        [packages]
        tensorflow = {version = "*", extras = ["and-cuda"]}

        [dev-packages]
        pytest = "*"
        """,
    )
    for lock in ("Pipfile.lock", "uv.lock", "pdm.lock", "poetry.lock"):
        write(tmp_path, lock, "{}\n")
    write(tmp_path, "tests/test_app.py", "import unittest\n")
    facts = detect(tmp_path)
    assert facts.gpu_declared_in == {"tensorflow": "Pipfile"}
    assert facts.dependency_files == (
        "Pipfile",
        "Pipfile.lock",
        "pdm.lock",
        "poetry.lock",
        "uv.lock",
    )
    assert facts.tests.framework == "pytest"  # declared in [dev-packages]


def test_every_pyproject_dependency_table_is_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        """\
        [project]
        name = "deps"
        dependencies = ["numpy"]
        [project.optional-dependencies]
        gpu = ["cupy-cuda11x"]
        [dependency-groups]
        ml = ["paddlepaddle-gpu", {include-group = "other"}]
        [tool.poetry.dev-dependencies]
        cudf = "*"
        [tool.pdm.dev-dependencies]
        x = ["onnxruntime-gpu"]
        [tool.uv]
        dev-dependencies = ["jax[cuda12]"]
        [tool.setuptools.dynamic]
        dependencies = {file = ["deps/runtime.in"]}
        """,
    )
    write(tmp_path, "deps/__init__.py")
    write(tmp_path, "deps/runtime.in", "torch\n")
    facts = detect(tmp_path)
    assert facts.gpu_frameworks == ("cupy", "jax", "onnxruntime", "paddle", "rapids", "torch")
    assert facts.gpu_declared_in["torch"] == "deps/runtime.in"
    assert set(facts.gpu_declared_in.values()) == {"pyproject.toml", "deps/runtime.in"}
    assert facts.dependency_files == ("deps/runtime.in",)


def test_setup_cfg_extras_declare_gpu(tmp_path: Path) -> None:
    write(
        tmp_path,
        "setup.cfg",
        "[metadata]\nname = e\n[options]\ninstall_requires =\n    numpy\n"
        "[options.extras_require]\ngpu =\n    cupy-cuda12x\n",
    )
    write(tmp_path, "e/__init__.py")
    assert detect(tmp_path).gpu_declared_in == {"cupy": "setup.cfg"}


def test_import_fallback_scans_package_sources_only(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "imp"\ndependencies = ["numpy"]\n')
    write(tmp_path, "src/imp/__init__.py")
    write(tmp_path, "src/imp/a.py", "from jax import numpy as jnp\nfrom . import torch\n")
    write(tmp_path, "src/imp/b.py", "import cudf.pandas, os\n")
    write(tmp_path, "src/imp/c.py", "torch = 1  # mentions torch but no import\n")
    write(tmp_path, "src/imp/broken.py", "import torch\ndef (:\n")
    write(tmp_path, "scripts/tf.py", "import tensorflow\n")
    notebook(tmp_path, "nb.ipynb", "import tensorflow\n")
    facts = detect(tmp_path)
    assert facts.gpu_declared_in == {"jax": "src/imp/a.py", "rapids": "src/imp/b.py"}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("from numba import cuda\n", {"numba": "app/k.py"}),
        ("import numba.cuda\n", {"numba": "app/k.py"}),
        ("from numba.cuda import jit\n", {"numba": "app/k.py"}),
        ("from numba import njit, prange\n", {}),
        ("import numba\n", {}),
        ("import pycuda.autoinit\n", {"pycuda": "app/k.py"}),
    ],
)
def test_numba_counts_as_gpu_only_through_its_cuda_target(
    tmp_path: Path, code: str, expected: dict[str, str]
) -> None:
    write(tmp_path, "requirements.txt", "numba\n")
    write(tmp_path, "app/__init__.py")
    write(tmp_path, "app/k.py", code)
    assert detect(tmp_path).gpu_declared_in == expected


def test_numba_cuda_extra_names_its_cuda_line(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "numba-cuda[cu12]>=0.4\n")
    write(tmp_path, "app/__init__.py")
    facts = detect(tmp_path)
    assert (facts.gpu_frameworks, facts.cuda_line) == (("numba",), "12")


def test_a_package_named_notebooks_in_the_metadata_is_a_package(tmp_path: Path) -> None:
    """setuptools `packages=["core", "notebooks"]`: the metadata names it, so it is code
    (imported by the smoke test, kept in the build context), not a folder of notebooks."""
    write(
        tmp_path,
        "setup.py",
        'from setuptools import setup\nsetup(name="nb", packages=["core", "notebooks"])\n',
    )
    write(tmp_path, "core/__init__.py")
    write(tmp_path, "notebooks/__init__.py")
    notebook(tmp_path, "notebooks/explore.ipynb")
    facts = detect(tmp_path)
    assert facts.packages == ("core", "notebooks")
    assert facts.notebooks == ("notebooks/explore.ipynb",)
    # without metadata naming it, a notebooks/ folder is still not a package
    (tmp_path / "setup.py").unlink()
    assert detect(tmp_path).packages == ("core",)


def test_import_fallback_respects_declared_cpu_builds(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "tensorflow-cpu==2.15\n")
    write(tmp_path, "app/__init__.py", "import tensorflow as tf\nimport torch\n")
    assert detect(tmp_path).gpu_declared_in == {"torch": "app/__init__.py"}


def test_declared_frameworks_skip_the_import_scan(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "torch\n")
    write(tmp_path, "app/__init__.py", "import tensorflow\n")
    assert detect(tmp_path).gpu_frameworks == ("torch",)


# -- tool configs, notebooks, git ---------------------------------------------------------------


def test_tool_configs_from_every_kind_of_file(tmp_path: Path) -> None:
    write(tmp_path, "app/__init__.py")
    write(tmp_path, "ruff.toml", "")
    write(tmp_path, ".coveragerc", "[run]\nbranch = True\n")
    write(tmp_path, "setup.cfg", "[mypy-numpy.*]\nignore_missing_imports = True\n")
    write(tmp_path, "tox.ini", "[flake8]\nmax-line-length = 100\n[isort]\nprofile = black\n")
    write(tmp_path, "pytest.ini", "[pytest]\n")
    assert detect(tmp_path).tool_configs == (
        "coverage",
        "flake8",
        "isort",
        "mypy",
        "pytest",
        "ruff",
    )


def test_tool_configs_from_pyproject_tables(tmp_path: Path) -> None:
    tables = "".join(
        f"[tool.{name}]\n" for name in ("black", "isort", "mypy", "coverage.run", "ruff.lint")
    )
    write(tmp_path, "pyproject.toml", tables + '[tool.pytest]\nminversion = "9.0"\n')
    write(tmp_path, "app/__init__.py")
    assert detect(tmp_path).tool_configs == ("black", "coverage", "isort", "mypy", "pytest", "ruff")


def test_notebooks_sorted_with_spaces_and_outside_pruned_folders(tmp_path: Path) -> None:
    write(tmp_path, "app/__init__.py")
    for rel in ("z last.ipynb", "analysis/A first.ipynb", "analysis/deep/b.ipynb"):
        notebook(tmp_path, rel)
    for pruned in (
        ".ipynb_checkpoints",
        "node_modules/x",
        "build",
        "dist",
        ".tox/py",
        "__pycache__",
    ):
        notebook(tmp_path, f"{pruned}/hidden.ipynb")
    notebook(tmp_path, "vendor/site-packages/pkg/demo.ipynb")
    virtualenv(tmp_path, "env")
    assert detect(tmp_path).notebooks == (
        "analysis/A first.ipynb",
        "analysis/deep/b.ipynb",
        "z last.ipynb",
    )


def test_is_git_walks_up_from_the_path(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    repo = tmp_path / "sub" / "project"
    write(repo, "app/__init__.py")
    assert detect(repo).is_git is True


def test_string_path_and_symlink_loop(tmp_path: Path) -> None:
    repo = tmp_path / "monorepo"
    write(repo, "backend/setup.cfg", "[metadata]\nname = backend\n")
    write(repo, "backend/backend/__init__.py")
    (repo / "backend" / "loop").symlink_to(repo, target_is_directory=True)
    facts = detect(str(repo))  # type: ignore[arg-type]  # tolerated at run time
    assert (facts.root, facts.packages) == ("backend", ("backend",))


def test_setup_cfg_with_only_tool_settings_builds_nothing(tmp_path: Path) -> None:
    write(tmp_path, "setup.cfg", "[flake8]\nmax-line-length = 100\n")
    write(tmp_path, "app/__init__.py")
    facts = detect(tmp_path)
    assert (facts.build_system, facts.tool_configs) == ("none", ("flake8",))


def test_root_conftest_means_pytest_for_unittest_style_tests(tmp_path: Path) -> None:
    write(tmp_path, "app/__init__.py")
    write(tmp_path, "conftest.py", "")
    write(tmp_path, "tests/test_a.py", "import unittest\n\nclass T(unittest.TestCase):\n    pass\n")
    assert detect(tmp_path).tests == TestFacts(dirs=("tests",), framework="pytest")


def test_include_outside_the_project_is_a_source_but_not_a_dependency_file(tmp_path: Path) -> None:
    write(tmp_path, "shared/gpu.txt", "torch==2.2\n")
    write(tmp_path, "model/setup.cfg", "[metadata]\nname = model\n")
    write(tmp_path, "model/model/__init__.py")
    write(tmp_path, "model/requirements.txt", "-r ../shared/gpu.txt\n-c ../shared/gpu.txt\n")
    facts = detect(tmp_path)
    assert facts.root == "model"
    assert facts.gpu_declared_in == {"torch": "../shared/gpu.txt"}
    assert facts.dependency_files == ("requirements.txt",)


def test_setup_py_extras_referencing_module_constants(tmp_path: Path) -> None:
    write(
        tmp_path,
        "setup.py",
        "from setuptools import setup\nGPU = ['cupy-cuda12x']\n"
        "setup(name='x', version=VERSION, extras_require={'gpu': GPU, 'all': GPU + EXTRA})\n",
    )
    write(tmp_path, "x/__init__.py")
    facts = detect(tmp_path)
    assert facts.gpu_declared_in == {"cupy": "setup.py"}
    assert (facts.version, facts.version_source) == (None, "dynamic")


def test_find_where_paths_are_normalised(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        '[project]\nname = "w"\n[tool.setuptools.packages.find]\nwhere = ["./code/"]\n',
    )
    write(tmp_path, "code/w/__init__.py")
    facts = detect(tmp_path)
    assert (facts.packages, facts.source_dirs) == (("w",), ("code",))


def test_import_scan_is_capped_and_reads_shallow_files_first(tmp_path: Path) -> None:
    write(tmp_path, "pkg/__init__.py")
    for i in range(310):
        write(tmp_path, f"pkg/deep/m{i:03}.py", "import jax\n" if i == 305 else "x = 1\n")
    write(tmp_path, "pkg/zz_model.py", "import torch\n")
    assert detect(tmp_path).gpu_declared_in == {"torch": "pkg/zz_model.py"}


def test_testing_folder_and_other_test_folders_are_found(tmp_path: Path) -> None:
    write(tmp_path, "tdir/__init__.py", "")
    write(tmp_path, "testing/test_add.py", "def test_add():\n    assert 1 + 1 == 3\n")
    write(tmp_path, "unit_tests/test_more.py", "def test_more():\n    pass\n")
    assert detect(tmp_path).tests == TestFacts(dirs=("testing", "unit_tests"), framework="pytest")


def test_declared_pytest_without_a_known_folder_still_plans_tests(tmp_path: Path) -> None:
    """pytest's own discovery finds `qa/check_x.py`-style suites pipelinekit cannot name; a
    red suite there must not be skipped as 'no tests' (bug hunt: exit 0 on a failing suite)."""
    write(tmp_path, "app/__init__.py", "")
    write(tmp_path, "qa/test_app.py", "def test_app():\n    pass\n")
    write(tmp_path, "requirements-dev.txt", "pytest\n")
    assert detect(tmp_path).tests == TestFacts(framework="pytest")


def test_a_folder_of_modules_with_tests_is_the_project_not_a_library_below_it(
    tmp_path: Path,
) -> None:
    """Bug hunt: `svc/` (mod.py, tests/, requirements.txt with `-e ./libs/helper`) was taken
    for its vendored helper library, which has a pyproject.toml."""
    write(tmp_path, "mod.py", "X = 1\n")
    write(tmp_path, "requirements.txt", "-e ./libs/helper\n")
    write(tmp_path, "tests/test_mod.py", "")
    write(tmp_path, "libs/helper/pyproject.toml", '[project]\nname = "helper"\nversion = "1"\n')
    facts = detect(tmp_path)
    assert (facts.root, facts.modules) == (".", ("mod",))


def test_symlink_loops_anywhere_are_not_files(tmp_path: Path) -> None:
    """Bug hunt: a link loop ended in 'internal error ... This is a bug in pipelinekit'."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "l"\nversion = "1"\n')
    write(tmp_path, "pkg/__init__.py", "")
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    (tmp_path / "pkg" / "self").symlink_to(tmp_path)
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    assert detect(tmp_path).packages == ("pkg",)


def test_a_pyproject_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    write(tmp_path, "pkg/__init__.py", "")
    (tmp_path / "pyproject.toml").write_bytes(b'[project]\nname = "x\xff"\n')
    with pytest.raises(ConfigError, match=r"not valid UTF-8 \(byte 0xff at offset 19\)"):
        detect(tmp_path)
