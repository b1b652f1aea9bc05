"""00 environment on a real embedded cloud: reached when it runs, started when it does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from localcloud import process, testing
from localcloud.config import CloudConfig
from localcloud.endpoints import Endpoints
from runbooks import environment

pytestmark = pytest.mark.integration


def test_a_running_cloud_is_reached_not_restarted(cloud: tuple[CloudConfig, Endpoints]) -> None:
    cfg, eps = cloud
    env = environment.reach("local", cloud=cfg)
    assert (env.started, env.account_id, env.region) == (False, eps.account_id, "eu-north-1")
    assert "local deploy engine" in env.deploy_path


def test_a_stopped_cloud_is_started(tmp_path: Path) -> None:
    cfg = testing.private_config(tmp_path / "lc")
    try:
        env = environment.reach("local", cloud=cfg)
        assert env.started and env.account_id == "123456789012"
        assert process.running_pid(cfg) is not None
    finally:
        process.down(cfg)
