"""Weak and placeholder passwords: the values every leaked-password list starts with, shared by
the weak-passwords check (configuration files) and the secrets check (which does not call a
placeholder in an example a committed secret)."""

from __future__ import annotations

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
