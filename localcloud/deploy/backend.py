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
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

CANCEL_LOCK_RUNBOOK = "notebooks/06-cancel-stuck-lock.ipynb (runbooks.cancel_stuck_lock)"


def env_of(stack: str) -> str:
    """``sesha-backend-dev`` → ``dev``; ``local`` → ``local``."""
    return stack.removeprefix("sesha-backend-")


def state_bucket_name(stack: str) -> str:
    return f"sesha-backend-pulumi-{env_of(stack)}"


class StateBucketMissing(RuntimeError):
    pass


class CheckpointUnreadable(RuntimeError):
    """The stack's checkpoint object is not a Pulumi checkpoint (truncated, edited by hand...)."""


class LockHeld(RuntimeError):
    """Another deploy holds the stack's lock."""

    def __init__(self, stack: str, lock: LockInfo) -> None:
        super().__init__(
            f"stack {stack!r} is locked by {lock.username}@{lock.hostname} (pid {lock.pid}) since "
            f"{lock.timestamp} ({lock.age_text()} ago), lock s3://{lock.bucket}/{lock.key}. Another deploy "
            f"is running, or one died without cleaning up: wait for it, or if none is running remove the "
            f"stale lock with {CANCEL_LOCK_RUNBOOK}. Locks are never removed automatically."
        )
        self.lock = lock


@dataclass(frozen=True)
class LockInfo:
    bucket: str
    key: str
    pid: int
    username: str
    hostname: str
    timestamp: str

    def age(self) -> dt.timedelta:
        try:
            since = dt.datetime.fromisoformat(self.timestamp.replace("Z", "+00:00"))
        except ValueError:
            return dt.timedelta(0)
        return dt.datetime.now(dt.UTC) - since

    def age_text(self) -> str:
        seconds = int(self.age().total_seconds())
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m{seconds % 60:02d}s"


class StateBackend:
    def __init__(self, s3: Any, bucket: str, project: str, stack: str) -> None:
        self.s3, self.bucket, self.project, self.stack = s3, bucket, project, stack

    @property
    def checkpoint_key(self) -> str:
        return f".pulumi/stacks/{self.project}/{self.stack}.json"

    @property
    def lock_prefix(self) -> str:
        return f".pulumi/locks/organization/{self.project}/{self.stack}/"

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
    def locks(self) -> list[LockInfo]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.lock_prefix)
        found = []
        for page in pages:
            for obj in page.get("Contents", []):
                try:
                    data = json.loads(self.s3.get_object(Bucket=self.bucket, Key=obj["Key"])["Body"].read())
                except (ClientError, ValueError):
                    data = {}
                found.append(
                    LockInfo(
                        bucket=self.bucket,
                        key=obj["Key"],
                        pid=int(data.get("pid", 0)),
                        username=str(data.get("username", "?")),
                        hostname=str(data.get("hostname", "?")),
                        timestamp=str(data.get("timestamp", "")),
                    )
                )
        return found

    def acquire_lock(self) -> str:
        """Write this process's lock, then make sure it is the only one (else withdraw and refuse)."""
        for lock in self.locks():
            raise LockHeld(self.stack, lock)
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
            raise LockHeld(self.stack, others[0])
        return key

    def release_lock(self, key: str) -> None:
        self.s3.delete_object(Bucket=self.bucket, Key=key)
