"""Pushes received by a real Prometheus Pushgateway (Debian's prometheus-pushgateway, started
on a free loopback port by the test and stopped by PID), read back from its /api/v1/metrics."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelinekit.errors import ExternalError
from pipelinekit.metrics import prometheus
from tests.support.pushgateway import free_port, groups

REPO_ROOT = Path(__file__).resolve().parents[2]
JANUARY = ["--since", "2024-01-01", "--until", "2024-02-01"]


def pipelinekit(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("CI_", "BRANCH_NAME"))}
    environ.pop("PIPELINEKIT_PUSHGATEWAY", None)
    environ.update(PYTHONPATH=str(REPO_ROOT), **env)
    return subprocess.run(
        [sys.executable, "-m", "pipelinekit", *args],
        cwd=cwd, env=environ, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def group(url: str, **labels: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    found = [g for g in groups(url) if all(g["labels"].get(k) == v for k, v in labels.items())]
    assert len(found) == 1, groups(url)
    assert found[0]["labels"]["job"] == "pipelinekit"
    return found[0]["metrics"]


def value(
    metrics: dict[str, list[tuple[dict[str, str], float]]], name: str, **labels: str
) -> float:
    samples = [v for sample_labels, v in metrics[name] if labels.items() <= sample_labels.items()]
    assert len(samples) == 1, metrics[name]
    return samples[0]


def test_metrics_push_sends_the_four_keys(edge_repo: Path, gateway: str) -> None:
    done = pipelinekit("metrics", "--format", "json", *JANUARY, "--push", gateway, cwd=edge_repo)
    assert done.returncode == 0, done.stderr
    assert "pushed the four keys of demo" in done.stderr
    metrics = group(gateway, project="demo")
    assert all(name.startswith("pipelinekit_") for name in metrics if "push_" not in name)
    assert value(metrics, "pipelinekit_deployments") == 5
    assert value(metrics, "pipelinekit_lead_time_seconds", quantile="0.5") == 35 * 3600
    assert value(metrics, "pipelinekit_lead_time_seconds", quantile="0.9") == pytest.approx(
        57.2 * 3600
    )
    assert value(metrics, "pipelinekit_change_failure_ratio") == pytest.approx(0.4)
    assert value(metrics, "pipelinekit_time_to_restore_seconds") == 44.5 * 3600


def test_push_without_url_uses_the_environment(edge_repo: Path, gateway: str) -> None:
    done = pipelinekit(
        "metrics", *JANUARY, "--format", "prometheus", "--push", cwd=edge_repo,
        PIPELINEKIT_PUSHGATEWAY=gateway,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert 'pipelinekit_deployments{project="demo"} 5.0' in done.stdout
    assert value(group(gateway, project="demo"), "pipelinekit_deployments") == 5
    missing = pipelinekit("metrics", *JANUARY, "--push", cwd=edge_repo)
    assert missing.returncode == 2 and "PIPELINEKIT_PUSHGATEWAY" in missing.stderr


def tiny_project(folder: Path, source: str = "x = 1\n", config: str = "") -> Path:
    (folder / "tiny").mkdir(parents=True)
    (folder / "tiny" / "__init__.py").write_text(source)
    (folder / "pyproject.toml").write_text(f'[project]\nname = "tiny"\nversion = "0.1.0"\n{config}')
    return folder


def test_each_stage_run_pushes_its_duration_and_result(tmp_path: Path, gateway: str) -> None:
    good = tiny_project(tmp_path / "good")
    done = pipelinekit(
        "stage", "lint", cwd=good, PIPELINEKIT_PUSHGATEWAY=gateway, CI_COMMIT_REF_NAME="feat/x"
    )
    assert done.returncode == 0, done.stderr
    metrics = group(gateway, project="tiny", stage="lint", branch="feat/x")
    assert value(metrics, "pipelinekit_stage_success") == 1
    assert value(metrics, "pipelinekit_stage_status", status="passed") == 1
    assert 0 < value(metrics, "pipelinekit_stage_duration_seconds") < 60

    bad = tiny_project(tmp_path / "bad", "print(undefined_name)\n")
    failed = pipelinekit(
        "stage", "lint", cwd=bad, PIPELINEKIT_PUSHGATEWAY=gateway, BRANCH_NAME="main"
    )
    assert failed.returncode == 1, failed.stderr
    metrics = group(gateway, project="tiny", stage="lint", branch="main")
    assert value(metrics, "pipelinekit_stage_success") == 0
    assert value(metrics, "pipelinekit_stage_status", status="failed") == 1


def test_the_configured_gateway_is_used(tmp_path: Path, gateway: str) -> None:
    project = tiny_project(
        tmp_path / "p", config=f'\n[tool.pipelinekit.metrics]\npushgateway = "{gateway}"\n'
    )
    done = pipelinekit("stage", "lint", cwd=project, CI_COMMIT_TAG="v1.0.0")
    assert done.returncode == 0, done.stderr
    assert value(group(gateway, stage="lint", branch="v1.0.0"), "pipelinekit_stage_success") == 1


def test_a_gateway_that_is_down_is_a_warning_not_a_failed_stage(tmp_path: Path) -> None:
    project = tiny_project(tmp_path / "p")
    down = f"http://ci:s3cr3t-pass@127.0.0.1:{free_port()}"
    done = pipelinekit("stage", "lint", cwd=project, PIPELINEKIT_PUSHGATEWAY=down)
    assert done.returncode == 0
    assert "[passed] lint" in done.stdout
    assert "warning: stage metrics not pushed" in done.stderr
    assert "s3cr3t-pass" not in done.stderr + done.stdout


def test_metrics_push_to_a_gateway_that_is_down_is_exit_3(edge_repo: Path) -> None:
    done = pipelinekit(
        "metrics", *JANUARY, "--push", f"http://127.0.0.1:{free_port()}", cwd=edge_repo
    )
    assert done.returncode == 3
    assert "did not take the metrics" in done.stderr and "Traceback" not in done.stderr


def test_credentials_in_the_url_become_basic_auth() -> None:
    gateway, handler = prometheus._gateway("https://ci:p%40ss@gw.example.com:9091/base")
    assert gateway == "https://gw.example.com:9091/base"
    assert handler is not None and handler.__name__ == "handler"
    plain, default = prometheus._gateway("http://gw:9091")
    assert plain == "http://gw:9091" and default.__name__ == "default_handler"
    registry = prometheus.stage_registry("error", 1.5, 0.0)
    with pytest.raises(ExternalError, match="did not take"):
        prometheus.push(f"http://u:pw-xyz@127.0.0.1:{free_port()}", registry, {"a": "b"}, timeout=2)
