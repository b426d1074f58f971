"""CLI start-up and init speed (issue: Foundation).

Prints, for the same machine and interpreter:
- `pipelinekit --help` cold start as a ratio to `python -c pass` (target: <= 3x);
- `pipelinekit init` (detect, config, render and write every file) on a fresh copy of the
  bundled example (< 0.5 s), and a following `pipelinekit render`.

pipelinekit runs from its own clean venv (benchmarks/benchvenv.py), as in the other benchmarks:
neither a dev install nor the developer's site-packages is needed or measured.

Run: python benchmarks/bench_cli.py [--runs N]
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchvenv import ROOT, pipelinekit_venv

EXAMPLE = ROOT / "examples" / "churn-model"


def timed(argv: list[str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def median_of(runs: int, argv: list[str], cwd: Path | None = None) -> float:
    timed(argv, cwd)  # warm the OS file cache: "cold" here means a new interpreter
    return statistics.median(timed(argv, cwd) for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    pk = str(pipelinekit_venv(extras="lint"))  # init records the lint baseline with ruff
    base = median_of(args.runs, [str(Path(pk).parent / "python"), "-c", "pass"])
    help_time = median_of(args.runs, [pk, "--help"])
    print(f"python -c pass         {base * 1000:7.1f} ms")
    print(
        f"pipelinekit --help     {help_time * 1000:7.1f} ms   ratio {help_time / base:.2f}x (<= 3x)"
    )
    init_times, render_times = [], []
    for _ in range(max(3, args.runs // 3)):
        with tempfile.TemporaryDirectory() as tmp:
            repo = Path(tmp) / "repo"
            shutil.copytree(EXAMPLE, repo)
            init_times.append(timed([pk, "init", str(repo)]))
            render_times.append(timed([pk, "render", str(repo)]))
    init, render = statistics.median(init_times), statistics.median(render_times)
    print(f"init example (detect, config, render, write)  {init * 1000:7.1f} ms   (< 500 ms)")
    print(f"render again (all files unchanged)            {render * 1000:7.1f} ms")
    print(f"init + a separate render command              {(init + render) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
