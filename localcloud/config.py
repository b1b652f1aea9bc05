"""Where the embedded cloud keeps its files and which ports it listens on."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

DEFAULT_REGION = "eu-north-1"
# moto's default account; every ARN the emulator returns carries it.
DEFAULT_ACCOUNT_ID = "123456789012"


def default_state_dir() -> Path:
    """``$LOCALCLOUD_HOME`` or ``.localcloud`` in the current directory."""
    return Path(os.environ.get("LOCALCLOUD_HOME") or Path.cwd() / ".localcloud").resolve()


@dataclass(frozen=True)
class CloudConfig:
    """Settings of one embedded-cloud instance (the CLI's, or a test session's on free ports)."""

    state_dir: Path = field(default_factory=default_state_dir)
    host: str = "127.0.0.1"
    edge_port: int = int(os.environ.get("LOCALCLOUD_EDGE_PORT", "4566"))
    opensearch_port: int = int(os.environ.get("LOCALCLOUD_OPENSEARCH_PORT", "4567"))
    gateway_port: int = int(os.environ.get("LOCALCLOUD_GATEWAY_PORT", "4568"))
    region: str = DEFAULT_REGION
    account_id: str = DEFAULT_ACCOUNT_ID

    @property
    def logs_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def pid_file(self) -> Path:
        return self.state_dir / "localcloud.pid"

    @property
    def endpoints_file(self) -> Path:
        return self.state_dir / "endpoints.json"

    @property
    def edge_url(self) -> str:
        return f"http://{self.host}:{self.edge_port}"

    def ports(self) -> dict[str, int]:
        return {"edge": self.edge_port, "opensearch": self.opensearch_port, "gateway": self.gateway_port}

    def to_json(self) -> str:
        data = asdict(self)
        data["state_dir"] = str(self.state_dir)
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> CloudConfig:
        data = json.loads(text)
        data["state_dir"] = Path(data["state_dir"])
        return cls(**data)
