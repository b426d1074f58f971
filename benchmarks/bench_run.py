"""`pipelinekit run` on an unchanged repository (issue: stages and run).

Targets: the re-run takes <= 1 s and is >= 10x faster than the first run, because every job
whose inputs (files, config, tool versions) are unchanged is skipped from the cache.

Run: python benchmarks/bench_run.py [--runs N]
Needs pipelinekit[lint,package] installed; the first run builds the example's own environment
(numpy, pytest, coverage) with uv, as CI does, from a warm uv cache after the first round.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "churn-model"
JOBS = "lint,test,package"  # the docker job needs a Docker daemon; tests/docker covers it


def run(repo: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pipelinekit", "run", str(repo), "--only", JOBS],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"pipelinekit run failed:\n{done.stdout}\n{done.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    firsts, reruns = [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            repo = Path(tmp) / "churn-model"
            shutil.copytree(EXAMPLE, repo)
            subprocess.run(
                [sys.executable, "-m", "pipelinekit", "init", str(repo)],
                check=True,
                capture_output=True,
            )
            firsts.append(run(repo))
            reruns.append(run(repo))
    first, rerun = statistics.median(firsts), statistics.median(reruns)
    print(f"first run (jobs {JOBS})   {first:6.2f} s")
    print(f"re-run, unchanged         {rerun:6.2f} s   (<= 1 s)")
    print(f"speed-up                  {first / rerun:6.1f}x  (>= 10x)")


if __name__ == "__main__":
    main()
