"""`pipelinekit metrics` on a 10,000-commit, 300-tag history built with `git fast-import`.

Prints the time of the library call (read the history with one `for-each-ref` and one
`git log` walk, compute the four keys and their trends) and of the whole command (interpreter
start, imports, project detection), medians of N runs. Target: well under a second.

    python benchmarks/bench_metrics.py [--runs 7] [--commits 10000] [--tags 300]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelinekit.metrics.report import build_report  # noqa: E402
from tests.metrics.histories import large_history  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--commits", type=int, default=10_000)
    parser.add_argument("--tags", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        repo = large_history(args.commits, args.tags).write(Path(tmp) / "repo")
        count = subprocess.run(
            ["git", "rev-list", "--count", "--all"], cwd=repo, capture_output=True, text=True
        ).stdout.strip()
        built = time.perf_counter() - started
        print(f"history: {count} commits, {args.tags} tags ({built:.1f} s to build)")

        library = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            report = build_report(
                repo, project="bench", tag_format="v{version}", failure_days=7, now=1.8e9
            )
            report.trends()
            library.append(time.perf_counter() - t0)
        keys = report.keys
        print(
            f"four keys: {keys.deployments} deployments, lead time over "
            f"{keys.lead_time_commits} commits, change failure rate "
            f"{keys.change_failure_rate:.2f}"
        )
        command, cpu = [], []
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        for _ in range(args.runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "pipelinekit", "metrics", str(repo), "--format", "json"],
                check=True, capture_output=True, env=env,
            )  # fmt: skip
            command.append(time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    print(f"library (history + keys + trends): median {statistics.median(library) * 1000:.0f} ms")
    print(
        f"`pipelinekit metrics --format json`: median {statistics.median(command) * 1000:.0f} ms "
        f"wall, {statistics.median(cpu) * 1000:.0f} ms CPU (git included); "
        f"load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
