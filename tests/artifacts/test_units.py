"""Pure parts: key layout, version detection, settings, manifest parsing,
and the client's error mapping (fed with botocore's own error types)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest

from pipelinekit.artifacts import layout
from pipelinekit.artifacts.api import client_for
from pipelinekit.artifacts.manifest import parse_manifest
from pipelinekit.artifacts.settings import S3Config
from pipelinekit.config.models import parse_config
from pipelinekit.errors import CheckFailed, ConfigError, ExternalError, UsageError
from tests.artifacts.servers import S3Server


def test_object_key() -> None:
    assert layout.object_key("artifacts", "demo", "1.0", "a.whl") == "artifacts/demo/1.0/a.whl"
    assert layout.object_key("", "demo", "1.0") == "demo/1.0/"


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["my_proj-1.2.0-py3-none-any.whl", "my_proj-1.2.0.tar.gz"], "1.2.0"),
        (["my_proj-1.2.0.tar.gz", "other-9.0-py3-none-any.whl"], "1.2.0"),
        (["My.Proj-2.0rc1-1-py3-none-any.whl", "bad-name.whl"], "2.0rc1"),
    ],
)
def test_version_from_files(names: list[str], expected: str) -> None:
    assert layout.version_from_files([Path(n) for n in names], "my-proj") == expected


def test_version_errors() -> None:
    with pytest.raises(UsageError, match="no wheel or sdist of 'x'"):
        layout.version_from_files([Path("notes.txt")], "x")


def test_check_files(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "f.bin").write_bytes(b"1")
    (tmp_path / "b" / "f.bin").write_bytes(b"2")
    with pytest.raises(UsageError) as exc:
        layout.check_files([tmp_path / "a" / "f.bin", tmp_path / "b" / "f.bin", tmp_path / "nope"])
    assert "would both be stored as f.bin" in exc.value.message
    assert "is not a file" in exc.value.message
    with pytest.raises(UsageError, match="no files were given"):
        layout.check_files([])
    (tmp_path / "we ird").write_bytes(b"")
    with pytest.raises(UsageError, match="cannot be used in an S3 key"):
        layout.check_files([tmp_path / "we ird"])


def test_settings_validation() -> None:
    assert S3Config(prefix="/team/ml/").prefix == "team/ml"
    with pytest.raises(ValueError, match="plain key prefix"):
        S3Config(prefix="a//b")
    with pytest.raises(ValueError, match="bucket name"):
        S3Config(bucket="a/b")
    with pytest.raises(ConfigError) as exc:
        parse_config(
            {"s3": {"secret_key": "hunter2-canary", "bucket": "bkt"}}, source="pyproject.toml"
        )
    assert "never read from config files" in exc.value.message
    assert "hunter2-canary" not in exc.value.message
    with pytest.raises(ConfigError, match="Did you mean `bucket`"):
        parse_config({"s3": {"buckett": "bkt"}}, source="pyproject.toml")
    assert parse_config({"s3": {"credentials_id": "x"}}, source="p").s3.credentials_id == "x"


def test_invalid_manifest_is_a_failed_check() -> None:
    with pytest.raises(CheckFailed, match="not a valid pipelinekit manifest"):
        parse_manifest(b"{not json", "s3://b/k")
    with pytest.raises(CheckFailed):
        parse_manifest(b'{"project": "x"}', "s3://b/k")


def fake_response(client: Any, operation: str, code: str, status: int) -> None:
    """Short-circuit one operation with an error response, as botocore's own stubs do."""

    def respond(**_: Any) -> tuple[Any, dict[str, Any]]:
        class Http:
            status_code = status
            headers: ClassVar[dict[str, str]] = {}
            content = b""

        return Http(), {
            "Error": {"Code": code, "Message": f"{code} says no"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }

    client._s3.meta.events.register(f"before-call.s3.{operation}", respond)


def test_client_error_mapping(moto_server: S3Server, tmp_path: Path) -> None:
    cfg = S3Config(
        bucket="bkt", endpoint_url=moto_server.endpoint, addressing_style="path", max_attempts=1
    )
    client = client_for(cfg, moto_server.env())
    fake_response(client, "PutObject", "NotImplemented", 501)
    with pytest.raises(ExternalError, match="conditional_writes = false"):
        client.put_bytes("k", b"x", conditional=True)
    fake_response(client, "HeadObject", "InternalError", 500)
    with pytest.raises(ExternalError, match=r"Cannot read s3://bkt/k at .*InternalError"):
        client.head("k")
    fake_response(client, "GetObject", "AccessDenied", 403)
    with pytest.raises(ExternalError, match="refused to read"):
        client.get_bytes("k")


def test_bad_endpoint_is_a_config_error(moto_server: S3Server) -> None:
    with pytest.raises(ConfigError, match="endpoint_url"):
        client_for(S3Config(bucket="bkt", endpoint_url="not a url"), moto_server.env())
