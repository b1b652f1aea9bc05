"""The child process of one deploy: runs the Pulumi program under the mock runtime with the local
provider, deletes what the program no longer declares, and reports every step as a JSON line.

A fresh process per deploy gives the program a clean Pulumi runtime and freshly imported modules.
Protocol: the request (JSON) on stdin; events (one JSON object per line) on the original stdout;
whatever the program prints goes to stderr."""

from __future__ import annotations

import json
import os
import runpy
import sys
import traceback
from pathlib import Path
from typing import Any, TextIO

import pulumi
from pulumi.runtime import settings
from pulumi.runtime.mocks import set_mocks
from pulumi.runtime.stack import massage, run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from localcloud.deploy import warmup
from localcloud.deploy.context import CloudContext
from localcloud.deploy.handlers import handler_for
from localcloud.deploy.provider import LocalProvider, RecordingMonitor, check_deletable
from localcloud.deploy.state import Record, deletion_order


def _config_string(value: Any) -> str:
    """Pulumi hands config to programs as strings; structured values as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


class EventStream:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def __call__(self, event: dict[str, Any]) -> None:
        self.out.write(json.dumps(event, default=str) + "\n")
        self.out.flush()


def _run_program(program_dir: Path, provider: Any, request: dict[str, Any]) -> tuple[dict, list[str]]:
    """Run ``program_dir/__main__.py`` as the Pulumi language host would (its folder as the working
    directory and first on the path); the resolved stack outputs and the names of the secret ones."""
    config = {k: _config_string(v) for k, v in request["config"].items()}
    config.setdefault("aws:region", request["region"])
    pulumi.runtime.set_all_config(config, request["secret_keys"])
    set_mocks(
        provider,
        project=request["project"],
        stack=request["stack"],
        preview=request.get("dry_run", False),
        monitor=RecordingMonitor(provider),
    )
    os.chdir(program_dir)
    sys.path.insert(0, str(program_dir))
    _sync_await(
        run_pulumi_func(lambda: runpy.run_path(str(program_dir / "__main__.py"), run_name="__main__"))
    )

    root = settings.get_root_resource()
    resolved: dict[str, Any] = {}
    secret: list[str] = []
    for name, value in root.outputs.items():
        output = pulumi.Output.from_input(massage(value, []))
        resolved[name] = _sync_await(output.future())
        if _sync_await(output.is_secret()):
            secret.append(name)
    return resolved, secret


def _delete(ctx: CloudContext, records: list[Record], emit: EventStream, op: str) -> None:
    for record in deletion_order(records):
        check_deletable(record)
        managed = record.get("custom") and not record["type"].startswith("pulumi:providers:")
        if managed and record.get("id") and not record.get("retainOnDelete"):
            handler_for(record["type"]).delete(ctx, record["id"], record["inputs"], record["outputs"])
        emit(
            {
                "event": "resource",
                "op": op,
                "urn": record["urn"],
                "type": record["type"],
                "quiet": not record.get("custom"),
            }
        )


def _phase(events: EventStream, name: str) -> None:
    """Marks for the parent's timings (``DeployResult.phases``)."""
    events({"event": "phase", "name": name})


def main(stdin: TextIO = sys.stdin) -> int:
    request = json.load(stdin)
    events = EventStream(os.fdopen(os.dup(sys.stdout.fileno()), "w"))
    sys.stdout = sys.stderr  # the program's prints must not mix with the events
    os.dup2(sys.stderr.fileno(), 1)

    ctx = CloudContext(
        endpoint=request["endpoint"],
        region=request["region"],
        account_id=request["account_id"],
        gateway_url=request.get("gateway_url"),
    )
    prior = {r["urn"]: r for r in request["prior"]}
    if not prior and not request.get("dry_run"):
        warmup.start(ctx)  # a fresh stack: get the emulator's slow first calls going now
    provider = LocalProvider(
        ctx, request["project"], request["stack"], prior, events, dry_run=request.get("dry_run", False)
    )
    try:
        if request.get("destroy"):
            _delete(ctx, list(prior.values()), events, "delete")
            events({"event": "done", "outputs": {}, "secretOutputs": []})
            return 0
        _phase(events, "start")
        outputs, secret = _run_program(Path(request["program_dir"]).resolve(), provider, request)
        _phase(events, "program")
        stale = [r for urn, r in prior.items() if urn not in provider.seen]
        if not request.get("dry_run"):
            _delete(ctx, stale, events, "delete")
            _delete(ctx, provider.replaced, events, "delete-replaced")
        else:
            for record in stale:
                events(
                    {
                        "event": "resource",
                        "op": "delete",
                        "urn": record["urn"],
                        "type": record["type"],
                        "quiet": not record.get("custom"),
                    }
                )
        _phase(events, "done")
        events({"event": "done", "outputs": outputs, "secretOutputs": secret})
        return 0
    except BaseException as exc:
        events(
            {
                "event": "error",
                "kind": type(exc).__name__,
                "message": str(exc),
                "token": getattr(exc, "token", None),
                "traceback": traceback.format_exc(),
            }
        )
        return 1


if __name__ == "__main__":
    status = main()
    sys.stderr.flush()
    # Everything is reported and flushed: skip the interpreter's teardown of the Pulumi runtime (its
    # executor threads and event loop take most of a second to wind down).
    os._exit(status)
