"""Reading ``endpoints.json``: the one place clients learn where the embedded cloud listens."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from localcloud.config import default_state_dir

# Credentials the emulator accepts; they never leave the machine.
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


class CloudNotRunning(RuntimeError):
    """The embedded cloud has no endpoints file: it was never started here, or was stopped."""


class EndpointsUnreadable(CloudNotRunning):
    """``endpoints.json`` exists but is not what the daemon writes (truncated, edited, another format)."""


@dataclass(frozen=True)
class Endpoints:
    edge: str
    opensearch: str
    gateway: str
    region: str
    account_id: str
    pid: int

    def aws_environment(self) -> dict[str, str]:
        """Environment variables that point boto3 (and the AWS CLI) at the emulator."""
        return {
            "AWS_ENDPOINT_URL": self.edge,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            **DUMMY_CREDENTIALS,
        }


def load(state_dir: Path | None = None) -> Endpoints:
    path = (state_dir or default_state_dir()) / "endpoints.json"
    if not path.exists():
        raise CloudNotRunning(f"no embedded cloud at {path.parent}: start it with `make up`")
    try:
        data = json.loads(path.read_text())
        eps = Endpoints(**{k: data[k] for k in Endpoints.__dataclass_fields__})
        pid = int(eps.pid)
    except (OSError, ValueError, KeyError, TypeError) as err:
        problem = f"missing key {err}" if isinstance(err, KeyError) else str(err)
        raise EndpointsUnreadable(
            f"{path} is unreadable ({problem}): the daemon writes it when it starts, so restart the "
            "embedded cloud with `python -m localcloud down` then `python -m localcloud up`"
        ) from None
    if not pid_alive(pid):
        # The daemon removes the file when it stops: it crashed or was killed, and every request to its
        # endpoints would fail with "could not connect".
        raise CloudNotRunning(
            f"the embedded cloud of {path.parent} is not running any more (its process {pid} is gone: it "
            "crashed or was killed): start it again with `make up` (python -m localcloud up)"
        )
    return eps


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs. A zombie (exited, not yet reaped by its parent) counts as
    gone; 0 and negative numbers name process groups, not a process, so they count as gone too."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    except (OverflowError, ValueError):
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return True  # no /proc (macOS): kill() said it exists
