"""Shared fixtures. The embedded cloud is started once per session, on free ports, and only when an
integration test asks for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from localcloud import testing
from localcloud.config import CloudConfig
from localcloud.endpoints import Endpoints


@pytest.fixture(scope="session")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CloudConfig, Endpoints]]:
    with testing.running_cloud(tmp_path_factory.mktemp("localcloud")) as running:
        yield running


@pytest.fixture(scope="session")
def cloud_env(cloud: tuple[CloudConfig, Endpoints]) -> Iterator[Endpoints]:
    """The embedded cloud's endpoints, with boto3 in this process pointed at it."""
    _, eps = cloud
    with testing.aws_environment(eps):
        yield eps
