"""``python -m localcloud up | down | status | logs | reset``."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys

from localcloud import endpoints, process
from localcloud.config import CloudConfig, ConfigError
from localcloud.gateway import client as gateway_client


def _up(cfg: CloudConfig, _: argparse.Namespace) -> int:
    result = process.up(cfg)
    if result.already_running:
        print(f"embedded cloud: already running (pid {result.pid})")
    else:
        print(f"embedded cloud: ready in {result.seconds:.1f} s (pid {result.pid})")
    return _status(cfg, None)


def _down(cfg: CloudConfig, _: argparse.Namespace | None) -> int:
    print("embedded cloud: stopped" if process.down(cfg) else "embedded cloud: not running")
    return 0


def _status(cfg: CloudConfig, _: argparse.Namespace | None) -> int:
    pid = process.running_pid(cfg)
    if pid is None:
        print("embedded cloud: not running (start it with `make up`)")
        return 1
    print(f"embedded cloud: running (pid {pid}), endpoints in {cfg.endpoints_file}")
    try:
        checks = process.health(cfg)
    except endpoints.CloudNotRunning as err:
        print(f"  {err}")
        return 1
    unhealthy = 0
    for name, check in checks.items():
        state = "healthy" if check["healthy"] else "NOT ANSWERING"
        unhealthy += not check["healthy"]
        print(f"  {name:<11} {check['url']:<32} {state}")
    _print_apis(cfg)
    return 1 if unhealthy else 0


def _print_apis(cfg: CloudConfig) -> None:
    """The APIs the gateway serves, each on a port of its own."""
    try:
        apis = gateway_client.list_apis(endpoints.load(cfg.state_dir).gateway)
    except (OSError, ValueError) as err:
        print(f"  (the gateway did not list its APIs: {err})")
        return
    if not apis:
        print("  no HTTP or WebSocket API defined yet (deploy the stack: notebook 05)")
    for api in apis:
        management = f"  management {api['managementUrl']}" if api.get("managementUrl") else ""
        print(f"  api {api['name']:<24} {api['protocolType']:<9} {api['url']}{management}")


def _logs(cfg: CloudConfig, args: argparse.Namespace) -> int:
    files = sorted(cfg.logs_dir.glob("**/*.log"))
    if not files:
        print(f"no logs in {cfg.logs_dir}")
        return 0
    cmd = ["tail", "-n", str(args.lines)] + (["-F"] if args.follow else []) + [str(f) for f in files]
    return subprocess.call(cmd)


# What the embedded cloud writes in its state dir; ``reset`` removes these and nothing else, so a
# LOCALCLOUD_HOME pointed at a folder with other files in it (a home, a repository) loses none of them.
STATE_ENTRIES = (
    "logs",
    "lambda",
    "endpoints.json",
    "endpoints.tmp",
    "localcloud.pid",
    "gateway-ports.json",
    "gateway-ports.tmp",
)


def _reset(cfg: CloudConfig, _: argparse.Namespace) -> int:
    """Stop, forget every resource and log, start again empty."""
    process.down(cfg)
    for name in STATE_ENTRIES:
        path = cfg.state_dir / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    print(f"embedded cloud: state in {cfg.state_dir} removed")
    others = sorted(p.name for p in cfg.state_dir.iterdir()) if cfg.state_dir.is_dir() else []
    if others:
        print(f"  left in place (not the embedded cloud's): {', '.join(others)}")
    return _up(cfg, None)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localcloud", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="start in the background (a no-op when it runs)")
    sub.add_parser("down", help="stop everything it started")
    sub.add_parser("status", help="endpoints and their health")
    logs = sub.add_parser("logs", help="show the logs")
    logs.add_argument("-n", "--lines", type=int, default=50)
    logs.add_argument("-f", "--follow", action="store_true")
    sub.add_parser("reset", help="stop, remove all state, start empty")
    args = parser.parse_args(argv)
    commands = {"up": _up, "down": _down, "status": _status, "logs": _logs, "reset": _reset}
    try:
        cfg = CloudConfig()
        return commands[args.command](cfg, args)
    except (ConfigError, process.PortInUse, process.StartFailed) as err:
        print(f"embedded cloud: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the output was piped into `head` and closed: nothing to say
        return 1
    except OSError as err:  # the state dir is a file, unwritable, on a full disk...
        print(
            f"embedded cloud: {err.strerror or err} ({err.filename or 'the state dir'}): "
            "point LOCALCLOUD_HOME at a folder you can write to",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
