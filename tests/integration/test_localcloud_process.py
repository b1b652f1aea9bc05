"""``python -m localcloud up | down``: a second ``up`` is a no-op, a taken port is a clear error, ``down``
stops every process it started and says so when nothing runs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import pytest

from localcloud import process, testing
from localcloud.config import CloudConfig
from tests.fixtures.lambdas import create_function

pytestmark = pytest.mark.integration


def cli(cfg: CloudConfig, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "LOCALCLOUD_HOME": str(cfg.state_dir),
        "LOCALCLOUD_EDGE_PORT": str(cfg.edge_port),
        "LOCALCLOUD_OPENSEARCH_PORT": str(cfg.opensearch_port),
        "LOCALCLOUD_GATEWAY_PORT": str(cfg.gateway_port),
    }
    return subprocess.run(
        [sys.executable, "-m", "localcloud", *args], env=env, capture_output=True, text=True, timeout=60
    )


def process_group(pgid: int) -> set[int]:
    """Every live process of a process group (zombies excluded)."""
    members = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(") ", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.add(int(entry.name))
    return members


def test_up_when_running_is_a_noop_that_says_so(cloud: Any) -> None:
    cfg, eps = cloud

    again = process.up(cfg)
    result = cli(cfg, "up")

    assert again.already_running and again.pid == eps.pid
    assert f"already running (pid {eps.pid})" in result.stdout
    assert process.running_pid(cfg) == eps.pid


def test_port_in_use_is_a_clear_error_naming_the_port(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        cfg = CloudConfig(
            state_dir=tmp_path,
            edge_port=port,
            opensearch_port=process.free_port(),
            gateway_port=process.free_port(),
        )

        result = cli(cfg, "up")

    assert result.returncode == 2
    assert f"port {port} (edge)" in result.stderr
    assert "in use" in result.stderr
    assert process.running_pid(cfg) is None


def test_down_when_nothing_runs_says_so(tmp_path: Path) -> None:
    cfg = testing.private_config(tmp_path)

    result = cli(cfg, "down")

    assert result.returncode == 0
    assert "not running" in result.stdout


def test_down_leaves_no_process_behind(tmp_path: Path) -> None:
    with testing.running_cloud(tmp_path / "cloud") as (cfg, eps), testing.aws_environment(eps):
        lam = boto3.client("lambda")
        lam.invoke(FunctionName=create_function(lam, "basic", "app.fast"), Payload=b"{}")
        started = process_group(eps.pid)
        # the daemon, the OpenSearch server and the function's warm worker
        assert len(started) >= 3

        result = cli(cfg, "down")

        assert result.returncode == 0
        assert "stopped" in result.stdout
        deadline = time.monotonic() + 5
        while process_group(eps.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process_group(eps.pid) == set()
        assert not cfg.pid_file.exists()
        assert not cfg.endpoints_file.exists()


def test_status_stays_healthy_once_functions_exist(cloud: Any, cloud_env: Any) -> None:
    # given a Lambda function in the emulator (moto's dashboard once tried Docker for each function)
    cfg, eps = cloud
    create_function(boto3.client("lambda"), "basic", "app.handler")

    # when the status is asked for, and moto's dashboard data is read
    report = process.health(cfg)
    with urllib.request.urlopen(f"{eps.edge}/moto-api/data.json", timeout=10) as resp:
        dashboard_status = resp.status

    # then every component answers
    assert all(check["healthy"] for check in report.values()), report
    assert dashboard_status == 200
