"""`artifacts.multipart`: parts read by their workers, sha256 in part order, failures abort.

The pure part (`upload_parts` with a recording `send_part`) runs without a server; the client
paths run against moto's server (the real S3 protocol; SeaweedFS covers the same paths in
test_api's round trip).
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from pipelinekit.artifacts import multipart
from pipelinekit.artifacts.multipart import (
    MAX_PARTS,
    FileChanged,
    Fingerprint,
    Plan,
    upload_parts,
)
from pipelinekit.errors import ExternalError, UsageError
from tests.artifacts.servers import S3Server
from tests.artifacts.test_api import client

MIB = 1 << 20


def payload(path: Path, size: int) -> bytes:
    data = os.urandom(size)
    path.write_bytes(data)
    return data


def test_plan_keeps_parts_within_the_s3_limit() -> None:
    assert Plan.for_size(100 * MIB, 16 * MIB) == Plan(100 * MIB, 16 * MIB)
    assert Plan(100 * MIB, 16 * MIB).parts == 7
    huge = Plan.for_size(500 * 1024 * MIB, 16 * MIB)  # 500 GiB
    assert huge.parts <= MAX_PARTS and huge.part_size > 16 * MIB
    assert Plan.for_size(0, 16 * MIB).parts == 1


@pytest.mark.parametrize("size", [3 * MIB, 3 * MIB + 17, 1])
def test_every_byte_sent_once_in_order_and_hashed(tmp_path: Path, size: int) -> None:
    data = payload(tmp_path / "f.bin", size)
    sent: dict[int, bytes] = {}
    threads: set[str] = set()

    def send(number: int, body: bytes | bytearray) -> dict[str, Any]:
        sent[number] = bytes(body)  # the worker reuses its buffer for its next part
        threads.add(threading.current_thread().name)
        return {"PartNumber": number, "ETag": f'"{number}"'}

    parts, digest = upload_parts(
        tmp_path / "f.bin", Fingerprint.of(tmp_path / "f.bin"), Plan(size, MIB), send, concurrency=3
    )

    assert [p["PartNumber"] for p in parts] == list(range(1, len(sent) + 1))
    assert b"".join(sent[n] for n in sorted(sent)) == data
    assert digest == hashlib.sha256(data).hexdigest()
    assert all(name.startswith("pk-upload") for name in threads)


def test_parts_are_hashed_in_order_whatever_order_they_are_read_in(tmp_path: Path) -> None:
    """Later parts reach the hasher first (part 1 is slow to read); the digest is still the
    file's."""
    data = payload(tmp_path / "f.bin", 6 * MIB)
    release = threading.Event()
    original = multipart._read_exactly

    def slow_first(fh: Any, view: memoryview, path: Path) -> None:
        first = fh.tell() == 0
        if first:
            assert release.wait(5), "no later part was read first"
        original(fh, view, path)
        if not first:
            release.set()  # a later part is read and now waits for part 1's turn

    def send(number: int, body: bytes | bytearray) -> dict[str, Any]:
        return {"PartNumber": number}

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(multipart, "_read_exactly", slow_first)
        _, digest = upload_parts(
            tmp_path / "f.bin",
            Fingerprint.of(tmp_path / "f.bin"),
            Plan(6 * MIB, MIB),
            send,
            concurrency=3,
        )
    assert digest == hashlib.sha256(data).hexdigest()


def test_a_failed_part_stops_the_rest_and_is_reraised(tmp_path: Path) -> None:
    payload(tmp_path / "f.bin", 40 * MIB)
    calls: list[int] = []

    def send(number: int, body: bytes | bytearray) -> dict[str, Any]:
        calls.append(number)
        if number == 2:
            raise ExternalError("part 2 refused")
        return {"PartNumber": number, "ETag": "x"}

    with pytest.raises(ExternalError, match="part 2 refused"):
        upload_parts(
            tmp_path / "f.bin",
            Fingerprint.of(tmp_path / "f.bin"),
            Plan(40 * MIB, MIB),
            send,
            concurrency=2,
        )
    assert len(calls) < 40  # the parts not yet started were cancelled


def test_a_file_changed_during_the_upload_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    payload(path, 4 * MIB)

    def send(number: int, body: bytes | bytearray) -> dict[str, Any]:
        if number == 1:
            with path.open("r+b") as fh:  # rewritten in place while we send it
                fh.write(b"x" * 10)
            os.utime(path, ns=(1, 1))
        return {"PartNumber": number, "ETag": "x"}

    with pytest.raises(FileChanged):
        upload_parts(path, Fingerprint.of(path), Plan(4 * MIB, MIB), send, concurrency=1)


def test_a_file_that_shrinks_or_grows_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    payload(path, 8 * MIB)
    before = Fingerprint.of(path)
    os.truncate(path, 4 * MIB)  # shrunk between planning and reading
    with pytest.raises(FileChanged):
        upload_parts(path, before, Plan(8 * MIB, MIB), lambda n, b: {"PartNumber": n}, 2)
    payload(path, 8 * MIB)
    before = Fingerprint.of(path)
    with path.open("ab") as fh:  # grew: every planned part reads fine, the end check sees it
        fh.write(b"tail")
    with pytest.raises(FileChanged):
        upload_parts(path, before, Plan(8 * MIB, MIB), lambda n, b: {"PartNumber": n}, 2)
    with pytest.raises(FileChanged):  # a plan not made from this fingerprint
        upload_parts(path, Fingerprint.of(path), Plan(8 * MIB, MIB), lambda n, b: {}, 2)


def test_a_same_size_rewrite_that_restores_the_mtime_is_detected(tmp_path: Path) -> None:
    """`cp -p` / `rsync -t --inplace` keep size and mtime; the ctime still moves."""
    path = tmp_path / "f.bin"
    payload(path, 2 * MIB)
    before = Fingerprint.of(path)
    path.write_bytes(os.urandom(2 * MIB))
    os.utime(path, ns=(before.mtime_ns, before.mtime_ns))
    with pytest.raises(FileChanged):
        before.check(path)


def test_client_multipart_roundtrip_and_abort(
    moto_server: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket = moto_server.new_bucket()
    c = client(moto_server, bucket, multipart_threshold_mb=5, multipart_chunk_mb=5)
    data = payload(tmp_path / "big.bin", 12 * MIB)

    up = c.upload_file(tmp_path / "big.bin", "k/big.bin", conditional=True)

    assert (up.size, up.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    stored = moto_server.boto().get_object(Bucket=bucket, Key="k/big.bin")["Body"].read()
    assert stored == data

    def changed(*args: Any, **kwargs: Any) -> Any:
        raise FileChanged(tmp_path / "big.bin")

    monkeypatch.setattr("pipelinekit.artifacts.client.upload_parts", changed)
    with pytest.raises(UsageError, match="changed while it was being uploaded"):
        c.upload_file(tmp_path / "big.bin", "k/other.bin", conditional=True)
    s3 = moto_server.boto()
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []  # aborted
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix="k/other")

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt  # Ctrl-C mid-upload: the multipart upload is aborted, not left

    monkeypatch.setattr("pipelinekit.artifacts.client.upload_parts", interrupted)
    with pytest.raises(KeyboardInterrupt):
        c.upload_file(tmp_path / "big.bin", "k/third.bin", conditional=False)
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
