"""One execution environment seen from the executor: the worker subprocess (:mod:`localcloud.lambda_worker`)
with the function's environment, its request and response pipes, and its log file."""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from localcloud import lambda_worker
from localcloud.endpoints import DUMMY_CREDENTIALS
from localcloud.lambda_executor.spec import FunctionSpec

WORKER_SCRIPT = Path(lambda_worker.__file__).resolve()
# Lambda's limit for the init phase (importing the handler's module).
INIT_TIMEOUT_S = 10.0
# A worker's log file is cut back to nothing once it holds this much already-read output.
_LOG_ROTATE_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Outcome:
    """How one init or invoke ended. ``status``: ok | error (the handler failed; ``body`` is Lambda's
    error document) | timeout | exited (the process died)."""

    status: str
    body: bytes = b""
    duration_ms: float = 0.0


def log_stream_name(version: str) -> str:
    """Lambda's stream naming: one stream per execution environment."""
    return time.strftime("%Y/%m/%d/", time.gmtime()) + f"[{version}]{uuid.uuid4().hex}"


def runtime_environment(
    spec: FunctionSpec, task_root: Path, opt: Path | None, tmp: Path, edge_url: str, log_stream: str
) -> dict[str, str]:
    """The function's variables, then Lambda's reserved ones; boto3 in the function reaches the
    embedded cloud through ``AWS_ENDPOINT_URL`` and dummy credentials."""
    opt_bin = [f"{opt}/bin"] if opt else []
    opt_lib = [f"{opt}/lib"] if opt else []
    env = {"AWS_ENDPOINT_URL": edge_url, **spec.environment}
    env.update(
        {
            "_HANDLER": spec.handler,
            "_LOCALCLOUD_OPT_DIR": str(opt or ""),
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
            "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group,
            "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": spec.region,
            "AWS_DEFAULT_REGION": spec.region,
            **DUMMY_CREDENTIALS,
            "AWS_SESSION_TOKEN": "testing",
            "LAMBDA_TASK_ROOT": str(task_root),
            "LAMBDA_RUNTIME_DIR": sys.prefix,
            "HOME": str(tmp),  # no ~/.aws of the developer leaks into the function
            "TMPDIR": str(tmp),
            "TZ": ":UTC",
            "LANG": "C.UTF-8",
            "PATH": os.pathsep.join([*opt_bin, os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")]),
            "LD_LIBRARY_PATH": os.pathsep.join([*opt_lib, os.environ.get("LD_LIBRARY_PATH", "")]).strip(":"),
            # Output written before a timeout kills the worker still reaches the log.
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


class WorkerProcess:
    """A started worker. Not thread-safe: the pool hands it to one invoke at a time."""

    def __init__(
        self, spec: FunctionSpec, task_root: Path, opt: Path | None, workdir: Path, edge_url: str
    ) -> None:
        self.spec = spec
        self.log_stream = log_stream_name(spec.version)
        self.workdir = workdir
        self.last_used = time.monotonic()
        self.invokes = 0
        tmp = workdir / "tmp"
        tmp.mkdir(parents=True)
        self._log_path = workdir / "output.log"
        self._log_offset = 0
        request_read, self._request_fd = os.pipe()
        self._response_fd, response_write = os.pipe()
        log_fd = os.open(self._log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-P", str(WORKER_SCRIPT), str(request_read), str(response_write)],
                env=runtime_environment(spec, task_root, opt, tmp, edge_url, self.log_stream),
                cwd=task_root,
                stdin=subprocess.DEVNULL,
                stdout=log_fd,
                stderr=log_fd,
                pass_fds=(request_read, response_write),
            )
        except BaseException:
            os.close(self._request_fd)
            os.close(self._response_fd)
            raise
        finally:
            os.close(request_read)
            os.close(response_write)
            os.close(log_fd)
        # poll, not select: a long-running daemon's descriptors may pass select's limit of 1024.
        self._responses = select.poll()
        self._responses.register(self._response_fd, select.POLLIN)

    @property
    def pid(self) -> int:
        return self._proc.pid

    def wait_ready(self) -> Outcome:
        """The init phase: the handler's module imported (ok) or Lambda's init error (error)."""
        started = time.monotonic()
        frame = self._next_frame(started + INIT_TIMEOUT_S)
        duration_ms = (time.monotonic() - started) * 1000
        if isinstance(frame, Outcome):
            return Outcome(frame.status, duration_ms=duration_ms)
        head, body = frame
        return Outcome("ok" if head.get("ready") else "error", body, duration_ms)

    def invoke(self, request_id: str, invoked_arn: str, payload: bytes, timeout_s: float) -> Outcome:
        started = time.monotonic()
        self.invokes += 1
        head = {
            "requestId": request_id,
            "invokedFunctionArn": invoked_arn,
            "deadlineMs": int((time.time() + timeout_s) * 1000),
        }
        try:
            lambda_worker.write_frame(self._request_fd, head, payload)
        except OSError:
            return Outcome("exited")
        frame = self._next_frame(started + timeout_s)
        duration_ms = (time.monotonic() - started) * 1000
        self.last_used = time.monotonic()
        if isinstance(frame, Outcome):
            return Outcome(frame.status, duration_ms=duration_ms)
        head, body = frame
        return Outcome("ok" if head.get("ok") else "error", body, duration_ms)

    def _next_frame(self, deadline: float) -> tuple[dict, bytes] | Outcome:
        try:
            ready = self._responses.poll(max(deadline - time.monotonic(), 0.0) * 1000)
        except (OSError, ValueError):
            return Outcome("exited")
        if not ready:
            return Outcome("timeout")
        try:
            return lambda_worker.read_frame(self._response_fd)
        except (EOFError, OSError, json.JSONDecodeError):
            return Outcome("exited")

    def exit_code(self) -> int | None:
        try:
            return self._proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            return None

    def read_log(self) -> str:
        """What the function wrote since the last call."""
        try:
            with open(self._log_path, "rb") as f:
                f.seek(self._log_offset)
                data = f.read()
        except OSError:
            return ""
        self._log_offset += len(data)
        if self._log_offset > _LOG_ROTATE_BYTES:
            os.truncate(self._log_path, 0)
            self._log_offset = 0
        return data.decode("utf-8", errors="replace")

    def max_memory_mb(self) -> int:
        try:
            with open(f"/proc/{self._proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) // 1024
        except OSError:
            pass
        return 0

    def alive(self) -> bool:
        return self._proc.poll() is None

    def kill(self) -> None:
        """End the process now; an invoke waiting on it sees the worker exit."""
        if self._proc.poll() is None:
            self._proc.kill()

    def stop(self) -> None:
        """Kill the process (Lambda gives Python runtimes no shutdown phase) and drop its files."""
        self.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._proc.wait(timeout=5)
        for fd in (self._request_fd, self._response_fd):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._request_fd = self._response_fd = -1
        shutil.rmtree(self.workdir, ignore_errors=True)
