"""`pipelinekit audit` against the peer tools run one after another (issue: the audit).

The repository: a real-world-sized code base made from an installed package's source (scipy by
default: ~1000 Python modules with their tests, plus its text data), as a git repository with
a pyproject.toml, a README and one commit. On it, timed from the first command to the last:

- the sequence: `sp-repo-review REPO`, `ruff check --isolated --select B,S,PD,PERF,NPY
  --output-format json REPO`, `detect-secrets scan` (in REPO), `interrogate REPO/PACKAGE`;
- `pipelinekit audit REPO --format json`: the same tools' checks plus the audit's own (GPU,
  cloud, notebooks, passwords, scripts, packaging, CI/CD, monitoring), scored.

Every tool runs from its own venv (benchvenv.py). Rounds alternate which side goes first.
Target: the audit is faster than the sequence.

Run: python benchmarks/bench_audit.py [--package scipy] [--rounds 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchvenv import CACHE, pipelinekit_venv, tool_venv

TEXT = (".py", ".pyi", ".txt", ".toml", ".cfg", ".json", ".csv", ".rst", ".md", ".ini", ".yaml")


def make_repo(package: str, target: Path) -> int:
    """A git repository holding `package`'s text files; returns the number of Python files."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise SystemExit(f"{package} is not installed: pip install {package}, or pick --package")
    source = Path(spec.origin).parent
    count = 0
    for path in source.rglob("*"):
        if path.is_file() and path.suffix in TEXT and "__pycache__" not in path.parts:
            dest = target / package / path.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
            count += path.suffix == ".py"
    (target / "pyproject.toml").write_text(
        "[build-system]\nrequires = ['setuptools>=68']\nbuild-backend = 'setuptools.build_meta'\n"
        f"\n[project]\nname = 'bench-{package}'\nversion = '1.0.0'\n"
        "dependencies = ['numpy>=1.24']\n"
    )
    (target / "README.md").write_text(f"# bench-{package}\n")
    git = ["git", "-C", str(target), "-c", "user.name=b", "-c", "user.email=b@example.com"]
    subprocess.run(["git", "init", "-q", str(target)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "feat: import"], check=True)
    return count


def timed(commands: list[tuple[list[str], Path | None]]) -> float:
    start = time.perf_counter()
    for argv, cwd in commands:
        subprocess.run(
            argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--package", default="scipy")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    venvs = CACHE / "audit-peers"
    review = tool_venv(venvs / "sp-repo-review", "sp-repo-review[cli]==2026.8.14", "sp-repo-review")
    ruff = tool_venv(venvs / "ruff", "ruff==0.17.6", "ruff")
    secrets = tool_venv(venvs / "detect-secrets", "detect-secrets==1.5.0", "detect-secrets")
    interrogate = tool_venv(venvs / "interrogate", "interrogate==1.7.0", "interrogate")
    pipelinekit = pipelinekit_venv(extras="audit")
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        files = make_repo(args.package, repo)
        print(f"repository: {args.package} source, {files} Python files, one git commit")
        families = ["--select", "B,S,PD,PERF,NPY", "--output-format", "json", "--exit-zero"]
        sequence = [
            ([str(review), str(repo), "--format", "json"], None),
            ([str(ruff), "check", "--isolated", *families, str(repo)], None),
            ([str(secrets), "scan"], repo),
            ([str(interrogate), "--fail-under", "0", str(repo / args.package)], None),
        ]
        audit = [([str(pipelinekit), "audit", str(repo), "--format", "json"], None)]
        timed(sequence[:1] + audit)  # warm the file cache and the venvs' bytecode
        peers, ours = [], []
        for index in range(args.rounds):
            if index % 2:
                ours.append(timed(audit))
                peers.append(timed(sequence))
            else:
                peers.append(timed(sequence))
                ours.append(timed(audit))
        check = subprocess.run(audit[0][0], capture_output=True, text=True, check=False)
        print(check.stderr.strip())
    peer, own = statistics.median(peers), statistics.median(ours)
    print("rounds (s): sequence " + ", ".join(f"{t:.1f}" for t in peers))
    print("            audit    " + ", ".join(f"{t:.1f}" for t in ours))
    print(f"sequence (sp-repo-review, ruff, detect-secrets, interrogate)  {peer:6.2f} s")
    print(f"pipelinekit audit (23 checks, 9 sections, scored)             {own:6.2f} s")
    print(f"ratio {peer / own:.2f}x (target: > 1, faster than the sequence)")


if __name__ == "__main__":
    main()
