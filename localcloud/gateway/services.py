"""What every API's handlers share: the definition source, the Lambda invoker, the JWT verifier, the
open connections, the invoke thread pool and the access log. Injected, so unit tests run the real
handlers with a fixed set of APIs and a fake invoker."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localcloud.gateway.connections import ConnectionRegistry
from localcloud.gateway.definitions import ApiSource
from localcloud.gateway.jwt_authorizer import JwtVerifier
from localcloud.gateway.lambda_invoker import FunctionRef, InvokeResult, LambdaInvoker

log = logging.getLogger("localcloud.gateway")

MAX_BODY_BYTES = 10 * 1024 * 1024
MAX_WEBSOCKET_MESSAGE_BYTES = 128 * 1024
# Lambda refuses a synchronous invoke whose event is larger: a body under the gateway's 10 MB can still
# make an event over it (base64 adds a third), and that is the caller's 413, not the gateway's 500.
MAX_INVOKE_PAYLOAD_BYTES = 6 * 1024 * 1024
IDLE_TIMEOUT_S = 600.0
MAX_CONNECTION_S = 7200.0


class IntegrationTimeout(Exception):
    """The integration did not answer within its TimeoutInMillis."""


class PayloadTooLarge(Exception):
    """The event is larger than Lambda accepts for a synchronous invoke."""


def new_request_id() -> str:
    # Shaped like API Gateway's request ids ("Kdq1xh0ZgjMEJ4g=").
    return base64.b64encode(secrets.token_bytes(11)).decode("ascii")


def access_logger(path: Path | None) -> logging.Logger:
    """A logger writing one line per request to ``path`` (nowhere when None)."""
    logger = logging.getLogger(f"localcloud.gateway.access.{path}")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    if path is not None and not logger.handlers:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        logger.addHandler(handler)
    elif path is None and not logger.handlers:
        logger.addHandler(logging.NullHandler())
    return logger


@dataclass
class GatewayServices:
    source: ApiSource
    invoker: LambdaInvoker
    verifier: JwtVerifier = field(default_factory=JwtVerifier)
    connections: ConnectionRegistry = field(default_factory=ConnectionRegistry)
    access_log: logging.Logger = field(default_factory=lambda: access_logger(None))
    max_body_bytes: int = MAX_BODY_BYTES
    max_message_bytes: int = MAX_WEBSOCKET_MESSAGE_BYTES
    idle_timeout_s: float = IDLE_TIMEOUT_S
    max_connection_s: float = MAX_CONNECTION_S
    pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=32, thread_name_prefix="gateway-invoke")
    )

    async def invoke(self, function: FunctionRef, event: dict[str, Any], timeout_ms: int) -> InvokeResult:
        """Invoke the function off the event loop; IntegrationTimeout after ``timeout_ms``."""
        payload = json.dumps(event).encode("utf-8")
        if len(payload) > MAX_INVOKE_PAYLOAD_BYTES:
            raise PayloadTooLarge(
                f"the event for {function.name} is {len(payload)} bytes, over Lambda's "
                f"{MAX_INVOKE_PAYLOAD_BYTES}-byte invoke limit"
            )
        loop = asyncio.get_running_loop()
        call = loop.run_in_executor(self.pool, self.invoker.invoke, function, payload)
        try:
            return await asyncio.wait_for(call, timeout_ms / 1000)
        except TimeoutError as err:
            raise IntegrationTimeout(f"{function.name} did not answer within {timeout_ms} ms") from err

    def log_access(
        self,
        api_id: str,
        stage: str,
        method: str,
        path: str,
        route_key: str | None,
        status: int,
        latency_ms: float,
        request_id: str,
    ) -> None:
        self.access_log.info(
            "%s %s %s %s route=%s status=%d latency=%.1fms requestId=%s",
            api_id,
            stage or "-",
            method,
            path,
            route_key or "-",
            status,
            latency_ms,
            request_id,
        )
