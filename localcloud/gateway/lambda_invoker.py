"""Calling a Lambda integration: from the integration URI to the function, and through the emulator's
in-process Lambda backend (where the executor runs the function's real code)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Protocol

# "arn:aws:apigateway:eu-north-1:lambda:path/2015-03-31/functions/<function arn>/invocations" or the
# function's ARN itself (HTTP APIs accept both).
_INVOCATION_URI = re.compile(
    r"^arn:[^:]+:apigateway:[^:]*:lambda:path/[^/]+/functions/(?P<arn>.+)/invocations$"
)
_FUNCTION_ARN = re.compile(
    r"^arn:(?P<partition>[^:]+):lambda:(?P<region>[^:]+):(?P<account>\d+):function:(?P<name>[^:]+)"
    r"(?::(?P<qualifier>[^:]+))?$"
)


class IntegrationUriError(ValueError):
    """The integration URI names no Lambda function the gateway can call."""


@dataclass(frozen=True)
class FunctionRef:
    account_id: str
    region: str
    name: str
    qualifier: str | None

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.name}"


def function_from_uri(uri: str) -> FunctionRef:
    """The function an integration (or REQUEST authorizer) URI points at."""
    wrapped = _INVOCATION_URI.match(uri)
    arn = wrapped.group("arn") if wrapped else uri
    match = _FUNCTION_ARN.match(arn)
    if not match:
        raise IntegrationUriError(
            f"integration URI {uri!r} is not a Lambda function ARN nor an API Gateway invocation URI; "
            "the local gateway serves AWS_PROXY integrations to Lambda functions only"
        )
    return FunctionRef(match["account"], match["region"], match["name"], match["qualifier"])


@dataclass(frozen=True)
class InvokeResult:
    payload: bytes
    function_error: str | None = None  # "Unhandled"/"Handled" when the function failed


def parse_answer(payload: bytes) -> Any:
    """A function's answer as JSON; None when it is empty or not JSON."""
    try:
        return json.loads(payload) if payload.strip() else None
    except ValueError:
        return None


class LambdaInvoker(Protocol):
    """Synchronous (RequestResponse) invoke; the gateway calls it from worker threads."""

    def invoke(self, function: FunctionRef, payload: bytes) -> InvokeResult: ...


class MotoLambdaInvoker:
    """Invokes through ``lambda_backends[account][region].invoke``, the path the executor serves."""

    def invoke(self, function: FunctionRef, payload: bytes) -> InvokeResult:
        from moto.awslambda.models import lambda_backends

        backend = lambda_backends[function.account_id][function.region]
        response_headers: dict[str, str] = {}
        result = backend.invoke(
            function.name,
            function.qualifier,
            payload.decode("utf-8"),
            {"x-amz-invocation-type": "RequestResponse"},
            response_headers,
        )
        if isinstance(result, str):
            result = result.encode("utf-8")
        return InvokeResult(result or b"", response_headers.get("x-amz-function-error"))
