"""The ASGI application behind one API's port: HTTP requests to the HTTP API or the @connections
management API, WebSocket handshakes to the WebSocket API. The definition is looked up per request, so
routes added or changed after the port was bound are served at once."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from localcloud.gateway.definitions import HTTP, WEBSOCKET
from localcloud.gateway.http_api import serve_http
from localcloud.gateway.management_api import is_management_path, serve_management
from localcloud.gateway.services import GatewayServices
from localcloud.gateway.websocket_api import serve_websocket


def _message(status: int, message: str) -> Response:
    return Response(json.dumps({"message": message}), status_code=status, media_type="application/json")


class ApiApp:
    def __init__(self, api_id: str, services: GatewayServices) -> None:
        self.api_id = api_id
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        api = self.services.source.get(self.api_id)
        raw_path = scope.get("raw_path", b"").decode("latin-1") or scope["path"]
        if api is None:
            response = _message(404, "Not Found")
        elif api.protocol_type == WEBSOCKET and is_management_path(raw_path):
            response = await serve_management(self.services, api, request)
        elif api.protocol_type == HTTP:
            response = await serve_http(self.services, api, request)
        else:
            response = _message(426, "Upgrade Required: this is a WebSocket API")
        await response(scope, receive, send)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        websocket = WebSocket(scope, receive, send)
        api = self.services.source.get(self.api_id)
        if api is None or api.protocol_type != WEBSOCKET:
            await websocket.send_denial_response(_message(404, "Not Found"))
            return
        await serve_websocket(self.services, api, websocket)
