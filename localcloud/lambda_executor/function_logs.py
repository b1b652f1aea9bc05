"""Where a function's log lines go: CloudWatch Logs in the emulator (group ``/aws/lambda/<name>``, one
stream per execution environment, as on Lambda) and ``<logs>/lambda/<name>.log``."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from pathlib import Path

from localcloud.lambda_executor.spec import FunctionSpec

log = logging.getLogger("localcloud.lambda")


class FunctionLogs:
    def __init__(self, logs_dir: Path) -> None:
        self._dir = logs_dir / "lambda"
        self._dir.mkdir(parents=True, exist_ok=True)
        self._file_lock = threading.Lock()

    def write(self, spec: FunctionSpec, stream: str, lines: list[str]) -> None:
        if not lines:
            return
        now_ms = int(time.time() * 1000)
        try:
            self._to_cloudwatch(spec, stream, [{"timestamp": now_ms, "message": line} for line in lines])
        except Exception:  # a broken log sink must not fail the invoke
            log.exception("could not write %s's logs to CloudWatch Logs", spec.name)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now_ms / 1000)) + f".{now_ms % 1000:03d}Z"
        text = "".join(f"{stamp} {line}\n" for line in lines)
        with self._file_lock, open(self._dir / f"{spec.name}.log", "a", encoding="utf-8") as f:
            f.write(text)

    @staticmethod
    def _to_cloudwatch(spec: FunctionSpec, stream: str, events: list[dict]) -> None:
        from moto.logs.exceptions import ResourceAlreadyExistsException
        from moto.logs.models import logs_backends

        backend = logs_backends[spec.account_id][spec.region]
        backend.ensure_log_group(spec.log_group)
        if stream not in backend.groups[spec.log_group].streams:
            with contextlib.suppress(ResourceAlreadyExistsException):
                backend.create_log_stream(spec.log_group, stream)
        backend.put_log_events(spec.log_group, stream, events)
