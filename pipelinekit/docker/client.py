"""The one class that talks to the Docker daemon (docker SDK, imported lazily).

Every failure leaves here as a pipelinekit error with one paragraph: the daemon unreachable or
a registry refusing is an ExternalError (exit 3), a failing Dockerfile step is CheckFailed
(exit 1) naming the step. Registry passwords are registered with redact before first use, so
no message, log line or exception text can carry them.
"""

from __future__ import annotations

import contextlib
import io
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pipelinekit.errors import CheckFailed, ExternalError
from pipelinekit.util.redact import redact, register_secret

CONNECT_HINT = (
    "Start the daemon (`sudo systemctl start docker`) or point DOCKER_HOST at it, and make sure "
    "this user may use it (the `docker` group, or root). In CI the job needs Docker access: on "
    "Jenkins an agent with the docker socket, on GitLab a `docker:dind` service with "
    "DOCKER_HOST=tcp://docker:2375."
)
_STEP = re.compile(r"^Step (\d+/\d+) : (.*)$")
_NO_GPU = (
    "could not select device driver",
    "unknown runtime specified nvidia",
    "nvidia-container-cli",
    "no nvidia devices",
)
_AUTH = ("unauthorized", "denied", "authentication required", "no basic auth credentials")
PUSH_BACKOFF_S = 2.0


@dataclass
class BuildOutcome:
    image_id: str
    steps: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    """The steps (`5/20 RUN ...`) whose layer came from the cache."""
    log: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RunOutcome:
    exit_code: int
    output: str


class NoGpuRuntime(Exception):
    """The daemon cannot hand GPUs to containers (no NVIDIA runtime/toolkit)."""


def _tail(lines: Iterable[str], n: int = 8) -> str:
    kept = [line.strip() for line in lines if line.strip()][-n:]
    return " | ".join(kept)


class DockerClient:
    def __init__(self, env: Mapping[str, str], *, timeout: int = 3600) -> None:
        import docker
        from docker.errors import DockerException

        self.host = env.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
        try:
            self._client = docker.from_env(environment=dict(env), timeout=timeout)
            self._client.ping()
        except DockerException as exc:
            raise ExternalError(
                f"Cannot reach the Docker daemon at {self.host}: {_reason(exc)}. {CONNECT_HINT}"
            ) from exc
        except Exception as exc:  # requests' own errors when the socket refuses
            raise ExternalError(
                f"Cannot reach the Docker daemon at {self.host}: {exc}. {CONNECT_HINT}"
            ) from exc

    @property
    def api(self) -> Any:
        return self._client.api

    def close(self) -> None:
        self._client.close()

    def build(
        self,
        context: io.BytesIO,
        *,
        dockerfile: str,
        buildargs: Mapping[str, str],
        cache_from: list[str],
        network_mode: str | None,
        on_line: Callable[[str], None] = lambda line: None,
    ) -> BuildOutcome:
        """Build from a tar context; the stream is read line by line to know which step ran,
        which came from the cache, and which one failed."""
        from docker.errors import DockerException

        outcome = BuildOutcome(image_id="")
        current = ""
        try:
            stream = self.api.build(
                fileobj=context,
                custom_context=True,
                dockerfile=dockerfile,
                buildargs=dict(buildargs),
                cache_from=cache_from or None,
                network_mode=network_mode,
                rm=True,
                forcerm=True,
                decode=True,
            )
            for chunk in stream:
                if "error" in chunk:
                    detail = chunk.get("errorDetail", {}).get("message") or chunk["error"]
                    raise CheckFailed(_build_failure(current, str(detail), outcome.log))
                if "aux" in chunk and "ID" in chunk["aux"]:
                    outcome.image_id = str(chunk["aux"]["ID"])
                for line in str(chunk.get("stream", "")).splitlines():
                    line = redact(line.rstrip())
                    if not line:
                        continue
                    outcome.log.append(line)
                    on_line(line)
                    step = _STEP.match(line.strip())
                    if step:
                        current = f"{step[1]} {step[2]}"
                        outcome.steps.append(current)
                    elif line.strip() == "---> Using cache" and current:
                        outcome.cached.append(current)
        except DockerException as exc:
            raise _daemon_error("build the image", exc) from exc
        if not outcome.image_id:
            raise CheckFailed(_build_failure(current, "no image was produced", outcome.log))
        return outcome

    def tag(self, image_id: str, repository: str, tags: Iterable[str]) -> None:
        from docker.errors import DockerException

        for tag in tags:
            try:
                self.api.tag(image_id, repository, tag)
            except DockerException as exc:
                raise ExternalError(
                    f"The daemon refused to tag the image as {repository}:{tag}: {_reason(exc)}."
                ) from exc

    def push(
        self,
        repository: str,
        tag: str,
        *,
        auth: Mapping[str, str] | None,
        retries: int,
        sleep: Callable[[float], None] = time.sleep,
    ) -> str | None:
        """Push one tag; returns the manifest digest from the push's aux event. Transient
        failures are retried with backoff, refusals (auth, denied) are not."""
        from docker.errors import DockerException

        last = ""
        for attempt in range(retries + 1):
            if attempt:
                sleep(PUSH_BACKOFF_S * 2 ** (attempt - 1))
            digest: str | None = None
            try:
                for chunk in self.api.push(
                    repository, tag=tag, auth_config=dict(auth) if auth else None,
                    stream=True, decode=True,
                ):  # fmt: skip
                    if "error" in chunk:
                        raise _PushError(str(chunk.get("error")))
                    aux = chunk.get("aux") or {}
                    if aux.get("Digest"):
                        digest = str(aux["Digest"])
                return digest
            except (_PushError, DockerException) as exc:
                last = redact(_reason(exc))
                if any(word in last.lower() for word in _AUTH):
                    raise ExternalError(
                        f"The registry refused the push of {repository}:{tag}: {last}. Check "
                        "the credentials (DOCKER_USERNAME/DOCKER_PASSWORD or `docker login`) "
                        "and that this account may push to that repository."
                    ) from exc
        raise ExternalError(
            f"Pushing {repository}:{tag} failed after {retries + 1} attempts: {last}. Check "
            "that the registry is reachable from this machine and try again."
        )

    def run(
        self,
        image: str,
        command: list[str] | None,
        *,
        gpu: bool,
        timeout: int = 600,
    ) -> RunOutcome:
        """Run a throw-away container (no network) and return its exit code and output. With
        `gpu`, all GPUs are requested; NoGpuRuntime when the daemon cannot provide them."""
        from docker.errors import APIError, DockerException
        from docker.types import DeviceRequest

        requests = [DeviceRequest(count=-1, capabilities=[["gpu"]])] if gpu else None
        container: Any = None
        try:
            host_config = self.api.create_host_config(network_mode="none", device_requests=requests)
            container = self.api.create_container(
                image, command=command, host_config=host_config, user="10001"
            )
            self.api.start(container)
            status = self.api.wait(container, timeout=timeout)
            output = self.api.logs(container, stdout=True, stderr=True).decode(errors="replace")
            return RunOutcome(int(status.get("StatusCode", 1)), redact(output))
        except APIError as exc:
            if gpu and any(text in _reason(exc).lower() for text in _NO_GPU):
                raise NoGpuRuntime(_reason(exc)) from exc
            raise _daemon_error(f"run {image}", exc) from exc
        except DockerException as exc:
            raise _daemon_error(f"run {image}", exc) from exc
        except Exception as exc:  # read timeouts from requests while waiting
            raise ExternalError(f"Running {image} did not finish: {exc}.") from exc
        finally:
            if container is not None:  # a failed start leaves a created container behind
                with contextlib.suppress(DockerException):
                    self.api.remove_container(container, force=True)

    def runtimes(self) -> list[str]:
        return sorted((self._client.info().get("Runtimes") or {}).keys())


def registry_auth(
    env: Mapping[str, str], user_var: str, password_var: str
) -> dict[str, str] | None:
    """Credentials from the environment (registered as secrets), else None: the SDK then uses
    the docker config (`docker login`, credential helpers)."""
    username, password = env.get(user_var, ""), env.get(password_var, "")
    if not (username and password):  # GitLab's job credentials for its own registry
        username, password = env.get("CI_REGISTRY_USER", ""), env.get("CI_REGISTRY_PASSWORD", "")
    if not (username and password):
        return None
    register_secret(password)
    return {"username": username, "password": password}


class _PushError(Exception):
    pass


def _reason(exc: BaseException) -> str:
    explanation = getattr(exc, "explanation", None)
    text = str(explanation or exc).strip().rstrip(".")
    return redact(text) or type(exc).__name__


def _daemon_error(action: str, exc: BaseException) -> ExternalError:
    return ExternalError(f"The Docker daemon could not {action}: {_reason(exc)}.")


def _build_failure(step: str, detail: str, log: list[str]) -> str:
    where = f"at step {step}" if step else "before the first step"
    output = _tail(log[-8:]) if log else "no output"
    return redact(
        f"The image build failed {where}: {detail.strip()} Last output: {output}. Fix that "
        "step (or what it copies) and run `pipelinekit stage docker` again."
    )
