"""Benchmark of the local deploy engine: the whole stack (``infra/``, stack ``local``) deployed from
nothing to a private embedded cloud, then redeployed without changes.

Prints progress, then as its last line one JSON object:
``{"deploy_fresh_s", "deploy_noop_s", "resources"}``. Targets: fresh <= 15 s, no-change <= 5 s.
Run: ``.venv/bin/python bench/deploy.py``.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import boto3

# Run as a script, Python puts bench/ first on the path, where bench/localcloud.py would shadow the
# localcloud package: look in the repository root instead.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from infra.stack_config import Passphrase  # noqa: E402
from localcloud import testing  # noqa: E402
from localcloud.deploy import deploy  # noqa: E402
from localcloud.endpoints import DUMMY_CREDENTIALS  # noqa: E402
from runbooks import pulumi_state_bucket  # noqa: E402

STACK = "local"
PASSPHRASE = Passphrase("sesha-local", "the local stack's documented passphrase")


def _log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def main() -> dict[str, float | int]:
    with (
        tempfile.TemporaryDirectory(prefix="bench-deploy-") as tmp,
        testing.running_cloud(Path(tmp)) as (_, eps),
    ):
        s3 = boto3.client(
            "s3",
            endpoint_url=eps.edge,
            region_name=eps.region,
            aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        pulumi_state_bucket.ensure(s3, "local", eps.region)

        started = time.perf_counter()
        fresh = deploy(STACK, endpoints=eps, passphrase=PASSPHRASE, progress=_log)
        fresh_s = time.perf_counter() - started

        started = time.perf_counter()
        noop = deploy(STACK, endpoints=eps, passphrase=PASSPHRASE, progress=_log)
        noop_s = time.perf_counter() - started

    if set(noop.counts) != {"same"}:
        _log(f"warning: the no-change redeploy changed something: {noop.counts}")
    return {
        "deploy_fresh_s": round(fresh_s, 2),
        "deploy_noop_s": round(noop_s, 2),
        "resources": fresh.resources,
    }


if __name__ == "__main__":
    print(json.dumps(main()))
