"""Where the provider's resources go: endpoint, region, account, and boto3 clients safe to use from the
mock runtime's worker threads."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

from localcloud.endpoints import DUMMY_CREDENTIALS

# The emulator answers at once; retries would only hide a real error for seconds.
_CLIENT_CONFIG = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=60)


@dataclass
class CloudContext:
    """The cloud one deploy talks to, and one boto3 client per service shared by all threads.

    botocore clients are thread-safe once made, but making them (and the session under them) is not:
    creation is serialised by a lock, and one session keeps the service models loaded once."""

    endpoint: str
    region: str
    account_id: str
    gateway_url: str | None = None
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)
    _create_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _session: Any = field(default=None, repr=False)

    def client(self, service: str) -> Any:
        client = self._clients.get(service)
        if client is not None:
            return client
        with self._create_lock:
            if service not in self._clients:
                if self._session is None:
                    self._session = boto3.session.Session(
                        aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                        region_name=self.region,
                    )
                self._clients[service] = self._session.client(
                    service, endpoint_url=self.endpoint, config=_CLIENT_CONFIG
                )
            return self._clients[service]

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        return (
            f"arn:aws:{service}:{self.region if region else ''}:"
            f"{self.account_id if account else ''}:{resource}"
        )
