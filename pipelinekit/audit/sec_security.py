"""Security: keys and tokens (detect-secrets), default and weak passwords in configuration
files (our own check: no tool looks for `admin` or `123456` as a value), the code patterns
bandit's rules find (ruff's S rules), and known vulnerabilities of pinned releases (pip-audit).
A finding never quotes the secret or the password it is about."""

from __future__ import annotations

from pipelinekit.audit import tool_ruff, tool_secrets, tool_vulns
from pipelinekit.audit.model import Check, Hit, Skip
from pipelinekit.audit.passwords import weak_in_config
from pipelinekit.audit.repo import AuditRepo, is_config_path, is_test_path

SECTION = "security"


def config_files(repo: AuditRepo) -> list[str]:
    return [
        f
        for f in repo.files
        if repo.own(f)
        and is_config_path(f)
        and not is_test_path(f)
        and not f.endswith(("package-lock.json", "Pipfile.lock", ".ipynb"))
    ]


def weak_passwords(repo: AuditRepo) -> list[Hit]:
    files = config_files(repo)
    if not files:
        raise Skip("no configuration files")
    out = []
    for path in files:
        text = repo.text(path)
        if text is None:
            continue
        for line, why in weak_in_config(path, text):
            out.append(
                Hit(
                    "major",
                    path,
                    line,
                    f"password set to {why}: replace it with a generated secret read from the "
                    "environment or a secret store, and change it wherever it was used",
                )
            )
    return out


def bandit(repo: AuditRepo) -> list[Hit]:
    return tool_ruff.hits(
        repo,
        ("S",),
        {"S": "major", "S1": "minor", "S105": "major", "S106": "major", "S107": "major"},
    )


CHECKS = (
    Check(
        "secrets",
        SECTION,
        "No keys or tokens are committed (detect-secrets)",
        "A committed cloud key or token is compromised the day the repository is cloned "
        "somewhere else; rotating it is the only fix, reading it from the environment the "
        "prevention.",
        tool_secrets.scan,
        tool="detect-secrets",
    ),
    Check(
        "weak-passwords",
        SECTION,
        "No default or weak passwords in configuration files",
        "`admin`, `123456`, `password`, short numbers and a password equal to the user name "
        "are the first guesses of every scanner; configuration files are committed and copied "
        "into images.",
        weak_passwords,
    ),
    Check(
        "bandit",
        SECTION,
        "No insecure code patterns (ruff's bandit S rules)",
        "`pickle.load` of downloaded files, `yaml.load`, `subprocess(shell=True)`, SQL built "
        "from strings and `verify=False` are how data pipelines get exploited.",
        bandit,
        tool="ruff",
    ),
    Check(
        "vulnerabilities",
        SECTION,
        "Pinned releases have no known vulnerabilities (pip-audit)",
        "A pinned release with a published vulnerability ships it to production with every "
        "image; pip-audit asks the OSV database about each pin.",
        tool_vulns.audit,
        tool="pip-audit",
    ),
)
