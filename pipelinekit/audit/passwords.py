"""Weak and placeholder passwords: the values every leaked-password list starts with, shared by
the weak-passwords check (configuration files) and the secrets check (which does not call a
placeholder in an example a committed secret)."""

from __future__ import annotations

import json
import re

WEAK = frozenset(
    {"123456", "1234567", "12345678", "123456789", "1234567890", "password", "passw0rd"}
    | {"password1", "password123", "admin", "admin123", "administrator", "root", "toor"}
    | {"changeme", "change_me", "secret", "qwerty", "letmein", "welcome", "guest", "default"}
    | {"pass", "test", "111111", "000000", "abc123", "postgres", "mysql", "sa", "user"}
)
"""The defaults and top entries of every leaked-password list."""
PLACEHOLDERS = WEAK | frozenset(
    {"foo", "bar", "baz", "xxx", "xxxx", "dummy", "fake", "example", "hunter2", "pass123"}
    | {"mypassword", "yourpassword", "your_password", "my_password", "p@ssw0rd", "s3cr3t"}
)
"""With WEAK, the values documentation and tests write as a password (`https://user:pass@host`,
`password="foo"`)."""
_REFERENCE = re.compile(r"^\$\{?\w|^\{\{.*\}\}$|^%\(\w+\)s$|^<.*>$|^\*+$")
"""`${DB_PASSWORD}`, `{{ vault_pw }}`, `%(pw)s`, `<password>`, `****`: not a value."""


_FALLBACK = re.compile(r"^(\$\{\w+):?-(.*)\}$|^(\$\{oc\.env:[\w.]+),(.*)\}$")
"""`${DB_PASSWORD:-postgres}` (shell, docker compose), `${oc.env:DB_PASSWORD,ml}` (Hydra,
OmegaConf): the value used whenever the variable is not set."""


def _fallback(value: str) -> tuple[str, str] | None:
    """(the reference without its fallback, the fallback)."""
    match = _FALLBACK.match(value)
    if not match:
        return None
    name, fallback = (match[1], match[2]) if match[1] is not None else (match[3], match[4])
    return f"{name}}}", fallback.strip().strip("\"'")


def weak(value: str, user: str | None) -> str | None:
    """Why `value` is a weak password, None when it is not (or is a reference, not a value;
    a reference's fallback is one)."""
    reference = _fallback(value)
    if reference is not None:
        user_fallback = _fallback(user or "")
        why = weak(reference[1], user_fallback[1] if user_fallback else user)
        return f"{why} (the fallback of {reference[0]})" if why else None
    if not value or _REFERENCE.match(value):
        return None
    if value.lower() in WEAK:
        return "a default or well-known password"
    if value.isdigit() and len(value) <= 8:
        return "a short number"
    if user and value == user:
        return "the same as the user name"
    return None


_PASSWORD_KEY = re.compile(r"(?:^|[_.-])(password|passwd|pwd|pass|passphrase)$", re.I)
_USER_KEY = re.compile(r"(?:^|[_.-])(user|username|user_name|login)$", re.I)
_ASSIGNMENT = re.compile(r"""^\s*(?:-\s+)?(?:export\s+)?["']?([\w.-]+)["']?\s*[=:]\s*(.*?)\s*$""")
"""`key = value`, `key: value`, `export KEY=value`, and docker compose's list form
`- KEY=value` (`environment:` as a list)."""
_SECTION = re.compile(r"^\s*\[+([^\]]*)\]+\s*$")


def weak_in_config(path: str, text: str) -> list[tuple[int, str]]:
    """(line, why) of each weak password a configuration file sets."""
    return _json_weak(text) if path.endswith(".json") else _lines_weak(text)


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
