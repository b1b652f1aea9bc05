"""WebSocket route ``$disconnect``.

Placeholder: answers 501 "not implemented yet" until the live-progress issue lands; the route, integration,
role and permissions are final.

Environment variables: ``CONNECTIONS_TABLE``, ``POWERTOOLS_SERVICE_NAME``, ``POWERTOOLS_LOG_LEVEL``.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.core.log import get_logger
from lambdas.core.placeholder import websocket_not_implemented

logger = get_logger()


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return websocket_not_implemented("ws_disconnect", "$disconnect")
