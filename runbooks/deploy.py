"""05 deploy: the Pulumi program in ``infra/`` deployed to the target, its outputs, and ``/health``.

The deploy itself is ``infra.deploy`` (the Pulumi CLI through the Automation API on AWS, the local
deploy engine on the embedded cloud); this module hands it the target and reads the outputs back.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any, TextIO

from runbooks.target import Target, apply_environment


class DeployCheckError(RuntimeError):
    """The stack's outputs do not allow a check; the message says what is missing."""


class _Tee(io.TextIOBase):
    """Shows the deploy's progress as it happens and keeps it for the summary."""

    def __init__(self, shown: TextIO) -> None:
        self.shown, self.kept = shown, io.StringIO()

    def write(self, text: str) -> int:
        self.shown.write(text)
        return self.kept.write(text)

    def flush(self) -> None:
        self.shown.flush()


@dataclass(frozen=True)
class DeployRun:
    log: str
    outputs: dict[str, Any]
    changes: dict[str, int] | None = None  # preview: counts by operation

    @property
    def summary(self) -> str:
        """The deploy's closing lines (the engine's or the Pulumi CLI's resource summary)."""
        if self.changes is not None:
            return "preview: " + ", ".join(f"{n} to {op}" for op, n in sorted(self.changes.items()))
        lines = [line for line in self.log.splitlines() if line.strip()]
        return "\n".join(lines[-1:])


def run(tgt: Target, stack: str, *, preview: bool = False) -> DeployRun:
    """Deploy (or preview) ``stack`` on the target with ``infra.deploy``; its progress is printed live."""
    from infra import deploy as infra_deploy

    apply_environment(tgt)
    tee = _Tee(sys.stdout)
    with contextlib.redirect_stdout(tee):
        if preview:
            changes = infra_deploy.preview(stack, tgt.name)
            return DeployRun(tee.kept.getvalue(), {}, dict(changes))
        values = infra_deploy.deploy(stack, tgt.name)
    return DeployRun(tee.kept.getvalue(), dict(values))


def outputs(tgt: Target, stack: str) -> dict[str, Any]:
    """The outputs saved by the stack's last deploy (nothing is deployed)."""
    from infra import deploy as infra_deploy

    apply_environment(tgt)
    return dict(infra_deploy.outputs(stack, tgt.name))


def outputs_table(values: dict[str, Any]) -> str:
    if not values:
        return "(no outputs: the stack has not been deployed)"
    width = max(len(k) for k in values)
    return "\n".join(
        f"{k:<{width}}  {v if isinstance(v, str) else json.dumps(v)}" for k, v in sorted(values.items())
    )


@dataclass(frozen=True)
class Health:
    url: str
    status: int
    body: Any


def check_health(values: dict[str, Any], timeout_s: float = 10.0) -> Health:
    """``GET <httpApiUrl>/health``: the one route without authentication."""
    base = values.get("httpApiUrl")
    if not base:
        raise DeployCheckError("the stack has no httpApiUrl output: deploy it first (step 1)")
    url = f"{str(base).rstrip('/')}/health"
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    try:
        body: Any = json.loads(raw)
    except ValueError:
        body = raw.decode(errors="replace")
    return Health(url, status, body)


@dataclass(frozen=True)
class Execution:
    status: str
    output: Any


def run_state_machine(
    tgt: Target, arn: str, payload: dict[str, Any] | None = None, timeout_s: float = 60.0
) -> Execution:
    """Start an execution of the state machine ``arn`` and wait for its end."""
    sfn = tgt.client("stepfunctions")
    # A name of our own: the emulator would otherwise give every execution the same one.
    name = f"runbook-{uuid.uuid4()}"
    execution = sfn.start_execution(stateMachineArn=arn, name=name, input=json.dumps(payload or {}))[
        "executionArn"
    ]
    deadline = time.monotonic() + timeout_s
    while True:
        described = sfn.describe_execution(executionArn=execution)
        if described["status"] != "RUNNING":
            break
        if time.monotonic() > deadline:
            raise DeployCheckError(f"execution {execution} still running after {timeout_s:.0f} s")
        time.sleep(0.2)
    raw = described.get("output")
    return Execution(described["status"], json.loads(raw) if raw else described.get("error"))
