"""DynamoDB stream event-source mappings, delivered as Lambda's poller does: asynchronously (a write
returns at once), in order, in batches of at most ``BatchSize`` (after ``MaximumBatchingWindowInSeconds``),
filtered by ``FilterCriteria``, retried up to ``MaximumRetryAttempts`` (from the first failed record when
the function reports ``batchItemFailures`` under ``ReportBatchItemFailures``; split in two on a function
error under ``BisectBatchOnFunctionError``), then dropped. A disabled mapping holds its records until it
is enabled again; a deleted one delivers nothing more.

moto delivers synchronously inside the write (``LambdaBackend.send_dynamodb_items``) and ignores those
settings; that method is replaced by a hand-off to one poller thread per mapping.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from datetime import datetime
from typing import Any

from localcloud.config import CloudConfig

log = logging.getLogger("localcloud.streams")

# Seconds between checks of a disabled mapping (re-enabling also wakes the poller at once).
_IDLE_CHECK_S = 0.5
_MAX_BACKOFF_S = 2.0


def _record(item: Any, region: str, source_arn: str) -> dict[str, Any]:
    """One stream record in the shape Lambda hands to a function."""
    raw = item.to_json()
    dynamodb = dict(raw["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
    return {
        "eventID": raw["eventID"],
        "eventName": raw["eventName"],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": dynamodb,
        "eventSourceARN": source_arn,
    }


def _sequence(record: dict[str, Any]) -> int:
    return int(record["dynamodb"]["SequenceNumber"])


def _matches_filters(esm: Any, record: dict[str, Any]) -> bool:
    filters = (esm.filter_criteria or {}).get("Filters") or []
    if not filters:
        return True
    from moto.events.models import EventPattern

    return any(EventPattern.load(f.get("Pattern")).matches_event(record) for f in filters)


class MappingPoller:
    """Delivers one mapping's records, one batch at a time, from its own thread."""

    def __init__(self, backend: Any, uuid: str, after_sequence: int) -> None:
        self._backend = backend
        self.uuid = uuid
        self._cursor = after_sequence  # the last record handed to this poller
        self._pending: deque[dict[str, Any]] = deque()
        self._cond = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name=f"stream-{uuid[:8]}", daemon=True)
        self._thread.start()

    def offer(self, items: list[Any], region: str, source_arn: str) -> None:
        """Take the records of ``items`` (the shard's whole history) that are newer than the cursor."""
        fresh = []
        for item in reversed(items):
            record = _record(item, region, source_arn)
            if _sequence(record) <= self._cursor:
                break
            fresh.append(record)
        if not fresh:
            return
        with self._cond:
            self._pending.extend(reversed(fresh))
            self._cursor = _sequence(fresh[0])
            self._cond.notify()

    def wake(self) -> None:
        with self._cond:
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    # -- the poller's thread ----------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            esm = self._next_ready_mapping()
            if esm is None:
                return
            batch = self._take_batch(esm)
            if batch:
                self._deliver(esm, batch)

    def _next_ready_mapping(self) -> Any | None:
        """Wait until there are records and the mapping is enabled; None once stopped or deleted."""
        with self._cond:
            while True:
                if self._stopped:
                    return None
                esm = self._backend.get_event_source_mapping(self.uuid)
                if esm is None:
                    self._pending.clear()
                    return None
                if esm.enabled and self._pending:
                    return esm
                self._cond.wait(_IDLE_CHECK_S)

    def _take_batch(self, esm: Any) -> list[dict[str, Any]]:
        size = int(esm.batch_size or 100)
        window = float(esm.max_batch_window or 0)
        deadline = time.monotonic() + window
        with self._cond:
            while window and len(self._pending) < size and not self._stopped:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            batch = []
            while self._pending and len(batch) < size:
                record = self._pending.popleft()
                if _matches_filters(esm, record):
                    batch.append(record)
            return batch

    def _deliver(self, esm: Any, batch: list[dict[str, Any]]) -> None:
        """Invoke until the batch succeeds or its retries run out. Records before the first reported
        item failure count as processed; with ``BisectBatchOnFunctionError`` a failing batch is split
        in two and each half delivered with its own retries."""
        parts = [batch]
        while parts and esm is not None:
            to_split = self._deliver_part(esm, parts.pop(0))
            if to_split:
                half = len(to_split) // 2
                parts[:0] = [to_split[:half], to_split[half:]]
            esm = self._backend.get_event_source_mapping(self.uuid)  # None once deleted

    def _deliver_part(self, esm: Any, batch: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        """Deliver one batch with retries: None when done (delivered, or dropped after the last
        retry), or the batch when the function failed and it is to be split."""
        max_retries = esm.max_retry_attempts
        unlimited = max_retries is None or int(max_retries) < 0
        attempt = 0
        while True:
            failed_from, function_error = self._invoke(esm, batch)
            if failed_from is None:
                return None
            if function_error and esm.bisect_on_error and len(batch) > 1:
                return batch
            batch = batch[failed_from:]
            if not unlimited and attempt >= int(max_retries):
                log.warning(
                    "mapping %s: dropping %d record(s) after %d retries (from sequence %s)",
                    self.uuid,
                    len(batch),
                    attempt,
                    batch[0]["dynamodb"]["SequenceNumber"],
                )
                return None
            attempt += 1
            with self._cond:
                self._cond.wait(min(0.05 * 2**attempt, _MAX_BACKOFF_S))
                if self._stopped:
                    return None
            esm = self._backend.get_event_source_mapping(self.uuid)
            if esm is None:  # deleted while retrying
                return None

    def _invoke(self, esm: Any, batch: list[dict[str, Any]]) -> tuple[int | None, bool]:
        """Deliver once: (None, False) on success, else (the index in ``batch`` to retry from,
        whether the function itself failed rather than reporting item failures)."""
        from localcloud.lambda_executor import moto_hooks

        try:
            fn = self._backend.get_function(esm.function_arn)
            result = moto_hooks.current().invoke(
                fn, json.dumps({"Records": batch}).encode(), esm.function_arn
            )
        except Exception:
            log.exception("mapping %s: could not invoke %s", self.uuid, esm.function_arn)
            return 0, True
        if result.function_error:
            log.info("mapping %s: %s failed: %s", self.uuid, esm.function_arn, result.payload[:300])
            return 0, True
        if "ReportBatchItemFailures" not in (esm.function_response_types or []):
            return None, False
        return _first_failure(result.payload, batch), False


def _first_failure(payload: bytes, batch: list[dict[str, Any]]) -> int | None:
    """Where to resume after a partial batch response; a malformed response fails the whole batch."""
    try:
        response = json.loads(payload or b"null")
    except ValueError:
        return 0
    if not isinstance(response, dict):
        return None
    failures = response.get("batchItemFailures") or []
    if not failures:
        return None
    positions = {record["dynamodb"]["SequenceNumber"]: i for i, record in enumerate(batch)}
    try:
        return min(positions[str(failure["itemIdentifier"])] for failure in failures)
    except (KeyError, TypeError):
        return 0


class StreamDelivery:
    """The pollers of every DynamoDB stream mapping, created on a mapping's first write."""

    def __init__(self) -> None:
        self._pollers: dict[str, MappingPoller] = {}
        self._lock = threading.Lock()

    def send(self, backend: Any, function_arn: str, items: list[Any], source_arn: str) -> None:
        for esm in list(backend._event_source_mappings.values()):
            if esm.event_source_arn == source_arn and esm.function_arn == function_arn:
                self._poller(backend, esm, items).offer(items, backend.region_name, source_arn)

    def _poller(self, backend: Any, esm: Any, items: list[Any]) -> MappingPoller:
        with self._lock:
            poller = self._pollers.get(esm.uuid)
            if poller is None or not poller.alive:
                # The first write after the mapping was created: LATEST starts with it,
                # TRIM_HORIZON with the oldest record the stream holds.
                start = -1
                if esm.starting_position == "LATEST" and items:
                    start = int(items[-1].to_json()["dynamodb"]["SequenceNumber"]) - 1
                poller = self._pollers[esm.uuid] = MappingPoller(backend, esm.uuid, start)
            return poller

    def wake(self, uuid: str) -> None:
        with self._lock:
            poller = self._pollers.get(uuid)
        if poller:
            poller.wake()

    def stop(self) -> None:
        with self._lock:
            pollers, self._pollers = list(self._pollers.values()), {}
        for poller in pollers:
            poller.stop()


_delivery = StreamDelivery()


def install(cfg: CloudConfig) -> None:
    """Replace moto's synchronous stream delivery with the pollers."""
    from moto.awslambda.models import LambdaBackend

    if getattr(LambdaBackend.send_dynamodb_items, "_localcloud", False):
        return
    original_update = LambdaBackend.update_event_source_mapping

    def send_dynamodb_items(self: Any, function_arn: str, items: list[Any], source: str) -> None:
        # Returning nothing keeps moto from emptying the shard, so GetRecords still sees every record.
        _delivery.send(self, function_arn, items, source)

    def update_event_source_mapping(self: Any, uuid: str, spec: dict[str, Any]) -> Any:
        esm = original_update(self, uuid, spec)
        _delivery.wake(uuid)
        return esm

    send_dynamodb_items._localcloud = True  # type: ignore[attr-defined]
    LambdaBackend.send_dynamodb_items = send_dynamodb_items  # type: ignore[method-assign]
    LambdaBackend.update_event_source_mapping = update_event_source_mapping  # type: ignore[method-assign]


def shutdown() -> None:
    """Stop every poller (records not yet delivered are dropped: the stream lives in memory anyway)."""
    _delivery.stop()
