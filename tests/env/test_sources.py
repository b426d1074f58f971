"""Every dependency source a data-science repository uses, found from its files alone, with
the role that decides whether the test environment installs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelinekit.detect.facts import DependencySource
from pipelinekit.detect.repo import detect
from pipelinekit.env.sources_pipfile_conda import pipfile_requirement
from pipelinekit.env.sources_pyproject import poetry_requirements
from pipelinekit.env.sources_reqfiles import file_role
from pipelinekit.env.sources_setup import tox_line
from tests.repo_factory import write_files


def sources(root: Path) -> list[tuple[str, str, str | None, str, tuple[str, ...]]]:
    facts = detect(root)
    return [(s.kind, s.path, s.name, s.role, s.requirements) for s in facts.dependency_sources]


def by_name(root: Path) -> dict[tuple[str, str | None], DependencySource]:
    return {(s.kind, s.name): s for s in detect(root).dependency_sources}


def test_pyproject_extras_groups_and_self_references(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "pyproject.toml": """\
                [project]
                name = "My_Pkg"
                version = "1.0"
                dependencies = ["attrs>=21"]
                [project.optional-dependencies]
                Test = ["pytest", "pytest-cov"]
                docs = ["sphinx"]
                all = ["my-pkg[test,docs]", "rich"]
                [dependency-groups]
                lint = ["ruff"]
                dev = ["six", {include-group = "lint"}, "my_pkg[docs]"]
                [build-system]
                requires = ["setuptools"]
                build-backend = "setuptools.build_meta"
            """,
            "my_pkg/__init__.py": "",
        },
    )
    found = by_name(tmp_path)
    assert found[("project", None)].requirements == ("attrs>=21",)
    assert found[("extra", "test")].role == "test"
    assert found[("extra", "test")].requirements == ("pytest", "pytest-cov")
    assert found[("extra", "docs")].role == "other"
    assert found[("extra", "all")].requirements == ("rich",)
    assert found[("extra", "all")].extras == ("docs", "test")
    dev = found[("group", "dev")]
    assert dev.role == "test" and dev.requirements == ("six", "ruff") and dev.extras == ("docs",)
    assert found[("group", "lint")].role == "other"


def test_include_group_cycles_are_cut(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "pyproject.toml": """\
                [project]
                name = "x"
                version = "1"
                [dependency-groups]
                a = ["one", {include-group = "b"}]
                b = ["two", {include-group = "a"}]
            """
        },
    )
    assert by_name(tmp_path)[("group", "a")].requirements == ("one", "two")


def test_poetry_main_extras_and_groups(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "pyproject.toml": """\
                [tool.poetry]
                name = "app"
                version = "0.1.0"
                [tool.poetry.dependencies]
                python = "^3.9"
                pandas = "^1.5"
                torch = { version = ">=2", optional = true }
                lib = { path = "libs/lib", develop = true }
                old = { version = "~1.2", python = "<3.10", markers = "sys_platform == 'linux'" }
                [tool.poetry.extras]
                gpu = ["torch"]
                [tool.poetry.dev-dependencies]
                black = "*"
                [tool.poetry.group.test.dependencies]
                pytest = "^7.4"
                [build-system]
                requires = ["poetry-core"]
                build-backend = "poetry.core.masonry.api"
            """,
            "app/__init__.py": "",
        },
    )
    found = by_name(tmp_path)
    assert found[("poetry", None)].requirements == (
        "pandas>=1.5,<2.0",
        "-e ./libs/lib",
        "old>=1.2,<1.3 ; (sys_platform == 'linux') and python_version < \"3.10\"",
    )
    assert found[("extra", "gpu")].requirements == ("torch>=2",)
    assert found[("poetry-group", "dev")].requirements == ("black",)
    assert found[("poetry-group", "test")].role == "test"
    assert detect(tmp_path).locks == ()


@pytest.mark.parametrize(
    ("spec", "line"),
    [
        ("*", "x"),
        ("^0.2.3", "x>=0.2.3,<0.3"),
        ({"git": "https://g/x.git", "tag": "v1"}, "x @ git+https://g/x.git@v1"),
        ({"url": "https://h/x.whl", "extras": ["a"]}, "x[a] @ https://h/x.whl"),
        ({"version": "^1", "platform": "linux"}, 'x>=1,<2.0 ; sys_platform == "linux"'),
        ({"version": "1.0 || 2.0"}, "x"),
    ],
)
def test_poetry_requirement_forms(spec: object, line: str) -> None:
    assert poetry_requirements("x", spec) == [line]


def test_pdm_hatch_setup_and_tox(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "pyproject.toml": """\
                [project]
                name = "svc"
                version = "1"
                [tool.pdm.dev-dependencies]
                test = ["pytest", "-e file:///${PROJECT_ROOT}/libs/helper"]
                doc = ["mkdocs"]
                [tool.hatch.envs.test]
                dependencies = ["six"]
                features = ["Plots"]
                [tool.hatch.envs.docs]
                dependencies = ["mkdocs"]
            """,
            "setup.py": """\
                from setuptools import setup
                setup(name="svc", install_requires=["attrs"], tests_require=["mock"],
                      extras_require={"test": ["iniconfig"], "gpu": ["cupy"]})
            """,
            "tox.ini": """\
                [base]
                deps = hypothesis
                [testenv]
                deps =
                    pytest>=7
                    py39: importlib-metadata
                    {[base]deps}
                    -r{toxinidir}/requirements-tox.txt
                    {env:EXTRA_DEP}
                extras = test
            """,
            "requirements-tox.txt": "six\n",
        },
    )
    found = by_name(tmp_path)
    assert found[("pdm-group", "test")].requirements == ("pytest", "-e ./libs/helper")
    assert found[("pdm-group", "doc")].role == "other"
    assert found[("hatch-env", "test")].extras == ("plots",)
    assert found[("hatch-env", "docs")].role == "other"
    assert found[("setup", "install_requires")].role == "runtime"
    assert found[("setup", "tests_require")].role == "test"
    assert found[("extra", "gpu")].role == "other"
    tox = found[("tox", "testenv")]
    assert tox.requirements == ("pytest>=7", "py39: importlib-metadata", "hypothesis")
    assert tox.extras == ("test",)
    assert ("requirements", None) in found  # the -r file
    assert (
        next(s for s in detect(tmp_path).dependency_sources if s.kind == "requirements").role
        == "test"
    )


@pytest.mark.parametrize(
    ("line", "on_311"),
    [
        ("pytest", "pytest"),
        ("py311: colorama", "colorama"),
        ("py310,py311: x", "x"),
        ("py39: x", None),
        ("!py27: packaging", "packaging"),
        ("py3{10,11}: y", "y"),
        ("py3{10,11}-lint: ruff", None),  # a lint environment pipelinekit does not run
        ("!lint: z", "z"),
        ("py3: w", "w"),
        ("https://h/x-1.0-py3-none-any.whl", "https://h/x-1.0-py3-none-any.whl"),
    ],
)
def test_tox_factor_conditions_for_the_environments_python(line: str, on_311: str | None) -> None:
    """Bug hunt: every factor-conditional line was dropped, `py311: colorama` on 3.11 too."""
    assert tox_line(line, "3.11") == on_311


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("requirements.txt", "runtime"),
        ("requirements.in", "runtime"),
        ("requirements/base.txt", "runtime"),
        ("requirements/prod.txt", "runtime"),
        ("requirements-dev.txt", "test"),
        ("requirements_test.txt", "test"),
        ("test_requirements.txt", "test"),
        ("dev-requirements.txt", "test"),
        ("requirements/ci.txt", "test"),
        ("tests/requirements.txt", "test"),
        ("requirements-docs.txt", "other"),
        ("requirements-gpu.txt", "other"),
        ("requirements dev.txt", "test"),
        ("src/requirements.txt", "runtime"),
    ],
)
def test_requirement_file_roles(path: str, role: str) -> None:
    assert file_role(path) == role


def test_requirement_files_where_they_live_and_pinned_locks(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "app.py": "",
            "requirements.in": "attrs\n",
            "requirements.txt": "attrs==22.2.0 \\\n    --hash=sha256:abc\n",
            "requirements/test.txt": "-r ../requirements.txt\n-c ../constraints.txt\npytest\n",
            "tests/requirements.txt": "iniconfig\n",
            "tests/test_app.py": "def test_x():\n    pass\n",
            "test_requirements.txt": "six\n",
            "docs/requirements.txt": "sphinx\n",
            "constraints.txt": "attrs<23\n",
        },
    )
    facts = detect(tmp_path)
    got = [(s.kind, s.path, s.role) for s in facts.dependency_sources]
    assert got == [
        ("requirements", "requirements.in", "other"),  # compiled into requirements.txt
        ("requirements", "requirements.txt", "runtime"),
        ("requirements", "requirements/test.txt", "test"),
        ("requirements", "test_requirements.txt", "test"),
        ("requirements", "tests/requirements.txt", "test"),
        ("constraints", "constraints.txt", "runtime"),
    ]
    assert [(lock.kind, lock.path) for lock in facts.locks] == [("pinned", "requirements.txt")]


def test_kedro_keeps_its_requirements_under_src(tmp_path: Path) -> None:
    """Kedro 0.18: a tools-only root pyproject.toml, the requirements in src/."""
    write_files(
        tmp_path,
        {
            "pyproject.toml": "[tool.kedro]\npackage_name = 'spaceflights'\n",
            "src/spaceflights/__init__.py": "",
            "src/requirements.txt": "pytest-cov\nkedro\n",
            "src/tests/test_run.py": "def test_run():\n    pass\n",
        },
    )
    found = [(s.kind, s.path, s.role) for s in detect(tmp_path).dependency_sources]
    assert found == [("requirements", "src/requirements.txt", "runtime")]


def test_pipfile_and_conda(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "app.py": "",
            "Pipfile": """\
                [packages]
                attrs = ">=21"
                requests = {version = "*", extras = ["socks"], markers = "os_name == 'posix'"}
                local = {path = "./libs/local", editable = true}
                [dev-packages]
                pytest = "*"
                [requires]
                python_version = "3.10"
            """,
            "Pipfile.lock": "{}",
            "environment.yml": """\
                dependencies:
                  - python=3.9
                  - conda-forge::numpy>=1.24
                  - pip
                  - pip:
                    - iniconfig
                    - -r requirements-pip.txt
            """,
            "requirements-pip.txt": "six\n",
        },
    )
    found = by_name(tmp_path)
    assert found[("pipfile", "packages")].requirements == (
        "attrs>=21",
        "requests[socks] ; os_name == 'posix'",
        "-e ./libs/local",
    )
    assert found[("pipfile", "dev-packages")].role == "test"
    assert found[("conda", None)].requirements == ("conda-forge::numpy>=1.24", "pip")
    assert found[("conda-pip", "pip")].requirements == ("iniconfig",)
    facts = detect(tmp_path)
    assert [(lock.kind, lock.path) for lock in facts.locks] == [("pipfile", "Pipfile.lock")]
    # the conda pin (an exact interpreter) wins over Pipfile's and sets the project's Python
    assert (facts.python_version, facts.python_from) == ("3.9", "environment.yml")


@pytest.mark.parametrize(
    ("spec", "line"),
    [
        ("*", "x"),
        ("==1.0", "x==1.0"),
        ({"git": "https://g/x.git", "ref": "main"}, "x @ git+https://g/x.git@main"),
        ({"version": ">=1", "sys_platform": "== 'linux'"}, "x>=1 ; sys_platform == 'linux'"),
        ({"file": "https://h/x.tar.gz"}, "x @ https://h/x.tar.gz"),
    ],
)
def test_pipfile_requirement_forms(spec: object, line: str) -> None:
    assert pipfile_requirement("x", spec) == line


def test_locks_in_preference_order(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "x"\nversion = "1"\n',
            "uv.lock": "",
            "poetry.lock": "",
            "pylock.toml": "",
            "pylock.dev.toml": "",
        },
    )
    assert [lock.path for lock in detect(tmp_path).locks] == [
        "uv.lock",
        "poetry.lock",
        "pylock.dev.toml",
        "pylock.toml",
    ]


def test_private_indexes_are_found_and_passed_to_the_installer(tmp_path: Path) -> None:
    from pipelinekit.config.models import Config
    from pipelinekit.env.engine import install_args
    from pipelinekit.env.inputs import plan_install
    from pipelinekit.env.planner import plan_env

    write_files(
        tmp_path,
        {
            "pyproject.toml": """\
                [tool.poetry]
                name = "app"
                version = "1.0.0"
                [tool.poetry.dependencies]
                corp-utils = { version = "^1.2", source = "corp" }
                [[tool.poetry.source]]
                name = "corp"
                url = "https://pypi.corp.example/simple/"
                priority = "explicit"
                [[tool.poetry.source]]
                name = "PyPI"
                url = "https://pypi.org/simple/"
            """,
            "Pipfile": '[[source]]\nurl = "https://mirror.example/simple"\nname = "m"\n[packages]\n',
            "app/__init__.py": "",
        },
    )
    facts = detect(tmp_path)
    assert facts.package_indexes == (
        "https://pypi.corp.example/simple/",
        "https://mirror.example/simple",
    )
    plan = plan_install(tmp_path, plan_env(facts, Config()), native_locks=True)
    args = install_args(tmp_path / "env", plan, tmp_path)
    assert args[:4] == [
        "--extra-index-url",
        "https://pypi.corp.example/simple/",
        "--extra-index-url",
        "https://mirror.example/simple",
    ]


def test_unreadable_files_are_listed_with_their_problem(tmp_path: Path) -> None:
    write_files(tmp_path, {"app.py": "", "Pipfile": "[packages\n", "environment.yml": "a: [b\n"})
    found = {s.kind: s for s in detect(tmp_path).dependency_sources}
    assert found["pipfile"].problem and found["conda"].problem
