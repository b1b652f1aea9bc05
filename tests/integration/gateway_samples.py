"""Sample APIs and Lambdas for the gateway's integration tests, created in the session's embedded cloud
with boto3 (the functions' code is given inline by each test)."""

from __future__ import annotations

import io
import textwrap
import zipfile
from typing import Any

import boto3

from tests.fixtures import lambdas as fixtures


def zip_source(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", textwrap.dedent(source))
    return buffer.getvalue()


def create_function(source: str, *, env: dict[str, str] | None = None, timeout_s: int = 10) -> str:
    """A Python function whose ``app.handler`` is ``source``; its ARN."""
    lam = boto3.client("lambda")
    name = fixtures.create_function(
        lam,
        "gw",
        "app.handler",
        ZipFile=zip_source(source),
        Timeout=timeout_s,
        Environment={"Variables": env or {}},
    )
    return lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]


def invocation_uri(function_arn: str) -> str:
    """The API Gateway form of a Lambda integration URI (WebSocket APIs require it)."""
    region = function_arn.split(":")[3]
    return f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"


def add_route(api_id: str, route_key: str, function_arn: str, **route: Any) -> str:
    """A route to a Lambda proxy integration of its own; the integration id."""
    apis = boto3.client("apigatewayv2")
    timeout = route.pop("timeout_ms", None)
    integration = apis.create_integration(
        ApiId=api_id,
        IntegrationType="AWS_PROXY",
        IntegrationUri=invocation_uri(function_arn),
        PayloadFormatVersion=route.pop("payload_format_version", "2.0"),
        **({"TimeoutInMillis": timeout} if timeout else {}),
    )
    apis.create_route(
        ApiId=api_id, RouteKey=route_key, Target=f"integrations/{integration['IntegrationId']}", **route
    )
    return integration["IntegrationId"]
