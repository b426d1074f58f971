"""The upload stage module: discovered by the registry, skips when disabled, maps a refused
re-upload to a failed stage (exit 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelinekit import stages
from pipelinekit.errors import ConfigError, UsageError
from pipelinekit.project import load_project
from pipelinekit.stages import upload
from pipelinekit.stages.base import StageContext
from tests.artifacts.conftest import make_project
from tests.artifacts.servers import S3Server


def context(proj: Path, server: S3Server) -> StageContext:
    project = load_project(proj)
    return StageContext(
        project_dir=project.project_dir,
        facts=project.facts,
        config=project.config,
        env=server.env(),
    )


def test_registered() -> None:
    assert stages.get("upload") is upload


def test_disabled_is_skipped(moto_server: S3Server, tmp_path: Path) -> None:
    proj = make_project(tmp_path / "p", moto_server, "bkt", s3_extra="enabled = false\n")
    result = upload.run(context(proj, moto_server))
    assert (result.status, result.exit_code) == ("skipped", 0)


def test_uploads_dist_and_image_report_then_refuses_a_rebuild(
    moto_server: S3Server, tmp_path: Path
) -> None:
    bucket = moto_server.new_bucket()
    proj = make_project(tmp_path / "p", moto_server, bucket, version="0.3.0")
    reports = proj / ".pipelinekit" / "reports"
    reports.mkdir(parents=True)
    (reports / "image.json").write_text(
        json.dumps({"image": "r/demo", "tags": ["0.3.0"], "digest": "sha256:cd"})
    )
    ctx = context(proj, moto_server)

    first = upload.run(ctx)
    assert first.status == "passed", first.details
    assert (
        first.summary
        == f"upload: uploaded demo 0.3.0 (3 file(s)) at s3://{bucket}/artifacts/demo/0.3.0/"
    )
    assert "image.json" in first.details
    assert "already released with identical files" in upload.run(ctx).summary

    (proj / "dist" / "demo-0.3.0.tar.gz").write_bytes(b"rebuilt")
    refused = upload.run(ctx)
    assert (refused.status, refused.exit_code) == ("failed", 1)
    assert "never overwritten" in refused.details


def test_nothing_built_and_no_bucket(moto_server: S3Server, tmp_path: Path) -> None:
    proj = make_project(tmp_path / "p", moto_server, "bucket")
    for f in (proj / "dist").iterdir():
        f.unlink()
    with pytest.raises(UsageError, match="Run the package stage first"):
        upload.run(context(proj, moto_server))

    proj2 = make_project(tmp_path / "q", moto_server, "bucket")
    text = (proj2 / "pyproject.toml").read_text().replace('bucket = "bucket"\n', "")
    (proj2 / "pyproject.toml").write_text(text)
    with pytest.raises(ConfigError, match="bucket is not set"):
        upload.run(context(proj2, moto_server))


def test_broken_image_report(moto_server: S3Server, tmp_path: Path) -> None:
    proj = make_project(tmp_path / "p", moto_server, moto_server.new_bucket())
    reports = proj / ".pipelinekit" / "reports"
    reports.mkdir(parents=True)
    (reports / "image.json").write_text('{"tags": "nope"}')
    with pytest.raises(UsageError, match="is not a docker image report"):
        upload.run(context(proj, moto_server))
