"""`pipelinekit run`: the planned jobs on this machine, as CI would run them.

Jobs start as soon as the jobs they need have passed, up to `jobs` at a time; each runs its
pipelinekit command (`python -m pipelinekit stage NAME`) in its own process (what CI runs,
and a clean way to stop it on Ctrl-C), with its output streamed live (each line prefixed with
the job's name) and kept in `.pipelinekit/logs/JOB.log`. Test jobs build the project's own
environment as the CI job does; `here` tests in pipelinekit's interpreter instead.
Jobs limited to branches, tags or merge requests (release, publish) only run when named
with `only`. A job whose inputs are unchanged since it last passed is not run again
(see runcache).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pipelinekit.errors import UsageError
from pipelinekit.plan.model import Job, Pipeline
from pipelinekit.project import Project
from pipelinekit.run.cache import RunCache

Outcome = Literal["passed", "failed", "skipped", "cached", "blocked"]
LOG_DIR = ".pipelinekit/logs"


@dataclass(frozen=True)
class JobResult:
    name: str
    outcome: Outcome
    seconds: float
    summary: str


Progress = Callable[[str, str], None]
"""Called with (job name, event text) as jobs start and finish."""
Output = Callable[[str, str], None]
"""Called with (job name, output line) as a job prints."""


@dataclass
class _Running:
    process: subprocess.Popen[bytes]
    started: float


class Runner:
    def __init__(
        self,
        project: Project,
        pipeline: Pipeline,
        *,
        jobs: int = 2,
        use_cache: bool = True,
        here: bool = False,
        progress: Progress | None = None,
        output: Output | None = None,
    ) -> None:
        if jobs < 1:
            raise UsageError(f"--jobs {jobs}: give at least 1 job to run at a time.")
        self.project = project
        self.pipeline = pipeline
        self.max_jobs = jobs
        self.use_cache = use_cache
        self.here = here
        self.progress = progress or (lambda _job, _event: None)
        self.output = output or (lambda _job, _line: None)
        self.cache = RunCache(project.project_dir)
        self.running: dict[str, _Running] = {}

    def select(self, only: list[str] | None) -> list[Job]:
        names = [job.name for job in self.pipeline.jobs]
        if only:
            unknown = [n for n in only if n not in names]
            if unknown:
                raise UsageError(
                    f"--only {','.join(only)}: no job named {', '.join(unknown)} in this "
                    f"pipeline. Jobs: {', '.join(names)}."
                )
            return [job for job in self.pipeline.jobs if job.name in only]
        return [job for job in self.pipeline.jobs if not job.rules]

    def run(self, only: list[str] | None = None) -> list[JobResult]:
        selected = self.select(only)
        chosen = {job.name for job in selected}
        tree = self.cache.tree_digest() if self.use_cache else ""
        config = self.project.config.model_dump(mode="json", by_alias=True)
        results: dict[str, JobResult] = {}
        pending = list(selected)
        with ThreadPoolExecutor(max_workers=self.max_jobs) as pool:
            futures: dict[Future[JobResult], str] = {}
            try:
                while pending or futures:
                    for job in list(pending):
                        needs = [n for n in job.needs if n in chosen]
                        if any(
                            results.get(n) and results[n].outcome in ("failed", "blocked")
                            for n in needs
                        ):
                            results[job.name] = JobResult(
                                job.name, "blocked", 0.0, "a job it needs failed"
                            )
                            pending.remove(job)
                        elif all(n in results for n in needs) and len(futures) < self.max_jobs:
                            pending.remove(job)
                            key = self.cache.key(job.name, job.command, tree, config)
                            futures[pool.submit(self._run_job, job, key)] = job.name
                    if not futures:
                        continue
                    done, _ = wait(futures, return_when=FIRST_COMPLETED)
                    for future in done:
                        result = future.result()
                        results[futures.pop(future)] = result
            except KeyboardInterrupt:
                self._stop_all()
                raise
            finally:
                if self.use_cache:
                    self.cache.save()
        return [results[job.name] for job in selected]

    def _run_job(self, job: Job, key: str) -> JobResult:
        if self.use_cache:
            hit = self.cache.hit(job.name, key)
            if hit is not None:
                self.progress(job.name, "cached (inputs unchanged)")
                return JobResult(job.name, "cached", 0.0, str(hit.get("summary", "")))
        self.progress(job.name, "started")
        log_path = self.project.project_dir / LOG_DIR / f"{job.name}.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        argv = [sys.executable, "-m", "pipelinekit", *job.command]
        if self.here and job.command[:1] == ("stage",):
            argv.append("--here")
        start = time.perf_counter()
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                argv,
                cwd=self.project.repo,  # job commands name paths relative to the repository
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            self.running[job.name] = _Running(process, start)
            assert process.stdout is not None
            for raw in process.stdout:
                log.write(raw)
                self.output(job.name, raw.decode("utf-8", errors="replace").rstrip("\r\n"))
            code = process.wait()
            self.running.pop(job.name, None)
        seconds = time.perf_counter() - start
        summary = _summary_line(log_path)
        if code == 0:
            outcome: Outcome = "skipped" if summary.startswith("[skipped]") else "passed"
            reports = [r.path for r in job.reports if (self.project.repo / r.path).exists()]
            if outcome == "passed":
                self.cache.record(job.name, key, summary, _project_relative(self.project, reports))
        else:
            outcome = "failed"
            self.cache.forget(job.name)
        self.progress(job.name, f"{outcome} in {seconds:.1f} s")
        return JobResult(job.name, outcome, seconds, summary)

    def _stop_all(self) -> None:
        """Ctrl-C: stop every running stage (its whole process group), politely first."""
        for running in list(self.running.values()):
            _signal_group(running.process, signal.SIGTERM)
        deadline = time.monotonic() + 5
        for running in list(self.running.values()):
            try:
                running.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(running.process, signal.SIGKILL)


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def _summary_line(log_path: Path) -> str:
    """The stage's own one-line summary (`[status] name: ...`), else the last line."""
    try:
        lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    for line in lines:
        if line.startswith(("[passed]", "[failed]", "[skipped]")):
            return line
    return lines[-1] if lines else ""


def _project_relative(project: Project, repo_paths: list[str]) -> list[str]:
    root = project.facts.root.rstrip("/")
    prefix = "" if root == "." else root + "/"
    return [p[len(prefix) :] if prefix and p.startswith(prefix) else p for p in repo_paths]
