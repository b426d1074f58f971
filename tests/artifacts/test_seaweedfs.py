"""Faults against a real S3 implementation: SeaweedFS checks SigV4 signatures, so wrong
credentials are rejected by the server itself, and a killed upload leaves real multipart state.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from pipelinekit.artifacts import api
from pipelinekit.project import load_project
from pipelinekit.stages import upload
from pipelinekit.stages.base import StageContext
from tests.artifacts.conftest import BOOTSTRAP, REPO_ROOT, CliRun, make_project
from tests.artifacts.servers import CANARY_ACCESS_KEY, CANARY_SECRET_KEY, S3Server

pytestmark = pytest.mark.slow

Pk = Callable[..., CliRun]
UseEnv = Callable[..., None]


def test_wrong_credentials_are_refused_by_the_server(
    seaweed_server: S3Server, aws_env: UseEnv, pk: Pk, tmp_path: Path
) -> None:
    bucket = seaweed_server.new_bucket()
    proj = make_project(tmp_path / "p", seaweed_server, bucket)
    wrong = "CANARY-wrong-secret-0042-xyz"
    aws_env(seaweed_server, AWS_SECRET_ACCESS_KEY=wrong)

    run = pk("artifacts", "push", "--path", str(proj))

    assert run.code == 3
    assert "refused" in run.err and f"s3://{bucket}/" in run.err
    assert seaweed_server.endpoint in run.err and "AWS_SECRET_ACCESS_KEY" in run.err
    assert wrong not in run.text and seaweed_server.access_key not in run.text
    listed = seaweed_server.boto().list_objects_v2(Bucket=bucket)
    assert listed.get("KeyCount", 0) == 0

    aws_env(seaweed_server, AWS_ACCESS_KEY_ID="AKIAUNKNOWNKEY000001")
    assert pk("artifacts", "ls", "--path", str(proj)).code == 3


def test_missing_bucket_is_reported_not_created(
    seaweed_server: S3Server, aws_env: UseEnv, pk: Pk, tmp_path: Path
) -> None:
    """SeaweedFS creates a bucket on the first PUT into it; the up-front check prevents that."""
    aws_env(seaweed_server)
    proj = make_project(tmp_path / "p", seaweed_server, "pk-missing-bucket")
    run = pk("artifacts", "push", "--path", str(proj))
    assert run.code == 3 and "Bucket 'pk-missing-bucket' does not exist" in run.err
    buckets = [b["Name"] for b in seaweed_server.boto().list_buckets()["Buckets"]]
    assert "pk-missing-bucket" not in buckets


def test_push_killed_mid_multipart_leaves_nothing_visible_and_rerun_completes(
    seaweed_server: S3Server, tmp_path: Path
) -> None:
    bucket = seaweed_server.new_bucket()
    proj = make_project(
        tmp_path / "p",
        seaweed_server,
        bucket,
        s3_extra="multipart_threshold_mb = 5\nmultipart_chunk_mb = 5\nmax_concurrency = 2\n",
    )
    big = proj / "dist" / "demo-1.0.0-py3-none-any.whl"
    big.write_bytes(os.urandom(64 * 2**20))
    s3 = seaweed_server.boto()
    folder = "artifacts/demo/1.0.0/"
    argv = [sys.executable, "-c", BOOTSTRAP, "artifacts", "push", "--path", str(proj)]
    env = seaweed_server.env(PYTHONPATH=str(REPO_ROOT))
    # sdist first (small, completes), then the wheel: 13 parts of 5 MiB.
    files = [str(proj / "dist" / "demo-1.0.0.tar.gz"), str(big)]
    proc = subprocess.Popen(
        [*argv, *files], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None:
            uploads = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
            if uploads:
                parts = s3.list_parts(
                    Bucket=bucket, Key=uploads[0]["Key"], UploadId=uploads[0]["UploadId"]
                )
                if parts.get("Parts"):
                    break
            time.sleep(0.01)
        assert proc.poll() is None, "the push finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL

    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert folder + big.name not in keys and folder + "manifest.json" not in keys
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads")

    rerun = subprocess.run([*argv, *files], env=env, capture_output=True, text=True, timeout=60)

    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout.startswith("completed demo 1.0.0")
    assert not s3.list_multipart_uploads(Bucket=bucket).get("Uploads")
    project = load_project(proj)
    client = api.client_for(project.config.s3, seaweed_server.env())
    pulled = api.pull(client, "demo", "1.0.0", tmp_path / "out")
    assert (tmp_path / "out" / big.name).read_bytes() == big.read_bytes()
    assert len(pulled.downloaded) == 2


def test_secret_canary_never_appears(
    seaweed_server: S3Server,
    aws_env: UseEnv,
    pk: Pk,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Valid canary keys used by the stage (through its own env, not os.environ) and wrong
    canary keys used by the CLI: neither shows in output, errors, reports or the manifest."""
    canaries = (CANARY_ACCESS_KEY, CANARY_SECRET_KEY)
    bucket = seaweed_server.new_bucket()
    proj = make_project(tmp_path / "p", seaweed_server, bucket)
    project = load_project(proj)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env |= {"AWS_ACCESS_KEY_ID": CANARY_ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": CANARY_SECRET_KEY}
    ctx = StageContext(
        project_dir=project.project_dir, facts=project.facts, config=project.config, env=env
    )

    result = upload.run(ctx)
    assert result.status == "passed", result.details
    refused = upload.run(
        dataclasses.replace(ctx, project_dir=make_project(tmp_path / "q", seaweed_server, bucket))
    )
    assert refused.status == "failed" and "Refusing to upload" in refused.details

    aws_env(
        seaweed_server,
        AWS_ACCESS_KEY_ID=CANARY_ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY="CANARY-wrong-0042",
    )
    wrong = pk("artifacts", "push", "--path", str(proj), "--version", "9.9.9")
    assert wrong.code == 3
    listed = pk("artifacts", "ls", "1.0.0", "--path", str(proj), "--format", "json")
    ok_env = seaweed_server.env()
    aws_env(seaweed_server)
    shown = pk("artifacts", "ls", "1.0.0", "--path", str(proj))

    manifest = seaweed_server.boto().get_object(
        Bucket=bucket, Key="artifacts/demo/1.0.0/manifest.json"
    )
    texts = [
        result.summary,
        result.details,
        refused.summary,
        refused.details,
        wrong.text,
        listed.text,
        shown.text,
        manifest["Body"].read().decode(),
        capsys.readouterr().out,
        *(
            p.read_text(errors="replace")
            for p in proj.rglob("*")
            if p.is_file() and p.suffix in (".json", ".xml", ".txt", ".toml")
        ),
    ]
    for text in texts:
        for canary in (*canaries, "CANARY-wrong-0042"):
            assert canary not in text
    assert ok_env["AWS_SECRET_ACCESS_KEY"] not in shown.text
