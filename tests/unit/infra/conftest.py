"""Fixtures: the program run once per stack (module-cached), with a stand-in dependencies layer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from infra import lambda_packaging

from .program import Deployment, run_program

STACKS = ("local", "sesha-backend-dev", "sesha-backend-prod")


@pytest.fixture(scope="session")
def stand_in_layer(tmp_path_factory: pytest.TempPathFactory) -> lambda_packaging.BuiltArchive:
    """A tiny layer zip: the program's properties do not depend on the layer's contents."""
    path = Path(tmp_path_factory.mktemp("layer")) / "layer.zip"
    data = lambda_packaging.deterministic_zip([("python/placeholder.py", Path(lambda_packaging.__file__))])
    path.write_bytes(data)
    return lambda_packaging.BuiltArchive(path, lambda_packaging.sha256_b64(data))


@pytest.fixture(scope="session")
def deploy(stand_in_layer: lambda_packaging.BuiltArchive) -> Callable[[str], Deployment]:
    cache: dict[str, Deployment] = {}

    def run(stack: str) -> Deployment:
        if stack not in cache:
            cache[stack] = run_program(stack, stand_in_layer)
        return cache[stack]

    return run


@pytest.fixture(scope="session", params=STACKS)
def deployment(request: pytest.FixtureRequest, deploy: Callable[[str], Deployment]) -> Deployment:
    """The program's resources for each stack in turn."""
    return deploy(request.param)


@pytest.fixture(scope="session")
def local(deploy: Callable[[str], Deployment]) -> Deployment:
    return deploy("local")


@pytest.fixture(scope="session")
def dev(deploy: Callable[[str], Deployment]) -> Deployment:
    return deploy("sesha-backend-dev")


@pytest.fixture(scope="session")
def prod(deploy: Callable[[str], Deployment]) -> Deployment:
    return deploy("sesha-backend-prod")
