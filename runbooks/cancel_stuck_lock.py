"""06 cancel-stuck-lock: list a stack's locks in the Pulumi state bucket and remove a stale one.

Pulumi's diy backend writes a lock object
``.pulumi/locks/organization/sesha-pulumi/<stack>/<uuid>.json`` holding
``{"pid", "username", "hostname", "timestamp"}`` while an update runs; a killed update leaves it behind
and every later update refuses to start. Removing a lock is safe only when no update still runs, so:
``dry_run`` is the default, removal needs ``confirm=True``, and only locks older than a threshold go
unless ``force=True``. Only keys under the stack's lock prefix are ever deleted — the checkpoint
(``.pulumi/stacks/…``) is never touched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from infra.state_layout import Lock, checkpoint_key, list_locks, lock_prefix

DEFAULT_THRESHOLD = timedelta(minutes=60)


class LockError(RuntimeError):
    """Locks cannot be listed or removed as asked; the message says what to do."""


def is_stale(lock: Lock, now: datetime, threshold: timedelta) -> bool:
    """Older than ``threshold``; a lock whose time cannot be read counts as stale (no live update
    writes an unreadable lock)."""
    age = lock.age(now)
    return age is None or age >= threshold


@dataclass(frozen=True)
class Decision:
    lock: Lock
    remove: bool
    reason: str


def decide(locks: list[Lock], now: datetime, threshold: timedelta, *, force: bool = False) -> list[Decision]:
    if threshold <= timedelta(0):
        # A threshold of zero or less makes every lock "stale", a running deploy's too: that is what
        # force=True says, and it has to be said explicitly.
        raise LockError(
            f"threshold {threshold} is not positive: give the age (in minutes) past which a lock is stale, "
            "or force=True to remove even young locks"
        )
    decisions = []
    for lock in locks:
        if force:
            decisions.append(Decision(lock, True, "force=True"))
        elif is_stale(lock, now, threshold):
            decisions.append(Decision(lock, True, f"older than {threshold}"))
        else:
            decisions.append(
                Decision(
                    lock, False, f"younger than {threshold}: an update may still run (force=True to remove)"
                )
            )
    return decisions


@dataclass(frozen=True)
class CancelResult:
    decisions: list[Decision]
    removed: list[str]
    dry_run: bool
    now: datetime


def cancel(
    s3: Any,
    bucket: str,
    stack: str,
    *,
    threshold: timedelta = DEFAULT_THRESHOLD,
    force: bool = False,
    dry_run: bool = True,
    confirm: bool = False,
    now: datetime | None = None,
) -> CancelResult:
    """Remove the stack's stale locks — only with ``confirm=True`` and ``dry_run=False``."""
    now = now or datetime.now(UTC)
    decisions = decide(list_locks(s3, bucket, stack), now, threshold, force=force)
    doomed = [d.lock.key for d in decisions if d.remove]
    if dry_run or not doomed:
        return CancelResult(decisions, [], dry_run, now)
    if not confirm:
        raise LockError(
            f"{len(doomed)} lock(s) would be removed from stack {stack!r}: make sure no `pulumi up` or "
            "deploy is running for it, then set confirm=True"
        )
    prefix = lock_prefix(stack)
    for key in doomed:
        if not key.startswith(prefix):  # belt and braces: never delete outside the lock prefix
            raise LockError(f"refusing to delete {key}: not under {prefix}")
        s3.delete_object(Bucket=bucket, Key=key)
    return CancelResult(decisions, doomed, dry_run, now)


def locks_table(locks: list[Lock], now: datetime | None = None) -> str:
    if not locks:
        return "no locks"
    now = now or datetime.now(UTC)
    rows = [lock.row(now) for lock in locks]
    widths = {k: max(len(k), *(len(str(r[k])) for r in rows)) for k in rows[0]}
    lines = ["  ".join(f"{k:<{w}}" for k, w in widths.items())]
    lines += ["  ".join(f"{r[k]!s:<{w}}" for k, w in widths.items()) for r in rows]
    return "\n".join(lines)


def describe(result: CancelResult) -> str:
    if not result.decisions:
        return "no locks: nothing to do"
    lines = [
        f"{d.lock.key.rsplit('/', 1)[-1]}: {'remove' if d.remove else 'keep'} ({d.reason})"
        for d in result.decisions
    ]
    if result.dry_run:
        lines.append("dry run: nothing removed (dry_run=False and confirm=True to remove)")
    else:
        lines.append(f"removed {len(result.removed)} lock(s)")
    return "\n".join(lines)


def checkpoint_fingerprint(s3: Any, bucket: str, stack: str) -> str | None:
    """The checkpoint's ETag and version (None when the stack has none yet), to prove it was not touched."""
    try:
        head = s3.head_object(Bucket=bucket, Key=checkpoint_key(stack))
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return f"{head['ETag']}/{head.get('VersionId', '')}"


def write_lock(
    s3: Any,
    bucket: str,
    stack: str,
    lock_id: str,
    *,
    username: str,
    hostname: str,
    pid: int,
    timestamp: datetime,
) -> str:
    """Write a lock object as Pulumi does (used to rehearse this runbook and by its tests)."""
    key = f"{lock_prefix(stack)}{lock_id}.json"
    body = {"pid": pid, "username": username, "hostname": hostname, "timestamp": timestamp.isoformat()}
    s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(body).encode())
    return key
