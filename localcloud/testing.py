"""An embedded cloud of its own for a test session or a benchmark: free ports, a temporary state dir."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from localcloud import endpoints, process
from localcloud.config import CloudConfig


def private_config(state_dir: Path) -> CloudConfig:
    return CloudConfig(
        state_dir=state_dir,
        edge_port=process.free_port(),
        opensearch_port=process.free_port(),
        gateway_port=process.free_port(),
    )


@contextlib.contextmanager
def running_cloud(state_dir: Path) -> Iterator[tuple[CloudConfig, endpoints.Endpoints]]:
    """Start a private embedded cloud, yield its config and endpoints, stop it and all it started."""
    state_dir.mkdir(parents=True, exist_ok=True)
    cfg = private_config(state_dir)
    process.up(cfg)
    try:
        yield cfg, endpoints.load(state_dir)
    finally:
        process.down(cfg)


@contextlib.contextmanager
def patched_environ(values: dict[str, str], remove: tuple[str, ...] = ()) -> Iterator[None]:
    """``os.environ`` with ``values`` set and ``remove`` unset (child processes inherit it), restored
    after the block."""
    saved = {k: os.environ.get(k) for k in (*values, *remove)}
    for key in remove:
        os.environ.pop(key, None)
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def aws_environment(eps: endpoints.Endpoints) -> contextlib.AbstractContextManager[None]:
    """Point boto3 in this process (and its children) at the embedded cloud for the block."""
    return patched_environ(eps.aws_environment())
