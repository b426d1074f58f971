"""Image rebuild after a code-only change vs a cold build (issue 5; target: rebuild <= 20%).

Side by side, on the bundled example repository and the same real dockerd (started here as in
the test suite: root, loopback registry, stand-in `python:3.11-slim`, RUN steps without
network):
- pipelinekit's Dockerfile (dependency layer before the source, wheelhouse, venv);
- the naive `COPY . .` + `pip install` Dockerfile, given the same wheelhouse so it also builds
  offline (with network it would download numpy again on every rebuild, so it only gets worse).
Each cold build uses a fresh daemon (empty cache, base image present); the rebuild follows an
edit to one source file. Timed: the image build only; the host-side wheel download, which
pip's cache makes ~1-2 s, is printed once.

Run (root): python benchmarks/docker/bench_rebuild.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipelinekit.docker import buildcontext, prefetch  # noqa: E402
from pipelinekit.docker.buildcontext import BuildInput  # noqa: E402
from pipelinekit.docker.client import DockerClient  # noqa: E402
from pipelinekit.docker.render import DOCKERIGNORE, render_dockerfile  # noqa: E402
from pipelinekit.plan.model import plan  # noqa: E402
from pipelinekit.project import load_project  # noqa: E402
from tests.support import dockerd  # noqa: E402

EXAMPLE = ROOT / "examples" / "churn-model"
NAIVE = """FROM python:3.11-slim
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY . .
RUN pip install --no-index --find-links .pipelinekit/wheelhouse -r requirements.txt .
CMD ["python", "-c", "import churn"]
"""


def build_seconds(client: DockerClient, project: Path, dockerfile: str) -> tuple[float, int]:
    build = BuildInput(dockerfile, "bench", DOCKERIGNORE)
    context = buildcontext.context_tar(project, build)
    start = time.perf_counter()
    outcome = client.build(
        context,
        dockerfile=buildcontext.CONTEXT_DOCKERFILE,
        buildargs={"PIP_NO_INDEX": "1"},
        cache_from=[],
        network_mode=None,
    )
    return time.perf_counter() - start, len(outcome.cached)


def one_round(project: Path, dockerfile: str) -> tuple[float, float, int]:
    """(cold s, rebuild s, cached steps on rebuild) on a fresh daemon."""
    with dockerd.docker_env() as env:
        dockerd.stand_in_image(env, "python:3.11-slim", push=False)
        client = DockerClient({"DOCKER_HOST": env.base_url})
        try:
            cold, _ = build_seconds(client, project, dockerfile)
            module = project / "src" / "churn" / "features.py"
            module.write_text(module.read_text() + f"\n# edit {time.time()}\n")
            rebuild, cached = build_seconds(client, project, dockerfile)
        finally:
            client.close()
    return cold, rebuild, cached


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pk-bench-docker-"))
    try:
        project = work / "churn-model"
        shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".pipelinekit"))
        loaded = load_project(project)
        spec = plan(loaded.facts, loaded.config).image_spec
        start = time.perf_counter()
        prefetch.prefetch(project, spec, dict(os.environ))
        fetched = time.perf_counter() - start
        ours = render_dockerfile(spec, source="pyproject.toml")
        rows = []
        for label, dockerfile in (("pipelinekit", ours), ("naive COPY . .", NAIVE)):
            rounds = [one_round(project, dockerfile) for _ in range(args.runs)]
            cold = statistics.median(r[0] for r in rounds)
            rebuild = statistics.median(r[1] for r in rounds)
            rows.append((label, cold, rebuild, rounds[-1][2]))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"example: churn-model (numpy), {args.runs} rounds each, medians")
    print(f"host wheel download (prefetch, warm pip cache): {fetched:.2f} s")
    print(f"{'Dockerfile':<16} {'cold s':>8} {'rebuild s':>10} {'rebuild/cold':>13} {'cached':>7}")
    for label, cold, rebuild, cached in rows:
        print(f"{label:<16} {cold:>8.2f} {rebuild:>10.2f} {rebuild / cold:>12.0%} {cached:>7}")
    ours_rebuild, naive_rebuild = rows[0][2], rows[1][2]
    ratio = ours_rebuild / naive_rebuild
    print(f"pipelinekit rebuild / naive rebuild: {ratio:.0%} (target: rebuild/cold <= 20%)")


if __name__ == "__main__":
    main()
