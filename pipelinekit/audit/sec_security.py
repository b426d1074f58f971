"""Security: keys and tokens (detect-secrets), default and weak passwords in configuration
files (our own check: no tool looks for `admin` or `123456` as a value), the code patterns
bandit's rules find (ruff's S rules), and known vulnerabilities of pinned releases (pip-audit).
A finding never quotes the secret or the password it is about."""

from __future__ import annotations

import json
import re

from pipelinekit.audit import tool_ruff, tool_secrets, tool_vulns
from pipelinekit.audit.model import Check, Hit, Skip
from pipelinekit.audit.passwords import weak
from pipelinekit.audit.repo import AuditRepo, is_config_path, is_test_path

SECTION = "security"

_PASSWORD_KEY = re.compile(r"(?:^|[_.-])(password|passwd|pwd|pass|passphrase)$", re.I)
_USER_KEY = re.compile(r"(?:^|[_.-])(user|username|user_name|login)$", re.I)
_ASSIGNMENT = re.compile(r"""^\s*(?:-\s+)?(?:export\s+)?["']?([\w.-]+)["']?\s*[=:]\s*(.*?)\s*$""")
"""`key = value`, `key: value`, `export KEY=value`, and docker compose's list form
`- KEY=value` (`environment:` as a list)."""
_SECTION = re.compile(r"^\s*\[+([^\]]*)\]+\s*$")


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
        for line, why in _json_weak(text) if path.endswith(".json") else _lines_weak(text):
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


def _unquote(value: str) -> str:
    value = value.split(" #", 1)[0].strip().rstrip(",")
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _lines_weak(text: str) -> list[tuple[int, str]]:
    """`key = value` / `key: value` lines (INI, TOML, YAML, .env, properties), by section or
    YAML indentation block, so a password equal to the user beside it is found."""
    found: list[tuple[int, str]] = []
    users: dict[str, str] = {}
    passwords: list[tuple[str, int, str]] = []
    section = ""
    for number, raw in enumerate(text.splitlines(), 1):
        header = _SECTION.match(raw)
        if header:
            section = header[1]
            continue
        match = _ASSIGNMENT.match(raw)
        if not match:
            continue
        scope = f"{section}/{len(raw) - len(raw.lstrip())}"
        key, value = match[1], _unquote(match[2])
        if _USER_KEY.search(key):
            users[scope] = value
        elif _PASSWORD_KEY.search(key):
            passwords.append((scope, number, value))
    for scope, number, value in passwords:
        why = weak(value, users.get(scope))
        if why:
            found.append((number, why))
    return found


def _json_weak(text: str) -> list[tuple[int, str]]:
    try:
        data = json.loads(text)
    except ValueError:
        return []
    found: list[tuple[int, str]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            user = next((str(v) for k, v in node.items() if _USER_KEY.search(str(k))), None)
            for key, value in node.items():
                if isinstance(value, str) and _PASSWORD_KEY.search(str(key)):
                    why = weak(value, user)
                    if why:
                        pattern = re.compile(rf'"{re.escape(str(key))}"\s*:\s*"{re.escape(value)}"')
                        hit = pattern.search(text)
                        found.append((text.count("\n", 0, hit.start()) + 1 if hit else 1, why))
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)
    return found


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
