"""Cloud portability: S3 code that names its endpoint, region or bucket in the source runs
against one provider and one account. Read them from configuration (environment, arguments,
a settings file) and the same code runs on AWS, MinIO, Ceph or SeaweedFS."""

from __future__ import annotations

import ast

from pipelinekit.audit.model import Check, Hit, Skip
from pipelinekit.audit.repo import AuditRepo

SECTION = "cloud"

S3_LIBRARIES = frozenset(
    {"boto3", "botocore", "aiobotocore", "s3fs", "fsspec", "smart_open", "minio", "awswrangler"}
    | {"cloudpathlib", "s3path", "pyarrow"}
)
SETTINGS = {
    "endpoint_url": "endpoint",
    "endpoint": "endpoint",
    "region_name": "region",
    "region": "region",
    "Bucket": "bucket",
    "bucket": "bucket",
    "bucket_name": "bucket",
}
"""Keyword or dict key -> what it configures."""


def s3_hardcoded(repo: AuditRepo) -> list[Hit]:
    users = [f for f in repo.python_files if repo.imports_of(f, S3_LIBRARIES)]
    if not users:
        raise Skip("no S3 client library is used")
    out = []
    for path in users:
        tree = repo.tree(path)
        if tree is None:
            continue
        constants = _constants(tree)
        for node in ast.walk(tree):
            for name, value in _settings(node):
                what = SETTINGS[name]
                if isinstance(value, ast.Name) and value.id in constants:
                    # `ENDPOINT = "https://..."` at the top, `endpoint_url=ENDPOINT` below:
                    # as hard-coded, and found where the literal is written
                    literal = constants[value.id]
                    hit = _hit(path, literal.lineno, what, f"{name}={value.id} = {literal.value!r}")
                    if hit not in out:
                        out.append(hit)
                elif (
                    isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value
                ):
                    out.append(_hit(path, value.lineno, what, f"{name}={value.value!r}"))
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value.startswith("s3://")
                and len(node.value) > len("s3://")
            ):
                out.append(_hit(path, node.lineno, "bucket", repr(node.value)))
    return out


def _constants(tree: ast.Module) -> dict[str, ast.Constant]:
    """Module-level names bound once to a non-empty string literal (`BUCKET = "acme"`)."""
    bound: dict[str, list[ast.expr]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    bound.setdefault(target.id, []).append(node.value)
    return {
        name: values[0]
        for name, values in bound.items()
        if len(values) == 1
        and isinstance(values[0], ast.Constant)
        and isinstance(values[0].value, str)
        and values[0].value
    }


def _settings(node: ast.AST) -> list[tuple[str, ast.expr]]:
    if isinstance(node, ast.Call):
        return [(k.arg, k.value) for k in node.keywords if k.arg in SETTINGS]
    if isinstance(node, ast.Dict):
        return [
            (k.value, v)
            for k, v in zip(node.keys, node.values, strict=True)
            if isinstance(k, ast.Constant) and isinstance(k.value, str) and k.value in SETTINGS
        ]
    return []


def _hit(path: str, line: int, what: str, literal: str) -> Hit:
    return Hit(
        "major" if what == "endpoint" else "minor",
        path,
        line,
        f"hard-coded S3 {what} ({literal}): read it from the environment or configuration "
        "(AWS_ENDPOINT_URL, AWS_DEFAULT_REGION, a setting for the bucket) so the code runs "
        "against another provider or account unchanged",
    )


CHECKS = (
    Check(
        "s3-hardcoded",
        SECTION,
        "S3 endpoint, region and bucket come from configuration",
        "An endpoint, region or bucket written into the code ties it to one provider and one "
        "account; boto3 and s3fs read AWS_ENDPOINT_URL and AWS_DEFAULT_REGION, and a bucket is "
        "a setting, so the same code runs on AWS, MinIO or Ceph.",
        s3_hardcoded,
    ),
)
