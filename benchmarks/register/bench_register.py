"""Register 200 pipeline jobs in 10 folders: pipelinekit vs jenkins-job-builder 6.5.

Both tools run as separate processes against their own instance of the fake Jenkins from the
test suite (a separate process too, so neither shares its interpreter with the server), with
equivalent input: pipelinekit a fleet file of 200 repositories, JJB a YAML file of 10 folder
jobs and 200 pipeline jobs with the same SCM, script path and build discarder. Each tool runs
cold (empty server, empty JJB cache) and then again unchanged. JJB and pipelinekit (this
checkout, with the jenkins extra) each run from their own venv under ~/.cache/pipelinekit-bench
(created on first use), through their console scripts; JJB keeps its md5 cache in a private
XDG_CACHE_HOME so the cold run is really cold.

    python benchmarks/register/bench_register.py [--jobs 200] [--folders 10] [--repeat 3]

Each round uses fresh servers and caches; the table shows the median of the rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from benchvenv import CACHE, pipelinekit_venv, tool_venv  # noqa: E402

FAKE = ROOT / "tests" / "register" / "fake_jenkins.py"
USER, TOKEN = "admin", "admin-token-0123456789"


class Fake:
    """The fake Jenkins in its own process; `stats()` reads its request counters."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(FAKE)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout and self.proc.stdin
        self.url = self.proc.stdout.readline().strip()

    def ask(self, command: str) -> str:
        assert self.proc.stdout and self.proc.stdin
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def stats(self) -> dict[str, int]:
        data: dict[str, int] = json.loads(self.ask("stats"))
        self.ask("clear")
        return data

    def close(self) -> None:
        assert self.proc.stdin
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def make_inputs(work: Path, jobs: int, folders: int) -> tuple[Path, Path]:
    """200 tiny repos + fleet file, and the equivalent JJB YAML."""
    fleet = ["concurrency = 8"]
    yaml = [f"- job:\n    name: team-{f:02d}\n    project-type: folder\n" for f in range(folders)]
    for i in range(jobs):
        name, folder = f"job-{i:03d}", f"team-{i % folders:02d}"
        remote = f"git@gitlab.example.com:ds/{name}.git"
        repo = work / "repos" / name
        (repo / ".git").mkdir(parents=True)
        (repo / ".git" / "config").write_text(f'[remote "origin"]\n\turl = {remote}\n')
        (repo / "pyproject.toml").write_text(f'[project]\nname = "{name}"\n')
        fleet.append(f'[[repos]]\npath = "repos/{name}"\njenkins = {{ folder = "{folder}" }}')
        yaml.append(
            f"- job:\n    name: {name}\n    folder: {folder}\n    project-type: pipeline\n"
            f"    description: CI/CD pipeline of {name}\n"
            "    properties:\n      - build-discarder:\n          num-to-keep: 20\n"
            "    pipeline-scm:\n      scm:\n        - git:\n"
            f"            url: {remote}\n            credentials-id: git-credentials\n"
            "            branches: ['*/main']\n"
            "      script-path: Jenkinsfile\n      lightweight-checkout: true\n"
        )
    (work / "fleet.toml").write_text("\n".join(fleet) + "\n")
    (work / "jobs.yaml").write_text("\n".join(yaml))
    return work / "fleet.toml", work / "jobs.yaml"


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(
            f"{cmd[0]} failed ({result.returncode}):\n"
            f"{result.stdout[-2000:]}{result.stderr[-2000:]}"
        )
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--folders", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    exe = tool_venv(CACHE / "jjb", "jenkins-job-builder==6.5.*", "jenkins-jobs")
    pipelinekit = pipelinekit_venv(extras="jenkins")
    rounds = [one_round(exe, pipelinekit, args.jobs, args.folders) for _ in range(args.repeat)]
    print(
        f"{args.jobs} pipeline jobs in {args.folders} folders against the fake Jenkins, "
        f"median of {args.repeat} rounds"
    )
    print(f"{'run':<18}{'tool':<13}{'seconds':>9}{'reads':>8}{'writes':>8}")
    for i, label in enumerate(("cold", "unchanged re-run")):
        pk_time = statistics.median(r[i][0] for r in rounds)
        jjb_time = statistics.median(r[i][2] for r in rounds)
        pk_stats, jjb_stats = rounds[0][i][1], rounds[0][i][3]
        print(
            f"{label:<18}{'pipelinekit':<13}{pk_time:>9.2f}{pk_stats['reads']:>8}{pk_stats['writes']:>8}"
        )
        print(
            f"{'':<18}{'JJB 6.5':<13}{jjb_time:>9.2f}"
            f"{jjb_stats['reads']:>8}{jjb_stats['writes']:>8}"
        )
        print(f"{'':<18}ratio JJB/pipelinekit: {jjb_time / pk_time:.2f}x")
    print("pipelinekit's re-run reads every job's live config.xml (it sees UI edits);")
    print("JJB's re-run trusts its local md5 cache and reads nothing per job.")


Row = tuple[float, dict[str, int], float, dict[str, int]]


def one_round(exe: Path, pipelinekit: Path, jobs: int, folders: int) -> list[Row]:
    """Cold run then unchanged re-run of both tools, on fresh servers and caches."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        fleet, jobs_yaml = make_inputs(work, jobs, folders)
        pk_fake, jjb_fake = Fake(), Fake()
        try:
            base = {
                k: v for k, v in os.environ.items() if not k.startswith(("JENKINS_", "GITLAB_"))
            }
            pk_env = {
                **base,
                "JENKINS_URL": pk_fake.url,
                "JENKINS_USER": USER,
                "JENKINS_TOKEN": TOKEN,
            }
            ini = work / "jenkins_jobs.ini"
            ini.write_text(f"[jenkins]\nurl={jjb_fake.url}\nuser={USER}\npassword={TOKEN}\n")
            jjb_env = {**base, "XDG_CACHE_HOME": str(work / "jjb-cache"), "HOME": str(work)}
            jjb_cmd = [str(exe), "--conf", str(ini), "update", str(jobs_yaml)]
            pk_cmd = [str(pipelinekit), "register", "jenkins", "--fleet", str(fleet)]
            rows: list[Row] = []
            for _ in ("cold", "unchanged re-run"):
                pk_time = timed(pk_cmd, pk_env)
                pk_stats = pk_fake.stats()
                jjb_time = timed(jjb_cmd, jjb_env)
                jjb_stats = jjb_fake.stats()
                rows.append((pk_time, pk_stats, jjb_time, jjb_stats))
            assert pk_fake.ask("items") == jjb_fake.ask("items") == str(jobs + folders)
        finally:
            pk_fake.close()
            jjb_fake.close()
    return rows


if __name__ == "__main__":
    main()
