"""Where the executor plugs into moto's Lambda: its Docker invoke (``LambdaFunction._invoke_lambda``) and
the invoke entry points are replaced outright, and uploaded code must be a zip."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from localcloud.lambda_executor import packages
from localcloud.lambda_executor.executor import Executor

_NOT_A_ZIP = "Could not unzip uploaded file. Please check your file, then try to upload again."
# Lambda's limit on a synchronous invoke's request (and response) payload.
MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024
_INVOCATION_TYPES = ("RequestResponse", "Event", "DryRun")
_LAYER_VERSION_ARN = re.compile(r"arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+")
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
    LambdaResponse.setup_class = _utf8_checked(LambdaResponse.setup_class)  # type: ignore[method-assign]
    LambdaBackend.create_function = _limits_checked_create(LambdaBackend.create_function)  # type: ignore[method-assign]
    LambdaFunction.update_configuration = _limits_checked_update(LambdaFunction.update_configuration)  # type: ignore[method-assign]
    # There is no Docker here: moto's dashboard (/moto-api/data.json) reads every attribute of every
    # function and would fail on the Docker client; an AttributeError makes it skip the attribute.
    LambdaFunction.docker_client = property(_no_docker)  # type: ignore[assignment,method-assign]


def _no_docker(_: Any) -> Any:
    raise AttributeError("the embedded cloud runs Lambdas without Docker")


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
    except (ValueError, RecursionError) as err:  # RecursionError: nested deeper than json can read
        reason = "nested too deeply" if isinstance(err, RecursionError) else str(err)
        raise LambdaClientError(
            "InvalidRequestContentException", f"Could not parse request body into json: {reason}"
        ) from None
    return payload


def _run(fn: Any, body: Any, headers: Any, response_headers: dict[str, str], invoked_arn: str) -> bytes:
    from moto.awslambda.exceptions import LambdaClientError

    invocation_type = _header(headers, "x-amz-invocation-type") or "RequestResponse"
    if invocation_type not in _INVOCATION_TYPES:
        raise LambdaClientError(
            "ValidationException",
            f"1 validation error detected: Value '{invocation_type}' at 'invocationType' failed to "
            f"satisfy constraint: Member must satisfy enum value set: [{', '.join(_INVOCATION_TYPES)}]",
        )
    payload = _payload(body)
    if invocation_type == "RequestResponse" and len(payload) > MAX_SYNC_PAYLOAD_BYTES:
        error = LambdaClientError(
            "RequestTooLargeException",
            f"Request must be smaller than {MAX_SYNC_PAYLOAD_BYTES} bytes for the InvokeFunction operation "
            f"(got {len(payload)}): store the data in S3 and pass its key",
        )
        error.code = 413
        raise error
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


# Lambda's ranges; moto takes any number, so a program that AWS refuses would deploy here.
_LIMITS = {"Timeout": ("timeout", 1, 900), "MemorySize": ("memorySize", 128, 10240)}


def _check_limits(spec: Mapping[str, Any]) -> None:
    from moto.awslambda.exceptions import LambdaClientError

    _layers_checked(spec)
    for key, (field, low, high) in _LIMITS.items():
        if key not in spec:
            continue
        value = spec[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            bound = (
                f"greater than or equal to {low}"
                if isinstance(value, int) and value < low
                else (f"less than or equal to {high}")
            )
            raise LambdaClientError(
                "ValidationException",
                f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: "
                f"Member must have value {bound}",
            )


def _limits_checked_create(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_function(self: Any, spec: dict[str, Any]) -> Any:
        _check_limits(spec)
        return original(self, spec)

    return _mark(create_function)


def _limits_checked_update(original: Callable[..., Any]) -> Callable[..., Any]:
    def update_configuration(self: Any, config_updates: dict[str, Any]) -> Any:
        _check_limits(config_updates)
        return original(self, config_updates)

    return _mark(update_configuration)


def _utf8_checked(original: Callable[..., Any]) -> Callable[..., Any]:
    """moto decodes every request body as UTF-8 and answers a 500 when it is not: an invoke payload
    that is not UTF-8 is the caller's mistake (a 400, as on Lambda)."""

    def setup_class(self: Any, *args: Any, **kwargs: Any) -> Any:
        from moto.awslambda.exceptions import LambdaClientError

        try:
            return original(self, *args, **kwargs)
        except UnicodeDecodeError as err:
            raise LambdaClientError(
                "InvalidRequestContentException",
                f"Could not parse request body into json: the body is not UTF-8 ({err.reason} at byte "
                f"{err.start}); send the payload as UTF-8 encoded JSON",
            ) from None

    return _mark(setup_class)


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
        from moto.awslambda.exceptions import LambdaClientError

        try:
            value = original(self, param_name, None)
            if value is None and param_name == "qualifier":
                value = original(self, "Qualifier", None)
        except RecursionError:  # moto parses the body as JSON to look for the parameter
            raise LambdaClientError(
                "InvalidRequestContentException", "Could not parse request body into json: nested too deeply"
            ) from None
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


def _require_s3_zip(account_id: str, region: str, bucket: Any, key: Any) -> None:
    """Code or layer content named by an S3 object must be a zip too (AWS unzips it at create)."""
    from moto.awslambda.exceptions import InvalidParameterValueException
    from moto.s3.models import s3_backends
    from moto.utilities.utils import get_partition

    try:
        obj = s3_backends[account_id][get_partition(region)].get_object(bucket, key)
    except Exception:  # a missing bucket: moto's own check reports it
        return
    if obj is None:
        raise InvalidParameterValueException(
            "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: "
            f"The specified key does not exist. (s3://{bucket}/{key})"
        )
    try:
        packages.check_zip(obj.value)
    except packages.NotAZip:
        raise InvalidParameterValueException(f"{_NOT_A_ZIP} (s3://{bucket}/{key})") from None


def _zip_checked_code(original: Callable[..., Any]) -> Callable[..., Any]:
    def set_function_code(self: Any, updated_spec: dict[str, Any]) -> None:
        dry_run = updated_spec is not self.code and updated_spec.get("DryRun")
        if "ZipFile" in updated_spec and not dry_run:
            _require_zip(updated_spec["ZipFile"])
        elif "S3Bucket" in updated_spec and "S3Key" in updated_spec and not dry_run:
            _require_s3_zip(self.account_id, self.region, updated_spec["S3Bucket"], updated_spec["S3Key"])
        original(self, updated_spec)

    return _mark(set_function_code)


def _layers_checked(spec: Mapping[str, Any]) -> None:
    """Layer ARNs moto cannot split would be a 500 (an unpacking error) instead of AWS's 400."""
    from moto.awslambda.exceptions import LambdaClientError

    layers = spec.get("Layers")
    if layers is None:
        return
    bad = [arn for arn in layers if not isinstance(arn, str) or not _LAYER_VERSION_ARN.fullmatch(arn)]
    if bad:
        raise LambdaClientError(
            "ValidationException",
            f"1 validation error detected: Value '{bad}' at 'layers' failed to satisfy constraint: Member "
            "must satisfy regular expression pattern: "
            "arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+",
        )


def _zip_checked_layer(original: Callable[..., Any]) -> Callable[..., Any]:
    def init(
        self: Any, spec: dict[str, Any], account_id: str, region: str, *args: Any, **kwargs: Any
    ) -> None:
        content = spec.get("Content", {})
        if "ZipFile" in content:
            _require_zip(content["ZipFile"])
        elif "S3Bucket" in content and "S3Key" in content:
            _require_s3_zip(account_id, region, content["S3Bucket"], content["S3Key"])
        original(self, spec, account_id, region, *args, **kwargs)

    return _mark(init)
