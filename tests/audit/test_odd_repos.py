"""Repository shapes the golden repositories do not have, each found by running the audit on
real-world code (issue #18's hunt): files a tool cannot read, symbolic links, well-known
placeholder credentials in docstrings and tests. Real git repositories in tmp dirs, real
interrogate and detect-secrets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelinekit.audit.model import AuditReport, CheckResult
from tests.audit.conftest import run_audit
from tests.support.git import init_repo

PYPROJECT = (
    '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
    '[project]\nname = "odd"\nversion = "1.0.0"\n'
)


def _result(report: AuditReport, check: str) -> CheckResult:
    return next(r for r in report.results if r.check.id == check)


def test_docstrings_measure_the_modules_interrogate_can_read(tmp_path: Path) -> None:
    """A latin-1 module (valid Python with its coding line) and a Python 2 script made
    interrogate raise, and the whole check was skipped as `could not run`."""
    repo = init_repo(
        tmp_path / "repo",
        {
            "pyproject.toml": PYPROJECT,
            "odd/__init__.py": '"""Odd."""\n',
            "odd/legacy.py": 'print "python 2"\n',
            "odd/core.py": '"""Core."""\n\n\ndef run():\n    return 1\n\n\ndef stop():\n    return 0\n\n\ndef pause():\n    return 2\n',
        },
    )
    (repo / "odd" / "names.py").write_bytes(
        "# -*- coding: latin-1 -*-\ndef m\u00fcller():\n    return 1\n".encode("latin-1")
    )
    result = _result(run_audit(repo), "docstrings")
    assert result.status == "fail", result.message
    assert [(f.path, f.line) for f in result.findings] == [("odd/core.py", 4)]
    assert "3 of 4 public" in result.findings[0].message


def test_links_are_not_followed_out_of_the_repository(tmp_path: Path) -> None:
    """git commits a link, not its target: a link to a file outside the repository (here a
    config with a weak password and a module with a mutable default) is no part of it, and
    a link to a file inside is audited once, under the file's own path."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "creds.yml").write_text("db:\n  password: admin\n")
    (outside / "helper.py").write_text("def f(x=[]):\n    return x\n")
    repo = init_repo(tmp_path / "repo", {"pyproject.toml": PYPROJECT, "odd/__init__.py": ""})
    (repo / "creds.yml").symlink_to(outside / "creds.yml")
    (repo / "odd" / "helper.py").symlink_to(outside / "helper.py")
    (repo / "settings.yml").write_text("db:\n  password: changeme\n")
    (repo / "same.yml").symlink_to("settings.yml")
    (repo / "gone.yml").symlink_to("missing.yml")
    report = run_audit(repo)
    weak = [(f.path, f.line) for f in _result(report, "weak-passwords").findings]
    assert weak == [("settings.yml", 2)]
    assert not [f for f in report.findings if f.path and f.path.startswith("odd/helper")]


def test_placeholder_passwords_are_not_committed_secrets(tmp_path: Path) -> None:
    """requests' and pydantic's docstrings and tests write `https://user:pass@host` and
    `password = "pass"`: detect-secrets reported them (Basic Auth: critical, which capped
    their score at 40). A real credential beside them is still reported."""
    repo = init_repo(
        tmp_path / "repo",
        {
            "pyproject.toml": PYPROJECT,
            "odd/__init__.py": '"""Proxies, e.g. `https://user:pass@proxy.example.com`."""\n',
            "tests/test_auth.py": 'def test_auth():\n    password = "pass"\n    assert password\n',
            "odd/client.py": 'URL = "https://svc:Vq7-rT2x9LmW@api.example.com"\n',
        },
    )
    found = [(f.path, f.line, f.rule) for f in _result(run_audit(repo), "secrets").findings]
    assert found == [("odd/client.py", 1, "Basic Auth Credentials")]


def test_a_placeholder_password_in_code_is_a_weak_password_not_an_example(
    tmp_path: Path,
) -> None:
    """`admin` as the password of a service's code is what the issue names ("123456 and admin
    still happen"): major, not dropped like the same value in a docstring, a comment, a test or
    a document, and not critical like a real key."""
    repo = init_repo(
        tmp_path / "repo",
        {
            "pyproject.toml": PYPROJECT,
            "odd/__init__.py": "",
            "odd/db.py": (
                'def connect(url):\n    """Connect, e.g. to `https://user:pass@db.example.com`."""\n'
                "    # connect('https://admin:admin@localhost')\n"
                '    return url\n\n\nPASSWORD = "admin"\n'
            ),
            "docs/setup.md": 'Log in with\n\n```python\npassword = "admin"\n```\n',
        },
    )
    findings = _result(run_audit(repo), "secrets").findings
    assert [(f.path, f.line, f.severity, f.rule) for f in findings] == [
        ("odd/db.py", 7, "major", "placeholder password")
    ]
    assert "admin" not in findings[0].message


@pytest.mark.parametrize(
    ("files", "where", "message"),
    [
        (
            {
                "Pipfile": '[[source]]\nurl = "https://pypi.org/simple"\n\n[packages]\n'
                'jmespath = ">=0.7.1,<2.0.0"\nurllib3 = "*"\n',
                "odd/__init__.py": "",
            },
            ("Pipfile", 4),
            r"2 of 2 dependencies are ranges .*`pipenv lock`",
        ),
        (
            {
                "environment.yml": "name: x\ndependencies:\n  - python=3.11\n  - numpy=1.26.4\n"
                "  - cython>=3.0\n",
                "odd/__init__.py": "",
            },
            ("environment.yml", 2),
            r"1 of 2 dependencies are ranges \(first: cython>=3\.0\) .*conda-lock",
        ),
        (
            {
                "setup.py": "from setuptools import setup\n\n"
                'setup(name="odd", version="1", install_requires=["click>=8"])\n',
                "odd/__init__.py": "",
            },
            ("setup.py", 3),
            r"1 of 1 dependencies are ranges",
        ),
        (
            {
                "pyproject.toml": PYPROJECT + 'dependencies = ["numpy==2.0.0"]\n',
                "odd/__init__.py": "",
            },
            ("pyproject.toml", 7),
            r"the direct dependencies are pinned but not theirs and no lock file",
        ),
    ],
)
def test_dependencies_no_lock_pins(
    tmp_path: Path, files: dict[str, str], where: tuple[str, int], message: str
) -> None:
    """A Pipfile without its Pipfile.lock, an environment.yml and a setup.py with ranges
    passed as `Dependencies are locked or pinned`; exact pins in pyproject.toml were called
    ranges."""
    result = _result(run_audit(init_repo(tmp_path / "repo", files)), "locks")
    assert result.status == "fail", result.message
    assert [(f.path, f.line, f.rule) for f in result.findings] == [(*where, "no-lock")]
    assert re.search(message, result.findings[0].message), result.findings[0].message


def test_an_unpinned_requirement_is_found_at_its_own_line(tmp_path: Path) -> None:
    """`^\\s*name` also matched the blank line above the requirement: the finding pointed at
    the blank line."""
    files = {"requirements.txt": "# data\nnumpy==1.26.4\n\npandas>=2\n", "odd/__init__.py": ""}
    result = _result(run_audit(init_repo(tmp_path / "repo", files)), "locks")
    assert [(f.path, f.line, f.rule) for f in result.findings] == [
        ("requirements.txt", 4, "unpinned")
    ]


def test_random_looking_strings_in_tests_are_fixtures_keys_are_not(tmp_path: Path) -> None:
    """numpy's random tests hold 43 expected digests and seeds that detect-secrets calls
    high-entropy strings: in tests they are fixtures; in code they are worth a look; a keyed
    secret (an AWS key) is reported in tests too."""
    digest = "9a7c" + "e1f03b2d8865"
    key = "AKI" + "AZ7Q3LXK4MJ2WPV5N"
    repo = init_repo(
        tmp_path / "repo",
        {
            "pyproject.toml": PYPROJECT,
            "odd/__init__.py": f'TOKEN = "{digest}"\n',
            "tests/test_random.py": f'EXPECTED = "{digest}"\nKEY = "{key}"\n',
        },
    )
    found = {(f.path, f.rule) for f in _result(run_audit(repo), "secrets").findings}
    assert found == {
        ("odd/__init__.py", "Hex High Entropy String"),
        ("tests/test_random.py", "AWS Access Key"),
    }


def test_the_access_keys_of_aws_documentation_open_nothing(tmp_path: Path) -> None:
    """botocore's data files and READMEs copied from AWS's guides hold AWS's documented example
    keys: no finding (botocore scored 40 for them); another key beside them is critical."""
    example = "AKIAIOSFODNN7" + "EXAMPLE"
    other = "AKIA" + "Z7Q3LXK4MJ2WPV5N"
    repo = init_repo(
        tmp_path / "repo",
        {
            "pyproject.toml": PYPROJECT,
            "odd/__init__.py": f'EXAMPLE_KEY = "{example}"\n',
            "README.md": f"Set `AWS_ACCESS_KEY_ID={example}`.\n",
            "odd/client.py": f'KEY = "{other}"\n',
        },
    )
    found = [(f.path, f.severity) for f in _result(run_audit(repo), "secrets").findings]
    assert found == [("odd/client.py", "critical")]


def test_a_keyword_naming_the_variable_that_holds_the_secret_is_no_secret(
    tmp_path: Path,
) -> None:
    """Every Jenkinsfile pipelinekit generates says `passwordVariable: 'DOCKER_PASSWORD'`:
    detect-secrets' keyword detector took the variable's name for a password (the bundled
    example's audit had it as its one secret). A value beside it is still reported."""
    line = (
        "withCredentials([usernamePassword(credentialsId: 'registry', "
        "usernameVariable: 'DOCKER_USERNAME', passwordVariable: 'DOCKER_PASSWORD')]) {\n"
    )
    repo = init_repo(
        tmp_path / "repo",
        {
            "pyproject.toml": PYPROJECT,
            "odd/__init__.py": "",
            "Jenkinsfile": "pipeline {\n" + line + "}\n",
            "odd/db.py": 'db_password = "Qv7' + 'Lm2Xw9Rt"\n',
        },
    )
    found = [(f.path, f.rule) for f in _result(run_audit(repo), "secrets").findings]
    assert found == [("odd/db.py", "Secret Keyword")]


def test_a_weak_password_is_reported_once_and_as_weak(tmp_path: Path) -> None:
    """Airflow's official compose file: `airflow:airflow@postgres` was a critical "Basic Auth
    Credentials" (a key to revoke, capping the score at 40): it is a weak password (the user's
    name), major. `password: 1234` in a config file was reported twice (a detect-secrets
    keyword and weak-passwords): once now, by weak-passwords."""
    repo = init_repo(
        tmp_path / "repo",
        {
            "pyproject.toml": PYPROJECT,
            "odd/__init__.py": "",
            "docker-compose.yml": (
                "services:\n  scheduler:\n    environment:\n"
                "      AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: "
                "postgresql+psycopg2://airflow:airflow@postgres/airflow\n"
            ),
            "config/db.yaml": "db:\n  user: ml\n  password: '1234'\n",
        },
    )
    report = run_audit(repo)
    secrets = [(f.path, f.line, f.severity, f.rule) for f in _result(report, "secrets").findings]
    assert secrets == [("docker-compose.yml", 4, "major", "placeholder password")]
    weak = [(f.path, f.line) for f in _result(report, "weak-passwords").findings]
    assert weak == [("config/db.yaml", 3)]
