"""Where the executor plugs into moto's Lambda: its Docker invoke (``LambdaFunction._invoke_lambda``) and
the invoke entry points are replaced outright, and uploaded code must be a zip."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from typing import Any

from localcloud.lambda_executor import packages
from localcloud.lambda_executor.executor import Executor

_NOT_A_ZIP = "Could not unzip uploaded file. Please check your file, then try to upload again."
_executor: Executor | None = None


def install(executor: Executor) -> None:
    """Route every invoke moto makes (API, Step Functions, event sources) to ``executor``."""
    global _executor
    from moto.awslambda.models import LambdaBackend, LambdaFunction, LayerVersion
    from moto.awslambda.responses import LambdaResponse

    _executor = executor
    if getattr(LambdaBackend.invoke, "_localcloud", False):
        return
    LambdaBackend.invoke = _mark(_backend_invoke)  # type: ignore[method-assign]
    LambdaFunction.invoke = _mark(_function_invoke)  # type: ignore[method-assign]
    LambdaFunction._invoke_lambda = _mark(_invoke_lambda)  # type: ignore[method-assign]
    LambdaFunction._set_function_code = _zip_checked_code(LambdaFunction._set_function_code)  # type: ignore[method-assign]
    LayerVersion.__init__ = _zip_checked_layer(LayerVersion.__init__)  # type: ignore[method-assign]
    LambdaResponse._get_param = _qualifier_fixed(LambdaResponse._get_param)  # type: ignore[method-assign]


def current() -> Executor:
    if _executor is None:
        raise RuntimeError("the Lambda executor is not installed (localcloud.lambda_executor.install)")
    return _executor


def _mark(function: Callable[..., Any]) -> Callable[..., Any]:
    function._localcloud = True  # type: ignore[attr-defined]
    return function


def _header(headers: Any, name: str) -> str | None:
    if not headers:
        return None
    value = headers.get(name)
    if value is None and isinstance(headers, Mapping):
        value = next((v for k, v in headers.items() if k.lower() == name.lower()), None)
    return value


def _payload(body: Any) -> bytes:
    from moto.awslambda.exceptions import LambdaClientError

    if body is None or body == "":
        return b"{}"
    payload = body.encode() if isinstance(body, str) else bytes(body)
    try:
        json.loads(payload)
    except ValueError as err:
        raise LambdaClientError(
            "InvalidRequestContentException", f"Could not parse request body into json: {err}"
        ) from err
    return payload


def _run(fn: Any, body: Any, headers: Any, response_headers: dict[str, str], invoked_arn: str) -> bytes:
    invocation_type = _header(headers, "x-amz-invocation-type") or "RequestResponse"
    payload = _payload(body)
    response_headers["x-amz-executed-version"] = str(fn.version)
    if invocation_type == "DryRun":  # the function exists and the payload parses: nothing runs
        return b""
    if invocation_type == "Event":
        current().invoke_event(fn, payload, invoked_arn)
        return b""
    result = current().invoke(fn, payload, invoked_arn)
    if result.function_error:
        response_headers["x-amz-function-error"] = result.function_error
    response_headers["x-amz-log-result"] = base64.b64encode(result.log_tail.encode()).decode()
    return result.payload


def _invoked_arn(fn: Any, name_or_arn: str, qualifier: str | None) -> str:
    """The ARN the caller named, as the context's ``invoked_function_arn`` reports it."""
    if name_or_arn.startswith("arn:"):
        arn = name_or_arn
    else:
        prefix = fn.function_arn.rsplit(":function:", 1)[0]
        arn = f"{prefix}:function:{name_or_arn}"
    if qualifier and not arn.endswith(f":{qualifier}"):
        arn = f"{arn}:{qualifier}"
    return arn


def _backend_invoke(
    self: Any, function_name: str, qualifier: str | None, body: Any, headers: Any, response_headers: Any
) -> bytes:
    fn = self.get_function(function_name, qualifier)
    payload = _run(fn, body, headers, response_headers, _invoked_arn(fn, function_name, qualifier))
    response_headers["Content-Length"] = str(len(payload))
    return payload


def _function_invoke(self: Any, body: Any, request_headers: Any, response_headers: Any) -> bytes:
    return _run(self, body, request_headers, response_headers, self.function_arn)


def _invoke_lambda(self: Any, event: Any = None) -> tuple[str, bool, str]:
    payload = event.encode() if isinstance(event, str) else json.dumps(event or {}).encode()
    result = current().invoke(self, payload)
    return result.payload.decode(), result.function_error is not None, result.log


def _qualifier_fixed(original: Callable[..., Any]) -> Callable[..., Any]:
    """moto's Invoke reads the ``Qualifier`` query parameter as ``qualifier`` and so never finds it:
    every qualified invoke would run $LATEST."""

    def get_param(self: Any, param_name: str, if_none: Any = None) -> Any:
        value = original(self, param_name, None)
        if value is None and param_name == "qualifier":
            value = original(self, "Qualifier", None)
        return if_none if value is None else value

    return _mark(get_param)


def _zip_bytes(encoded: Any) -> bytes:
    try:
        return base64.b64decode(encoded, validate=False)
    except (binascii.Error, ValueError, TypeError):
        return b""


def _require_zip(encoded: Any) -> None:
    from moto.awslambda.exceptions import InvalidParameterValueException

    try:
        packages.check_zip(_zip_bytes(encoded))
    except packages.NotAZip:
        raise InvalidParameterValueException(_NOT_A_ZIP) from None


def _zip_checked_code(original: Callable[..., Any]) -> Callable[..., Any]:
    def set_function_code(self: Any, updated_spec: dict[str, Any]) -> None:
        dry_run = updated_spec is not self.code and updated_spec.get("DryRun")
        if "ZipFile" in updated_spec and not dry_run:
            _require_zip(updated_spec["ZipFile"])
        original(self, updated_spec)

    return _mark(set_function_code)


def _zip_checked_layer(original: Callable[..., Any]) -> Callable[..., Any]:
    def init(self: Any, spec: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        if "ZipFile" in spec.get("Content", {}):
            _require_zip(spec["Content"]["ZipFile"])
        original(self, spec, *args, **kwargs)

    return _mark(init)
