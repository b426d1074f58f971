"""The prefiltered detect-secrets scan (pipelinekit/audit/secrets_scan.py) against the real
`detect-secrets scan`: the same results on files holding a secret of every plugin's kind, and
a property test that the prefilter never hides a line detect-secrets itself would report.

Secret-looking values are assembled at run time so this file holds none."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from detect_secrets.settings import default_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelinekit.audit import secrets_scan

A = "A"  # joins the pieces of every token below


def _corpus() -> dict[str, str]:
    """File name -> text: a secret for each plugin, in the places that stress a prefilter."""
    aws = "AKI" + A + "IOSFODNN7EXAMPLQ"
    github = "ghp" + "_" + "x" * 36
    slack = "xox" + "b-1234567890-abcdefghij"
    stripe = "sk" + "_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
    jwt = (
        "ey"
        + "JhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
    )
    b64 = "Qz7Xk2LmP9w" + "Rt4YvN8sJh3G"  # as short as a base64 secret gets: 23 characters
    hexed = "a1b2c" + "3d4e"  # and a hex one: 9
    return {
        "service.py": (
            "import os\n\n"
            f'AWS_KEY = "{aws}"   \n'  # trailing blanks: `$`-anchored rules see a stripped line
            f"TOKEN = '{github}'\n"
            "def connect():\n"
            f'    password = "Hunter{"2"}Strong!"\n'
            "    return os.environ\n"
            f'SAME = "{aws}"\n'  # the same secret twice: detect-secrets keeps the first line
            f'BLOB = "{b64}"\n'
            f'DIGEST = "{hexed}"\n'
        ),
        "config/settings.yaml": (
            f"database:\n  host: db.internal\n  password: Sup3r{'S'}ecretValue\nslack: {slack}\n"
        ),
        "config/app.ini": f"[auth]\nsecret_key = {b64}\n",
        "keys/deploy.pem": "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIB\n-----END-----\n",
        "allowed.py": (
            f'# pragma: allowlist nextline secret\nSTRIPE = "{stripe}"\nJWT = "{jwt}"\n'
        ),
        "unicode.py": f'# contraseña\nPASSWORD = "Zz{"9"}kLmNoPq"\nNAME = "Ünïcode"\n',
        "crlf.txt": f"url = https://user:{'p'}w0rd@example.com/x\r\nok\r\n",
        # A block scalar: the YAML transformer's line 1 holds its value's newlines.
        "config/notes.yaml": (
            f"notes: |\n  first\n  second\nuser: admin\npassword: Sup3r{'S'}ecretValue\nport: x\nhost: y\n"
        ),
        "plain.py": "def add(a, b):\n    return a + b\n" * 50,
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("secrets")
    for name, text in _corpus().items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode())
    # Links: detect-secrets reads one inside the folder under its target's path, and skips one
    # that leaves it.
    (root / "linked.py").symlink_to("service.py")
    outside = tmp_path_factory.mktemp("outside") / "elsewhere.py"
    outside.write_text('API_KEY = "' + "Zq8" + 'vLx2NmKw7RtPb"\n')
    (root / "outside.py").symlink_to(outside)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    return root


def _files(root: Path) -> list[str]:
    names = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    return [n for n in names if not n.startswith(".git/")]


def _real(root: Path, files: list[str]) -> dict[str, Any]:
    done = subprocess.run(
        # --no-verify: the audit makes no network calls; detect-secrets' default scan would
        # send these tokens to Slack and Stripe and drop those they reject.
        [sys.executable, "-m", "detect_secrets", "scan", "--no-verify", "--", *files],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    results: dict[str, Any] = json.loads(done.stdout)["results"]
    return results


def test_same_results_as_detect_secrets_scan(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = [f for f in _files(corpus) if not f.endswith(("linked.py", "outside.py"))]
    expected = _real(corpus, files)
    kinds = {s["type"] for secrets in expected.values() for s in secrets}
    # The corpus is worth comparing only if detect-secrets finds its many kinds.
    assert len(kinds) >= 9, kinds
    monkeypatch.chdir(corpus)
    assert secrets_scan.scan_files(files, processes=1)["results"] == expected
    assert secrets_scan.scan_files(files, processes=2)["results"] == expected
    # A detect-secrets without the per-line steps: its own scan of every line, same results.
    monkeypatch.setattr(secrets_scan, "INTERNALS", False)
    assert secrets_scan.scan_files(files, processes=1)["results"] == expected


def test_the_command_reads_nul_separated_paths_and_prints_the_baseline_json(
    corpus: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, "-P", "-m", "pipelinekit.audit.secrets_scan"],
        cwd=corpus,
        input="\0".join(_files(corpus)),
        capture_output=True,
        text=True,
        check=True,
    )
    results = json.loads(done.stdout)["results"]
    assert set(results) >= {"service.py", "config/settings.yaml", "keys/deploy.pem"}
    assert "plain.py" not in results
    # Links as detect-secrets takes them: under the target's path; leaving the folder, skipped.
    assert results == _real(corpus, _files(corpus))
    assert "linked.py" not in results and "outside.py" not in results


def test_the_prefilter_skips_lines_no_plugin_can_report(corpus: Path) -> None:
    with default_settings():
        needles = secrets_scan.plugin_patterns()
        assert needles is not None
        lines = (corpus / "service.py").read_text().splitlines(keepends=True)
        numbers = secrets_scan.candidate_lines(lines, needles)
    assert 3 in numbers and 4 in numbers and 6 in numbers  # AWS, GitHub, password
    assert 1 not in numbers and 5 not in numbers  # `import os`, `def connect():`


def test_a_match_spanning_lines_makes_each_line_a_candidate() -> None:
    needles = [secrets_scan.Needle(re.compile(r"begin\s+end", re.MULTILINE))]
    lines = ["x\n", "begin\n", "end\n", "y\n"]
    assert secrets_scan.candidate_lines(lines, needles) == [2, 3]


def test_a_transformed_line_holding_newlines_is_one_line() -> None:
    """The YAML transformer writes a block scalar's value, newlines and all, as one line: the
    lines after it keep their numbers (no candidate shifted or past the last line)."""
    lines = ['notes: "first\nsecond\n"', "", "", 'password: "Sup3r' + 'SecretValue"', 'a: "b"']
    with default_settings():
        needles = secrets_scan.plugin_patterns()
        assert needles is not None
        assert secrets_scan.candidate_lines(lines, needles) == [4]


def test_line_anchors_keep_their_per_line_meaning(monkeypatch: pytest.MonkeyPatch) -> None:
    """`^` and `$` mean line start and end in detect-secrets' per-line scan, which strips
    trailing blanks: so over the whole text too."""
    from detect_secrets.plugins.base import RegexBasedDetector

    class LineToken(RegexBasedDetector):
        secret_type = "Line token"
        denylist = (re.compile(r"^tok[0-9]{4}$"),)

    monkeypatch.setattr(secrets_scan, "get_plugins", lambda: [LineToken()])
    needles = secrets_scan.plugin_patterns()
    assert needles is not None
    lines = ["x\n", "tok1234   \n", "a tok1234\n", "tok9876\r\n"]
    assert secrets_scan.candidate_lines(lines, needles) == [2, 4]


def test_an_unknown_plugin_turns_the_prefilter_off(monkeypatch: pytest.MonkeyPatch) -> None:
    class Newer:
        """A plugin of a detect-secrets this module was not written against."""

    monkeypatch.setattr(secrets_scan, "get_plugins", lambda: [Newer()])
    assert secrets_scan.plugin_patterns() is None


def test_a_regex_detector_with_its_own_line_scan_turns_the_prefilter_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from detect_secrets.plugins.aws import AWSKeyDetector

    class Contextual(AWSKeyDetector):
        """Reports what its deny-list does not match on the line (e.g. from the context)."""

        def analyze_line(self, *args: Any, **kwargs: Any) -> Any:
            return super().analyze_line(*args, **kwargs)

    monkeypatch.setattr(secrets_scan, "get_plugins", lambda: [Contextual()])
    assert secrets_scan.plugin_patterns() is None


def test_a_deny_list_anchored_to_the_text_turns_the_prefilter_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from detect_secrets.plugins.aws import AWSKeyDetector

    class Anchored(AWSKeyDetector):
        denylist = (re.compile(r"\AAKIA[0-9A-Z]{16}"), re.compile("x"))

    monkeypatch.setattr(secrets_scan, "get_plugins", lambda: [Anchored()])
    assert secrets_scan.plugin_patterns() is None


def test_without_the_prefilter_every_line_is_scanned(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scanned: list[int] = []
    real_scan = secrets_scan.scan_lines

    def counting(filename: str, lines: list[str], numbers: list[int]) -> Iterator[Any]:
        scanned.extend(numbers)
        return real_scan(filename, lines, numbers)

    monkeypatch.setattr(secrets_scan, "scan_lines", counting)
    monkeypatch.setattr(secrets_scan, "plugin_patterns", lambda: None)
    monkeypatch.chdir(corpus)
    with default_settings():
        found = secrets_scan.scan_file("plain.py")
    assert found == [] and scanned == list(range(1, 101))


FRAGMENTS = [
    "password = ",
    "Secret",
    "api_key",
    "PWD",
    "'",
    '"',
    " ",
    "=",
    ":",
    "AKI" + A,
    "ghp_",
    "xox" + "b-12-",
    "sk_live_",
    "eyJ",
    "://u:",
    "@host",
    "0123456789abcdef",
    "ZmFrZSBzZWNyZXQ",
    "a1b2c3d4e",  # the shortest hex string over the entropy limit: 9 distinct characters
    "Qz7Xk2LmP9wRt4YvN8sJh3G",  # the shortest base64 one: 23
    "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo",
    "ABCDEFGHIJKLMNOP",
    "# pragma: allowlist secret",
    "ñ",
    "\t",
    "10.20.30.",
    "8.8.8.8",
    "\n",  # inside a line: the YAML transformer writes a block scalar's value as one line
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(st.sampled_from(FRAGMENTS), max_size=8).map("".join),
        min_size=1,
        max_size=12,
    )
)
def test_the_prefilter_never_hides_what_detect_secrets_reports(lines: list[str]) -> None:
    """Every line detect-secrets' own per-line scan reports is a candidate line."""
    text = [line + "\n" for line in lines]
    with default_settings():
        needles = secrets_scan.plugin_patterns()
        assert needles is not None
        every = list(range(1, len(text) + 1))
        for filename in ("app.py", "conf.yaml", "notes.txt"):
            reported = {s.line_number for s in secrets_scan.scan_lines(filename, text, every)}
            assert reported <= set(secrets_scan.candidate_lines(text, needles))
