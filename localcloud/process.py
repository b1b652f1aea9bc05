"""Starting, finding and stopping the embedded cloud's process tree."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from localcloud import endpoints as endpoints_file
from localcloud.config import CloudConfig

READY_TIMEOUT_S = 30.0
# moto's configuration: answered at once whatever the emulator holds (the dashboard's data.json
# serialises every resource, which grows with the stack).
EDGE_HEALTH_PATH = "/moto-api/config"


class PortInUse(RuntimeError):
    """A port the embedded cloud needs is taken by another program."""


class StartFailed(RuntimeError):
    """The embedded cloud's process exited or did not become ready."""


@dataclass(frozen=True)
class UpResult:
    pid: int
    already_running: bool
    seconds: float


def _is_daemon(pid: int, cfg: CloudConfig) -> bool:
    """Whether ``pid`` is *this* state dir's embedded-cloud daemon. After a reboot a stale pid file may
    name any process, and a copied state dir may name another instance's daemon: neither is ours to stop."""
    if not os.path.isdir("/proc"):
        return True  # nothing to ask (macOS): trust the pid file
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            args = f.read().decode(errors="replace").split("\0")
    except OSError:
        return False
    if "localcloud.daemon" not in args:
        return False
    try:  # the daemon's one argument is its config (``CloudConfig.to_json``)
        config_arg = json.loads(args[args.index("localcloud.daemon") + 1])
        return Path(config_arg["state_dir"]).resolve() == Path(cfg.state_dir).resolve()
    except (IndexError, ValueError, KeyError, TypeError):
        return False


def running_pid(cfg: CloudConfig) -> int | None:
    """The daemon's pid when it runs, else None (a stale pid file is removed)."""
    try:
        pid = int(cfg.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    if endpoints_file.pid_alive(pid) and _is_daemon(pid, cfg):
        return pid
    cfg.pid_file.unlink(missing_ok=True)
    return None


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _edge_ready(cfg: CloudConfig) -> bool:
    try:
        with urllib.request.urlopen(f"{cfg.edge_url}{EDGE_HEALTH_PATH}", timeout=1) as resp:
            return 200 <= resp.status < 300
    except OSError:
        return False


def up(cfg: CloudConfig) -> UpResult:
    """Start the daemon detached and wait until every component answers; a no-op when it runs."""
    started = time.monotonic()
    pid = running_pid(cfg)
    if pid is not None:
        return UpResult(pid, already_running=True, seconds=0.0)
    for name, port in cfg.ports().items():
        if not _port_free(cfg.host, port):
            raise PortInUse(
                f"port {port} ({name}) on {cfg.host} is in use by another program: stop it, or choose "
                f"another port with LOCALCLOUD_{name.upper()}_PORT"
            )
    cfg.logs_dir.mkdir(parents=True, exist_ok=True)
    cfg.endpoints_file.unlink(missing_ok=True)
    with open(cfg.logs_dir / "daemon.out", "ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "localcloud.daemon", cfg.to_json()],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: `down` stops the whole tree at once
            cwd=cfg.state_dir,
        )
    cfg.pid_file.write_text(f"{proc.pid}\n")
    deadline = started + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            cfg.pid_file.unlink(missing_ok=True)
            raise StartFailed(
                f"the embedded cloud exited with code {proc.returncode}; "
                f"see {cfg.logs_dir / 'localcloud.log'}"
            )
        if cfg.endpoints_file.exists() and _edge_ready(cfg):
            return UpResult(proc.pid, already_running=False, seconds=time.monotonic() - started)
        time.sleep(0.05)
    _stop_group(proc.pid)
    cfg.pid_file.unlink(missing_ok=True)
    raise StartFailed(f"the embedded cloud was not ready after {READY_TIMEOUT_S:.0f} s; see {cfg.logs_dir}")


def _stop_group(pid: int, grace_s: float = 10.0) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and endpoints_file.pid_alive(pid):
        time.sleep(0.05)
    # Whatever is left of the group (workers, the OpenSearch server) goes now.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def down(cfg: CloudConfig) -> bool:
    """Stop the daemon and its process group. False when nothing was running."""
    pid = running_pid(cfg)
    if pid is None:
        return False
    _stop_group(pid)
    cfg.pid_file.unlink(missing_ok=True)
    cfg.endpoints_file.unlink(missing_ok=True)
    return True


def health(cfg: CloudConfig) -> dict[str, dict[str, object]]:
    """Each endpoint with whether it answers (raises ``endpoints.CloudNotRunning`` without a usable
    ``endpoints.json``)."""
    eps = endpoints_file.load(cfg.state_dir)
    endpoints = {"edge": eps.edge, "opensearch": eps.opensearch, "gateway": eps.gateway}
    checks = {
        "edge": f"{eps.edge}{EDGE_HEALTH_PATH}",
        "opensearch": f"{eps.opensearch}/",
        "gateway": f"{eps.gateway}/_localcloud/health",
    }
    report: dict[str, dict[str, object]] = {}
    for name, url in checks.items():
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                healthy = 200 <= resp.status < 300
        except OSError:
            healthy = False
        report[name] = {"url": endpoints[name], "healthy": healthy}
    return report
