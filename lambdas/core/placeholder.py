"""Answers of the functions whose behaviour later issues build: a clear "not implemented yet"."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types


class NotImplementedYet(NotImplementedError):
    """Raised by pipeline steps that are wired into the workflow but not built yet."""

    def __init__(self, function: str) -> None:
        super().__init__(f"{function} is not implemented yet: deployed and wired, its logic lands later")


def not_implemented_body(function: str, what: str) -> dict[str, str]:
    return {
        "message": "not implemented yet",
        "function": function,
        "reason": f"{what} is wired (route, role, permissions) but its logic lands in a later issue",
    }


def http_not_implemented(function: str, what: str) -> Response:
    """An HTTP 501 for the API resolver, saying which route is not built yet."""
    return Response(
        status_code=501,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(not_implemented_body(function, what)),
    )


def websocket_not_implemented(function: str, route: str) -> dict[str, Any]:
    """A WebSocket route answer (proxy integration shape) with status 501."""
    return {"statusCode": 501, "body": json.dumps(not_implemented_body(function, f"WebSocket route {route}"))}
