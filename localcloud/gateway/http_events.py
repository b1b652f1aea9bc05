"""The Lambda proxy event (payload format 2.0) an HTTP API sends, and the HTTP response it makes of the
function's answer."""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, unquote

TEXT_TYPES = (
    "text/",
    "application/json",
    "application/xml",
    "application/javascript",
    "application/x-www-form-urlencoded",
    "application/graphql",
)


@dataclass(frozen=True)
class HttpRequest:
    """What the gateway knows of an incoming request, transport details already resolved."""

    method: str
    raw_path: str  # as the client sent it (percent-encoded), stage prefix included
    raw_query_string: str
    headers: list[tuple[str, str]]  # names lower-cased, in arrival order, repeats kept
    body: bytes
    source_ip: str
    domain_name: str  # host[:port] the client addressed
    request_id: str
    protocol: str = "HTTP/1.1"
    time_epoch_ms: int = field(default_factory=lambda: int(time.time() * 1000))

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k == name]
        return ",".join(values) if values else None


def api_time(epoch_ms: int) -> str:
    """API Gateway's request time format, e.g. ``03/Dec/2026:16:04:05 +0000``."""
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")


def joined_headers(headers: Iterable[tuple[str, str]], skip: tuple[str, ...] = ()) -> dict[str, str]:
    merged: dict[str, str] = {}
    for name, value in headers:
        if name in skip:
            continue
        merged[name] = f"{merged[name]},{value}" if name in merged else value
    return merged


def query_parameters(raw_query_string: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for name, value in parse_qsl(raw_query_string, keep_blank_values=True):
        merged[name] = f"{merged[name]},{value}" if name in merged else value
    return merged


def cookies(headers: Iterable[tuple[str, str]]) -> list[str]:
    return [c.strip() for name, value in headers if name == "cookie" for c in value.split(";") if c.strip()]


def is_text(content_type: str | None) -> bool:
    if not content_type:
        return True
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type.startswith(TEXT_TYPES) or media_type.endswith(("+json", "+xml"))


def encode_body(body: bytes, content_type: str | None) -> tuple[str, bool]:
    """The body as the event carries it, and whether it is base64 (for binary media types)."""
    if is_text(content_type):
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(body).decode("ascii"), True


def _domain_prefix(domain_name: str, api_id: str) -> str:
    # On AWS the first label of the host name, which is the API id; a local host is often an address.
    host = domain_name.rsplit(":", 1)[0]
    if not host or host.replace(".", "").isdigit() or host == "localhost":
        return api_id
    return host.split(".", 1)[0]


def build_http_event(
    request: HttpRequest,
    *,
    api_id: str,
    account_id: str,
    stage: str,
    route_key: str,
    path_parameters: Mapping[str, str],
    authorizer: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The payload format 2.0 event for one request."""
    context: dict[str, Any] = {
        "accountId": account_id,
        "apiId": api_id,
        "domainName": request.domain_name,
        "domainPrefix": _domain_prefix(request.domain_name, api_id),
        "http": {
            "method": request.method,
            "path": unquote(request.raw_path),
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": request.header("user-agent") or "",
        },
        "requestId": request.request_id,
        "routeKey": route_key,
        "stage": stage,
        "time": api_time(request.time_epoch_ms),
        "timeEpoch": request.time_epoch_ms,
    }
    if authorizer is not None:  # {"jwt": {claims, scopes}} or {"lambda": context}
        context["authorizer"] = dict(authorizer)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query_string,
    }
    request_cookies = cookies(request.headers)
    if request_cookies:
        event["cookies"] = request_cookies
    event["headers"] = joined_headers(request.headers, skip=("cookie",))
    if request.raw_query_string:
        event["queryStringParameters"] = query_parameters(request.raw_query_string)
    event["requestContext"] = context
    if request.body:
        event["body"], event["isBase64Encoded"] = encode_body(request.body, request.header("content-type"))
    else:
        event["isBase64Encoded"] = False
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    return event


class MalformedLambdaResponse(ValueError):
    """The function answered something API Gateway cannot turn into an HTTP response (a 500)."""


@dataclass(frozen=True)
class HttpReply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def _parse(payload: bytes) -> Any:
    try:
        return json.loads(payload) if payload.strip() else None
    except ValueError as err:
        raise MalformedLambdaResponse(f"the function answered invalid JSON: {err}") from err


def _structured_reply(answer: Mapping[str, Any]) -> HttpReply:
    """A ``{"statusCode", "headers", "multiValueHeaders", "cookies", "body", "isBase64Encoded"}`` answer."""
    try:
        status = int(answer["statusCode"])
    except (TypeError, ValueError) as err:
        raise MalformedLambdaResponse(f"statusCode {answer['statusCode']!r} is not a number") from err
    if not 100 <= status <= 599:
        raise MalformedLambdaResponse(f"statusCode {status} is not an HTTP status")
    headers = [(str(k).lower(), str(v)) for k, v in (answer.get("headers") or {}).items()]
    for name, items in (answer.get("multiValueHeaders") or {}).items():
        headers.extend((str(name).lower(), str(v)) for v in items or [])
    headers.extend(("set-cookie", str(c)) for c in answer.get("cookies") or [])
    body = answer.get("body")
    if body is None:
        data = b""
    elif isinstance(body, str):
        if answer.get("isBase64Encoded"):
            try:
                data = base64.b64decode(body, validate=True)
            except (binascii.Error, ValueError) as err:
                raise MalformedLambdaResponse("isBase64Encoded is true but the body is not base64") from err
        else:
            data = body.encode("utf-8")
    else:
        data = json.dumps(body).encode("utf-8")
    return HttpReply(status, headers, data)


def reply_from_lambda(payload: bytes) -> HttpReply:
    """Map a function's (format 2.0) answer to the HTTP response: a structured answer with a
    ``statusCode``, or any other JSON value as a 200 ``application/json`` body."""
    answer = _parse(payload)
    if not (isinstance(answer, dict) and "statusCode" in answer):
        return HttpReply(200, [("content-type", "application/json")], payload)
    return _structured_reply(answer)


def reply_from_lambda_v1(payload: bytes) -> HttpReply:
    """Map a function's format 1.0 answer, which must be structured (API Gateway infers nothing)."""
    answer = _parse(payload)
    if not (isinstance(answer, dict) and "statusCode" in answer):
        raise MalformedLambdaResponse("a payload format 1.0 answer needs a statusCode")
    return _structured_reply(answer)


def single_and_multi(pairs: Iterable[tuple[str, str]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """REST-style (format 1.0) maps: the last value of each name, and all of them."""
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        single[name] = value
        multi.setdefault(name, []).append(value)
    return single, multi


def event_v1(request: HttpRequest, event: Mapping[str, Any]) -> dict[str, Any]:
    """The payload format 1.0 event for a request, from its format 2.0 event (authorizer included)."""
    context = event["requestContext"]
    route_key = event["routeKey"]
    resource = route_key.split(" ", 1)[1] if " " in route_key else route_key
    headers, multi_headers = single_and_multi(request.headers)
    query, multi_query = single_and_multi(parse_qsl(request.raw_query_string, keep_blank_values=True))
    authorizer = context.get("authorizer") or {}
    return {
        "version": "1.0",
        "resource": resource,
        "path": context["http"]["path"],
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "requestContext": {
            "accountId": context["accountId"],
            "apiId": context["apiId"],
            "authorizer": authorizer.get("jwt")
            or authorizer.get("lambda")
            or {"claims": None, "scopes": None},
            "domainName": context["domainName"],
            "domainPrefix": context["domainPrefix"],
            "extendedRequestId": context["requestId"],
            "httpMethod": request.method,
            "identity": {"sourceIp": request.source_ip, "userAgent": context["http"]["userAgent"]},
            "path": context["http"]["path"],
            "protocol": request.protocol,
            "requestId": context["requestId"],
            "requestTime": context["time"],
            "requestTimeEpoch": context["timeEpoch"],
            "resourceId": route_key,
            "resourcePath": resource,
            "stage": context["stage"],
        },
        "pathParameters": event.get("pathParameters"),
        "stageVariables": None,
        "body": event.get("body"),
        "isBase64Encoded": event["isBase64Encoded"],
    }
