"""The library API (`pipelinekit.artifacts.api`) against moto's server (and SeaweedFS where the
behaviour depends on the server: conditional writes, checksums)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from pipelinekit.artifacts import api
from pipelinekit.artifacts.client import S3Client
from pipelinekit.artifacts.settings import S3Config
from pipelinekit.errors import CheckFailed, UsageError
from tests.artifacts.conftest import make_project
from tests.artifacts.servers import S3Server


def config(server: S3Server, bucket: str, **extra: Any) -> S3Config:
    return S3Config(
        enabled=True,
        bucket=bucket,
        endpoint_url=server.endpoint,
        addressing_style="path",
        region="us-east-1",
        max_attempts=2,
        **extra,
    )


def client(server: S3Server, bucket: str, **extra: Any) -> S3Client:
    return api.client_for(config(server, bucket, **extra), server.env())


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_push_then_pull_roundtrip_with_manifest(any_server: S3Server, tmp_path: Path) -> None:
    bucket = any_server.new_bucket()
    proj = make_project(tmp_path / "p", any_server, bucket, wheel_size=11 * 2**20)
    reports = proj / ".pipelinekit" / "reports"
    reports.mkdir(parents=True)
    (reports / "image.json").write_text(
        json.dumps(
            {"image": "reg/demo", "tags": ["1.0.0"], "digest": "sha256:ab", "gpu_smoke": "ok"}
        )
    )
    c = client(
        any_server,
        bucket,
        multipart_threshold_mb=5,
        multipart_chunk_mb=5,
        checksum_algorithm="SHA256",
    )

    result = api.push_project(proj, "demo", c.cfg, client=c)

    assert result.status == "uploaded"
    assert result.location == f"s3://{bucket}/artifacts/demo/1.0.0/"
    m = result.manifest
    names = [f.name for f in m.files]
    assert names == ["demo-1.0.0-py3-none-any.whl", "demo-1.0.0.tar.gz", "image.json"]
    for entry in m.files:
        local = proj / "dist" / entry.name if entry.name != "image.json" else reports / "image.json"
        assert (entry.size, entry.sha256) == (local.stat().st_size, sha(local))
        assert entry.key == f"artifacts/demo/1.0.0/{entry.name}"
        assert entry.s3_checksum and entry.s3_checksum.startswith("SHA256:")
    assert m.image is not None and m.image.digest == "sha256:ab"
    if any_server.name == "seaweedfs":  # a 3-part upload: S3 composite checksum
        assert m.files[0].s3_checksum.endswith("-3")  # type: ignore[union-attr]
    stored = any_server.boto().get_object(Bucket=bucket, Key="artifacts/demo/1.0.0/manifest.json")
    assert json.loads(stored["Body"].read())["files"][0]["sha256"] == m.files[0].sha256

    pulled = api.pull(c, "demo", "1.0.0", tmp_path / "out")
    assert sorted(pulled.downloaded) == sorted(names)
    for entry in m.files:
        assert sha(tmp_path / "out" / entry.name) == entry.sha256
    again = api.pull(c, "demo", "latest", tmp_path / "out")
    assert again.downloaded == () and len(again.present) == 3


def test_identical_rerun_is_unchanged_and_different_files_are_refused(
    moto_server: S3Server, tmp_path: Path
) -> None:
    bucket = moto_server.new_bucket()
    proj = make_project(tmp_path / "p", moto_server, bucket)
    c = client(moto_server, bucket)
    first = api.push_project(proj, "demo", c.cfg, client=c)
    assert api.push_project(proj, "demo", c.cfg, client=c).status == "unchanged"
    before = moto_server.boto().head_object(Bucket=bucket, Key=first.manifest.files[0].key)

    (proj / "dist" / "demo-1.0.0.tar.gz").write_bytes(b"rebuilt")
    with pytest.raises(CheckFailed) as exc:
        api.push_project(proj, "demo", c.cfg, client=c)

    assert f"s3://{bucket}/artifacts/demo/1.0.0/" in exc.value.message
    assert moto_server.endpoint in exc.value.message
    assert "never overwritten" in exc.value.message
    after = moto_server.boto().head_object(Bucket=bucket, Key=first.manifest.files[0].key)
    assert after["ETag"] == before["ETag"]


def test_interrupted_push_is_completed_by_a_rerun(moto_server: S3Server, tmp_path: Path) -> None:
    bucket = moto_server.new_bucket()
    proj = make_project(tmp_path / "p", moto_server, bucket)
    s3 = moto_server.boto()
    folder = "artifacts/demo/1.0.0/"
    s3.put_object(Bucket=bucket, Key=folder + "demo-1.0.0.tar.gz", Body=b"stale half")
    s3.create_multipart_upload(Bucket=bucket, Key=folder + "demo-1.0.0-py3-none-any.whl")
    c = client(moto_server, bucket)
    assert api.describe(c, "demo", "1.0.0").objects == ("demo-1.0.0.tar.gz",)
    with pytest.raises(UsageError, match="upload was interrupted"):
        api.pull(c, "demo", "1.0.0", tmp_path / "out")

    result = api.push_project(proj, "demo", c.cfg, client=c)

    assert (result.status, result.aborted_uploads) == ("completed", 1)
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    api.pull(c, "demo", "1.0.0", tmp_path / "out")
    assert sha(tmp_path / "out" / "demo-1.0.0.tar.gz") == sha(proj / "dist" / "demo-1.0.0.tar.gz")


class RacingClient(S3Client):
    """Another pipeline writes the manifest between our check and our conditional write."""

    rival: bytes = b""

    def put_bytes(self, key: str, data: bytes, *, conditional: bool) -> Any:
        if key.endswith("manifest.json") and self.rival:
            self._s3.put_object(Bucket=self.bucket, Key=key, Body=self.rival or data)
        return super().put_bytes(key, data, conditional=conditional)


def racing(server: S3Server, bucket: str, **extra: Any) -> RacingClient:
    base = client(server, bucket, **extra)
    return RacingClient(base._s3, base.cfg, base.endpoint)


def test_concurrent_release_loses_the_conditional_write(
    any_server: S3Server, tmp_path: Path
) -> None:
    bucket = any_server.new_bucket()
    proj = make_project(tmp_path / "p", any_server, bucket)
    rival = json.dumps(
        {
            "project": "demo",
            "version": "1.0.0",
            "created": "2026-01-01T00:00:00+00:00",
            "tool": "pipelinekit 0.0.1",
            "files": [{"name": "x", "key": "k", "size": 1, "sha256": "0" * 64}],
        }
    ).encode()
    c = racing(any_server, bucket)
    c.rival = rival
    with pytest.raises(CheckFailed, match="released while this push ran"):
        api.push_project(proj, "demo", c.cfg, client=c)
    stored = any_server.boto().get_object(Bucket=bucket, Key="artifacts/demo/1.0.0/manifest.json")
    assert stored["Body"].read() == rival


def test_412_on_our_own_retried_manifest_write_is_success(
    moto_server: S3Server, tmp_path: Path
) -> None:
    bucket = moto_server.new_bucket()
    proj = make_project(tmp_path / "p", moto_server, bucket)
    c = racing(moto_server, bucket)
    original = c.put_bytes

    def twice(key: str, data: bytes, *, conditional: bool) -> Any:
        if key.endswith("manifest.json"):
            c._s3.put_object(Bucket=c.bucket, Key=key, Body=data)  # the "lost" first attempt
        return original(key, data, conditional=conditional)

    c.put_bytes = twice  # type: ignore[method-assign]
    assert api.push_project(proj, "demo", c.cfg, client=c).status == "uploaded"


def test_without_conditional_writes_a_second_head_check_still_refuses(
    moto_server: S3Server, tmp_path: Path
) -> None:
    """For servers that reject If-None-Match: the manifest is checked again just before it is
    written, so only a release in the last instant could slip through."""
    bucket = moto_server.new_bucket()
    proj = make_project(tmp_path / "p", moto_server, bucket)
    c = client(moto_server, bucket, conditional_writes=False)
    upload = c.upload_file

    def release_meanwhile(path: Path, key: str, *, conditional: bool) -> Any:
        done = upload(path, key, conditional=conditional)
        c._s3.put_object(Bucket=bucket, Key="artifacts/demo/1.0.0/manifest.json", Body=b"{}")
        return done

    c.upload_file = release_meanwhile  # type: ignore[method-assign]
    with pytest.raises(CheckFailed, match="released while this push ran"):
        api.push_project(proj, "demo", c.cfg, client=c)


def test_a_data_file_appearing_mid_push_is_a_concurrent_push(
    any_server: S3Server, tmp_path: Path
) -> None:
    """The wheel is multipart here: the condition rides on CompleteMultipartUpload."""
    bucket = any_server.new_bucket()
    proj = make_project(tmp_path / "p", any_server, bucket, wheel_size=6 * 2**20)
    c = client(any_server, bucket, multipart_threshold_mb=5, multipart_chunk_mb=5)
    upload = c.upload_file

    def rival_first(path: Path, key: str, *, conditional: bool) -> Any:
        c._s3.put_object(Bucket=bucket, Key=key, Body=b"theirs")
        return upload(path, key, conditional=conditional)

    c.upload_file = rival_first  # type: ignore[method-assign]
    with pytest.raises(CheckFailed, match=r"another push of demo 1\.0\.0"):
        api.push_project(proj, "demo", c.cfg, client=c)
    wheel = "artifacts/demo/1.0.0/demo-1.0.0-py3-none-any.whl"
    assert any_server.boto().get_object(Bucket=bucket, Key=wheel)["Body"].read() == b"theirs"
    assert not any_server.boto().list_multipart_uploads(Bucket=bucket).get("Uploads")


def test_download_of_a_replaced_object_is_rejected(moto_server: S3Server, tmp_path: Path) -> None:
    bucket = moto_server.new_bucket()
    proj = make_project(tmp_path / "p", moto_server, bucket)
    c = client(moto_server, bucket)
    result = api.push_project(proj, "demo", c.cfg, client=c)
    wheel = result.manifest.files[0]
    moto_server.boto().put_object(Bucket=bucket, Key=wheel.key, Body=b"tampered")
    out = tmp_path / "out"

    with pytest.raises(CheckFailed, match="does not match its manifest") as exc:
        api.pull(c, "demo", "1.0.0", out)

    assert wheel.name in exc.value.message
    assert not (out / wheel.name).exists()
    assert [p.name for p in out.iterdir()] == []


def test_versions_are_listed_in_pep440_order(moto_server: S3Server, tmp_path: Path) -> None:
    bucket = moto_server.new_bucket()
    c = client(moto_server, bucket)
    f = tmp_path / "a.bin"
    f.write_bytes(b"x" * 10)
    for version in ("1.10.0", "1.9.0", "2.0.0rc1"):
        api.push(c, "demo", version, [f])
    moto_server.boto().put_object(Bucket=bucket, Key="artifacts/demo/3.0.0/a.bin", Body=b"x")
    infos = api.list_versions(c, "demo")
    assert [(i.version, i.released) for i in infos] == [
        ("1.9.0", True),
        ("1.10.0", True),
        ("2.0.0rc1", True),
        ("3.0.0", False),
    ]
    assert api.latest_version(c, "demo") == "1.10.0"
    with pytest.raises(UsageError, match="No released version of other"):
        api.latest_version(c, "other")
    with pytest.raises(UsageError, match=r"No version 9\.9\.9"):
        api.pull(c, "demo", "9.9.9", tmp_path / "out")


def test_empty_prefix_keys(moto_server: S3Server, tmp_path: Path) -> None:
    bucket = moto_server.new_bucket()
    c = client(moto_server, bucket, prefix="/")
    f = tmp_path / "a.bin"
    f.write_bytes(b"abc")
    result = api.push(c, "demo", "1.0", [f])
    assert result.manifest.files[0].key == "demo/1.0/a.bin"
