"""Fresh clone to `pytest` can start: `pipelinekit env sync` against the usual venv + pip job.

Targets (issue #14): warm caches >= 10x faster, cold caches >= 2x faster than

    python3 -m venv .venv && .venv/bin/pip install -r requirements.txt
    .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest --version

against `pipelinekit env sync .` and `<its python> -m pytest --version`, on the same fresh
`git clone` of a generated numpy/pandas/scikit-learn repository. Cold: each side starts from an
empty cache of its own (UV_CACHE_DIR, PIP_CACHE_DIR), the first CI run. Warm: the caches a
previous run filled, a fresh clone every time (no .venv, no .pipelinekit), every later CI run.

pip runs without the machine's pip configuration (PIP_CONFIG_FILE=/dev/null, no PIP_FIND_LINKS):
uv never reads it, and a local wheel mirror would make pip's cold run not cold. Pass
--machine-pip-config to measure pip with it.

Run: python benchmarks/bench_env.py [--runs N] [--keep] [--machine-pip-config]
Needs git and PyPI; a cold round downloads ~80 MB of wheels per side.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from benchvenv import pipelinekit_venv  # noqa: E402

COLD_RUNS, WARM_RUNS = 3, 5
COLD_TARGET, WARM_TARGET = 2.0, 10.0
CHECK = (
    "import sys, importlib.metadata as m, numpy, pandas, sklearn, pytest, churnlab; "
    "print(f'python=={sys.version.split()[0]}', *(f'{d}=={m.version(d)}' for d in "
    "('numpy', 'pandas', 'scikit-learn', 'scipy', 'pytest', 'pytest-cov', 'churnlab')))"
)
"""Run in each environment after it is built: both sides must end with the same packages."""
MACHINE_PIP = ("PIP_FIND_LINKS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_CONSTRAINT")
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}

SAMPLE = {
    "pyproject.toml": """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "churnlab"
version = "0.4.0"
description = "Customer churn features and model"
readme = "README.md"
requires-python = ">=3.10"
dependencies = ["numpy>=1.24", "pandas>=2", "scikit-learn>=1.3"]
classifiers = ["Programming Language :: Python :: 3"]

[project.optional-dependencies]
test = ["pytest", "pytest-cov"]

[tool.setuptools.packages.find]
where = ["src"]

[tool.pytest.ini_options]
testpaths = ["tests"]
addopts = "--cov=churnlab"
""",
    "requirements.txt": "numpy>=1.24\npandas>=2\nscikit-learn>=1.3\n",
    "README.md": "# churnlab\n\nChurn features and a baseline model.\n",
    ".gitignore": ".venv/\n__pycache__/\n*.egg-info/\n.coverage\n",
    "src/churnlab/__init__.py": '"""Churn features and model."""\n\n__version__ = "0.4.0"\n',
    "src/churnlab/features.py": '''\
"""Feature engineering on a customer table."""

import numpy as np
import pandas as pd

NUMERIC = ["tenure_months", "monthly_spend", "support_calls"]


def synthetic(n: int = 500, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "tenure_months": rng.integers(1, 72, n),
            "monthly_spend": rng.gamma(2.0, 30.0, n).round(2),
            "support_calls": rng.poisson(1.5, n),
            "plan": rng.choice(["basic", "plus", "pro"], n),
        }
    )
    risk = 0.04 * frame.support_calls - 0.02 * frame.tenure_months + rng.normal(0, 0.5, n)
    frame["churned"] = (risk > risk.median()).astype(int)
    return frame


def build_features(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[NUMERIC].astype(float)
    out["spend_per_month_of_tenure"] = frame.monthly_spend / frame.tenure_months.clip(lower=1)
    out["log_spend"] = np.log1p(frame.monthly_spend)
    return out.join(pd.get_dummies(frame.plan, prefix="plan", dtype=float))
''',
    "src/churnlab/model.py": '''\
"""A small, reproducible churn classifier."""

import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from churnlab.features import build_features


def train(frame: pd.DataFrame, seed: int = 0) -> tuple[Pipeline, float]:
    features, target = build_features(frame), frame.churned
    x_train, x_test, y_train, y_test = train_test_split(
        features, target, test_size=0.25, random_state=seed, stratify=target
    )
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    model.fit(x_train, y_train)
    return model, float(roc_auc_score(y_test, model.predict_proba(x_test)[:, 1]))
''',
    "tests/__init__.py": "",
    "tests/test_features.py": """\
from churnlab.features import build_features, synthetic


def test_features_have_no_missing_values():
    features = build_features(synthetic(100))
    assert not features.isna().any().any()
    assert {"plan_basic", "plan_plus", "plan_pro"} <= set(features.columns)
""",
    "tests/test_model.py": """\
from churnlab.features import synthetic
from churnlab.model import train


def test_model_beats_chance():
    _, auc = train(synthetic(400))
    assert auc > 0.6
""",
}
"""A small src-layout data-science repository, dependencies declared the way such repos do."""


Build = Callable[[Path, Mapping[str, str]], tuple[dict[str, float], Path]]
"""Builds the environment in a clone and starts pytest: each step's seconds, and the
environment's python."""


@dataclass(frozen=True)
class Run:
    """One measured run: each step's seconds from the fresh clone to `pytest --version`."""

    steps: dict[str, float]
    first_import: float
    """Seconds to import the stack afterwards: pip compiles bytecode while installing, uv
    leaves that to the first import, so it is shown beside the figures, not hidden."""

    @property
    def seconds(self) -> float:
        return sum(self.steps.values())


@dataclass
class Side:
    """One way of getting from a clone to a runnable pytest, and what it measured."""

    name: str
    slug: str
    """For folder names: a path with spaces is not what a CI job has."""
    build: Build
    runs: dict[str, list[Run]] = field(default_factory=dict)
    installed: set[str] = field(default_factory=set)

    def median(self, condition: str, what: Callable[[Run], float]) -> float:
        return statistics.median(what(r) for r in self.runs[condition])

    def step_medians(self, condition: str) -> str:
        runs = self.runs[condition]
        return ", ".join(
            f"{step} {statistics.median(r.steps[step] for r in runs):.2f}" for step in runs[0].steps
        )


class CommandFailed(SystemExit):
    """A step failed: the exact command, where it ran, and everything it printed."""

    def __init__(self, argv: Sequence[str], cwd: Path, done: subprocess.CompletedProcess[str]):
        super().__init__(
            f"FAILED (exit {done.returncode}) in {cwd}:\n  $ {shlex.join(argv)}\n"
            f"--- stdout ---\n{done.stdout}--- stderr ---\n{done.stderr}"
        )


def run(argv: Sequence[str], cwd: Path, env: Mapping[str, str]) -> str:
    """`argv`'s stdout; any failure stops the benchmark with the command and its output."""
    done = subprocess.run(
        list(argv), cwd=cwd, env=dict(env), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise CommandFailed(argv, cwd, done)
    return done.stdout


def timed(argv: Sequence[str], cwd: Path, env: Mapping[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    out = run(argv, cwd, env)
    return time.perf_counter() - start, out


def make_sample(work: Path) -> Path:
    """The sample repository: SAMPLE's files in a git repo with one commit."""
    repo = work / "sample"
    for rel, text in SAMPLE.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text, encoding="utf-8")
    env = {**os.environ, **GIT_ENV}
    run(["git", "init", "-q", "-b", "main"], repo, env)
    run(["git", "add", "-A"], repo, env)
    run(["git", "commit", "-q", "-m", "churnlab 0.4.0"], repo, env)
    return repo


def fresh_clone(sample: Path, dest: Path) -> Path:
    """A real `git clone` (over file://, not hardlinked) of the sample, as a CI checkout is."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    run(["git", "clone", "-q", sample.as_uri(), str(dest)], dest.parent, {**os.environ, **GIT_ENV})
    return dest


def tool_env(caches: Path, machine_pip_config: bool) -> dict[str, str]:
    """The environment both sides run in: their caches under `caches`, nothing else reused.

    Without `machine_pip_config` pip reads no configuration file and no PIP_FIND_LINKS (this
    machine's point at local wheel mirrors, which uv never reads), so both sides get every
    wheel from PyPI or from their own cache.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("UV_") and k != "VIRTUAL_ENV"}
    if not machine_pip_config:
        env = {k: v for k, v in env.items() if k not in MACHINE_PIP}
        env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_CACHE_DIR"] = str(caches / "pip")
    env["UV_CACHE_DIR"] = str(caches / "uv")
    return env


def baseline(repo: Path, env: Mapping[str, str]) -> tuple[dict[str, float], Path]:
    """The hand-written CI job: venv, pip install requirements, then the project with [test]."""
    commands = {
        "venv": ["python3", "-m", "venv", ".venv"],
        "requirements": [".venv/bin/pip", "install", "-r", "requirements.txt"],
        "project": [".venv/bin/pip", "install", "-e", ".[test]"],
        "pytest": [".venv/bin/python", "-m", "pytest", "--version"],
    }
    steps = {name: timed(argv, repo, env)[0] for name, argv in commands.items()}
    return steps, repo / ".venv" / "bin" / "python"


def with_pipelinekit(pk: Path, repo: Path, env: Mapping[str, str]) -> tuple[dict[str, float], Path]:
    """`pipelinekit env sync .`, then pytest from the interpreter it prints last."""
    sync, out = timed([str(pk), "env", "sync", "."], repo, env)
    python = Path(out.strip().splitlines()[-1] if out.strip() else "")
    if not python.is_absolute() or not python.is_file():
        raise SystemExit(f"`pipelinekit env sync .` in {repo} printed no interpreter last:\n{out}")
    pytest, _ = timed([str(python), "-m", "pytest", "--version"], repo, env)
    return {"env sync": sync, "pytest": pytest}, python


def check(python: Path, repo: Path, env: Mapping[str, str]) -> tuple[float, str]:
    """(seconds, versions) of importing numpy, pandas, sklearn, pytest and the project in
    `python`; fails loudly when one is missing."""
    return timed([str(python), "-c", CHECK], repo, env)


def one_run(
    side: Side, condition: str, label: str, work: Path, caches: Path, machine_pip: bool
) -> None:
    """Time `side` on a fresh clone with `caches`, then check what it installed."""
    env = tool_env(caches, machine_pip)
    repo = fresh_clone(work / "sample", work / "clones" / f"{condition}-{label}-{side.slug}")
    steps, python = side.build(repo, env)
    first_import, versions = check(python, repo, env)
    side.installed.add(versions.strip())
    done = Run(steps, first_import)
    side.runs.setdefault(condition, []).append(done)
    parts = ", ".join(f"{step} {seconds:.2f}" for step, seconds in steps.items())
    print(
        f"  {condition} {label:>2s} {side.name:11s} {done.seconds:6.2f} s  ({parts}; "
        f"then first import {first_import:.2f})",
        flush=True,
    )


def measure(sides: Sequence[Side], cold: int, warm: int, work: Path, machine_pip: bool) -> None:
    """Interleaved rounds, the side that goes first alternating. Each cold round gives each
    side empty caches of its own; the warm rounds reuse the last cold round's, like a CI cache
    saved after one run and restored for every later one."""
    for i in range(cold + warm):
        condition, cache_round = ("cold", i) if i < cold else ("warm", cold - 1)
        label = str(i + 1 if i < cold else i + 1 - cold)
        for side in sides if i % 2 == 0 else sides[::-1]:
            one_run(side, condition, label, work, caches(work, side, cache_round), machine_pip)


def caches(work: Path, side: Side, cold_round: int) -> Path:
    return work / "caches" / side.slug / str(cold_round)


def report_caches(work: Path, sides: Sequence[Side], cold_round: int) -> None:
    """What the warm runs had to reuse: a cache that holds nothing makes warm the same as cold
    (pip stores no download whose response has no Cache-Control or validator)."""
    sizes = []
    for side in sides:
        files = [p for p in caches(work, side, cold_round).rglob("*") if p.is_file()]
        sizes.append(f"{side.name} {sum(p.stat().st_size for p in files) / 2**20:.0f} MiB")
    print(f"caches the warm runs reused: {', '.join(sizes)}")


def report(condition: str, pip: Side, pk: Side, target: float) -> None:
    """Medians, the speed-up against the target, and the same with the first import added."""
    seconds = [side.median(condition, lambda r: r.seconds) for side in (pip, pk)]
    verdict = "met" if seconds[0] / seconds[1] >= target else "NOT met"
    print(f"{condition} (median of {len(pk.runs[condition])})")
    for side, total in zip((pip, pk), seconds, strict=True):
        print(f"  {side.name:12s} {total:6.2f} s   ({side.step_medians(condition)})")
    print(f"  speed-up     {seconds[0] / seconds[1]:6.1f}x   (target >= {target:g}x: {verdict})")
    imported = [s.median(condition, lambda r: r.seconds + r.first_import) for s in (pip, pk)]
    print(
        f"  with the first import of the stack added: {imported[0]:.2f} s vs {imported[1]:.2f} s,"
        f" {imported[0] / imported[1]:.1f}x"
    )


def report_installed(pip: Side, pk: Side) -> None:
    """Both sides must end with the same releases, or the comparison is not fair."""
    for side in (pip, pk):
        print(f"installed by {side.name}: {' | '.join(sorted(side.installed))}")
    if pip.installed != pk.installed:
        print("WARNING: the two sides installed different releases (see above)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--runs",
        type=int,
        help=f"rounds per condition (default {COLD_RUNS} cold, {WARM_RUNS} warm)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the sample, clones and caches")
    parser.add_argument(
        "--machine-pip-config",
        action="store_true",
        help="let pip read this machine's pip configuration",
    )
    args = parser.parse_args()
    pk_exe = pipelinekit_venv()
    pip = Side("venv + pip", "pip", baseline)
    pk = Side("pipelinekit", "pipelinekit", lambda repo, env: with_pipelinekit(pk_exe, repo, env))
    work = Path(tempfile.mkdtemp(prefix="pipelinekit-bench-env-"))
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpu(s), work dir {work}", flush=True)
    try:
        make_sample(work)
        measure(
            [pip, pk], args.runs or COLD_RUNS, args.runs or WARM_RUNS, work, args.machine_pip_config
        )
        report_caches(work, [pip, pk], (args.runs or COLD_RUNS) - 1)
        report("cold", pip, pk, COLD_TARGET)
        report("warm", pip, pk, WARM_TARGET)
        report_installed(pip, pk)
    finally:
        if args.keep:
            print(f"kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
