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


def weak(value: str, user: str | None) -> str | None:
    """Why `value` is a weak password, None when it is not (or is a reference, not a value)."""
    if not value or _REFERENCE.match(value):
        return None
    if value.lower() in WEAK:
        return "a default or well-known password"
    if value.isdigit() and len(value) <= 8:
        return "a short number"
    if user and value == user:
        return "the same as the user name"
    return None
