"""Warm workers of one function version: reused across invokes, replaced when the code or configuration
changes, and bounded, so concurrent invokes run side by side up to the limit and wait beyond it."""

from __future__ import annotations

import threading
import time

from localcloud.lambda_executor.worker_process import WorkerProcess


class ExecutorStopped(RuntimeError):
    """The embedded cloud is shutting down."""


class WorkerPool:
    def __init__(self, limit: int) -> None:
        self.limit = max(limit, 1)
        self._cond = threading.Condition()
        self._idle: list[WorkerProcess] = []
        self._busy: set[WorkerProcess] = set()
        self._starting = 0
        self._fingerprint = ""
        self._closed = False

    def checkout(self, fingerprint: str) -> WorkerProcess | None:
        """A warm worker for this fingerprint, or None: the caller may start one (and must check it
        in, or call :meth:`start_failed`)."""
        stale: list[WorkerProcess] = []
        try:
            with self._cond:
                if fingerprint != self._fingerprint:
                    stale, self._idle = self._idle, []
                    self._fingerprint = fingerprint
                while True:
                    if self._closed:
                        raise ExecutorStopped("the embedded cloud is stopping")
                    if self._idle:
                        worker = self._idle.pop()  # the most recently used one: the warmest
                        self._busy.add(worker)
                        return worker
                    if len(self._busy) + self._starting < self.limit:
                        self._starting += 1
                        return None
                    self._cond.wait()
        finally:
            for worker in stale:
                worker.stop()

    def started(self, worker: WorkerProcess) -> None:
        with self._cond:
            self._starting -= 1
            self._busy.add(worker)

    def start_failed(self) -> None:
        with self._cond:
            self._starting -= 1
            self._cond.notify()

    def checkin(self, worker: WorkerProcess, reusable: bool) -> None:
        with self._cond:
            self._busy.discard(worker)
            keep = reusable and not self._closed and worker.spec.fingerprint == self._fingerprint
            if keep:
                self._idle.append(worker)
            self._cond.notify()
        if not keep:
            worker.stop()

    def reap(self, idle_for_s: float) -> None:
        """Stop workers idle for longer than ``idle_for_s`` (Lambda reclaims idle environments too)."""
        cutoff = time.monotonic() - idle_for_s
        with self._cond:
            expired = [w for w in self._idle if w.last_used < cutoff]
            self._idle = [w for w in self._idle if w.last_used >= cutoff]
        for worker in expired:
            worker.stop()

    def close(self) -> None:
        """Stop every worker; invokes in flight end with the worker's exit."""
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            busy = list(self._busy)
            self._cond.notify_all()
        for worker in busy:
            worker.kill()
        for worker in idle:
            worker.stop()
