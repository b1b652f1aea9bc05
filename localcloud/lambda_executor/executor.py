"""Running one invoke: pick (or start) a warm worker of the function version, send the event, enforce the
timeout, turn every failure into Lambda's error document, and write the invoke's log lines."""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from localcloud.config import CloudConfig
from localcloud.lambda_executor import packages
from localcloud.lambda_executor.function_logs import FunctionLogs
from localcloud.lambda_executor.pools import WorkerPool
from localcloud.lambda_executor.spec import FunctionSpec
from localcloud.lambda_executor.worker_process import Outcome, WorkerProcess

log = logging.getLogger("localcloud.lambda")

# Concurrent executions per function version (reserved concurrency, when set, lowers it).
DEFAULT_CONCURRENCY = int(os.environ.get("LOCALCLOUD_LAMBDA_CONCURRENCY", "8"))
IDLE_TIMEOUT_S = float(os.environ.get("LOCALCLOUD_LAMBDA_IDLE_TIMEOUT_S", "600"))
# The tail of the log returned with LogType=Tail, as on Lambda.
_LOG_TAIL_BYTES = 4096


@dataclass(frozen=True)
class InvokeResult:
    """A synchronous invoke's answer: the payload (the function's JSON result, or Lambda's error
    document when ``function_error`` is set — always "Unhandled", as Lambda reports today)."""

    payload: bytes
    function_error: str | None
    log: str
    executed_version: str

    @property
    def log_tail(self) -> str:
        return self.log.encode()[-_LOG_TAIL_BYTES:].decode("utf-8", errors="ignore")


def _error_document(error_type: str, message: str) -> bytes:
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()


class Executor:
    def __init__(self, cfg: CloudConfig) -> None:
        self._edge_url = cfg.edge_url
        self._cache = cfg.state_dir / "lambda"
        self._workers_dir = self._cache / "workers"
        # Left over by a daemon that was killed: no worker outlives its daemon.
        shutil.rmtree(self._workers_dir, ignore_errors=True)
        self._logs = FunctionLogs(cfg.logs_dir)
        self._pools: dict[tuple[str, str, str, str], WorkerPool] = {}
        self._pools_lock = threading.Lock()
        self._events = ThreadPoolExecutor(max_workers=16, thread_name_prefix="lambda-event")
        self._stopping = threading.Event()
        self._reaper = threading.Thread(target=self._reap_idle, name="lambda-reaper", daemon=True)
        self._reaper.start()

    # -- invokes ------------------------------------------------------------------------------------

    def invoke(self, fn: Any, payload: bytes, invoked_arn: str | None = None) -> InvokeResult:
        """Run a ``moto.awslambda.models.LambdaFunction`` on ``payload`` (JSON bytes) and wait."""
        spec = FunctionSpec.from_moto(fn)
        request_id = str(uuid.uuid4())
        if not spec.runtime.startswith("python") or getattr(fn, "package_type", "Zip") != "Zip":
            message = (
                f"the embedded cloud runs Python zip functions only, not {spec.runtime or fn.package_type!r}"
            )
            return InvokeResult(
                _error_document("Runtime.InvalidRuntime", message), "Unhandled", "", spec.version
            )
        pool = self._pool(spec, fn)
        worker, init, init_output = self._acquire(pool, spec, fn)
        reusable = False
        try:
            if init is not None and init.status != "ok":
                return self._init_failed(spec, worker, request_id, init, init_output)
            outcome = worker.invoke(request_id, invoked_arn or spec.arn, payload, spec.timeout_s)
            reusable = outcome.status in ("ok", "error")
            return self._finish(spec, worker, request_id, outcome, init, init_output)
        finally:
            pool.checkin(worker, reusable)

    def _acquire(
        self, pool: WorkerPool, spec: FunctionSpec, fn: Any
    ) -> tuple[WorkerProcess, Outcome | None, str]:
        """A warm worker, or a new one after its init phase: (worker, init outcome if cold, init output)."""
        worker = pool.checkout(spec.fingerprint)
        if worker is not None:
            return worker, None, ""
        try:
            worker = self._start_worker(spec, fn)
        except Exception:
            pool.start_failed()
            raise
        pool.started(worker)
        try:
            init = worker.wait_ready()
            return worker, init, worker.read_log()
        except BaseException:
            pool.checkin(worker, reusable=False)
            raise

    def invoke_event(self, fn: Any, payload: bytes, invoked_arn: str | None = None) -> None:
        """``InvocationType=Event``: queued, run in the background; failures only reach the log."""
        self._events.submit(self._invoke_logged, fn, payload, invoked_arn)

    def _invoke_logged(self, fn: Any, payload: bytes, invoked_arn: str | None) -> None:
        try:
            result = self.invoke(fn, payload, invoked_arn)
        except Exception:
            log.exception("asynchronous invoke of %s failed", getattr(fn, "function_name", fn))
            return
        if result.function_error:
            log.warning("asynchronous invoke of %s failed: %s", fn.function_name, result.payload[:500])

    # -- workers -------------------------------------------------------------------------------------

    def _pool(self, spec: FunctionSpec, fn: Any) -> WorkerPool:
        limit = DEFAULT_CONCURRENCY
        if getattr(fn, "reserved_concurrency", None):
            limit = min(limit, int(fn.reserved_concurrency))
        with self._pools_lock:
            pool = self._pools.get(spec.pool_key)
            if pool is None:
                pool = self._pools[spec.pool_key] = WorkerPool(limit)
            pool.limit = max(limit, 1)
            return pool

    def _start_worker(self, spec: FunctionSpec, fn: Any) -> WorkerProcess:
        from moto.awslambda.exceptions import LambdaClientError
        from moto.awslambda.models import lambda_backends

        try:
            packages.check_zip(fn.code_bytes)
        except packages.NotAZip as err:  # e.g. code from an S3 object that has gone
            error = LambdaClientError("InvalidZipFileException", f"Lambda could not unzip the code: {err}")
            error.code = 502
            raise error from err
        task_root = packages.task_root(self._cache, spec.code_sha256, fn.code_bytes)
        backend = lambda_backends[spec.account_id][spec.region]
        layers = [backend.layers_versions_by_arn(arn) for arn in spec.layer_arns]
        opt = packages.opt_dir(self._cache, [(lv.code_sha_256, lv.code_bytes) for lv in layers if lv])
        workdir = self._workers_dir / uuid.uuid4().hex
        return WorkerProcess(spec, task_root, opt, workdir, self._edge_url)

    def _reap_idle(self) -> None:
        while not self._stopping.wait(min(30.0, IDLE_TIMEOUT_S)):
            with self._pools_lock:
                pools = list(self._pools.values())
            for pool in pools:
                pool.reap(IDLE_TIMEOUT_S)

    def shutdown(self) -> None:
        self._stopping.set()
        self._events.shutdown(wait=False, cancel_futures=True)
        with self._pools_lock:
            pools = list(self._pools.values())
        for pool in pools:
            pool.close()

    # -- results and logs ----------------------------------------------------------------------------

    def _init_failed(
        self, spec: FunctionSpec, worker: WorkerProcess, request_id: str, init: Outcome, output: str
    ) -> InvokeResult:
        if init.status == "timeout":
            body = _error_document(
                "Sandbox.Timedout", f"Init phase timed out after {init.duration_ms / 1000:.2f} seconds"
            )
        elif init.status == "exited":
            body = _error_document(
                "Runtime.ExitError", f"Runtime exited with error: exit status {worker.exit_code()}"
            )
        else:
            body = init.body
        lines = [*_lines(output), f"START RequestId: {request_id} Version: {spec.version}"]
        lines += [
            f"END RequestId: {request_id}",
            _report(spec, request_id, init.duration_ms, 0, init.duration_ms, "error"),
        ]
        self._logs.write(spec, worker.log_stream, lines)
        return InvokeResult(body, "Unhandled", "\n".join(lines) + "\n", spec.version)

    def _finish(
        self,
        spec: FunctionSpec,
        worker: WorkerProcess,
        request_id: str,
        outcome: Outcome,
        init: Outcome | None,
        init_output: str,
    ) -> InvokeResult:
        output = worker.read_log()
        memory = worker.max_memory_mb()
        status = None
        if outcome.status == "timeout":
            worker.kill()
            output += f"{_now_iso()} {request_id} Task timed out after {spec.timeout_s:.2f} seconds\n"
            message = f"RequestId: {request_id} Error: Task timed out after {spec.timeout_s:.2f} seconds"
            body, status = _error_document("Sandbox.Timedout", message), "timeout"
        elif outcome.status == "exited":
            code = worker.exit_code()
            message = f"RequestId: {request_id} Error: Runtime exited with error: exit status {code}"
            body, status = _error_document("Runtime.ExitError", message), "error"
        else:
            body = outcome.body
        lines = [
            *_lines(init_output),
            f"START RequestId: {request_id} Version: {spec.version}",
            *_lines(output),
        ]
        lines += [
            f"END RequestId: {request_id}",
            _report(
                spec, request_id, outcome.duration_ms, memory, init.duration_ms if init else None, status
            ),
        ]
        self._logs.write(spec, worker.log_stream, lines)
        error = "Unhandled" if outcome.status != "ok" else None
        return InvokeResult(body, error, "\n".join(lines) + "\n", spec.version)


def _lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.strip()]


def _now_iso() -> str:
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"


def _report(
    spec: FunctionSpec,
    request_id: str,
    duration_ms: float,
    memory_mb: int,
    init_ms: float | None,
    status: str | None,
) -> str:
    parts = [
        f"REPORT RequestId: {request_id}",
        f"Duration: {duration_ms:.2f} ms",
        f"Billed Duration: {int(duration_ms) + 1} ms",
        f"Memory Size: {spec.memory_mb} MB",
        f"Max Memory Used: {memory_mb} MB",
    ]
    if init_ms is not None:
        parts.append(f"Init Duration: {init_ms:.2f} ms")
    if status:
        parts.append(f"Status: {status}")
    return "\t".join(parts)
