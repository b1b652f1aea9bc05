"""Serving one request to an HTTP API: stage, CORS preflight, body limit, route, authorizer, Lambda
proxy integration, response mapping — with API Gateway's answers for every failure."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from localcloud.gateway import cors
from localcloud.gateway.definitions import Api, Authorizer, Route
from localcloud.gateway.http_events import (
    HttpReply,
    HttpRequest,
    MalformedLambdaResponse,
    build_http_event,
    event_v1,
    reply_from_lambda,
    reply_from_lambda_v1,
)
from localcloud.gateway.jwt_authorizer import (
    Forbidden,
    Unauthorized,
    check_scopes,
    claims_for_event,
    token_from_identity_source,
)
from localcloud.gateway.lambda_authorizers import LambdaAuthorizerError, authorize_http
from localcloud.gateway.lambda_invoker import IntegrationUriError, function_from_uri
from localcloud.gateway.routing import StageMatch, match_http_route, select_stage
from localcloud.gateway.services import (
    GatewayServices,
    IntegrationTimeout,
    PayloadTooLarge,
    new_request_id,
)
from localcloud.gateway.websocket_events import method_arn

log = logging.getLogger("localcloud.gateway")


def message_reply(status: int, message: str) -> HttpReply:
    return HttpReply(
        status, [("content-type", "application/json")], json.dumps({"message": message}).encode()
    )


NOT_FOUND = message_reply(404, "Not Found")
UNAUTHORIZED = message_reply(401, "Unauthorized")
FORBIDDEN = message_reply(403, "Forbidden")
TOO_LARGE = message_reply(413, "Request Entity Too Large")
INTERNAL_ERROR = message_reply(500, "Internal Server Error")
UNAVAILABLE = message_reply(503, "Service Unavailable")


# Set by the server for the body it sends, never taken from the integration.
_TRANSPORT_HEADERS = {"content-length", "transfer-encoding", "connection"}


class _BodyTooLarge(Exception):
    pass


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _with_forwarding_headers(request: Request) -> list[tuple[str, str]]:
    """The request's headers plus the ``x-forwarded-*`` ones API Gateway's load balancers add."""
    headers = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in request.scope["headers"]]
    present = {name for name, _ in headers}
    client, server = request.client, request.scope.get("server")
    added = {
        "x-forwarded-for": client.host if client else "127.0.0.1",
        "x-forwarded-port": str(server[1]) if server else "",
        "x-forwarded-proto": request.url.scheme,
    }
    return headers + [(name, value) for name, value in added.items() if name not in present and value]


def _with_challenge(
    reply: HttpReply, error: str, description: str, scopes: Sequence[str] | None = ()
) -> HttpReply:
    """The reason a token was refused, in the ``www-authenticate`` header API Gateway's JWT authorizer
    sends (``Bearer scope="" error="invalid_token" error_description="the token has expired"``). The
    text may quote the token, so it is reduced to printable ASCII without quotes."""
    clean = "".join(c if " " <= c <= "~" and c not in '"\\' else "?" for c in description)[:300]
    scope = " ".join(scopes or ())
    value = f'Bearer scope="{scope}" error="{error}" error_description="{clean}"'
    return HttpReply(reply.status, [*reply.headers, ("www-authenticate", value)], reply.body)


def _raw_path(request: Request) -> str:
    raw = request.scope.get("raw_path")
    return raw.decode("latin-1") if raw else request.url.path


async def _authorize_jwt(
    services: GatewayServices, route: Route, authorizer: Authorizer, http_request: HttpRequest
) -> dict[str, Any] | HttpReply:
    token = token_from_identity_source(authorizer.identity_source, dict(http_request.headers))
    if not token:
        return UNAUTHORIZED
    try:
        identity = await services.verifier.verify(token, authorizer)
        check_scopes(identity, route.authorization_scopes)
    except Unauthorized as err:
        log.info("401 for %s %s: %s", http_request.method, http_request.raw_path, err)
        return _with_challenge(UNAUTHORIZED, "invalid_token", str(err))
    except Forbidden as err:
        log.info("403 for %s %s: %s", http_request.method, http_request.raw_path, err)
        return _with_challenge(FORBIDDEN, "insufficient_scope", str(err), route.authorization_scopes)
    scopes = identity.scopes if route.authorization_scopes else None
    return {"jwt": {"claims": claims_for_event(identity.claims), "scopes": scopes}}


async def _authorize_lambda(
    services: GatewayServices,
    api: Api,
    authorizer: Authorizer,
    http_request: HttpRequest,
    event: dict[str, Any],
    stage_path: str,
) -> dict[str, Any] | HttpReply:
    context = event["requestContext"]
    route_arn = method_arn(
        api.region, api.account_id, api.api_id, context["stage"], f"{http_request.method}{stage_path}"
    )
    try:
        decision = await authorize_http(services, authorizer, http_request, event, route_arn)
    except LambdaAuthorizerError as err:
        log.warning("API %s: %s", api.api_id, err)
        return INTERNAL_ERROR
    if decision is None or decision.unauthorized:
        return UNAUTHORIZED
    if not decision.allowed:
        return FORBIDDEN
    return {"lambda": decision.context}


async def _authorize(
    services: GatewayServices,
    api: Api,
    route: Route,
    http_request: HttpRequest,
    event: dict[str, Any],
    stage_path: str,
) -> dict[str, Any] | HttpReply | None:
    """The event's ``requestContext.authorizer``, an error reply, or None for an open route."""
    if route.authorization_type in ("NONE", ""):
        return None
    authorizer = api.authorizer_for(route)
    kind = (route.authorization_type, authorizer.authorizer_type if authorizer else None)
    if authorizer is not None and kind == ("JWT", "JWT"):
        return await _authorize_jwt(services, route, authorizer, http_request)
    if (
        authorizer is not None
        and kind == ("CUSTOM", "REQUEST")
        and authorizer.payload_format_version == "2.0"
    ):
        return await _authorize_lambda(services, api, authorizer, http_request, event, stage_path)
    log.warning(
        "route %r of API %s uses authorization %s (authorizer %s, payload %s), which the local gateway "
        "does not serve (JWT, and Lambda authorizers with payload 2.0, it does): answering 500",
        route.route_key,
        api.api_id,
        route.authorization_type,
        route.authorizer_id,
        authorizer.payload_format_version if authorizer else None,
    )
    return INTERNAL_ERROR


async def _integrate(
    services: GatewayServices, api: Api, route: Route, http_request: HttpRequest, event: dict[str, Any]
) -> HttpReply:
    integration = api.integration_for(route)
    if integration is None:
        log.warning("route %r of API %s has no integration", route.route_key, api.api_id)
        return INTERNAL_ERROR
    version = integration.payload_format_version
    if version not in ("1.0", "2.0"):
        log.warning("API %s route %r: unknown payload format %s", api.api_id, route.route_key, version)
        return INTERNAL_ERROR
    if version == "1.0":
        event = event_v1(http_request, event)
    try:
        function = function_from_uri(integration.uri)
    except IntegrationUriError as err:
        log.warning("API %s route %r: %s", api.api_id, route.route_key, err)
        return INTERNAL_ERROR
    try:
        result = await services.invoke(function, event, integration.timeout_ms)
    except IntegrationTimeout as err:
        log.warning("API %s route %r: %s", api.api_id, route.route_key, err)
        return UNAVAILABLE
    except PayloadTooLarge as err:
        log.info("API %s route %r: %s: answering 413", api.api_id, route.route_key, err)
        return TOO_LARGE
    except Exception as err:
        log.warning("API %s route %r: invoking %s failed: %s", api.api_id, route.route_key, function.arn, err)
        return INTERNAL_ERROR
    if result.function_error:
        log.info(
            "API %s route %r: %s failed: %s",
            api.api_id,
            route.route_key,
            function.name,
            result.payload[:500].decode("utf-8", "replace"),
        )
        return INTERNAL_ERROR
    try:
        return reply_from_lambda(result.payload) if version == "2.0" else reply_from_lambda_v1(result.payload)
    except MalformedLambdaResponse as err:
        log.warning("API %s route %r: %s", api.api_id, route.route_key, err)
        return INTERNAL_ERROR


async def _handle(
    services: GatewayServices, api: Api, request: Request, request_id: str, trace: dict[str, str]
) -> HttpReply:
    stage = select_stage(api.stages, _raw_path(request))
    if stage is None:
        return NOT_FOUND
    trace["stage"] = stage.stage
    headers = _with_forwarding_headers(request)
    header_map = dict(headers)
    if api.cors is not None and cors.is_preflight(request.method, header_map):
        trace["route"] = "(CORS preflight)"
        return HttpReply(204, cors.preflight_headers(api.cors, header_map), b"")
    reply = await _route(services, api, request, request_id, trace, stage, headers)
    # The gateway's own answers (401, 404, 500...) carry the CORS headers too, as on AWS.
    return HttpReply(reply.status, cors.apply(api.cors, header_map, reply.headers), reply.body)


async def _route(
    services: GatewayServices,
    api: Api,
    request: Request,
    request_id: str,
    trace: dict[str, str],
    stage: StageMatch,
    headers: list[tuple[str, str]],
) -> HttpReply:
    """Body, route, authorizer and integration of a request to a stage."""
    try:
        body = await _read_body(request, services.max_body_bytes)
    except _BodyTooLarge:
        return TOO_LARGE
    match = match_http_route(api.routes, request.method, stage.path)
    if match is None:
        return NOT_FOUND
    trace["route"] = match.route.route_key
    client = request.client
    http_request = HttpRequest(
        method=request.method,
        raw_path=_raw_path(request),
        raw_query_string=request.scope.get("query_string", b"").decode("latin-1"),
        headers=headers,
        body=body,
        source_ip=client.host if client else "127.0.0.1",
        domain_name=dict(headers).get("host", ""),
        request_id=request_id,
        protocol=f"HTTP/{request.scope.get('http_version', '1.1')}",
    )
    event = build_http_event(
        http_request,
        api_id=api.api_id,
        account_id=api.account_id,
        stage=stage.stage,
        route_key=match.route.route_key,
        path_parameters=match.path_parameters,
    )
    authorization = await _authorize(services, api, match.route, http_request, event, stage.path)
    if isinstance(authorization, HttpReply):
        return authorization
    if authorization is not None:
        event["requestContext"]["authorizer"] = authorization
    return await _integrate(services, api, match.route, http_request, event)


async def serve_http(services: GatewayServices, api: Api, request: Request) -> Response:
    """Answer one request to an HTTP API and write its access log line."""
    started = time.perf_counter()
    request_id = new_request_id()
    trace: dict[str, str] = {}
    try:
        reply = await _handle(services, api, request, request_id, trace)
    except ClientDisconnect:
        reply = message_reply(400, "Bad Request")
    response = Response(reply.body, status_code=reply.status)
    raw_headers = [
        (name.encode("latin-1", "replace"), value.encode("latin-1", "replace"))
        for name, value in reply.headers
        if name not in _TRANSPORT_HEADERS
    ]
    if reply.status >= 200 and reply.status not in (204, 304):
        raw_headers.append((b"content-length", str(len(reply.body)).encode()))
    raw_headers.append((b"apigw-requestid", request_id.encode()))
    response.raw_headers = raw_headers
    services.log_access(
        api.api_id,
        trace.get("stage", ""),
        request.method,
        _raw_path(request),
        trace.get("route"),
        reply.status,
        (time.perf_counter() - started) * 1000,
        request_id,
    )
    return response
