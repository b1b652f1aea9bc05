"""06 cancel-stuck-lock on the embedded cloud: a real stale lock blocks the deploy engine; the runbook
removes it (only with confirm), the checkpoint stays as it was, and the next deploy proceeds."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from localcloud.deploy import LockHeld, deploy
from localcloud.endpoints import Endpoints
from runbooks import cancel_stuck_lock as csl
from runbooks import pulumi_state_bucket as psb

pytestmark = pytest.mark.integration

PROGRAM = Path(__file__).resolve().parents[1] / "fixtures" / "programs" / "small"
STACK = "sesha-backend-dev"  # the dev state bucket: no other test of the session uses it
BUCKET = "sesha-backend-pulumi-dev"


@pytest.fixture(scope="module")
def s3(cloud_env: Endpoints) -> Any:
    return boto3.client("s3", endpoint_url=cloud_env.edge, region_name=cloud_env.region)


def test_stale_lock_removed_and_the_deploy_proceeds(
    cloud_env: Endpoints, s3: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "sesha-local")
    program = shutil.copytree(PROGRAM, tmp_path / "program")
    psb.ensure(s3, "dev", cloud_env.region)  # runbook 03 makes the bucket the engine writes to

    def run() -> Any:
        return deploy(STACK, program, endpoints=cloud_env, state_bucket=BUCKET, progress=None)

    run()
    before = csl.checkpoint_fingerprint(s3, BUCKET, STACK)
    # given a lock left by a deploy killed five hours ago
    stale = csl.write_lock(
        s3, BUCKET, STACK, "stale-0001", username="ci", hostname="killed-runner", pid=4242,
        timestamp=datetime.now(UTC) - timedelta(hours=5),
    )  # fmt: skip
    with pytest.raises(LockHeld, match="killed-runner"):
        run()
    # when the runbook runs: the default is a dry run, and removal needs confirm
    assert csl.cancel(s3, BUCKET, STACK).removed == []
    with pytest.raises(csl.LockError, match="confirm=True"):
        csl.cancel(s3, BUCKET, STACK, dry_run=False)
    result = csl.cancel(s3, BUCKET, STACK, dry_run=False, confirm=True)
    # then only the stale lock went, the checkpoint is untouched, and a deploy proceeds
    assert result.removed == [stale]
    assert csl.checkpoint_fingerprint(s3, BUCKET, STACK) == before
    assert run().counts.get("create", 0) == 0
    assert csl.list_locks(s3, BUCKET, STACK) == []
