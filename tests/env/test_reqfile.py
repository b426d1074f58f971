"""Requirement lines: PEP 508 through `packaging`, pip-only forms read tolerantly."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelinekit.detect.facts import LockFile
from pipelinekit.env.locks import read_pins
from pipelinekit.env.reqfile import exact_pin, is_pinned, parse_requirement


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # pip reads these as files; the old pattern took the first path segment as a name
        ("libs/foo-1.0-py3-none-any.whl", ("foo", frozenset())),
        ("vendor/mypkg", None),
        (r"C:\wheels\foo_bar-1.0-py3-none-any.whl", ("foo-bar", frozenset())),
        ("foo_bar-1.0-py3-none-any.whl", ("foo-bar", frozenset())),
        ("pkg-1.0.tar.gz", None),
        # PEP 508 names the distribution; an `#egg=` fragment in its URL does not
        ("foo @ https://example.org/repo.zip#egg=bar", ("foo", frozenset())),
        # pip-only forms, read tolerantly
        ("--editable=git+https://example.org/y.git#egg=Yy[A_b]", ("yy", frozenset({"a-b"}))),
        ("-e./pkg", None),
        ("numpy=1.2", ("numpy", frozenset())),
        ("torch>=", ("torch", frozenset())),
        ("attrs==23.1 --hash=sha256:abc --hash=sha256:def", ("attrs", frozenset())),
        ("requests[Security]>=2 ; python_version > '3'", ("requests", frozenset({"security"}))),
    ],
)
def test_parse_requirement_pip_forms(
    line: str, expected: tuple[str, frozenset[str]] | None
) -> None:
    assert parse_requirement(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Foo_Bar==1.0", ("foo-bar", "1.0", None)),
        ("foo===1.0", ("foo", "1.0", None)),
        ("foo == 1.0 ; python_version<'3.8'", ("foo", "1.0", 'python_version < "3.8"')),
        ("foo==1.0 --hash=sha256:x", ("foo", "1.0", None)),
        ("foo==1.*", None),
        ("foo>=1", None),
        ("foo==1.0,!=1.1", None),
        ("foo @ https://example.org/foo-1.0.tar.gz", None),
        ("foo==1.0 junk", None),
    ],
)
def test_exact_pin(line: str, expected: tuple[str, str, str | None] | None) -> None:
    assert exact_pin(line) == expected


def test_is_pinned_ignores_option_lines() -> None:
    assert is_pinned(["-e .", "attrs==23.1 --hash=sha256:abc", "idna===3.4"])
    assert not is_pinned(["attrs==23.1", "idna>=3"])
    assert not is_pinned(["-e ."])


def test_pinned_lock_reads_pins_hashes_and_markers(tmp_path: Path) -> None:
    """A pip-compile file: hashes on continuation lines, a package pinned once per platform."""
    (tmp_path / "requirements.txt").write_text(
        "attrs==23.1.0 \\\n    --hash=sha256:abc\n"
        "numpy==1.26.4 ; sys_platform == 'win32'  # via -r requirements.in\n"
        "numpy==2.0.0 ; sys_platform != 'win32'\n"
        "-e ./local\n"
        "idna>=3\n"
    )
    pins = read_pins(tmp_path, LockFile(kind="pinned", path="requirements.txt"))
    assert [(p.name, p.version, p.marker) for p in pins] == [
        ("attrs", "23.1.0", None),
        ("numpy", "1.26.4", 'sys_platform == "win32"'),
        ("numpy", "2.0.0", 'sys_platform != "win32"'),
    ]
