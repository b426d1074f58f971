"""A real Docker engine and a loopback registry for the test suite (root, Debian bookworm).

Recipe and measurements: ../shared/design/docker-in-tests.md. `DockerEnv` starts dockerd
(overlay2, no bridge, no iptables) on a private socket, data root and exec root, with a
`docker-registry` on a free loopback port as mirror and push target, and stops both by PID,
unmounts what dockerd left mounted and removes the temp folder, even when a test failed.

No image hub is reachable, so `stand_in_image` makes base images: a Debian rootfs with
python3 (3.11) built once by mmdebstrap, cached as a tar under `.tools/cache/docker/`
(git-ignored), imported and tagged under the real names (`nvidia/cuda:…`, `python:3.11-slim`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support import tools

PACKAGES = {
    "dockerd": "docker.io",
    "docker-registry": "docker-registry",
    "mmdebstrap": "mmdebstrap",
}
CACHE_DIR = tools.REPO_ROOT / ".tools" / "cache" / "docker"
ROOTFS_TAR = CACHE_DIR / "bookworm-python3.tar"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
IMAGE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
READY_TIMEOUT_S = 30.0
TMPFS_SIZE = "4g"
TMPFS_MIN_AVAILABLE_KIB = 8 * 1024 * 1024
"""A tmpfs root (faster layers, instant teardown) only with this much memory to spare."""


def missing_packages() -> list[str]:
    return sorted({pkg for exe, pkg in PACKAGES.items() if shutil.which(exe) is None})


def ensure_packages() -> None:
    """apt-get install what is missing (once: `apt-get update` runs only when needed)."""
    missing = missing_packages()
    if not missing:
        return
    if os.geteuid() != 0:
        raise RuntimeError(f"need root to install {', '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, capture_output=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
        check=True,
        env=env,
        capture_output=True,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(check: Any, what: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited ({proc.returncode}):\n{_tail(log)}")
        with contextlib.suppress(OSError):
            if check():
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} not ready after {READY_TIMEOUT_S:.0f} s:\n{_tail(log)}")


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _port_open(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True


@dataclass
class DockerEnv:
    """A running dockerd + registry; `base_url` is for `docker.DockerClient`."""

    root: Path
    registry_port: int = 0
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    tmpfs: bool = False

    @property
    def socket_path(self) -> Path:
        return self.root / "docker.sock"

    @property
    def base_url(self) -> str:
        return f"unix://{self.socket_path}"

    @property
    def registry(self) -> str:
        return f"127.0.0.1:{self.registry_port}"

    def client(self) -> Any:
        import docker

        return docker.DockerClient(base_url=self.base_url, version="auto", timeout=300)

    def start(self) -> None:
        if _available_kib() >= TMPFS_MIN_AVAILABLE_KIB:
            done = subprocess.run(
                [
                    "mount",
                    "-t",
                    "tmpfs",
                    "-o",
                    f"size={TMPFS_SIZE},mode=0700",
                    "pk-dockerd",
                    str(self.root),
                ],
                capture_output=True,
                check=False,
            )
            self.tmpfs = done.returncode == 0
        self.registry_port = free_port()
        config = self.root / "registry.yml"
        config.write_text(
            "version: 0.1\n"
            "storage:\n"
            f"  filesystem:\n    rootdirectory: {self.root / 'registry'}\n"
            "  delete:\n    enabled: true\n"
            f"http:\n  addr: 127.0.0.1:{self.registry_port}\n"
        )
        reg_log = self.root / "registry.log"
        registry = subprocess.Popen(
            ["docker-registry", "serve", str(config)],
            stdout=reg_log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append(registry)
        _wait_for(lambda: _port_open(self.registry_port), "docker-registry", registry, reg_log)
        log = self.root / "dockerd.log"
        dockerd = subprocess.Popen(
            [
                "dockerd",
                "--storage-driver=overlay2",
                "--iptables=false",
                "--ip6tables=false",
                "--bridge=none",
                f"--host={self.base_url}",
                f"--data-root={self.root / 'data'}",
                f"--exec-root={self.root / 'exec'}",
                f"--pidfile={self.root / 'docker.pid'}",
                f"--registry-mirror=http://{self.registry}",
                f"--insecure-registry={self.registry}",
            ],
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append(dockerd)
        _wait_for(self._pings, "dockerd", dockerd, log)

    def _pings(self) -> bool:
        if not self.socket_path.exists():
            return False
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(1)
            sock.connect(str(self.socket_path))
            sock.sendall(b"GET /_ping HTTP/1.0\r\n\r\n")
            return b"200 OK" in sock.recv(256)

    def stop(self) -> None:
        """Reverse order: dockerd (its containerd exits with it), then the registry."""
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)
        self.procs.clear()
        for mount in _mounts_under(self.root):
            subprocess.run(["umount", "-l", mount], check=False, capture_output=True)
        if self.tmpfs:
            subprocess.run(["umount", "-l", str(self.root)], check=False, capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)


def _available_kib() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _mounts_under(root: Path) -> list[str]:
    """Mount points below root, deepest first (dockerd leaves exec/netns/default mounted)."""
    prefix = str(root.resolve()) + "/"
    try:
        lines = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return []
    points = [line.split()[1] for line in lines if len(line.split()) > 1]
    return sorted((p for p in points if p.startswith(prefix)), key=len, reverse=True)


@contextlib.contextmanager
def docker_env() -> Iterator[DockerEnv]:
    ensure_packages()
    env = DockerEnv(Path(tempfile.mkdtemp(prefix="pk-dockerd-")))
    try:
        env.start()
        yield env
    finally:
        env.stop()


def rootfs_tar() -> Path:
    """The cached Debian rootfs with python3 + venv; built by mmdebstrap on first use."""
    if ROOTFS_TAR.is_file():
        return ROOTFS_TAR
    ensure_packages()
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with (CACHE_DIR / "rootfs.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel test workers build it once
        if ROOTFS_TAR.is_file():
            return ROOTFS_TAR
        partial = ROOTFS_TAR.with_suffix(".partial.tar")
        # Docs, man pages and translations are a third of the time and size; no test reads them.
        excludes = [f"--dpkgopt=path-exclude=/usr/share/{d}/*" for d in ("doc", "man", "locale")]
        subprocess.run(
            [
                "mmdebstrap",
                "--quiet",
                "--variant=minbase",
                "--include=python3,python3-venv",
                *excludes,
                '--aptopt=Acquire::Languages "none"',
                "bookworm",
                str(partial),
                DEBIAN_MIRROR,
            ],
            check=True,
            capture_output=True,
        )
        partial.replace(ROOTFS_TAR)
    return ROOTFS_TAR


def stand_in_image(env: DockerEnv, *names: str, push: bool = True) -> None:
    """Import the rootfs once and tag it as each of `names`; with `push`, also put each in the
    loopback registry, which is the daemon's mirror, under its real name."""
    client = env.client()
    try:
        first, *rest = names
        repo, _, tag = first.rpartition(":")
        client.api.import_image_from_file(
            str(rootfs_tar()),
            repository=repo,
            tag=tag,
            changes=[f"ENV PATH={IMAGE_PATH}", "ENV LANG=C.UTF-8", 'CMD ["/bin/bash"]'],
        )
        image = client.images.get(first)
        for name in rest:
            repo, _, tag = name.rpartition(":")
            image.tag(repo, tag)
        if push:
            for name in names:
                repo, _, tag = name.rpartition(":")
                mirrored = f"{env.registry}/{repo if '/' in repo else 'library/' + repo}"
                image.tag(mirrored, tag)
                for _ in client.images.push(mirrored, tag, stream=True, decode=True):
                    pass
                client.images.remove(f"{mirrored}:{tag}")
    finally:
        client.close()
