"""The one client pipelinekit uses to talk to an S3-compatible server (boto3 underneath).

It is the network seam: the artifact API takes an `S3Client`, tests hand it one pointed at a
loopback server. What it adds to boto3: timeouts on every request, credentials only from the
AWS chain (registered for redaction the moment they are resolved), conditional writes
(`If-None-Match: *`), uploads that hash the file while sending it (`multipart.py`), and
errors turned into one paragraph naming the endpoint, bucket, key and the fix.

Retries are botocore's standard mode (backoff with jitter) and every request made here is
safe to repeat: reads, multipart parts, and PUTs that are either plain overwrites of an
unreleased version or conditional, where a 412 after a retry is reconciled by the caller.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from pipelinekit.artifacts.multipart import FileChanged, Fingerprint, Plan, upload_parts
from pipelinekit.artifacts.settings import S3Config
from pipelinekit.errors import ConfigError, ExternalError, PipelinekitError, UsageError
from pipelinekit.util.redact import register_secret

MB = 1 << 20
_AUTH_CODES = {
    "AccessDenied",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidToken",
    "ExpiredToken",
    "403",
}


class PreconditionFailed(Exception):
    """A conditional write found the key already present (HTTP 412)."""


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    etag: str | None = None
    checksum: str | None = None
    """`<ALGORITHM>:<value>` as the server reports it, when it keeps one."""


@dataclass(frozen=True)
class Uploaded:
    size: int
    sha256: str
    info: ObjectInfo


class S3Client:
    """One bucket on one endpoint. Build it with `S3Client.from_config`."""

    def __init__(self, boto_client: Any, cfg: S3Config, endpoint: str) -> None:
        if cfg.bucket is None:
            raise ConfigError(
                '[tool.pipelinekit.s3] bucket is not set. Add `bucket = "<name>"` to '
                "[tool.pipelinekit.s3] in pyproject.toml."
            )
        self.bucket: str = cfg.bucket
        self.cfg = cfg
        self.endpoint = endpoint
        self._s3 = boto_client

    @classmethod
    def from_config(cls, cfg: S3Config, env: Mapping[str, str]) -> S3Client:
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError

        session = _session(env)
        try:
            credentials = session.get_credentials()
        except BotoCoreError as exc:
            raise ConfigError(f"Cannot load AWS credentials: {exc}. {_CREDENTIALS_FIX}") from exc
        if credentials is None:
            raise ConfigError(f"No AWS credentials found. {_CREDENTIALS_FIX}")
        frozen = credentials.get_frozen_credentials()
        for secret in (frozen.access_key, frozen.secret_key, frozen.token):
            if secret:
                register_secret(secret)
        endpoint = (
            cfg.endpoint_url or env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL") or ""
        )
        region = (
            cfg.region
            or env.get("AWS_REGION")
            or env.get("AWS_DEFAULT_REGION")
            or session.region_name
            or "us-east-1"
        )
        config = Config(
            connect_timeout=cfg.connect_timeout,
            read_timeout=cfg.read_timeout,
            retries={"mode": "standard", "max_attempts": cfg.max_attempts},
            max_pool_connections=max(10, cfg.max_concurrency + 2),
            s3={"addressing_style": cfg.addressing_style},
            # Checksums only where we ask for them (ChecksumAlgorithm): the default would add a
            # CRC32 pass over every byte on top of the SHA256 we request.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            user_agent_extra="pipelinekit",
        )
        try:
            boto_client = session.client(
                "s3",
                endpoint_url=endpoint or None,
                region_name=region,
                config=config,
            )
        except (BotoCoreError, ValueError) as exc:
            raise ConfigError(
                f"Cannot set up an S3 client for endpoint {endpoint or 'AWS'!r}, region "
                f"{region!r}: {exc}. Check [tool.pipelinekit.s3] endpoint_url and region."
            ) from exc
        return cls(boto_client, cfg, endpoint or f"AWS S3 ({region})")

    # -- reads -------------------------------------------------------------------------------

    def check_bucket(self) -> None:
        """Fail early, before any byte is sent: some servers (SeaweedFS) silently create a
        missing bucket on the first PUT, which would hide a typo in the config."""
        self._call("check bucket", "", lambda: self._s3.head_bucket(Bucket=self.bucket))

    def head(self, key: str) -> ObjectInfo | None:
        try:
            resp = self._call(
                "read",
                key,
                lambda: self._s3.head_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED"),
                missing_ok=True,
            )
        except _Missing:
            return None
        return ObjectInfo(
            key=key,
            size=int(resp.get("ContentLength", 0)),
            etag=resp.get("ETag"),
            checksum=_checksum(resp),
        )

    def get_bytes(self, key: str) -> bytes | None:
        try:
            resp = self._call(
                "read",
                key,
                lambda: self._s3.get_object(Bucket=self.bucket, Key=key),
                missing_ok=True,
            )
        except _Missing:
            return None
        return bytes(self._call("read", key, resp["Body"].read))

    def list_objects(self, prefix: str) -> list[ObjectInfo]:
        """Every object under `prefix` (paginated)."""
        paginator = self._s3.get_paginator("list_objects_v2")
        pages = paginator.paginate(Bucket=self.bucket, Prefix=prefix)
        objects: list[ObjectInfo] = self._call("list", prefix, lambda: list(_objects(pages)))
        return objects

    def abort_uploads(self, prefix: str) -> int:
        """Abort unfinished multipart uploads under `prefix` (an interrupted earlier run)."""
        resp = self._call(
            "list uploads under",
            prefix,
            lambda: self._s3.list_multipart_uploads(Bucket=self.bucket, Prefix=prefix),
        )
        uploads = resp.get("Uploads", [])
        for upload in uploads:
            key, upload_id = upload["Key"], upload["UploadId"]
            self._call(
                "abort an unfinished upload of",
                key,
                lambda k=key, u=upload_id: self._s3.abort_multipart_upload(
                    Bucket=self.bucket, Key=k, UploadId=u
                ),
                missing_ok=True,
            )
        return len(uploads)

    # -- writes ------------------------------------------------------------------------------

    def transfer_config(self) -> Any:
        """s3transfer's settings, for downloads (uploads go through `multipart.py`)."""
        from boto3.s3.transfer import TransferConfig

        return TransferConfig(
            multipart_threshold=self.cfg.multipart_threshold_mb * MB,
            multipart_chunksize=self.cfg.multipart_chunk_mb * MB,
            max_concurrency=self.cfg.max_concurrency,
            use_threads=True,
            preferred_transfer_client="classic",
        )

    def _write_args(self, content_type: str) -> dict[str, str]:
        extra = {"ContentType": content_type}
        if self.cfg.checksum_algorithm != "none":
            extra["ChecksumAlgorithm"] = self.cfg.checksum_algorithm
        return extra

    def _condition(self, conditional: bool) -> dict[str, str]:
        """The `If-None-Match: *` of a write that must not replace an existing object."""
        return {"IfNoneMatch": "*"} if conditional and self.cfg.conditional_writes else {}

    def upload_file(self, path: Path, key: str, *, conditional: bool) -> Uploaded:
        """Upload one file (multipart above the threshold), hashing it on the way out.

        Raises PreconditionFailed when `conditional` and the key already exists.
        """
        before = Fingerprint.of(path)
        size = before.size
        try:
            if size < self.cfg.multipart_threshold_mb * MB:
                with path.open("rb") as fh:  # streamed: the threshold may be gigabytes
                    sha256 = hashlib.file_digest(fh, "sha256").hexdigest()
                    fh.seek(0)
                    self._put(key, fh, "application/octet-stream", conditional)
                before.check(path)
            else:
                sha256 = self._multipart(path, key, before, conditional)
        except FileChanged:
            raise UsageError(
                f"{path} changed while it was being uploaded to {self._where(key)}, so its "
                "sha256 would not describe what was stored; nothing was released. Let whatever "
                "writes it finish, then run the upload again."
            ) from None
        info = self.head(key)
        if info is None or info.size != size:
            raise ExternalError(
                f"{self._where(key)}: the upload reported success but the object is "
                f"{'missing' if info is None else f'{info.size} bytes, not {size}'}. The server "
                "lost data; check its health and run the upload again."
            )
        return Uploaded(size=size, sha256=sha256, info=info)

    def _multipart(self, path: Path, key: str, before: Fingerprint, conditional: bool) -> str:
        args = self._write_args("application/octet-stream")
        created = self._call(
            "upload",
            key,
            lambda: self._s3.create_multipart_upload(Bucket=self.bucket, Key=key, **args),
        )
        upload_id = created["UploadId"]
        algorithm = args.get("ChecksumAlgorithm")
        checksum = {"ChecksumAlgorithm": algorithm} if algorithm else {}

        def send(number: int, body: bytes | bytearray) -> dict[str, Any]:
            resp = self._s3.upload_part(
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                PartNumber=number,
                Body=body,
                **checksum,
            )
            part = {"PartNumber": number, "ETag": resp["ETag"]}
            if resp.get(f"Checksum{algorithm}"):
                part[f"Checksum{algorithm}"] = resp[f"Checksum{algorithm}"]
            return part

        plan = Plan.for_size(before.size, self.cfg.multipart_chunk_mb * MB)
        try:
            parts, sha256 = self._call(
                "upload",
                key,
                lambda: upload_parts(path, before, plan, send, self.cfg.max_concurrency),
            )
            self._call(
                "upload",
                key,
                lambda: self._s3.complete_multipart_upload(
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=upload_id,
                    MultipartUpload={"Parts": parts},
                    **self._condition(conditional),
                ),
                conditional=conditional,
            )
        except BaseException:
            self._abort(key, upload_id)
            raise
        return str(sha256)

    def _abort(self, key: str, upload_id: str) -> None:
        """Best effort: a push also aborts every stale upload of its version before starting."""
        with contextlib.suppress(Exception):  # the original error is what the user must see
            self._s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)

    def _put(self, key: str, data: bytes | BinaryIO, content_type: str, conditional: bool) -> None:
        args = self._write_args(content_type) | self._condition(conditional)
        self._call(
            "write",
            key,
            lambda: self._s3.put_object(Bucket=self.bucket, Key=key, Body=data, **args),
            conditional=conditional,
        )

    def put_bytes(self, key: str, data: bytes, *, conditional: bool) -> ObjectInfo | None:
        """A small object in one request; raises PreconditionFailed like `upload_file`."""
        self._put(key, data, "application/json", conditional)
        return self.head(key)

    def download(self, key: str, sink: BinaryIO) -> None:
        """Into a seekable file: s3transfer writes ranged parts in place. (Its path for
        non-seekable sinks buffers parts in memory and, in s3transfer 0.19, can deadlock
        when the first part's callback schedules the rest on a small thread pool.)"""
        self._call(
            "download",
            key,
            lambda: self._s3.download_fileobj(
                self.bucket, key, sink, Config=self.transfer_config()
            ),
        )

    # -- errors ------------------------------------------------------------------------------

    def _where(self, key: str) -> str:
        return f"s3://{self.bucket}/{key} at {self.endpoint}"

    def _call(
        self,
        action: str,
        key: str,
        func: Any,
        *,
        missing_ok: bool = False,
        conditional: bool = False,
    ) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return func()
        except ClientError as exc:
            err = exc.response.get("Error", {})
            code = str(err.get("Code", ""))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if conditional and (code == "PreconditionFailed" or status == 412):
                raise PreconditionFailed(key) from exc
            if code == "NoSuchBucket" or (code in ("404", "NotFound") and not key):
                raise self._bucket_missing() from exc
            if missing_ok and code in ("404", "NoSuchKey", "NotFound", "NoSuchUpload"):
                raise _Missing from exc
            message = str(err.get("Message", ""))
            raise self._client_error(action, key, code, status, message, exc) from exc
        except BotoCoreError as exc:
            raise ExternalError(
                f"Cannot {action} {self._where(key)}: {type(exc).__name__}: {exc}. Check that "
                "the endpoint is reachable from here ([tool.pipelinekit.s3] endpoint_url, proxy, "
                f"firewall); timeouts are {self.cfg.connect_timeout:g} s to connect and "
                f"{self.cfg.read_timeout:g} s to read."
            ) from exc

    def _bucket_missing(self) -> ExternalError:
        return ExternalError(
            f"Bucket {self.bucket!r} does not exist at {self.endpoint}. Create it (e.g. `aws "
            f"s3 mb s3://{self.bucket}`) or correct [tool.pipelinekit.s3] bucket / endpoint_url"
            "; nothing was uploaded."
        )

    def _client_error(
        self, action: str, key: str, code: str, status: Any, message: str, exc: Exception
    ) -> PipelinekitError:
        where = self._where(key)
        if code in _AUTH_CODES:
            return ExternalError(
                f"The S3 server refused to {action} {where}: {code} ({message or status}). The "
                "credentials from the AWS chain are wrong, expired or lack permission for this "
                "bucket: check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) and the "
                "bucket policy."
            )
        if code == "NotImplemented" and self.cfg.conditional_writes:
            return ExternalError(
                f"The S3 server cannot {action} {where}: NotImplemented ({message}). It may not "
                "support conditional writes (If-None-Match); set [tool.pipelinekit.s3] "
                "conditional_writes = false to rely on a check before writing instead."
            )
        return ExternalError(
            f"Cannot {action} {where}: {code or type(exc).__name__} ({message or status}). "
            "Check the server's health and run the command again."
        )


class _Missing(Exception):
    """A 404 the caller treats as an answer, not an error."""


_CREDENTIALS_FIX = (
    "Provide them the standard AWS way: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (in CI: "
    "masked variables or Jenkins withCredentials), AWS_PROFILE, or an instance/CI role. "
    "pipelinekit never reads credentials from its config files."
)


def _session(env: Mapping[str, str]) -> Any:
    import boto3
    from botocore.exceptions import ProfileNotFound

    key, secret = env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")
    try:
        if key and secret:
            return boto3.session.Session(
                aws_access_key_id=key,
                aws_secret_access_key=secret,
                aws_session_token=env.get("AWS_SESSION_TOKEN") or None,
            )
        return boto3.session.Session(profile_name=env.get("AWS_PROFILE") or None)
    except ProfileNotFound as exc:
        raise ConfigError(f"{exc}. {_CREDENTIALS_FIX}") from exc


def _checksum(resp: Mapping[str, Any]) -> str | None:
    for algorithm in ("SHA256", "CRC32", "CRC32C", "CRC64NVME", "SHA1"):
        value = resp.get(f"Checksum{algorithm}")
        if value:
            return f"{algorithm}:{value}"
    return None


def _objects(pages: Any) -> Iterator[ObjectInfo]:
    for page in pages:
        for item in page.get("Contents", []):
            yield ObjectInfo(key=item["Key"], size=int(item["Size"]), etag=item.get("ETag"))
