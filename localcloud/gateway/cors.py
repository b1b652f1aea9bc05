"""An HTTP API's CORS configuration applied as API Gateway applies it: preflight requests answered by
the gateway itself (routes are not consulted), CORS headers set on every other response, replacing any
the integration sent. Starlette's CORSMiddleware answers differently (400 for a refused origin, fixed
configuration), hence these few functions."""

from __future__ import annotations

from collections.abc import Mapping

from localcloud.gateway.definitions import Cors


def is_preflight(method: str, headers: Mapping[str, str]) -> bool:
    return method == "OPTIONS" and "origin" in headers and "access-control-request-method" in headers


def _allowed_origin(cors: Cors, origin: str | None) -> str | None:
    """The Access-Control-Allow-Origin value for this origin, None when it is not allowed."""
    if not origin:
        return None
    if "*" in cors.allow_origins:
        return origin if cors.allow_credentials else "*"
    return origin if origin in cors.allow_origins else None


def preflight_headers(cors: Cors, headers: Mapping[str, str]) -> list[tuple[str, str]]:
    """Headers of the (204) answer to a preflight; none when origin or method is not allowed."""
    allow_origin = _allowed_origin(cors, headers.get("origin"))
    method = headers.get("access-control-request-method", "").upper()
    if allow_origin is None or not ("*" in cors.allow_methods or method in cors.allow_methods):
        return []
    result = [("access-control-allow-origin", allow_origin)]
    result.append(
        (
            "access-control-allow-methods",
            ",".join(cors.allow_methods) if "*" not in cors.allow_methods else method,
        )
    )
    requested = headers.get("access-control-request-headers", "")
    if cors.allow_headers:
        allowed = requested if "*" in cors.allow_headers else ",".join(cors.allow_headers)
        if allowed:
            result.append(("access-control-allow-headers", allowed))
    if cors.max_age is not None:
        result.append(("access-control-max-age", str(cors.max_age)))
    if cors.allow_credentials:
        result.append(("access-control-allow-credentials", "true"))
    if allow_origin != "*":
        result.append(("vary", "Origin"))
    return result


def response_headers(cors: Cors, headers: Mapping[str, str]) -> list[tuple[str, str]]:
    """CORS headers for an ordinary (non-preflight) response."""
    allow_origin = _allowed_origin(cors, headers.get("origin"))
    if allow_origin is None:
        return []
    result = [("access-control-allow-origin", allow_origin)]
    if cors.expose_headers:
        result.append(("access-control-expose-headers", ",".join(cors.expose_headers)))
    if cors.allow_credentials:
        result.append(("access-control-allow-credentials", "true"))
    if allow_origin != "*":
        result.append(("vary", "Origin"))
    return result


def apply(
    cors: Cors | None, request_headers: Mapping[str, str], reply_headers: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """The integration's headers with the API's CORS headers in place of any CORS headers it set."""
    if cors is None:
        return reply_headers
    added = response_headers(cors, request_headers)
    if not added:
        return reply_headers
    kept = [(k, v) for k, v in reply_headers if not k.startswith("access-control-")]
    return kept + added
