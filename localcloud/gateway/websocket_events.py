"""The events a WebSocket API sends its Lambdas: $connect, messages, $disconnect, and its $connect
REQUEST authorizer's (whose answer ``lambda_authorizers`` reads)."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import parse_qsl

from localcloud.gateway.connections import Connection
from localcloud.gateway.http_events import api_time, single_and_multi


def request_context(
    connection: Connection,
    *,
    route_key: str,
    event_type: str,
    request_id: str,
    now_ms: int,
    account_id: str = "",
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "routeKey": route_key,
        "eventType": event_type,
        "extendedRequestId": request_id,
        "requestTime": api_time(now_ms),
        "messageDirection": "IN",
        "stage": connection.stage,
        "connectedAt": connection.connected_at_ms,
        "requestTimeEpoch": now_ms,
        "identity": {"sourceIp": connection.source_ip, "userAgent": connection.user_agent},
        "requestId": request_id,
        "domainName": connection.domain_name,
        "connectionId": connection.connection_id,
        "apiId": connection.api_id,
    }
    if account_id:
        context["accountId"] = account_id
    if connection.authorizer is not None:
        context["authorizer"] = dict(connection.authorizer)
    return context


def _headers_fields(connection: Connection) -> dict[str, Any]:
    headers, multi_headers = single_and_multi(connection.headers)
    fields: dict[str, Any] = {"headers": headers, "multiValueHeaders": multi_headers}
    if connection.raw_query_string:
        query, multi_query = single_and_multi(parse_qsl(connection.raw_query_string, keep_blank_values=True))
        fields["queryStringParameters"] = query
        fields["multiValueQueryStringParameters"] = multi_query
    return fields


def connect_event(
    connection: Connection, *, request_id: str, now_ms: int, account_id: str = ""
) -> dict[str, Any]:
    return {
        **_headers_fields(connection),
        "requestContext": request_context(
            connection,
            route_key="$connect",
            event_type="CONNECT",
            request_id=request_id,
            now_ms=now_ms,
            account_id=account_id,
        ),
        "isBase64Encoded": False,
    }


def message_event(
    connection: Connection,
    *,
    route_key: str,
    data: str | bytes,
    request_id: str,
    message_id: str,
    now_ms: int,
    account_id: str = "",
) -> dict[str, Any]:
    context = request_context(
        connection,
        route_key=route_key,
        event_type="MESSAGE",
        request_id=request_id,
        now_ms=now_ms,
        account_id=account_id,
    )
    context["messageId"] = message_id
    binary = isinstance(data, bytes)
    body = base64.b64encode(data).decode("ascii") if binary else data
    return {"requestContext": context, "body": body, "isBase64Encoded": binary}


def disconnect_event(
    connection: Connection,
    *,
    status_code: int,
    reason: str,
    request_id: str,
    now_ms: int,
    account_id: str = "",
) -> dict[str, Any]:
    context = request_context(
        connection,
        route_key="$disconnect",
        event_type="DISCONNECT",
        request_id=request_id,
        now_ms=now_ms,
        account_id=account_id,
    )
    context["disconnectStatusCode"] = status_code
    context["disconnectReason"] = reason
    return {**_headers_fields(connection), "requestContext": context, "isBase64Encoded": False}


def method_arn(region: str, account_id: str, api_id: str, stage: str, route_key: str) -> str:
    return f"arn:aws:execute-api:{region}:{account_id}:{api_id}/{stage}/{route_key}"


def identity_present(identity_source: tuple[str, ...], connection: Connection) -> bool:
    """Whether every identity source (``route.request.header.X``, ``route.request.querystring.y``) has
    a value: API Gateway answers 401 without calling the authorizer otherwise."""
    headers = dict(connection.headers)
    query = dict(parse_qsl(connection.raw_query_string, keep_blank_values=True))
    for source in identity_source:
        name = source.split(".")[-1]
        if ".header." in source and not headers.get(name.lower()):
            return False
        if ".querystring." in source and not query.get(name):
            return False
    return True


def authorizer_event(connection: Connection, *, arn: str, request_id: str, now_ms: int) -> dict[str, Any]:
    return {
        "type": "REQUEST",
        "methodArn": arn,
        **_headers_fields(connection),
        "stageVariables": {},
        "requestContext": request_context(
            connection, route_key="$connect", event_type="CONNECT", request_id=request_id, now_ms=now_ms
        ),
    }
