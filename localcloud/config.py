"""Where the embedded cloud keeps its files and which ports it listens on."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

DEFAULT_REGION = "eu-north-1"
# moto's default account; every ARN the emulator returns carries it.
DEFAULT_ACCOUNT_ID = "123456789012"


class ConfigError(ValueError):
    """A setting of the embedded cloud (a ``LOCALCLOUD_*`` variable, most often) is not usable."""


DEFAULT_PORTS = {"edge": 4566, "opensearch": 4567, "gateway": 4568}


def _env_port(name: str) -> int:
    """``$LOCALCLOUD_<NAME>_PORT`` or the default port; a value that is not a port is a ConfigError."""
    var = f"LOCALCLOUD_{name.upper()}_PORT"
    raw = os.environ.get(var, "").strip()
    if not raw:
        return DEFAULT_PORTS[name]
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(
            f"{var}={raw!r} is not a port number: set it to a number from 1 to 65535, "
            f"or unset it for the default {DEFAULT_PORTS[name]}"
        ) from None


def default_state_dir() -> Path:
    """``$LOCALCLOUD_HOME`` or ``.localcloud`` in the current directory."""
    return Path(os.environ.get("LOCALCLOUD_HOME") or Path.cwd() / ".localcloud").resolve()


@dataclass(frozen=True)
class CloudConfig:
    """Settings of one embedded-cloud instance (the CLI's, or a test session's on free ports)."""

    state_dir: Path = field(default_factory=default_state_dir)
    host: str = "127.0.0.1"
    # Read when a config is made (not when this module is imported), so a changed variable counts.
    edge_port: int = field(default_factory=lambda: _env_port("edge"))
    opensearch_port: int = field(default_factory=lambda: _env_port("opensearch"))
    gateway_port: int = field(default_factory=lambda: _env_port("gateway"))
    region: str = DEFAULT_REGION
    account_id: str = DEFAULT_ACCOUNT_ID

    def __post_init__(self) -> None:
        ports = self.ports()
        for name, port in ports.items():
            if not isinstance(port, int) or not 1 <= port <= 65535:
                raise ConfigError(
                    f"the {name} port {port!r} is out of range: set LOCALCLOUD_{name.upper()}_PORT "
                    "to a number from 1 to 65535"
                )
        if len(set(ports.values())) != len(ports):
            listed = ", ".join(f"LOCALCLOUD_{n.upper()}_PORT={p}" for n, p in ports.items())
            raise ConfigError(f"the embedded cloud needs three different ports, got {listed}")

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
