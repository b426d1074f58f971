"""One redaction for every output: passwords and tokens in URLs, tokens by their published
shapes, secret-named environment values; JSON output goes through it too."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from pipelinekit.cli.options import echo_json
from pipelinekit.util.redact import MASK, redact, without_credentials


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("https://user:hunter22@sonar.corp/api", "hunter22"),
        (
            "clone https://glpat-abcdefghij0123456789@gitlab.corp/g/p.git",
            "glpat-abcdefghij0123456789",
        ),
        ("https://x0123456789abcdef@host/simple", "x0123456789abcdef"),
        (
            "token ghp_abcdefghijklmnopqrstuvwxyz0123456789 in a log",
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        ),
        ("key AKIAABCDEFGHIJKLMNOP", "AKIAABCDEFGHIJKLMNOP"),
        (
            "SONAR_TOKEN=squ_0123456789abcdef0123456789abcdef01234567",
            "squ_0123456789abcdef0123456789abcdef01234567",
        ),
    ],
)
def test_credentials_are_masked(text: str, secret: str) -> None:
    masked = redact(text, environ={})
    assert secret not in masked and MASK in masked


def test_names_are_not_secrets() -> None:
    assert redact("ssh://git@gitlab.corp/p.git and mailto:ci@corp", environ={}) == (
        "ssh://git@gitlab.corp/p.git and mailto:ci@corp"
    )


def test_json_output_is_redacted_like_text() -> None:
    """Bug hunt: `plan --format json` printed a URL's password the text output masked."""

    @click.command()
    def show() -> None:
        echo_json({"server": "https://ci:s3cretpassw0rd@gitlab.corp"})

    out = CliRunner().invoke(show).output
    assert (
        "s3cretpassw0rd" not in out
        and json.loads(out)["server"] == f"https://ci:{MASK}@gitlab.corp"
    )


def test_committed_files_carry_urls_without_credentials() -> None:
    assert without_credentials("https://user:pw@sonar.corp:9000/") == "https://sonar.corp:9000/"
    assert without_credentials("https://sonar.corp") == "https://sonar.corp"
