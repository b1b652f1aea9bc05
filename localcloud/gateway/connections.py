"""Open WebSocket connections, by connection id: what the ``@connections`` API and the idle sweep act on."""

from __future__ import annotations

import base64
import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.websockets import WebSocket, WebSocketState

log = logging.getLogger("localcloud.gateway")

# API Gateway's close codes: 1001 "going away" for the idle timeout, 1000 for DeleteConnection.
IDLE_CLOSE_CODE = 1001
DELETE_CLOSE_CODE = 1000


def new_connection_id() -> str:
    # API Gateway's ids look like "L0SM9cOFvHcCIhw=": base64 of 11 random bytes. URL-safe so that an id
    # can sit in the @connections path unescaped.
    return base64.urlsafe_b64encode(secrets.token_bytes(11)).decode("ascii")


def now_ms() -> int:
    return int(time.time() * 1000)


class ConnectionGone(Exception):
    """The connection is closed or was never open; the @connections API answers 410."""


@dataclass
class Connection:
    connection_id: str
    api_id: str
    stage: str
    websocket: WebSocket
    source_ip: str
    user_agent: str
    domain_name: str
    headers: list[tuple[str, str]]
    raw_query_string: str
    connected_at_ms: int = field(default_factory=now_ms)
    last_active_ms: int = field(default_factory=now_ms)
    # The $connect authorizer's principal and context, passed on in every later event.
    authorizer: dict[str, Any] | None = None
    # Why the server closed it, for the $disconnect event (None: the client closed).
    close_reason: str | None = None

    def touch(self) -> None:
        self.last_active_ms = now_ms()

    async def send(self, data: bytes) -> None:
        """Send a frame to the client: text when the data is UTF-8, else binary."""
        if self.websocket.application_state != WebSocketState.CONNECTED:
            raise ConnectionGone(self.connection_id)
        try:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                await self.websocket.send_bytes(data)
            else:
                await self.websocket.send_text(text)
        except Exception as err:  # the peer went away between the check and the send
            raise ConnectionGone(self.connection_id) from err

    async def close(self, code: int, reason: str) -> None:
        if self.close_reason is None:
            self.close_reason = reason
        if self.websocket.application_state == WebSocketState.CONNECTED:
            try:
                await self.websocket.close(code, reason)
            except Exception as err:  # already closing from the other side
                log.debug("closing %s: %s", self.connection_id, err)


class ConnectionRegistry:
    """Only touched from the gateway's event loop, so it needs no lock."""

    def __init__(self) -> None:
        self._open: dict[str, Connection] = {}

    def add(self, connection: Connection) -> None:
        self._open[connection.connection_id] = connection

    def remove(self, connection_id: str) -> None:
        self._open.pop(connection_id, None)

    def get(self, api_id: str, connection_id: str) -> Connection:
        connection = self._open.get(connection_id)
        if connection is None or connection.api_id != api_id:
            raise ConnectionGone(connection_id)
        return connection

    def __len__(self) -> int:
        return len(self._open)

    async def close_expired(self, idle_timeout_s: float, max_duration_s: float) -> int:
        """Close every connection with no client message for ``idle_timeout_s``, or open longer than
        ``max_duration_s`` (API Gateway's 10 minutes and 2 hours); how many were closed."""
        now = now_ms()
        closed = 0
        for connection in list(self._open.values()):
            if connection.connected_at_ms < now - max_duration_s * 1000:
                await connection.close(IDLE_CLOSE_CODE, "Going away: maximum connection duration reached")
            elif connection.last_active_ms < now - idle_timeout_s * 1000:
                await connection.close(IDLE_CLOSE_CODE, "Going away: idle timeout")
            else:
                continue
            closed += 1
        return closed

    async def close_all(self) -> None:
        for connection in list(self._open.values()):
            await connection.close(IDLE_CLOSE_CODE, "Going away: the gateway stops")
