"""Lambda (REQUEST) authorizers: the answer read as API Gateway reads it (an IAM policy, or a simple
``isAuthorized`` one), and the HTTP API flavour (payload 2.0), which runs before the route's integration.
The WebSocket $connect flavour is in ``websocket_api``."""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from localcloud.gateway.definitions import Authorizer
from localcloud.gateway.http_events import HttpRequest, query_parameters
from localcloud.gateway.lambda_invoker import function_from_uri, parse_answer
from localcloud.gateway.services import GatewayServices

log = logging.getLogger("localcloud.gateway")
AUTHORIZER_TIMEOUT_MS = 10_000


class LambdaAuthorizerError(Exception):
    """The authorizer function failed or answered nonsense: API Gateway answers 500."""


@dataclass(frozen=True)
class AuthorizerDecision:
    allowed: bool
    context: dict[str, Any]  # principalId and the authorizer's context, for the later events
    unauthorized: bool = False  # the function raised "Unauthorized": a 401 rather than a 403


def _statements(policy: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    statements = policy.get("Statement") or []
    return [statements] if isinstance(statements, dict) else list(statements)


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def read_authorizer_answer(answer: Any, arn: str) -> AuthorizerDecision:
    """An IAM-policy answer (or a simple ``isAuthorized`` one): allowed when a statement allows
    ``execute-api:Invoke`` on the method ARN and none denies it."""
    if not isinstance(answer, dict):
        return AuthorizerDecision(False, {})
    context = {k: v for k, v in (answer.get("context") or {}).items()}
    if "isAuthorized" in answer:
        return AuthorizerDecision(answer["isAuthorized"] is True, context)
    allowed = denied = False
    for statement in _statements(answer.get("policyDocument") or {}):
        actions = _as_list(statement.get("Action"))
        resources = _as_list(statement.get("Resource"))
        if not any(fnmatch.fnmatchcase("execute-api:Invoke", a) for a in actions):
            continue
        if any(fnmatch.fnmatchcase(arn, r) for r in resources):
            if str(statement.get("Effect", "")).lower() == "deny":
                denied = True
            elif str(statement.get("Effect", "")).lower() == "allow":
                allowed = True
    if "principalId" in answer:
        context["principalId"] = answer["principalId"]
    return AuthorizerDecision(allowed and not denied, context)


def identity_values(identity_source: tuple[str, ...], request: HttpRequest) -> list[str] | None:
    """The values of the authorizer's identity sources in the request; None when one is missing
    (API Gateway then answers 401 without calling the authorizer)."""
    query = query_parameters(request.raw_query_string)
    values = []
    for source in identity_source:
        name = source.split(".", 2)[-1]
        if source.lower().startswith("$request.header."):
            value = request.header(name.lower())
        elif source.startswith("$request.querystring."):
            value = query.get(name)
        else:
            continue  # $context and $stageVariables sources always have a value here
        if not value:
            return None
        values.append(value)
    return values


async def authorize_http(
    services: GatewayServices,
    authorizer: Authorizer,
    request: HttpRequest,
    event: dict[str, Any],
    route_arn: str,
) -> AuthorizerDecision | None:
    """Run an HTTP API's Lambda authorizer on the request's (format 2.0) event; None when an
    identity source is missing. Raises LambdaAuthorizerError when the function fails."""
    identity = identity_values(authorizer.identity_source, request)
    if identity is None:
        return None
    authorizer_event = {**event, "type": "REQUEST", "routeArn": route_arn, "identitySource": identity}
    try:
        result = await services.invoke(
            function_from_uri(authorizer.uri), authorizer_event, AUTHORIZER_TIMEOUT_MS
        )
    except Exception as err:
        raise LambdaAuthorizerError(f"authorizer {authorizer.authorizer_id} failed: {err}") from err
    answer = parse_answer(result.payload)
    if result.function_error:
        if isinstance(answer, dict) and answer.get("errorMessage") == "Unauthorized":
            return AuthorizerDecision(False, {}, unauthorized=True)
        raise LambdaAuthorizerError(f"authorizer {authorizer.authorizer_id} raised: {answer}")
    return read_authorizer_answer(answer, route_arn)
