"""Groovy literals. Every string goes out single-quoted: Groovy does not interpolate those, so a
`${x}` or `$(cmd)` in a value stays literal text and cannot run on the controller."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}


def gstr(value: str) -> str:
    """A single-quoted Groovy string literal for any text."""
    out = []
    for char in value:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "'" + "".join(out) + "'"


def glist(values: Sequence[str]) -> str:
    return "[" + ", ".join(gstr(v) for v in values) + "]"


def gargs(args: Mapping[str, str | int | bool]) -> str:
    """Named arguments `key: value, ...` (keys are our own identifiers, values escaped)."""
    parts = []
    for key, value in args.items():
        if isinstance(value, bool):
            literal = "true" if value else "false"
        elif isinstance(value, int):
            literal = str(value)
        else:
            literal = gstr(value)
        parts.append(f"{key}: {literal}")
    return ", ".join(parts)
