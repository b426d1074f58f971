"""Upload one file as an S3 multipart upload, computing its sha256 on the way.

Not s3transfer's `upload_fileobj`: to hash every byte exactly once it has to be handed a file
object, and then its one submission thread reads each part into a fresh buffer that botocore
copies again. Here each worker reads the part it sends into a buffer it keeps for the next one,
and one more thread hashes the file front to back in small blocks that stay in cache. On the
benchmark's 2-core runner that is ~0.3 CPU-seconds less per GiB than `upload_fileobj` with the
same parts (benchmarks/artifacts). The file is stat'ed before and after: if it changed while
being sent, the digest might not describe the upload, so the upload is abandoned.

Every request here is safe to retry (botocore's standard mode does): a part re-sent with the
same bytes replaces itself, and completion is conditional when the caller asks for it.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HASH_BLOCK = 1 << 20
MAX_PARTS = 10_000
"""S3's limit on parts per upload: larger files get proportionally larger parts."""


class FileChanged(Exception):
    """The file was modified while it was being uploaded."""


@dataclass(frozen=True)
class Plan:
    size: int
    part_size: int

    @property
    def parts(self) -> int:
        return max(1, -(-self.size // self.part_size))

    @classmethod
    def for_size(cls, size: int, chunk: int) -> Plan:
        return cls(size, max(chunk, -(-size // MAX_PARTS)))


def sha256_of(path: Path, size: int, block: int = HASH_BLOCK) -> str:
    """sha256 of the first `size` bytes, read in blocks through one reused buffer."""
    digest = hashlib.sha256()
    buffer = bytearray(block)
    view = memoryview(buffer)
    remaining = size
    with path.open("rb", buffering=0) as fh:
        while remaining > 0:
            got = fh.readinto(view[: min(block, remaining)])
            if not got:
                raise FileChanged(path)
            digest.update(view[:got])
            remaining -= got
    return digest.hexdigest()


def _read_exactly(fh: io.FileIO, view: memoryview, path: Path) -> None:
    filled = 0
    while filled < len(view):
        got = fh.readinto(view[filled:])
        if not got:
            raise FileChanged(path)  # shorter than when the upload started
        filled += got


def _fingerprint(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns, st.st_ino


def upload_parts(
    path: Path,
    plan: Plan,
    send_part: Callable[[int, bytes | bytearray], dict[str, Any]],
    concurrency: int,
) -> tuple[list[dict[str, Any]], str]:
    """Send every part with `send_part(number, body)` on `concurrency` threads; return the
    completed-part records in order and the file's sha256.

    The first failure cancels the parts not yet started and is re-raised once the running ones
    have finished; the caller aborts the upload.
    """
    before = _fingerprint(path)
    local = threading.local()
    opened: list[io.FileIO] = []
    lock = threading.Lock()

    def part(number: int) -> dict[str, Any]:
        if not hasattr(local, "buffer"):
            local.buffer = bytearray(plan.part_size)
            local.file = path.open("rb", buffering=0)
            with lock:
                opened.append(local.file)
        offset = (number - 1) * plan.part_size
        want = min(plan.part_size, plan.size - offset)
        local.file.seek(offset)
        _read_exactly(local.file, memoryview(local.buffer)[:want], path)
        body = local.buffer if want == plan.part_size else bytes(local.buffer[:want])
        return send_part(number, body)

    pool = ThreadPoolExecutor(concurrency + 1, thread_name_prefix="pk-upload")
    try:
        digest = pool.submit(sha256_of, path, plan.size)
        parts = list(pool.map(part, range(1, plan.parts + 1)))
        sha256 = digest.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        for fh in opened:
            fh.close()
    if _fingerprint(path) != before:
        raise FileChanged(path)
    return parts, sha256
