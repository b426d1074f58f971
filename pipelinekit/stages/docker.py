"""The docker stage: build the image, smoke-test it, tag it from the version, push it, record it.

Order matters: the smoke test runs before the push so a broken image never reaches the
registry. Wheels are downloaded on the host first (pipelinekit/docker/prefetch.py), so the
build itself needs no network. The result lands in `.pipelinekit/reports/image.json`
(`{"image", "tags", "digest", "smoke_test"}`), which the upload stage copies into the artifacts
manifest. A GPU image whose daemon has no GPU runtime skips the GPU check with a plain note
(exit 0) unless `gpu_required = true` (exit 1).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from pipelinekit.docker import buildcontext, meta, prefetch, tags
from pipelinekit.docker.client import DockerClient, NoGpuRuntime, registry_auth
from pipelinekit.docker.settings import DockerConfig
from pipelinekit.errors import ConfigError
from pipelinekit.plan import reports
from pipelinekit.plan.model import ImageSpec
from pipelinekit.plan.planner import plan
from pipelinekit.stages.base import StageContext, StageResult
from pipelinekit.util.fs import atomic_write

NAME = "docker"
IMAGE_REPORT = reports.IMAGE

GPU_CHECKS: dict[str, str] = {
    "torch": "import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)",
    "tensorflow": (
        "import sys, tensorflow as tf; sys.exit(0 if tf.config.list_physical_devices('GPU') else 1)"
    ),
    "jax": "import sys, jax; sys.exit(0 if jax.devices('gpu') else 1)",
}
"""The framework's own answer to "do I see a GPU?", run inside the image."""

_REPO_COMPONENT = re.compile(r"[^a-z0-9._-]+")


@dataclass
class Smoke:
    status: str = "not run"
    notes: list[str] = field(default_factory=list)
    failure: str = ""


def image_repository(cfg: DockerConfig, name: str, env: Mapping[str, str]) -> str:
    """`image` (default: GitLab's CI_REGISTRY_IMAGE, else the project name lower-cased into a
    valid repository name), with `registry` in front when it names no registry host itself."""
    if not cfg.image and not cfg.registry and env.get("CI_REGISTRY_IMAGE"):
        return env["CI_REGISTRY_IMAGE"]
    repo = cfg.image or _REPO_COMPONENT.sub("-", name.lower()).strip("-._") or "app"
    if cfg.registry and not _has_registry(repo):
        repo = f"{cfg.registry.rstrip('/')}/{repo}"
    return repo


def _has_registry(repository: str) -> bool:
    """Docker's rule: the first path component names a registry if it has a dot or a port."""
    first = repository.split("/", 1)[0]
    return "/" in repository and ("." in first or ":" in first or first == "localhost")


def run(ctx: StageContext) -> StageResult:
    cfg = ctx.config.docker
    if not cfg.enabled:
        return StageResult(
            NAME, "skipped", "docker: skipped ([tool.pipelinekit.docker] enabled = false)"
        )
    spec = plan(ctx.facts, ctx.config).image_spec
    repository = image_repository(cfg, ctx.facts.name, ctx.env)
    push = _has_registry(repository) if cfg.push is None else cfg.push
    if push and not _has_registry(repository):
        raise ConfigError(
            f"[tool.pipelinekit.docker] push = true, but image {repository!r} names no registry. "
            'Set `registry = "registry.example.com/team"` or a full `image`.'
        )
    info = meta.resolve(ctx.project_dir, ctx.facts.name, ctx.facts.version, ctx.env)
    image_tags = tags.build_tags(info.version, info.revision, ctx.env, latest=cfg.latest)

    client = DockerClient(ctx.env, timeout=cfg.timeout_seconds)  # unreachable: exit 3 first
    try:
        buildargs = {**info.build_args(), **cfg.build_args}
        if cfg.prefetch and prefetch.prefetch(ctx.project_dir, spec, ctx.env) is not None:
            buildargs["PIP_NO_INDEX"] = "1"
        source = ctx.facts.config_file or "pyproject.toml"
        build = buildcontext.build_input(ctx.project_dir, spec, source)
        outcome = client.build(
            buildcontext.context_tar(ctx.project_dir, build),
            dockerfile=buildcontext.CONTEXT_DOCKERFILE,
            buildargs=buildargs,
            cache_from=cfg.cache_from,
            network_mode=cfg.network_mode,
        )
        client.tag(outcome.image_id, repository, image_tags)
        smoke = smoke_test(client, f"{repository}:{image_tags[0]}", spec, cfg)
        digest = None
        if push and not smoke.failure:
            auth = registry_auth(ctx.env, cfg.username_env, cfg.password_env)
            for tag in image_tags:
                pushed = client.push(repository, tag, auth=auth, retries=cfg.push_retries)
                digest = digest or pushed
    finally:
        client.close()

    sentry = _sentry(ctx, repository, digest) if digest else None
    report = ctx.reports_dir / IMAGE_REPORT
    atomic_write(
        report,
        json.dumps(
            {"image": repository, "tags": image_tags, "digest": digest, "smoke_test": smoke.status},
            indent=2,
        )
        + "\n",
    )
    cached = len(outcome.cached)
    summary = (
        f"built {repository}:{image_tags[0]} ({len(outcome.steps)} steps, {cached} cached; "
        f"version {info.version} from {info.version_source}); "
        + (f"pushed {len(image_tags)} tags, digest {digest}" if digest else "not pushed")
        + ("; GPU smoke test skipped (no GPU runtime)" if smoke.status == "skipped" else "")
    )
    rebuilt = [step for step in outcome.steps if step not in outcome.cached]
    lines = [
        f"tags: {', '.join(image_tags)}",
        f"Dockerfile: {build.origin}",
        *(f"rebuilt step {step[:100]}" for step in rebuilt if _makes_layer(step)),
        *smoke.notes,
        *([sentry] if sentry else []),
    ]
    if smoke.failure:
        return StageResult(
            NAME, "failed", f"{summary}; {smoke.failure}", (report,), "\n".join(lines)
        )
    return StageResult(NAME, "passed", summary, (report,), "\n".join(lines))


def _sentry(ctx: StageContext, repository: str, digest: str) -> str | None:
    """With `[tool.pipelinekit.sentry] docker = true`, a release image pushed by a tag
    pipeline is recorded as a deploy of that release to `docker_environment`."""
    settings = ctx.config.sentry
    tag = ctx.env.get("CI_COMMIT_TAG") or ctx.env.get("TAG_NAME")
    if not (settings.configured and settings.docker and tag):
        return None
    from pipelinekit.metrics.sentry_release import announce_tag

    done = announce_tag(
        ctx.project_dir,
        ctx.config.release.tag_format,
        tag,
        settings,
        ctx.env,
        environment=settings.docker_environment,
        deploy_name=f"{repository}@{digest}",
    )
    return f"sentry: release {done.release}: {', '.join(done.steps)}"


def _makes_layer(step: str) -> bool:
    """RUN/COPY steps are the ones that cost time when the cache misses."""
    return step.split(" ", 2)[1:2] in (["RUN"], ["COPY"], ["ADD"])


def smoke_test(client: DockerClient, image: str, spec: ImageSpec, cfg: DockerConfig) -> Smoke:
    """CPU image: run its CMD (the import check) and the configured command. GPU image: the
    framework's GPU check and the configured command, with all GPUs requested."""
    smoke = Smoke()
    if not cfg.smoke_test:
        smoke.notes.append("smoke test: disabled")
        return smoke
    commands: list[tuple[str, list[str] | None]] = []
    if spec.gpu:
        commands += [
            (f"{f} GPU check", ["python", "-c", GPU_CHECKS[f]])
            for f in spec.gpu_frameworks
            if f in GPU_CHECKS
        ]
        if not commands:
            commands.append(("image CMD", None))
    else:
        commands.append(("image CMD", None))
    if cfg.smoke_command:
        commands.append((" ".join(cfg.smoke_command), list(cfg.smoke_command)))
    for label, command in commands:
        try:
            result = client.run(image, command, gpu=spec.gpu)
        except NoGpuRuntime as exc:
            smoke.status = "skipped"
            reason = f"the Docker daemon has no GPU runtime ({exc})"
            if cfg.gpu_required:
                smoke.status = "failed"
                smoke.failure = (
                    f"GPU smoke test required (gpu_required = true) but {reason}; run this job on "
                    "a GPU agent/runner with the NVIDIA container toolkit."
                )
            else:
                smoke.notes.append(f"GPU smoke test skipped: {reason}.")
            return smoke
        if result.exit_code != 0:
            smoke.status = "failed"
            tail = " | ".join(result.output.strip().splitlines()[-5:]) or "no output"
            smoke.failure = f"smoke test `{label}` exited {result.exit_code}: {tail}"
            return smoke
        smoke.notes.append(f"smoke test passed: {label}")
    smoke.status = "passed"
    return smoke
