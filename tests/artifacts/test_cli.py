"""`pipelinekit artifacts push|pull|ls` through the real entry point: output, JSON, and the
exit codes of the CLI contract (1 refused re-upload, 2 bad input/config, 3 S3 unreachable or
refusing)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.artifacts.conftest import CliRun, make_project
from tests.artifacts.servers import S3Server, free_ports

Pk = Callable[..., CliRun]
UseEnv = Callable[..., None]


def test_push_ls_pull(moto_server: S3Server, aws_env: UseEnv, pk: Pk, tmp_path: Path) -> None:
    aws_env(moto_server)
    bucket = moto_server.new_bucket()
    proj = make_project(tmp_path / "p", moto_server, bucket)

    pushed = pk("artifacts", "push", "--path", str(proj))
    assert pushed.code == 0, pushed.err
    assert "uploaded demo 1.0.0: 2 file(s)" in pushed.out
    assert f"s3://{bucket}/artifacts/demo/1.0.0/" in pushed.out

    again = pk("artifacts", "push", "--path", str(proj), "--format", "json")
    assert again.code == 0 and json.loads(again.out)["status"] == "unchanged"
    assert (
        "already released with these exact files"
        in pk("artifacts", "push", "--path", str(proj)).out
    )

    listed = pk("artifacts", "ls", "--path", str(proj))
    assert listed.code == 0 and listed.out.split()[:2] == ["1.0.0", "released"]
    data = json.loads(pk("artifacts", "ls", "--path", str(proj), "--format", "json").out)
    assert data == [{"version": "1.0.0", "released": True, "files": 2, "size": 205_000}]
    detail = pk("artifacts", "ls", "1.0.0", "--path", str(proj))
    assert "demo-1.0.0.tar.gz" in detail.out and "CRC32:" in detail.out
    detail_json = json.loads(
        pk("artifacts", "ls", "1.0.0", "--path", str(proj), "--format", "json").out
    )
    assert detail_json["released"] is True and len(detail_json["manifest"]["files"]) == 2

    out = tmp_path / "out"
    pulled = pk("artifacts", "pull", "latest", str(out), "--path", str(proj))
    assert pulled.code == 0 and "2 downloaded, 0 already present" in pulled.out
    pulled_json = json.loads(
        pk("artifacts", "pull", "1.0.0", str(out), "--path", str(proj), "--format", "json").out
    )
    assert pulled_json["downloaded"] == [] and len(pulled_json["present"]) == 2


def test_explicit_files_and_version(
    moto_server: S3Server, aws_env: UseEnv, pk: Pk, tmp_path: Path
) -> None:
    aws_env(moto_server)
    bucket = moto_server.new_bucket()
    proj = make_project(tmp_path / "p", moto_server, bucket)
    model = tmp_path / "model.onnx"
    model.write_bytes(b"weights")
    run = pk("artifacts", "push", str(model), "--version", "2024.06.1", "--path", str(proj))
    assert run.code == 0, run.err
    assert "model.onnx" in run.out
    assert "not found" in pk("artifacts", "ls", "9.0", "--path", str(proj)).out
    moto_server.boto().put_object(Bucket=bucket, Key="artifacts/demo/3.0/x.bin", Body=b"x")
    incomplete = pk("artifacts", "ls", "3.0", "--path", str(proj))
    assert "incomplete: no manifest" in incomplete.out and "x.bin" in incomplete.out


def test_refused_reupload_exits_1(
    moto_server: S3Server, aws_env: UseEnv, pk: Pk, tmp_path: Path
) -> None:
    aws_env(moto_server)
    bucket = moto_server.new_bucket()
    proj = make_project(tmp_path / "p", moto_server, bucket)
    assert pk("artifacts", "push", "--path", str(proj)).code == 0
    (proj / "dist" / "demo-1.0.0-py3-none-any.whl").write_bytes(b"rebuilt")

    run = pk("artifacts", "push", "--path", str(proj))

    assert run.code == 1
    assert run.err.startswith("pipelinekit: error: Refusing to upload")
    assert "Traceback" not in run.text and run.err.count("\n") == 1


def test_bad_input_exits_2(moto_server: S3Server, aws_env: UseEnv, pk: Pk, tmp_path: Path) -> None:
    aws_env(moto_server)
    bucket = moto_server.new_bucket()
    proj = make_project(tmp_path / "p", moto_server, bucket)
    (proj / "dist" / "demo-2.0.0-py3-none-any.whl").write_bytes(b"x")
    several = pk("artifacts", "push", "--path", str(proj))
    assert several.code == 2 and "several versions (1.0.0, 2.0.0)" in several.err

    bad_version = pk("artifacts", "push", "--path", str(proj), "--version", "../etc")
    assert bad_version.code == 2 and "cannot be used in an S3 key" in bad_version.err

    manifest = tmp_path / "manifest.json"
    manifest.write_text("{}")
    reserved = pk("artifacts", "push", str(manifest), "--version", "1", "--path", str(proj))
    assert reserved.code == 2 and "reserved" in reserved.err

    missing = pk("artifacts", "pull", "7.7.7", str(tmp_path / "o"), "--path", str(proj))
    assert missing.code == 2 and "No version 7.7.7" in missing.err


def test_bucket_missing_exits_3(
    moto_server: S3Server, aws_env: UseEnv, pk: Pk, tmp_path: Path
) -> None:
    aws_env(moto_server)
    proj = make_project(tmp_path / "p", moto_server, "no-such-bucket-here")
    run = pk("artifacts", "push", "--path", str(proj))
    assert run.code == 3
    assert "Bucket 'no-such-bucket-here' does not exist at " + moto_server.endpoint in run.err
    assert "nothing was uploaded" in run.err


def test_unreachable_endpoint_exits_3(
    moto_server: S3Server, aws_env: UseEnv, pk: Pk, tmp_path: Path
) -> None:
    aws_env(moto_server)
    (port,) = free_ports(1)
    dead = S3Server("dead", f"http://127.0.0.1:{port}", "a", "b", False)
    proj = make_project(tmp_path / "p", dead, "bucket", s3_extra="max_attempts = 1\n")
    run = pk("artifacts", "ls", "--path", str(proj))
    assert run.code == 3
    assert f"http://127.0.0.1:{port}" in run.err and "reachable" in run.err
    assert "Traceback" not in run.text


def test_no_credentials_exits_2(
    moto_server: S3Server, aws_env: UseEnv, pk: Pk, tmp_path: Path
) -> None:
    aws_env(moto_server, AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY="")
    proj = make_project(tmp_path / "p", moto_server, "bucket")
    run = pk("artifacts", "ls", "--path", str(proj))
    assert run.code == 2 and "No AWS credentials found" in run.err

    aws_env(moto_server, AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY="", AWS_PROFILE="nope")
    assert "nope" in pk("artifacts", "ls", "--path", str(proj)).err


def test_credentials_in_config_are_rejected_without_echoing_them(
    moto_server: S3Server, aws_env: UseEnv, pk: Pk, tmp_path: Path
) -> None:
    aws_env(moto_server)
    canary = "CANARY-config-secret-0042"
    proj = make_project(
        tmp_path / "p",
        moto_server,
        "bucket",
        s3_extra=f'aws_secret_access_key = "{canary}"\naws_access_key_id = "AKIACANARYCONFIG0001"\n',
    )
    run = pk("artifacts", "ls", "--path", str(proj))
    assert run.code == 2
    assert "credentials are never read from config files" in run.err
    assert "aws_access_key_id, aws_secret_access_key" in run.err
    assert canary not in run.text and "AKIACANARYCONFIG0001" not in run.text
