"""Upload one file as an S3 multipart upload, computing its sha256 from the bytes sent.

Not s3transfer's `upload_fileobj`: to hash every byte exactly once it has to be handed a file
object, and then its one submission thread reads each part into a fresh buffer that botocore
copies again. Here each worker reads the part it sends into a buffer it keeps for the next one
and feeds that buffer to the file's sha256 before sending it; the parts take turns (the hash
must see the file in order), which costs nothing in practice because hashing a part is ~10x
faster than sending it. The digest is therefore of exactly the bytes uploaded, and the file is
stat'ed before and after so that an upload torn by a concurrent writer is abandoned.

Every request here is safe to retry (botocore's standard mode does): a part re-sent with the
same bytes replaces itself, and completion is conditional when the caller asks for it.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

MAX_PARTS = 10_000
"""S3's limit on parts per upload: larger files get proportionally larger parts."""


class FileChanged(Exception):
    """The file was modified while it was being uploaded."""


class _Stopped(Exception):
    """Another part failed first; this one gives up without sending."""


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


class OrderedHasher:
    """sha256 over parts handed in by several threads, applied strictly in part order.

    A part's worker is always running when a later part waits for it (the pool takes parts in
    order), so the wait ends; `stop()` releases every waiter when the upload fails.
    """

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self._next = 1
        self._stopped = False
        self._turn = threading.Condition()

    def add(self, number: int, data: memoryview) -> None:
        with self._turn:
            self._turn.wait_for(lambda: self._next == number or self._stopped)
            if self._stopped:
                raise _Stopped
        self._sha.update(data)  # outside the lock: hashlib releases the GIL for large buffers
        with self._turn:
            self._next += 1
            self._turn.notify_all()

    def stop(self) -> None:
        with self._turn:
            self._stopped = True
            self._turn.notify_all()

    def hexdigest(self) -> str:
        return self._sha.hexdigest()


def _read_exactly(fh: io.FileIO, view: memoryview, path: Path) -> None:
    filled = 0
    while filled < len(view):
        got = fh.readinto(view[filled:])
        if not got:
            raise FileChanged(path)  # shorter than when the upload started
        filled += got


class Fingerprint(NamedTuple):
    """What changes when a file is rewritten: its size, times (ctime also moves when a copy
    restores the old mtime), and identity."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    device: int

    @classmethod
    def of(cls, path: Path) -> Fingerprint:
        st = path.stat()
        return cls(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)

    def check(self, path: Path) -> None:
        """Raise FileChanged unless `path` is still the file this fingerprint was taken of."""
        if Fingerprint.of(path) != self:
            raise FileChanged(path)


def upload_parts(
    path: Path,
    before: Fingerprint,
    plan: Plan,
    send_part: Callable[[int, bytes | bytearray], dict[str, Any]],
    concurrency: int,
) -> tuple[list[dict[str, Any]], str]:
    """Send every part with `send_part(number, body)` on `concurrency` threads; return the
    completed-part records in order and the sha256 of the bytes sent.

    `before` is the fingerprint the plan was made from; the file must still match it at the
    end. The first failure stops the parts not yet sent and is re-raised once the running ones
    have finished; the caller aborts the upload.
    """
    if before.size != plan.size:
        raise FileChanged(path)
    hasher = OrderedHasher()
    local = threading.local()
    opened: list[io.FileIO] = []
    lock = threading.Lock()

    def part(number: int) -> dict[str, Any]:
        try:
            if not hasattr(local, "buffer"):
                local.buffer = bytearray(plan.part_size)
                local.file = path.open("rb", buffering=0)
                with lock:
                    opened.append(local.file)
            offset = (number - 1) * plan.part_size
            want = min(plan.part_size, plan.size - offset)
            view = memoryview(local.buffer)[:want]
            local.file.seek(offset)
            _read_exactly(local.file, view, path)
            hasher.add(number, view)
            body = local.buffer if want == plan.part_size else bytes(view)
            return send_part(number, body)
        except BaseException:
            hasher.stop()
            raise

    pool = ThreadPoolExecutor(concurrency, thread_name_prefix="pk-upload")
    futures: list[Future[dict[str, Any]]] = []
    try:
        futures += (pool.submit(part, number) for number in range(1, plan.parts + 1))
        parts = [future.result() for future in futures]
    except _Stopped:
        pool.shutdown(wait=True, cancel_futures=True)
        raise _first_failure(futures) from None
    except BaseException:  # also Ctrl-C while waiting here: release the workers
        hasher.stop()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        for fh in opened:
            fh.close()
    before.check(path)
    return parts, hasher.hexdigest()


def _first_failure(futures: list[Future[dict[str, Any]]]) -> BaseException:
    """The error that stopped the upload (the parts it stopped only report `_Stopped`)."""
    for future in futures:
        if future.done() and not future.cancelled():
            error = future.exception()
            if error is not None and not isinstance(error, _Stopped):
                return error
    return RuntimeError("the upload was stopped")  # pragma: no cover - a stop has a cause
