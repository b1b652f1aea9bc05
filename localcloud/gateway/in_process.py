"""A Lambda invoker that calls Python handlers in this process: for tests and measurements of the
gateway alone, where no emulator or executor runs."""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable, Mapping
from typing import Any

from localcloud.gateway.lambda_invoker import FunctionRef, InvokeResult

Handler = Callable[[dict[str, Any]], Any]


class InProcessInvoker:
    """Invokes ``handlers[function name](event)``; an exception becomes a function error shaped like
    Lambda's (``errorMessage``, ``errorType``, ``stackTrace``). Every event is kept in ``events``."""

    def __init__(self, handlers: Mapping[str, Handler]) -> None:
        self.handlers = dict(handlers)
        self.events: list[tuple[str, dict[str, Any]]] = []

    def invoke(self, function: FunctionRef, payload: bytes) -> InvokeResult:
        event = json.loads(payload)
        self.events.append((function.name, event))
        handler = self.handlers.get(function.name)
        if handler is None:
            raise LookupError(f"Function not found: {function.arn}")
        try:
            result = handler(event)
        except Exception as err:
            error = {
                "errorMessage": str(err),
                "errorType": type(err).__name__,
                "stackTrace": traceback.format_tb(err.__traceback__),
            }
            return InvokeResult(json.dumps(error).encode(), "Unhandled")
        return InvokeResult(json.dumps(result).encode())

    def events_of(self, function_name: str) -> list[dict[str, Any]]:
        return [event for name, event in self.events if name == function_name]
