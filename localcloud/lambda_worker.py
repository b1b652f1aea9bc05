"""One Lambda execution environment: a process that imports a function's handler once and then serves
invokes sent by :mod:`localcloud.lambda_executor` over a pair of pipes, like Lambda's Python runtime.

Run as ``python -P lambda_worker.py <request-fd> <response-fd>`` with the function's environment; it
uses the standard library only, so nothing of the embedded cloud leaks into the function's imports.
``stdout`` and ``stderr`` are the function's log (the executor reads it after each invoke).

Frames on both pipes: an 8-byte header (two big-endian uint32: header length, body length), a JSON
header, then the body bytes (the event, or the result / error document).
"""

from __future__ import annotations

import decimal
import importlib
import json
import logging
import os
import struct
import sys
import time
import traceback
from typing import Any

_FRAME = struct.Struct("!II")


def read_exact(fd: int, size: int) -> bytes:
    chunks = []
    while size:
        chunk = os.read(fd, size)
        if not chunk:
            raise EOFError("the pipe was closed")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int) -> tuple[dict[str, Any], bytes]:
    head_len, body_len = _FRAME.unpack(read_exact(fd, _FRAME.size))
    head = json.loads(read_exact(fd, head_len))
    return head, read_exact(fd, body_len) if body_len else b""


def write_frame(fd: int, head: dict[str, Any], body: bytes = b"") -> None:
    head_bytes = json.dumps(head).encode()
    data = memoryview(_FRAME.pack(len(head_bytes), len(body)) + head_bytes + body)
    while data:
        data = data[os.write(fd, data) :]


class LambdaContext:
    """The context object Lambda's Python runtime passes to handlers (same attribute names and types:
    ``memory_limit_in_mb`` is a string there too, read from the environment)."""

    def __init__(self, request_id: str, invoked_function_arn: str, deadline_ms: int) -> None:
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_function_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def log(self, message: str) -> None:
        sys.stdout.write(message)


class _RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = self.request_id
        return True


def _install_root_log_handler() -> _RequestIdFilter:
    """The handler Lambda's runtime puts on the root logger: one tab-separated line per record."""
    request_ids = _RequestIdFilter()
    handler = logging.StreamHandler(sys.stdout)
    formatter = logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n"
    )
    formatter.converter = time.gmtime
    formatter.default_time_format = "%Y-%m-%dT%H:%M:%S"
    formatter.default_msec_format = None  # type: ignore[assignment]
    handler.setFormatter(formatter)
    handler.addFilter(request_ids)
    logging.getLogger().addHandler(handler)
    return request_ids


def _set_import_path() -> None:
    """``/var/task`` first, then the layers as Lambda mounts them in ``/opt``, then the runtime."""
    task_root = os.environ["LAMBDA_TASK_ROOT"]
    opt = os.environ.get("_LOCALCLOUD_OPT_DIR", "")
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    layer_dirs = [f"{opt}/python/lib/{version}/site-packages", f"{opt}/python"] if opt else []
    sys.path[:0] = [task_root, *(d for d in layer_dirs if os.path.isdir(d))]
    # An editable install of this repository must not make the repository's packages importable: the
    # function sees only its zip, its layers and the installed libraries, as on Lambda.
    sys.meta_path[:] = [
        f for f in sys.meta_path if not getattr(f, "__module__", "").startswith("__editable__")
    ]
    sys.path[:] = [entry for entry in sys.path if "__editable__" not in entry]


def _error(
    error_type: str, message: str, stack: list[str] | None = None, request_id: str = ""
) -> dict[str, Any]:
    return {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": stack or [],
    }


def _user_frames(tb: Any) -> list[str]:
    return traceback.format_list(traceback.extract_tb(tb))


def load_handler(spec: str) -> tuple[Any, dict[str, Any] | None]:
    """The handler function named by ``_HANDLER`` (``path/module.function``), or Lambda's init error."""
    try:
        module_name, function_name = spec.rsplit(".", 1)
    except ValueError as err:
        return None, _error("Runtime.MalformedHandlerName", f"Bad handler '{spec}': {err}")
    module_name = module_name.replace("/", ".")
    if not function_name or any(not part for part in module_name.split(".")):  # "../x.f", "a//b.f", "x."
        message = f"Unable to import module '{spec.rsplit('.', 1)[0]}': not a module path"
        return None, _error("Runtime.ImportModuleError", message)
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        return None, _error("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {err}")
    except SyntaxError as err:
        trace = [f'  File "{err.filename}" Line {err.lineno}\n    {err.text}']
        return None, _error(
            "Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {err}", trace
        )
    except Exception as err:
        return None, _error(type(err).__name__, str(err), _user_frames(err.__traceback__))
    handler = getattr(module, function_name, None)
    if handler is None:
        return None, _error(
            "Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'"
        )
    return handler, None


def _json_default(value: Any) -> Any:
    # Lambda's runtime marshals Decimal (what boto3's DynamoDB resource returns) as a number.
    if isinstance(value, decimal.Decimal):
        return float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _log_error(error: dict[str, Any]) -> None:
    lines = [f"[ERROR] {error['errorType']}: {error['errorMessage']}", "Traceback (most recent call last):"]
    print("\n".join(lines + [frame.rstrip("\n") for frame in error["stackTrace"]]), file=sys.stderr)


def invoke(handler: Any, head: dict[str, Any], body: bytes) -> tuple[bool, bytes]:
    """Run the handler on one event: (succeeded, the JSON result or Lambda's error document)."""
    request_id = head["requestId"]
    context = LambdaContext(request_id, head["invokedFunctionArn"], head["deadlineMs"])
    try:
        event = json.loads(body) if body else {}
        result = handler(event, context)
    except Exception as err:
        error = _error(type(err).__name__, str(err), _user_frames(err.__traceback__)[1:], request_id)
        _log_error(error)
        return False, json.dumps(error).encode()
    try:
        return True, json.dumps(result, default=_json_default).encode()
    except (TypeError, ValueError, RecursionError) as err:  # RecursionError: nested too deeply
        error = _error("Runtime.MarshalError", f"Unable to marshal response: {err}", request_id=request_id)
        _log_error(error)
        return False, json.dumps(error).encode()


def main(request_fd: int, response_fd: int) -> None:
    _set_import_path()
    request_ids = _install_root_log_handler()
    started = time.perf_counter()
    handler, init_error = load_handler(os.environ["_HANDLER"])
    sys.stdout.flush()
    sys.stderr.flush()
    if init_error:
        print(f"[ERROR] {init_error['errorType']}: {init_error['errorMessage']}", file=sys.stderr, flush=True)
        write_frame(response_fd, {"ready": False}, json.dumps(init_error).encode())
        return
    write_frame(response_fd, {"ready": True, "initMs": (time.perf_counter() - started) * 1000})
    while True:
        try:
            head, body = read_frame(request_fd)
        except EOFError:
            return
        request_ids.request_id = head["requestId"]
        ok, result = invoke(handler, head, body)
        sys.stdout.flush()
        sys.stderr.flush()
        write_frame(response_fd, {"ok": ok}, result)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
