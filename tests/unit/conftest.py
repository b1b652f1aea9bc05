"""Unit tests never reach a real endpoint: whatever the shell, or an embedded-cloud fixture of the same
pytest session, exported to point boto3 elsewhere is removed, and the credentials are dummies, so
``moto.mock_aws`` in process answers every call."""

from __future__ import annotations

import pytest

ISOLATED_FROM = (
    "AWS_ENDPOINT_URL",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_SESSION_TOKEN",
)


@pytest.fixture(autouse=True)
def _isolated_aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ISOLATED_FROM:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-north-1")
