"""Data-science repository shapes (issue #18's second hunt): DVC pointers, docker compose and
Hydra configurations, MLflow conda environments, TensorFlow services, boto3 code with module
constants. Real git repositories in tmp dirs; each test runs the one check it is about (real
detect-secrets for the secrets check)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelinekit.audit.model import CheckResult
from pipelinekit.audit.runner import all_checks, audit
from pipelinekit.project import load_project
from tests.support.git import init_repo

REQUIREMENTS = {"requirements.txt": "pandas==2.2.2\n", "app/__init__.py": ""}


def _check(path: Path, check: str) -> CheckResult:
    project = load_project(path)
    chosen = [c for c in all_checks() if c.id == check]
    report = audit(project.repo, project.facts, project.config, chosen)
    return next(r for r in report.results if r.check.id == check)


def _found(result: CheckResult) -> list[tuple[str | None, int | None]]:
    return [(f.path, f.line) for f in result.findings]


def test_dvc_pointer_checksums_are_not_secrets(tmp_path: Path) -> None:
    """A `.dvc` file's md5 was a `Hex High Entropy String committed ... revoke it` in every DVC
    repository; the same line in a YAML file of the project is still reported."""
    line = "- md5: 1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d\n"
    files = {**REQUIREMENTS, "data/raw.csv.dvc": f"outs:\n{line}", "conf/hashes.yml": line}
    result = _check(init_repo(tmp_path / "repo", files), "secrets")
    assert _found(result) == [("conf/hashes.yml", 1)]


@pytest.mark.parametrize(
    ("config", "found"),
    [
        # docker compose's list form of `environment:`
        (
            "services:\n  db:\n    environment:\n      - POSTGRES_USER=app\n"
            "      - POSTGRES_PASSWORD=admin\n      - MYSQL_ROOT_PASSWORD=secret123x\n",
            [5],
        ),
        (
            "services:\n  db:\n    environment:\n      - POSTGRES_USER=app\n"
            "      - POSTGRES_PASSWORD=app\n",
            [5],
        ),
        # a reference's fallback is the password whenever the variable is unset
        ("db:\n  password: ${POSTGRES_PASSWORD:-postgres}\n  other: ${PW-123}\n", [2]),
        ("user: ml\npassword: ${oc.env:DB_PASSWORD,ml}\n", [2]),
        ("user: ${U:-airflow}\npassword: ${P:-airflow}\n", [2]),
        # references without a weak fallback are not values
        ("password: ${POSTGRES_PASSWORD}\npw2: ${oc.env:DB_PASSWORD}\n", []),
        ("password: ${POSTGRES_PASSWORD:-}\nuser: x\npassword2: ${P:-Kx8#mQ2v}\n", []),
    ],
)
def test_weak_passwords_in_compose_lists_and_reference_fallbacks(
    tmp_path: Path, config: str, found: list[int]
) -> None:
    """`- POSTGRES_PASSWORD=admin` (compose's list form) and `${POSTGRES_PASSWORD:-postgres}`,
    `${oc.env:DB_PASSWORD,ml}` (a fallback the service runs with) were not looked at."""
    files = {**REQUIREMENTS, "docker-compose.yml": config}
    result = _check(init_repo(tmp_path / "repo", files), "weak-passwords")
    assert _found(result) == [("docker-compose.yml", n) for n in found]
    for finding in result.findings:
        if "${" in config.splitlines()[finding.line - 1 if finding.line else 0]:
            assert "(the fallback of ${" in finding.message, finding.message


@pytest.mark.parametrize(
    ("elsewhere", "status"),
    [
        ({"notes.yml": "# TODO: allow_growth\n"}, "fail"),
        ({"app/gpu.py": "# tf.config.experimental.set_memory_growth(gpu, True)\n"}, "fail"),
        ({"Dockerfile": "FROM python:3.11\n# ENV TF_FORCE_GPU_ALLOW_GROWTH=true\n"}, "fail"),
        ({"Dockerfile": "FROM python:3.11\nENV TF_FORCE_GPU_ALLOW_GROWTH=true\n"}, "pass"),
        # growth switched off limits nothing either
        ({"Dockerfile": "FROM python:3.11\nENV TF_FORCE_GPU_ALLOW_GROWTH=false\n"}, "fail"),
        ({"app/gpu.py": "config.gpu_options.allow_growth = False\n"}, "fail"),
        ({".gitlab-ci.yml": "variables:\n  TF_FORCE_GPU_ALLOW_GROWTH: 'true'\n"}, "pass"),
        ({"app/env.py": "os.environ['TF_FORCE_GPU_ALLOW_GROWTH'] = 'true'\n"}, "pass"),
        ({"app/gpu.py": "opts = GPUOptions(allow_growth=True)\n"}, "pass"),
    ],
)
def test_a_memory_setting_in_a_comment_limits_nothing(
    tmp_path: Path, elsewhere: dict[str, str], status: str
) -> None:
    """`# TODO: set_memory_growth` made tf-memory pass: a comment limits no memory."""
    files = {**REQUIREMENTS, "app/train.py": "import tensorflow as tf\n", **elsewhere}
    result = _check(init_repo(tmp_path / "repo", files), "tf-memory")
    assert result.status == status, result.message
    if status == "fail":
        assert _found(result) == [("app/train.py", 1)]


def test_a_conda_environments_pip_is_no_dependency_and_its_lock_names_it(tmp_path: Path) -> None:
    """MLflow's conda.yaml (`- pip` and a pinned `pip:` list) was told `1 of 1 dependencies
    are ranges (first: pip)` and to run `conda-lock -f environment.yml`."""
    files = {
        "MLproject": "name: wine\nconda_env: conda.yaml\n",
        "conda.yaml": "name: wine\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n"
        "    - mlflow==2.12.1\n",
        "train.py": "import mlflow\n",
    }
    result = _check(init_repo(tmp_path / "repo", files), "locks")
    assert len(result.findings) == 1, result.findings
    message = result.findings[0].message
    assert "first: pip" not in message
    assert "the direct dependencies are pinned but not theirs" in message
    assert "`conda-lock -f conda.yaml`" in message


def test_s3_settings_held_in_module_constants_are_hard_coded(tmp_path: Path) -> None:
    """`ENDPOINT = "https://..."` then `endpoint_url=ENDPOINT` was not found; a name bound to a
    setting (`os.environ[...]`) or bound twice is not a literal."""
    code = (
        "import os\n\nimport boto3\n\n"
        'ENDPOINT = "https://minio.internal:9000"\n'  # 5
        'BUCKET: str = "acme-models"\n'  # 6
        'REGION = os.environ.get("AWS_REGION", "")\n'
        'NAME = "a"\nNAME = "b"\n'
        's3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name=REGION)\n'
        'other = boto3.resource("s3", endpoint_url=ENDPOINT)\n'
        's3.put_object(Bucket=BUCKET, Key="k", Body=b"")\n'
        's3.put_object(Bucket=NAME, Key="k", Body=b"")\n'
    )
    files = {**REQUIREMENTS, "app/store.py": code}
    result = _check(init_repo(tmp_path / "repo", files), "s3-hardcoded")
    found = [(f.path, f.line, f.severity) for f in result.findings]
    assert found == [("app/store.py", 5, "major"), ("app/store.py", 6, "minor")]
    assert "endpoint_url=ENDPOINT = 'https://minio.internal:9000'" in result.findings[0].message


@pytest.mark.parametrize(
    ("pyproject", "line"),
    [
        ('dependencies = ["fastapi", "tensorflow==2.16.1"]\n', 4),
        ('dependencies = [\n  "fastapi",\n  "torch==2.2.0",\n]\n', 6),
    ],
)
def test_gpu_builds_declared_in_pyproject_are_checked(
    tmp_path: Path, pyproject: str, line: int
) -> None:
    """A pinned tensorflow/torch in pyproject.toml was never read (only requirement, conda and
    lock files were): an image on CUDA 11.8 skipped as `no GPU framework build`."""
    files = {
        "pyproject.toml": '[project]\nname = "svc"\nversion = "1.0.0"\n' + pyproject,
        "svc/__init__.py": "",
        "Dockerfile": "FROM nvidia/cuda:11.8.0-runtime-ubuntu22.04\n",
    }
    result = _check(init_repo(tmp_path / "repo", files), "cuda-base")
    assert result.status == "fail", result.message
    assert _found(result) == [("Dockerfile", 1)]
    assert f"(pyproject.toml:{line}: " in result.findings[0].message
