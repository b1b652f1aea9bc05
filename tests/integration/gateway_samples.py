"""Sample APIs and Lambdas for the gateway's integration tests, created in the session's embedded cloud
with boto3 (the functions' code is given inline by each test)."""

from __future__ import annotations

import io
import json
import textwrap
import uuid
import zipfile
from typing import Any

import boto3

TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def zip_source(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", textwrap.dedent(source))
    return buffer.getvalue()


def create_function(source: str, *, env: dict[str, str] | None = None, timeout_s: int = 10) -> str:
    """A Python function whose ``app.handler`` is ``source``; its ARN."""
    name = unique("gw")
    role = boto3.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST_POLICY))
    function = boto3.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role["Role"]["Arn"],
        Handler="app.handler",
        Code={"ZipFile": zip_source(source)},
        Timeout=timeout_s,
        Environment={"Variables": env or {}},
    )
    return function["FunctionArn"]


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
