"""The stack's state in its state bucket, laid out as Pulumi's S3 ("diy") backend lays it out:

- checkpoint ``.pulumi/stacks/<project>/<stack>.json`` (``{"version": 3, "checkpoint": {...}}``);
- locks ``.pulumi/locks/organization/<project>/<stack>/<uuid>.json`` with ``pid``, ``username``,
  ``hostname``, ``timestamp`` (RFC 3339).

The bucket ``sesha-backend-pulumi-<env>`` is created by runbook 03, never here."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import socket
import uuid
from typing import Any

from botocore.exceptions import ClientError

from infra import state_layout
from infra.state_layout import Lock

CANCEL_LOCK_RUNBOOK = "notebooks/06-cancel-stuck-lock.ipynb (runbooks.cancel_stuck_lock)"


class StateBucketMissing(RuntimeError):
    pass


class CheckpointUnreadable(RuntimeError):
    """The stack's checkpoint object is not a Pulumi checkpoint (truncated, edited by hand...)."""


class LockHeld(RuntimeError):
    """Another deploy holds the stack's lock."""

    def __init__(self, stack: str, bucket: str, lock: Lock) -> None:
        super().__init__(
            f"stack {stack!r} is locked by {lock.owner()}, lock s3://{bucket}/{lock.key}. Another deploy "
            f"is running, or one died without cleaning up: wait for it, or if none is running remove the "
            f"stale lock with {CANCEL_LOCK_RUNBOOK}. Locks are never removed automatically."
        )
        self.lock = lock


class StateBackend:
    def __init__(self, s3: Any, bucket: str, project: str, stack: str) -> None:
        self.s3, self.bucket, self.project, self.stack = s3, bucket, project, stack

    @property
    def checkpoint_key(self) -> str:
        return state_layout.checkpoint_key(self.stack, self.project)

    @property
    def lock_prefix(self) -> str:
        return state_layout.lock_prefix(self.stack, self.project)

    def ensure_bucket(self) -> None:
        try:
            self.s3.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            raise StateBucketMissing(
                f"state bucket {self.bucket!r} does not exist: create it first with notebook "
                f"03-pulumi-state-bucket (runbooks.pulumi_state_bucket)"
            ) from exc

    # -- checkpoint ---------------------------------------------------------------------------
    def read_checkpoint(self) -> dict[str, Any] | None:
        try:
            body = self.s3.get_object(Bucket=self.bucket, Key=self.checkpoint_key)["Body"].read()
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("NoSuchKey", "404"):
                return None
            raise
        try:
            document = json.loads(body)
        except (ValueError, RecursionError) as exc:
            document, problem = None, f"not JSON ({exc})"
        else:
            problem = "" if isinstance(document, dict) else "not a JSON object"
            if not problem and not isinstance(document.get("checkpoint", {}), dict):
                problem = "its 'checkpoint' is not an object"
        if problem:
            raise CheckpointUnreadable(
                f"the state of stack {self.stack!r} at s3://{self.bucket}/{self.checkpoint_key} is "
                f"{problem}. Nothing was changed. The bucket is versioned: find the last good version "
                "(aws s3api list-object-versions), copy it back over the key, then deploy again"
            )
        return document

    def write_checkpoint(self, document: dict[str, Any]) -> None:
        self.s3.put_object(
            Bucket=self.bucket,
            Key=self.checkpoint_key,
            Body=json.dumps(document, indent=2).encode(),
            ContentType="application/json",
        )

    # -- locks --------------------------------------------------------------------------------
    def locks(self) -> list[Lock]:
        return state_layout.list_locks(self.s3, self.bucket, self.stack, self.project)

    def acquire_lock(self) -> str:
        """Write this process's lock, then make sure it is the only one (else withdraw and refuse)."""
        for lock in self.locks():
            raise LockHeld(self.stack, self.bucket, lock)
        key = f"{self.lock_prefix}{uuid.uuid4()}.json"
        body = {
            "pid": os.getpid(),
            "username": getpass.getuser(),
            "hostname": socket.gethostname(),
            "timestamp": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
        }
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=json.dumps(body).encode())
        others = [lock for lock in self.locks() if lock.key != key]
        if others:
            self.release_lock(key)
            raise LockHeld(self.stack, self.bucket, others[0])
        return key

    def release_lock(self, key: str) -> None:
        self.s3.delete_object(Bucket=self.bucket, Key=key)
