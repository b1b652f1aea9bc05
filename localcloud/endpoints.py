"""Reading ``endpoints.json``: the one place clients learn where the embedded cloud listens."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from localcloud.config import default_state_dir

# Credentials the emulator accepts; they never leave the machine.
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


class CloudNotRunning(RuntimeError):
    """The embedded cloud has no endpoints file: it was never started here, or was stopped."""


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
    data = json.loads(path.read_text())
    return Endpoints(**{k: data[k] for k in Endpoints.__dataclass_fields__})
