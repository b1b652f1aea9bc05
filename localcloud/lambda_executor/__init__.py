"""Python Lambda executor: replaces moto's Docker-based invoke with warm worker processes that run each
function's real code (its zip and layers) with Lambda's environment, context, timeout and error shapes.

Inside the daemon, invoke either through moto (``lambda_backends[account][region].invoke(...)``, what
the Lambda API, Step Functions and event sources use) or directly with :func:`invoke_function`.
"""

from __future__ import annotations

from localcloud.config import CloudConfig
from localcloud.lambda_executor import moto_hooks
from localcloud.lambda_executor.executor import Executor, InvokeResult

__all__ = ["InvokeResult", "install", "invoke_function", "shutdown"]

_state: dict[str, object] = {}


def install(cfg: CloudConfig) -> None:
    """Hook the executor into moto's Lambda backend (call once, before serving)."""
    executor = Executor(cfg)
    _state.update(executor=executor, cfg=cfg)
    moto_hooks.install(executor)


def shutdown() -> None:
    """Stop every worker process (in-flight invokes end with ``Runtime.ExitError``)."""
    executor = _state.pop("executor", None)
    if isinstance(executor, Executor):
        executor.shutdown()


def invoke_function(
    function: str,
    payload: bytes = b"{}",
    *,
    qualifier: str | None = None,
    account_id: str | None = None,
    region: str | None = None,
) -> InvokeResult:
    """Synchronous invoke of a function by name or ARN, in-process (no HTTP): for code running inside
    the daemon. Raises moto's ``ResourceNotFoundException`` error for an unknown function."""
    from moto.awslambda.models import lambda_backends

    cfg = _state.get("cfg")
    if not isinstance(cfg, CloudConfig):
        raise RuntimeError("the Lambda executor is not installed (localcloud.lambda_executor.install)")
    if function.startswith("arn:"):
        parts = function.split(":")
        region, account_id = parts[3], parts[4]
    backend = lambda_backends[account_id or cfg.account_id][region or cfg.region]
    fn = backend.get_function(function, qualifier)
    arn = function if function.startswith("arn:") else fn.function_arn
    return moto_hooks.current().invoke(fn, payload, arn)
