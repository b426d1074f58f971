"""A real Prometheus Pushgateway (Debian's prometheus-pushgateway) on a free loopback port,
started for a test and stopped by PID; what it holds is read back from /api/v1/metrics."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.support import tools


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def pushgateway(folder: Path) -> Iterator[str]:
    """The base URL of a running gateway; its log is `folder/pushgateway.log`."""
    binary = tools.require("prometheus-pushgateway")
    port = free_port()
    log = (folder / "pushgateway.log").open("wb")
    proc = subprocess.Popen(
        [
            str(binary),
            f"--web.listen-address=127.0.0.1:{port}",
            f"--persistence.file={folder / 'pushgateway.data'}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{url}/-/ready", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"pushgateway did not start: {log.name}") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.kill()
        proc.wait(timeout=10)
        log.close()


def groups(url: str) -> list[dict[str, Any]]:
    """The gateway's groups: `labels` (the grouping key with job) and metric name -> samples."""
    with urllib.request.urlopen(f"{url}/api/v1/metrics", timeout=5) as answer:
        data = json.load(answer)["data"]
    out = []
    for group in data:
        metrics = {
            name: [
                (sample.get("labels", {}), float(sample["value"])) for sample in family["metrics"]
            ]
            for name, family in group.items()
            if isinstance(family, dict) and "metrics" in family
        }
        out.append({"labels": group["labels"], "metrics": metrics})
    return out
