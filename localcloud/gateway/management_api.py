"""The ``@connections`` management API of a WebSocket API's stage: POST sends to a connection, GET
describes it, DELETE closes it; a connection that is gone answers 410 with ``x-amzn-errortype:
GoneException`` so that boto3's ``apigatewaymanagementapi`` raises ``GoneException``."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from localcloud.gateway.connections import DELETE_CLOSE_CODE, ConnectionGone
from localcloud.gateway.definitions import Api
from localcloud.gateway.routing import select_stage
from localcloud.gateway.services import GatewayServices, new_request_id

_PATH = re.compile(r"^/@connections/(?P<id>[^/]+)/?$")


def is_management_path(raw_path: str) -> bool:
    return "/@connections/" in raw_path


def _iso(epoch_ms: int) -> str:
    return (
        datetime.fromtimestamp(epoch_ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


def _error(status: int, error_type: str, message: str, request_id: str) -> Response:
    return JSONResponse(
        {"message": message},
        status_code=status,
        headers={"x-amzn-errortype": error_type, "x-amzn-requestid": request_id},
    )


async def serve_management(services: GatewayServices, api: Api, request: Request) -> Response:
    started = time.perf_counter()
    request_id = new_request_id()
    raw_path = request.scope.get("raw_path", b"").decode("latin-1") or request.url.path
    stage = select_stage(api.stages, raw_path)
    match = _PATH.match(stage.path) if stage else None
    if stage is None or match is None:
        response = _error(404, "NotFoundException", "Not Found", request_id)
    else:
        response = await _operate(services, api, request, unquote(match["id"]), request_id)
    services.log_access(
        api.api_id,
        stage.stage if stage else "",
        request.method,
        raw_path,
        "@connections",
        response.status_code,
        (time.perf_counter() - started) * 1000,
        request_id,
    )
    return response


async def _operate(
    services: GatewayServices, api: Api, request: Request, connection_id: str, request_id: str
) -> Response:
    try:
        connection = services.connections.get(api.api_id, connection_id)
        if request.method == "POST":
            data = await request.body()
            if len(data) > services.max_message_bytes:
                return _error(413, "PayloadTooLargeException", "Payload too large", request_id)
            await connection.send(data)
            return Response(status_code=200, headers={"x-amzn-requestid": request_id})
        if request.method == "GET":
            body = {
                "connectedAt": _iso(connection.connected_at_ms),
                "identity": {"sourceIp": connection.source_ip, "userAgent": connection.user_agent},
                "lastActiveAt": _iso(connection.last_active_ms),
            }
            return Response(
                json.dumps(body), media_type="application/json", headers={"x-amzn-requestid": request_id}
            )
        if request.method == "DELETE":
            await connection.close(DELETE_CLOSE_CODE, "Connection deleted through the @connections API")
            return Response(status_code=204, headers={"x-amzn-requestid": request_id})
        return _error(405, "MethodNotAllowedException", f"{request.method} is not supported here", request_id)
    except ConnectionGone:
        return _error(410, "GoneException", f"connection {connection_id} is gone", request_id)
