"""Runbook unit tests run against moto in-process (``tests/unit/conftest.py`` keeps endpoint overrides
out)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from localcloud import s3_bucket_policy

# The embedded cloud evaluates bucket-policy conditions (moto alone ignores them, and the state
# bucket's TLS-only policy would deny every object request); the in-process moto here does the same.
s3_bucket_policy.install()

REGION = "eu-north-1"


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def s3(aws: None) -> Any:
    return boto3.client("s3", region_name=REGION)


@pytest.fixture
def iam(aws: None) -> Any:
    return boto3.client("iam", region_name=REGION)
