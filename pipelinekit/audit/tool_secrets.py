"""detect-secrets for keys and tokens: its plugins and filters on the repository's files, through
a line prefilter that gives the same results in a sixth of the time (secrets_scan.py), in a
process of its own (beside the other checks' threads) with a worker process per core.

Its JSON names each secret by type, file, line and a hash, never the value, and so do our
findings. Secrets the repository's `.secrets.baseline` marks as audited false positives
(`is_secret: false`, detect-secrets' own adoption workflow) are not reported, nor passwords
whose hash is that of a well-known placeholder (`user:pass@host` in a docstring or a test).
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Iterable

from pipelinekit.audit.model import Hit, Severity, Skip
from pipelinekit.audit.repo import MAX_TEXT_BYTES, AuditRepo, is_config_path, is_test_path

TIMEOUT_S = 600.0
BASELINE = ".secrets.baseline"
ENTROPY = ("Base64 High Entropy String", "Hex High Entropy String")
NOT_SCANNED_FOR_ENTROPY = (".ipynb", ".csv", ".tsv", ".svg", ".lock", ".sum", ".min.js", ".dvc")
"""Encoded images in notebook outputs, data and checksums (lock files, DVC's `.dvc` pointers)
are random-looking by nature, and so are the seeds and expected digests of tests (their keyed
secrets are still reported)."""


PLACEHOLDER_KINDS = ("Secret Keyword", "Basic Auth Credentials")
DOCUMENTS = (".md", ".rst", ".txt", ".adoc", ".ipynb")


AWS_DOCUMENTED = frozenset(
    {
        "25910f981e85ca04baf359199dd0bd4a3ae738b6",  # AKIAIOSFODNN7EXAMPLE
        "1baa9968f9c6d470bb9957fd12fea784b7979650",  # AKIAI44QH8DHBEXAMPLE
        "d70eab08607a4d05faa2d0d6647206599e9abc65",  # wJalrXUtnFEMI/K7MDENG/...EXAMPLEKEY
        "4bfc31b4fc45580cf54de00b69a1831aa44affb5",  # je7MtGbClwBF/2Zp9Utk/...EXAMPLEKEY
    }
)
"""detect-secrets' hashes of the access keys AWS's documentation and SDK examples use (they
open nothing; botocore's data files and READMEs copied from AWS's guides hold them)."""


def _sha1s(values: Iterable[str]) -> frozenset[str]:
    return frozenset(hashlib.sha1(v.encode(), usedforsecurity=False).hexdigest() for v in values)


def placeholder_hashes() -> frozenset[str]:
    """detect-secrets' hashes (SHA-1 of the value) of the well-known placeholder passwords."""
    from pipelinekit.audit.passwords import PLACEHOLDERS

    return _sha1s(PLACEHOLDERS)


def in_an_example(repo: AuditRepo, path: str, line: int | None) -> bool:
    """Where a placeholder password is an example: a test, a document, a docstring or a
    comment; or a line of a configuration file the weak-passwords check reports."""
    if is_test_path(path) or path.endswith(DOCUMENTS) or path.startswith("docs/"):
        return True
    if is_config_path(path):  # weak-passwords reports the lines it judges, once
        from pipelinekit.audit.passwords import weak_in_config

        return any(n == line for n, _ in weak_in_config(path, repo.text(path) or ""))
    if not path.endswith(".py") or line is None:
        return False
    lines = (repo.text(path) or "").splitlines()
    if 0 < line <= len(lines) and lines[line - 1].lstrip().startswith("#"):
        return True
    tree = repo.tree(path)
    return tree is not None and any(
        first.lineno <= line <= (first.end_lineno or first.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(first := node.body[0], ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    )


def severity(kind: str) -> Severity:
    if kind in ENTROPY:
        return "minor"
    if kind == "Secret Keyword":
        return "major"
    return "critical"


def scan(repo: AuditRepo) -> list[Hit]:
    from pipelinekit.baseline import store

    # Baselines hold hashes (detect-secrets' own, pipelinekit's fingerprints), never secrets:
    # scanned, every recorded fingerprint would be a new high-entropy "secret".
    baselines = {BASELINE, repo.in_project(store.FILE)}
    files = [f for f in repo.files if repo.own(f) and f not in baselines and _small(repo, f)]
    if not files:
        return []
    try:
        done = subprocess.run(
            # -P: the repository's own modules (a `code.py`, a `json.py`) must not shadow ours.
            [sys.executable, "-P", "-m", "pipelinekit.audit.secrets_scan"],
            cwd=repo.root,
            input="\0".join(files),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise Skip(f"detect-secrets did not finish within {TIMEOUT_S:.0f} s") from exc
    if done.returncode != 0 and "No module named detect_secrets" in done.stderr:
        raise Skip("detect-secrets is not installed (pip install 'pipelinekit[audit]')")
    try:
        results = json.loads(done.stdout)["results"]
    except (ValueError, KeyError, TypeError) as exc:
        first = " ".join(done.stderr.split())[:200]
        raise Skip(f"detect-secrets printed no result (exit {done.returncode}): {first}") from exc
    audited = _audited_false_positives(repo)
    placeholders = placeholder_hashes()
    out = []
    for path, secrets in sorted(results.items()):
        for secret in secrets:
            kind = str(secret.get("type", "secret"))
            hashed = str(secret.get("hashed_secret"))
            line = int(secret.get("line_number") or 0) or None
            if (path, hashed) in audited or hashed in AWS_DOCUMENTED:
                continue
            if kind in ENTROPY and (path.endswith(NOT_SCANNED_FOR_ENTROPY) or is_test_path(path)):
                continue
            if kind == "Secret Keyword" and _names_a_variable(repo, path, line, hashed):
                continue
            if kind in PLACEHOLDER_KINDS and (
                hashed in placeholders or _weak_password(repo, path, line, hashed, kind)
            ):
                if not in_an_example(repo, path, line):
                    out.append(Hit("major", path, line, PLACEHOLDER, rule="placeholder password"))
                continue
            out.append(Hit(severity(kind), path, line, COMMITTED.format(kind), rule=kind))
    return out


PLACEHOLDER = (
    "a default or weak password is the first one anybody tries: read a generated one from the "
    "environment or a secret store (detect-secrets)"
)
COMMITTED = (
    "{} committed (detect-secrets): revoke it, remove it from the history and read it from "
    "the environment or a secret store at run time"
)
_VARIABLE_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
"""`DOCKER_PASSWORD`, `DB_PASS`: the name of an environment variable."""


_URL_CREDENTIALS = re.compile(r"://([^:/?#\[\]@\s]+):([^:/?#\[\]@\s]+)@")


def _weak_password(repo: AuditRepo, path: str, line: int | None, hashed: str, kind: str) -> bool:
    """The secret is a weak password, which is what the finding should say: in a URL
    (`postgresql://airflow:airflow@db`, the password the user's name) or on a line of a
    configuration file the weak-passwords check reports (it reports it once)."""
    from pipelinekit.audit.passwords import weak, weak_in_config

    text = repo.text(path) or ""
    lines = text.splitlines()
    if line is None or not 0 < line <= len(lines):
        return False
    if kind == "Basic Auth Credentials":
        return any(
            hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest() == hashed
            and weak(password, user) is not None
            for user, password in _URL_CREDENTIALS.findall(lines[line - 1])
        )
    return is_config_path(path) and any(n == line for n, _ in weak_in_config(path, text))


def _names_a_variable(repo: AuditRepo, path: str, line: int | None, hashed: str) -> bool:
    """The keyword's value is the name of a variable holding the secret, not the secret
    (Jenkins' `passwordVariable: 'DOCKER_PASSWORD'`, `password: $DB_PASSWORD`)."""
    lines = (repo.text(path) or "").splitlines()
    if line is None or not 0 < line <= len(lines):
        return False
    return any(
        hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest() == hashed
        for name in _VARIABLE_NAME.findall(lines[line - 1])
    )


def _small(repo: AuditRepo, path: str) -> bool:
    try:
        return (repo.root / path).stat().st_size <= MAX_TEXT_BYTES
    except OSError:
        return False


def _audited_false_positives(repo: AuditRepo) -> set[tuple[str, str]]:
    text = repo.text(BASELINE) if BASELINE in repo.files else None
    if not text:
        return set()
    try:
        results = json.loads(text).get("results", {})
        return {
            (path, str(s.get("hashed_secret")))
            for path, secrets in results.items()
            for s in secrets
            if s.get("is_secret") is False
        }
    except (ValueError, AttributeError, TypeError):
        return set()
