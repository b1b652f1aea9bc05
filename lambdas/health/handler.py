"""Health function: ``GET /health`` on the HTTP API, and a Step Functions Task (direct invoke).

Both answer the same document: the stack's name and the articles table it reached with DescribeTable.
Over HTTP a degraded answer is a 503 so that monitors notice it.

Environment variables: ``STACK_NAME``, ``ARTICLES_TABLE``, ``POWERTOOLS_SERVICE_NAME``,
``POWERTOOLS_LOG_LEVEL``; boto3 reads ``AWS_REGION`` (and ``AWS_ENDPOINT_URL`` when one is set).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.core.config import require_env, stack_name
from lambdas.core.log import get_logger
from lambdas.health.service import health_document, is_healthy

logger = get_logger()
app = APIGatewayHttpResolver()


@cache
def dynamodb() -> Any:
    """The DynamoDB client, created on first use and kept for the warm execution environment."""
    return boto3.client("dynamodb")


def current_health() -> dict[str, Any]:
    return health_document(dynamodb(), stack_name(), require_env("ARTICLES_TABLE"))


@app.get("/health")
def get_health() -> Response:
    document = current_health()
    return Response(
        status_code=200 if is_healthy(document) else 503,
        content_type=content_types.APPLICATION_JSON,
        body=document,
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # A direct invoke (Step Functions Task, CLI) carries no HTTP request context: answer the document itself.
    if "requestContext" not in event:
        return current_health()
    return app.resolve(event, context)
