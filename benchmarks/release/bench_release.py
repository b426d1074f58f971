"""Benchmark: `pipelinekit release next` against python-semantic-release and commitizen.

Each peer is installed in its own venv under a cache folder (created on first run), the same
synthetic histories are built with `git fast-import`, and every tool is timed side by side on
the same repository, interleaved, reporting the median of several runs. A bare `git log` of the
range pipelinekit reads is timed too, as the floor no tool can beat.

Usage:  python benchmarks/release/bench_release.py [--runs 5] [--commits 10000]
            [--cache ~/.cache/pipelinekit-bench] [--keep]

No clone of a real project is possible offline, so the "real project" stand-in is a synthetic
history shaped like one (feature branches merged with merge commits, scopes, reverts,
non-conventional noise).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from benchvenv import pipelinekit_venv, tool_venv  # noqa: E402

PEERS = {
    "psr": ("python-semantic-release==10.7.*", "semantic-release"),
    "cz": ("commitizen==4.19.*", "cz"),
}
TOOL_CONFIG = """
[tool.semantic_release]
commit_parser = "conventional"
tag_format = "v{version}"
major_on_zero = false
allow_zero_version = true
version_toml = ["pyproject.toml:project.version"]

[tool.semantic_release.branches.main]
match = "main"
prerelease = false

[tool.commitizen]
name = "cz_conventional_commits"
tag_format = "v$version"
version_provider = "scm"
major_version_zero = false
update_changelog_on_bump = false
"""
ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def load_factory() -> object:
    """The test suite's fast-import history builder, so tests and benchmark share one shape."""
    path = ROOT / "tests" / "release" / "gitfactory.py"
    spec = importlib.util.spec_from_file_location("release_gitfactory", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def ensure_venv(cache: Path, name: str) -> Path:
    """`cache/name` venv with the peer installed (reused when it already works)."""
    requirement, script = PEERS[name]
    return tool_venv(
        cache / f"{name}-{requirement.split('==')[1].rstrip('.*')}", requirement, script
    )


def build(factory: object, kind: str, commits: int, where: Path) -> Path:
    history_fn: Callable[..., tuple[object, str]] = factory.conventional_history  # type: ignore[attr-defined]
    if kind == "conventional":
        history, _ = history_fn(commits, tag_every=100)
    elif kind == "real-shaped":
        history, _ = history_fn(commits, tag_every=150, realistic=True, seed=2024)
    else:  # all commits since the one release at the root: the whole history is parsed
        history, _ = history_fn(commits, tag_every=commits * 10)
    text = '[project]\nname = "demo"\nversion = "1.0.0"\n' + TOOL_CONFIG
    history.commit("chore: configure release tools", files={"pyproject.toml": text})  # type: ignore[attr-defined]
    repo = history.write(where / kind)  # type: ignore[attr-defined]
    bare = where / f"{kind}-origin.git"
    git(where, "clone", "-q", "--bare", str(repo), str(bare))
    git(repo, "remote", "add", "origin", str(bare))
    git(repo, "fetch", "-q", "origin")
    return repo


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **ENV},
    ).stdout


@dataclass
class Tool:
    name: str
    command: list[str]
    version: Callable[[str], str | None]


def time_it(command: Sequence[str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, env={**os.environ, **ENV}
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{proc.stdout}\n{proc.stderr}")
    return elapsed, proc.stdout


def last_version(text: str) -> str | None:
    found = re.findall(r"\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?", text)
    return found[-1] if found else None


def cz_version(text: str) -> str | None:
    match = re.search(r"bump: version \S+ → (\S+)", text)
    return match[1] if match else None


def bench(repo: Path, tools: list[Tool], runs: int) -> dict[str, tuple[float, str | None]]:
    for tool in tools:  # warm-up: OS caches, .pyc files
        time_it(tool.command, repo)
    samples: dict[str, list[float]] = {t.name: [] for t in tools}
    versions: dict[str, str | None] = {}
    for _ in range(runs):
        for tool in tools:  # interleaved, so drift affects every tool alike
            elapsed, out = time_it(tool.command, repo)
            samples[tool.name].append(elapsed)
            versions[tool.name] = tool.version(out)
    return {name: (statistics.median(s), versions[name]) for name, s in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--commits", type=int, default=10_000)
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "pipelinekit-bench")
    parser.add_argument("--keep", action="store_true", help="keep the generated repositories")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    pipelinekit = [str(pipelinekit_venv(args.cache)), "release", "next"]
    psr = ensure_venv(args.cache, "psr")
    cz = ensure_venv(args.cache, "cz")
    factory = load_factory()
    work = Path(tempfile.mkdtemp(prefix="pipelinekit-bench-"))
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cpu(s), {args.runs} runs each, median"
    )
    try:
        for kind in ("conventional", "real-shaped", "one-old-tag"):
            repo = build(factory, kind, args.commits, work)
            last_tag = git(repo, "describe", "--tags", "--abbrev=0", "--match", "v*").strip()
            in_range = git(repo, "rev-list", "--count", f"{last_tag}..HEAD").strip()
            tools = [
                Tool("pipelinekit", pipelinekit, last_version),
                Tool("psr", [str(psr), "version", "--print"], last_version),
                Tool("cz", [str(cz), "bump", "--dry-run", "--yes"], cz_version),
                Tool(
                    "git log",
                    ["git", "log", "-z", "--format=%H%x1f%P%x1f%B", f"{last_tag}..HEAD", "--"],
                    lambda _: None,
                ),
            ]
            results = bench(repo, tools, args.runs)
            pk, pk_version = results["pipelinekit"]
            print(
                f"\n[{kind}] {args.commits} commits, last tag {last_tag}, {in_range} commits since"
            )
            for name, (seconds, version) in results.items():
                ratio = f"{seconds / pk:6.2f}x pipelinekit" if name != "pipelinekit" else ""
                shown = version or "-"
                print(f"  {name:12s} {seconds * 1000:8.1f} ms  version {shown:10s} {ratio}")
            for peer in ("psr", "cz"):
                other = results[peer][1]
                verdict = "agree" if other == pk_version else f"DIFFER ({other} vs {pk_version})"
                speedup = results[peer][0] / pk
                print(f"  pipelinekit vs {peer}: {speedup:.1f}x faster, versions {verdict}")
            print(f"  pipelinekit / bare git log: {pk / results['git log'][0]:.1f}x")
    finally:
        if args.keep:
            print(f"\nrepositories kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
