"""Where Pulumi's S3 ("diy") backend keeps a stack's state in its bucket, and what a lock says.

Shared by the local deploy engine (which writes this layout), the Automation API path (which reports a
held lock) and runbooks 03 and 06 (which create the bucket and remove stale locks):

- bucket ``sesha-backend-pulumi-<env>`` (``sesha-backend-dev`` → ``dev``; ``local`` → ``local``);
- checkpoint ``.pulumi/stacks/<project>/<stack>.json``;
- locks ``.pulumi/locks/organization/<project>/<stack>/<uuid>.json`` holding
  ``{"pid", "username", "hostname", "timestamp"}`` (RFC 3339; Go writes nanoseconds).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from infra.stack_config import PROJECT


def env_of(stack: str) -> str:
    """``sesha-backend-dev`` → ``dev``; ``local`` → ``local``."""
    return stack.removeprefix("sesha-backend-")


def state_bucket_name(stack: str) -> str:
    return f"sesha-backend-pulumi-{env_of(stack)}"


def checkpoint_key(stack: str, project: str = PROJECT) -> str:
    return f".pulumi/stacks/{project}/{stack}.json"


def lock_prefix(stack: str, project: str = PROJECT) -> str:
    return f".pulumi/locks/organization/{project}/{stack}/"


@dataclass(frozen=True)
class Lock:
    """One lock object; a damaged one is still a lock, with what can be read of its owner."""

    key: str
    username: str
    hostname: str
    pid: int | None
    timestamp: datetime | None  # None: unreadable lock content

    def age(self, now: datetime | None = None) -> timedelta | None:
        return None if self.timestamp is None else (now or datetime.now(UTC)) - self.timestamp

    def age_text(self, now: datetime | None = None) -> str:
        age = self.age(now)
        return "unknown" if age is None else str(age - timedelta(microseconds=age.microseconds))

    def owner(self) -> str:
        """``user@host (pid N) since <time> (<age> ago)`` for error messages."""
        since = self.timestamp.isoformat().replace("+00:00", "Z") if self.timestamp else "an unknown time"
        return f"{self.username}@{self.hostname} (pid {self.pid}) since {since} ({self.age_text()} ago)"

    def row(self, now: datetime) -> dict[str, Any]:
        return {
            "lock": self.key.rsplit("/", 1)[-1],
            "owner": self.username,
            "host": self.hostname,
            "pid": self.pid,
            "age": self.age_text(now),
        }


def parse_timestamp(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        # Go writes RFC 3339 with nanoseconds; Python takes at most microseconds.
        head, dot, rest = text.partition(".")
        if dot:
            digits = "".join(c for c in rest if c.isdigit())
            zone = rest[len(digits) :]
            text = f"{head}.{digits[:6]}{zone}"
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def read_lock(s3: Any, bucket: str, key: str) -> Lock:
    try:
        body = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    except (ValueError, RecursionError, ClientError):
        body = {}
    if not isinstance(body, dict):
        body = {}
    pid = body.get("pid")
    return Lock(
        key=key,
        username=str(body.get("username", "?")),
        hostname=str(body.get("hostname", "?")),
        pid=pid if isinstance(pid, int) else None,
        timestamp=parse_timestamp(body.get("timestamp")),
    )


def list_locks(s3: Any, bucket: str, stack: str, project: str = PROJECT) -> list[Lock]:
    """The stack's locks, oldest first."""
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix=lock_prefix(stack, project)
    ):
        keys += [o["Key"] for o in page.get("Contents", []) if o["Key"].endswith(".json")]
    locks = [read_lock(s3, bucket, key) for key in keys]
    return sorted(locks, key=lambda lock: lock.timestamp or datetime.min.replace(tzinfo=UTC))
