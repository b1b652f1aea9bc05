"""06 cancel-stuck-lock: listing, dry run by default, confirm required, threshold and force, and the
checkpoint never touched."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.stub import Stubber

from runbooks import cancel_stuck_lock as csl
from runbooks import pulumi_state_bucket as psb

NOW = datetime(2026, 12, 3, 16, 0, tzinfo=UTC)
STACK = "sesha-backend-dev"
BUCKET = "sesha-backend-pulumi-dev"


@pytest.fixture
def bucket(s3: Any) -> str:
    psb.ensure(s3, "dev", "eu-north-1")
    s3.put_object(Bucket=BUCKET, Key=csl.checkpoint_key(STACK), Body=b'{"version": 3, "checkpoint": {}}')
    return BUCKET


def lock(s3: Any, lock_id: str, age: timedelta, stack: str = STACK) -> str:
    return csl.write_lock(
        s3, BUCKET, stack, lock_id, username="runner", hostname="gh-runner-7", pid=4242, timestamp=NOW - age
    )


def test_lists_locks_with_owner_host_pid_and_age(s3: Any, bucket: str) -> None:
    lock(s3, "b", timedelta(minutes=5))
    lock(s3, "a", timedelta(hours=3, seconds=2))
    lock(s3, "x", timedelta(hours=9), stack="local")  # another stack's lock is not listed
    rows = [lk.row(NOW) for lk in csl.list_locks(s3, bucket, STACK)]
    assert rows == [
        {"lock": "a.json", "owner": "runner", "host": "gh-runner-7", "pid": 4242, "age": "3:00:02"},
        {"lock": "b.json", "owner": "runner", "host": "gh-runner-7", "pid": 4242, "age": "0:05:00"},
    ]


def test_pulumi_go_timestamps_with_nanoseconds_are_read(s3: Any, bucket: str) -> None:
    s3.put_object(
        Bucket=bucket,
        Key=f"{csl.lock_prefix(STACK)}go.json",
        Body=json.dumps(
            {"pid": 1, "username": "u", "hostname": "h", "timestamp": "2026-12-03T14:59:59.123456789Z"}
        ),
    )
    (found,) = csl.list_locks(s3, bucket, STACK)
    assert found.timestamp == datetime(2026, 12, 3, 14, 59, 59, 123456, tzinfo=UTC)


def test_dry_run_is_the_default_and_removes_nothing(s3: Any, bucket: str) -> None:
    key = lock(s3, "old", timedelta(hours=3))
    result = csl.cancel(s3, bucket, STACK, now=NOW, confirm=True)
    assert result.dry_run and result.removed == [] and result.decisions[0].remove
    assert s3.head_object(Bucket=bucket, Key=key)


def test_removal_needs_confirm(s3: Any, bucket: str) -> None:
    key = lock(s3, "old", timedelta(hours=3))
    with pytest.raises(csl.LockError, match="set confirm=True"):
        csl.cancel(s3, bucket, STACK, now=NOW, dry_run=False)
    assert s3.head_object(Bucket=bucket, Key=key)


def test_only_stale_locks_go_and_the_checkpoint_stays(s3: Any, bucket: str) -> None:
    old = lock(s3, "old", timedelta(hours=3))
    young = lock(s3, "young", timedelta(minutes=2))
    before = csl.checkpoint_fingerprint(s3, bucket, STACK)
    result = csl.cancel(s3, bucket, STACK, now=NOW, dry_run=False, confirm=True)
    assert result.removed == [old]
    assert [lk.key for lk in csl.list_locks(s3, bucket, STACK)] == [young]
    assert "younger than 1:00:00" in next(d.reason for d in result.decisions if not d.remove)
    assert csl.checkpoint_fingerprint(s3, bucket, STACK) == before is not None


def test_threshold_and_force(s3: Any, bucket: str) -> None:
    young = lock(s3, "young", timedelta(minutes=2))
    kept = csl.cancel(s3, bucket, STACK, now=NOW, dry_run=False, confirm=True, threshold=timedelta(minutes=5))
    assert kept.removed == []
    gone = csl.cancel(s3, bucket, STACK, now=NOW, dry_run=False, confirm=True, threshold=timedelta(minutes=1))
    assert gone.removed == [young]
    forced = lock(s3, "fresh", timedelta(seconds=1))
    assert csl.cancel(s3, bucket, STACK, now=NOW, dry_run=False, confirm=True, force=True).removed == [forced]


@pytest.mark.parametrize("minutes", [0, -5])
def test_a_threshold_that_is_not_positive_never_removes_a_young_lock(
    s3: Any, bucket: str, minutes: int
) -> None:
    """threshold_minutes=-5 would make a running deploy's lock "stale": only force=True may say that."""
    young = lock(s3, "young", timedelta(seconds=10))

    with pytest.raises(csl.LockError, match="not positive"):
        threshold = timedelta(minutes=minutes)
        csl.cancel(s3, bucket, STACK, now=NOW, dry_run=False, confirm=True, threshold=threshold)

    assert [lk.key for lk in csl.list_locks(s3, bucket, STACK)] == [young]


def test_an_unreadable_lock_counts_as_stale(s3: Any, bucket: str) -> None:
    key = f"{csl.lock_prefix(STACK)}garbage.json"
    s3.put_object(Bucket=bucket, Key=key, Body=b"not json")
    (decision,) = csl.decide(csl.list_locks(s3, bucket, STACK), NOW, timedelta(hours=1))
    assert decision.remove and decision.lock.row(NOW)["age"] == "unknown"


def test_second_run_finds_nothing_to_do(s3: Any, bucket: str) -> None:
    lock(s3, "old", timedelta(hours=3))
    csl.cancel(s3, bucket, STACK, now=NOW, dry_run=False, confirm=True)
    again = csl.cancel(s3, bucket, STACK, now=NOW, dry_run=False, confirm=True)
    assert again.decisions == [] and again.removed == []


def test_only_lock_keys_are_ever_deleted(s3: Any, bucket: str) -> None:
    # request shapes: the one DeleteObject names the lock key, never the checkpoint
    lock(s3, "old", timedelta(hours=3))
    body = s3.get_object(Bucket=bucket, Key=f"{csl.lock_prefix(STACK)}old.json")["Body"].read()
    stubber = Stubber(s3)
    listing = {
        "Contents": [{"Key": f"{csl.lock_prefix(STACK)}old.json"}],
        "KeyCount": 1,
        "IsTruncated": False,
    }
    stubber.add_response("list_objects_v2", listing, {"Bucket": bucket, "Prefix": csl.lock_prefix(STACK)})
    stubber.add_response(
        "get_object", {"Body": _body(body)}, {"Bucket": bucket, "Key": f"{csl.lock_prefix(STACK)}old.json"}
    )
    stubber.add_response("delete_object", {}, {"Bucket": bucket, "Key": f"{csl.lock_prefix(STACK)}old.json"})
    with stubber:
        csl.cancel(s3, bucket, STACK, now=NOW, dry_run=False, confirm=True)
    stubber.assert_no_pending_responses()


def _body(data: bytes) -> Any:
    import io

    from botocore.response import StreamingBody

    return StreamingBody(io.BytesIO(data), len(data))
