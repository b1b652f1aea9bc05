"""Serving one WebSocket connection to a WebSocket API: the $connect authorizer and integration (either
may refuse the handshake), messages routed by the route selection expression, $disconnect when either
side closes, the 128 KB message limit (uvicorn closes with 1009) and the idle timeout."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

from starlette.responses import Response
from starlette.websockets import WebSocket

from localcloud.gateway import websocket_events as events
from localcloud.gateway.connections import Connection, new_connection_id, now_ms
from localcloud.gateway.definitions import Api, Route
from localcloud.gateway.lambda_authorizers import AUTHORIZER_TIMEOUT_MS, read_authorizer_answer
from localcloud.gateway.lambda_invoker import (
    FunctionRef,
    IntegrationUriError,
    InvokeResult,
    function_from_uri,
    parse_answer,
)
from localcloud.gateway.routing import select_stage, select_websocket_route
from localcloud.gateway.services import GatewayServices, IntegrationTimeout, new_request_id

log = logging.getLogger("localcloud.gateway")


def _deny(status: int, message: str) -> Response:
    return Response(json.dumps({"message": message}), status_code=status, media_type="application/json")


class _IntegrationFailed(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


async def _invoke_route(
    services: GatewayServices, api: Api, route: Route, event: dict[str, Any]
) -> InvokeResult | None:
    """Invoke the route's Lambda integration; None when the route has no integration."""
    integration = api.integration_for(route)
    if integration is None:
        return None
    try:
        function = function_from_uri(integration.uri)
        result = await services.invoke(function, event, integration.timeout_ms)
    except IntegrationTimeout as err:
        log.warning("API %s route %r: %s", api.api_id, route.route_key, err)
        raise _IntegrationFailed("Endpoint request timed out") from err
    except IntegrationUriError as err:
        log.warning("API %s route %r: %s", api.api_id, route.route_key, err)
        raise _IntegrationFailed("Internal server error") from err
    except Exception as err:
        log.warning("API %s route %r: invoke failed: %s", api.api_id, route.route_key, err)
        raise _IntegrationFailed("Internal server error") from err
    if result.function_error:
        log.info(
            "API %s route %r: the function failed: %s",
            api.api_id,
            route.route_key,
            result.payload[:500].decode("utf-8", "replace"),
        )
        raise _IntegrationFailed("Internal server error")
    return result


async def _authorize_connect(
    services: GatewayServices, api: Api, route: Route, connection: Connection, request_id: str
) -> Response | None:
    """Run the $connect route's REQUEST authorizer; the denial to send, or None to go on."""
    if route.authorization_type in ("NONE", ""):
        return None
    authorizer = api.authorizer_for(route)
    if route.authorization_type != "CUSTOM" or authorizer is None or authorizer.authorizer_type != "REQUEST":
        log.warning(
            "API %s $connect uses authorization %s, which the local gateway does not serve",
            api.api_id,
            route.authorization_type,
        )
        return _deny(500, "Internal server error")
    if not events.identity_present(authorizer.identity_source, connection):
        return _deny(401, "Unauthorized")
    arn = events.method_arn(api.region, api.account_id, api.api_id, connection.stage, "$connect")
    event = events.authorizer_event(connection, arn=arn, request_id=request_id, now_ms=now_ms())
    try:
        function: FunctionRef = function_from_uri(authorizer.uri)
        result = await services.invoke(function, event, AUTHORIZER_TIMEOUT_MS)
    except Exception as err:
        log.warning("API %s: the $connect authorizer failed: %s", api.api_id, err)
        return _deny(500, "Internal server error")
    answer = parse_answer(result.payload)
    if result.function_error:
        # A function that raises "Unauthorized" is API Gateway's documented way to answer 401.
        unauthorized = isinstance(answer, dict) and answer.get("errorMessage") == "Unauthorized"
        return _deny(401, "Unauthorized") if unauthorized else _deny(500, "Internal server error")
    decision = read_authorizer_answer(answer, arn)
    if not decision.allowed:
        return _deny(403, "Forbidden")
    connection.authorizer = decision.context
    return None


async def _connect(
    services: GatewayServices, api: Api, connection: Connection, request_id: str
) -> Response | None:
    route = api.route("$connect")
    if route is None:
        return None
    denial = await _authorize_connect(services, api, route, connection, request_id)
    if denial is not None:
        return denial
    event = events.connect_event(
        connection, request_id=request_id, now_ms=now_ms(), account_id=api.account_id
    )
    try:
        result = await _invoke_route(services, api, route, event)
    except _IntegrationFailed:
        return _deny(500, "Internal server error")
    answer = parse_answer(result.payload) if result else None
    status = answer.get("statusCode") if isinstance(answer, dict) else None
    if isinstance(status, int) and not 200 <= status < 300:
        return _deny(status, "Forbidden")
    return None


async def _on_message(
    services: GatewayServices, api_id: str, connection: Connection, data: str | bytes
) -> None:
    started = time.perf_counter()
    request_id = new_request_id()
    api = services.source.get(api_id)
    route_key = (
        select_websocket_route(api.route_selection_expression, data, [r.route_key for r in api.routes])
        if api
        else None
    )
    status = 200
    if api is None or route_key is None:
        status = 403
        await _send_error(connection, "Forbidden", request_id)
    else:
        route = api.route(route_key)
        assert route is not None
        event = events.message_event(
            connection,
            route_key=route_key,
            data=data,
            request_id=request_id,
            message_id=new_request_id(),
            now_ms=now_ms(),
            account_id=api.account_id,
        )
        try:
            result = await _invoke_route(services, api, route, event)
        except _IntegrationFailed as err:
            status = 500
            await _send_error(connection, err.message, request_id)
        else:
            if result is not None and route.route_response_selection_expression:
                await _send_route_response(connection, result.payload)
    services.log_access(
        api_id,
        connection.stage,
        "MESSAGE",
        f"/{connection.connection_id}",
        route_key,
        status,
        (time.perf_counter() - started) * 1000,
        request_id,
    )


async def _send_error(connection: Connection, message: str, request_id: str) -> None:
    body = {"message": message, "connectionId": connection.connection_id, "requestId": request_id}
    try:
        await connection.send(json.dumps(body).encode())
    except Exception as err:
        log.debug("could not tell %s about an error: %s", connection.connection_id, err)


async def _send_route_response(connection: Connection, payload: bytes) -> None:
    """Two-way routes answer the client with the integration's response body."""
    answer = parse_answer(payload)
    if isinstance(answer, dict) and "statusCode" in answer:
        body = answer.get("body")
        data = (body if isinstance(body, str) else "" if body is None else str(body)).encode()
    else:
        data = payload
    if data:
        try:
            await connection.send(data)
        except Exception as err:
            log.debug("route response to %s not sent: %s", connection.connection_id, err)


async def _disconnect(services: GatewayServices, api_id: str, connection: Connection, code: int) -> None:
    api = services.source.get(api_id)
    route = api.route("$disconnect") if api else None
    if api is None or route is None:
        return
    reason = connection.close_reason or (
        "Client closed the connection" if code != 1009 else "Message too big"
    )
    event = events.disconnect_event(
        connection,
        status_code=code,
        reason=reason,
        request_id=new_request_id(),
        now_ms=now_ms(),
        account_id=api.account_id,
    )
    # API Gateway delivers $disconnect at most once, and nobody is left to tell of a failure.
    with contextlib.suppress(_IntegrationFailed):
        await _invoke_route(services, api, route, event)


def _new_connection(api: Api, stage: str, websocket: WebSocket) -> Connection:
    headers = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in websocket.scope["headers"]]
    header_map = dict(headers)
    client = websocket.client
    return Connection(
        connection_id=new_connection_id(),
        api_id=api.api_id,
        stage=stage,
        websocket=websocket,
        source_ip=client.host if client else "127.0.0.1",
        user_agent=header_map.get("user-agent", ""),
        domain_name=header_map.get("host", ""),
        headers=headers,
        raw_query_string=websocket.scope.get("query_string", b"").decode("latin-1"),
    )


async def _receive_until_closed(services: GatewayServices, api_id: str, connection: Connection) -> int:
    """Hand each client message to its route; the close code once either side has closed."""
    pending: set[asyncio.Task[None]] = set()
    try:
        while True:
            message = await connection.websocket.receive()
            if message["type"] == "websocket.disconnect":
                return int(message.get("code") or 1005)
            connection.touch()
            data = message.get("text") if message.get("text") is not None else message.get("bytes") or b""
            # API Gateway invokes for each message without waiting for the previous one.
            task = asyncio.create_task(_on_message(services, api_id, connection, data))
            pending.add(task)
            task.add_done_callback(pending.discard)
    except Exception as err:
        log.debug("connection %s ended: %s", connection.connection_id, err)
        return 1006


async def serve_websocket(services: GatewayServices, api: Api, websocket: WebSocket) -> None:
    """Handshake, message loop and teardown of one connection."""
    started = time.perf_counter()
    request_id = new_request_id()
    raw_path = websocket.scope.get("raw_path", b"").decode("latin-1") or websocket.url.path
    stage = select_stage(api.stages, raw_path)
    if stage is None or stage.path not in ("", "/"):
        await websocket.send_denial_response(_deny(403, "Forbidden"))
        services.log_access(api.api_id, "", "CONNECT", raw_path, None, 403, 0.0, request_id)
        return
    connection = _new_connection(api, stage.stage, websocket)
    denial = await _connect(services, api, connection, request_id)
    status = denial.status_code if denial else 101
    elapsed_ms = (time.perf_counter() - started) * 1000
    services.log_access(
        api.api_id, stage.stage, "CONNECT", raw_path, "$connect", status, elapsed_ms, request_id
    )
    if denial is not None:
        await websocket.send_denial_response(denial)
        return
    await websocket.accept()
    services.connections.add(connection)
    code = 1006
    try:
        code = await _receive_until_closed(services, api.api_id, connection)
    finally:
        services.connections.remove(connection.connection_id)
        await _disconnect(services, api.api_id, connection, code)
        elapsed_ms = (time.perf_counter() - started) * 1000
        services.log_access(
            api.api_id, stage.stage, "DISCONNECT", raw_path, "$disconnect", code, elapsed_ms, new_request_id()
        )
