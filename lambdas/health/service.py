"""The health check itself: which stack this is and whether its articles table answers DescribeTable."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError


def health_document(dynamodb: Any, stack: str, table_name: str) -> dict[str, Any]:
    """A JSON-ready document: ``status`` ``ok`` when the table answers and is ACTIVE, else ``degraded``."""
    try:
        table = dynamodb.describe_table(TableName=table_name)["Table"]
    except ClientError as error:
        reason = error.response.get("Error", {}).get("Code", "ClientError")
        return _document(stack, {"name": table_name, "reachable": False, "error": reason})
    except BotoCoreError as error:
        return _document(stack, {"name": table_name, "reachable": False, "error": type(error).__name__})
    return _document(stack, {"name": table_name, "reachable": True, "status": table["TableStatus"]})


def is_healthy(document: dict[str, Any]) -> bool:
    return document["status"] == "ok"


def _document(stack: str, table: dict[str, Any]) -> dict[str, Any]:
    healthy = table["reachable"] and table.get("status") == "ACTIVE"
    return {"status": "ok" if healthy else "degraded", "stack": stack, "table": table}
