"""Embedded-cloud benchmark: start-up, Lambda cold and warm invokes against a bare emulator call, and
the slice's deploy (from nothing, then unchanged), all on a private instance (free ports, temp dir).

Run: ``.venv/bin/python bench/localcloud.py``. Prints the figures, then one JSON object as the last line.
Targets (issue 2): ready <= 3 s; warm invoke p50 <= 3x the bare call; cold invoke with boto3 <= 1 s.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from localcloud import endpoints, process, testing
from tests.fixtures.lambdas import create_function, unique

WARM_INVOKES = 300


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(int(len(ordered) * fraction), len(ordered) - 1)]


def _invoke(lam: Any, name: str, payload: bytes = b"{}") -> None:
    response = lam.invoke(FunctionName=name, Payload=payload)
    response["Payload"].read()
    if response.get("FunctionError"):
        raise RuntimeError(f"{name} failed during the benchmark: {response}")


def lambda_figures(region: str) -> dict[str, float]:
    lam = boto3.client("lambda", config=Config(retries={"total_max_attempts": 1}))
    fast = create_function(lam, "basic", "app.fast")
    cold = _timed(lambda: _invoke(lam, fast))

    bucket = unique("bench")
    boto3.client("s3").create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    with_boto3 = create_function(
        lam, "with_boto3", "app.handler", Environment={"Variables": {"BUCKET": bucket}}
    )
    cold_boto3 = _timed(lambda: _invoke(lam, with_boto3, b'{"key": "k", "body": "b"}'))

    for _ in range(20):
        _invoke(lam, fast)
        lam.get_function(FunctionName=fast)
    warm = [_timed(lambda: _invoke(lam, fast)) for _ in range(WARM_INVOKES)]
    bare = [_timed(lambda: lam.get_function(FunctionName=fast)) for _ in range(WARM_INVOKES)]
    return {
        "cold_invoke_ms": _ms(cold),
        "cold_invoke_boto3_ms": _ms(cold_boto3),
        "warm_invoke_p50_ms": _ms(statistics.median(warm)),
        "warm_invoke_p95_ms": _ms(_percentile(warm, 0.95)),
        "bare_call_p50_ms": _ms(statistics.median(bare)),
        "warm_to_bare_ratio": round(statistics.median(warm) / statistics.median(bare), 2),
    }


def deploy_figures(eps: endpoints.Endpoints) -> dict[str, float | None]:
    """The slice's program deployed with the local engine from nothing, then again unchanged."""
    try:
        from infra import deploy
        from runbooks import pulumi_state_bucket
    except ImportError as err:
        print(f"deploy: not measured, the deploy API is missing ({err})")
        return {"deploy_fresh_s": None, "deploy_noop_s": None}
    os.environ.setdefault(
        "PULUMI_CONFIG_PASSPHRASE", "sesha-local"
    )  # the local stack's documented passphrase
    pulumi_state_bucket.ensure(boto3.client("s3"), "local", eps.region)
    try:
        fresh = _timed(lambda: deploy.deploy("local", endpoints=eps, progress=None))
        noop = _timed(lambda: deploy.deploy("local", endpoints=eps, progress=None))
    except Exception as err:
        print(f"deploy: not measured, the deploy failed: {type(err).__name__}: {err}")
        return {"deploy_fresh_s": None, "deploy_noop_s": None}
    return {"deploy_fresh_s": round(fresh, 2), "deploy_noop_s": round(noop, 2)}


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-localcloud-") as tmp:
        cfg = testing.private_config(Path(tmp))
        started = time.perf_counter()
        process.up(cfg)
        figures: dict[str, Any] = {"ready_s": round(time.perf_counter() - started, 2)}
        try:
            eps = endpoints.load(cfg.state_dir)
            with testing.aws_environment(eps):
                figures.update(lambda_figures(eps.region))
                figures.update(deploy_figures(eps))
        finally:
            process.down(cfg)
    for key, value in figures.items():
        print(f"{key:<22} {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
