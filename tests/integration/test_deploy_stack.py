"""The real program (``infra/``, stack ``local``) deployed to the embedded cloud once for this module:
its outputs, a no-change redeploy, and the HTTP API answering ``GET /health`` through the local gateway."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest

from infra.stack_config import Passphrase
from localcloud.deploy import DeployResult, deploy, outputs
from localcloud.endpoints import Endpoints
from runbooks import pulumi_state_bucket

pytestmark = pytest.mark.integration

STACK = "local"
# The local stack's passphrase is documented and not a secret (infra/Pulumi.local.yaml).
PASSPHRASE = Passphrase("sesha-local", "the local stack's documented passphrase")
EXPECTED_OUTPUTS = (
    "httpApiUrl",
    "webSocketUrl",
    "webSocketManagementUrl",
    "userPoolId",
    "userPoolClientId",
    "articlesTableName",
    "sourcesTableName",
    "connectionsTableName",
    "idempotencyTableName",
    "pagesBucketName",
    "backupsBucketName",
    "stateMachineArn",
    "openSearchEndpoint",
    "region",
)


@pytest.fixture(scope="module")
def deployed(cloud_env: Endpoints) -> Iterator[DeployResult]:
    # Idempotent: another module of the session (runbook 03's tests) may have made it already.
    pulumi_state_bucket.ensure(boto3.client("s3"), "local", cloud_env.region)
    yield deploy(STACK, endpoints=cloud_env, passphrase=PASSPHRASE, progress=None)


def test_every_stack_output_is_present(deployed: DeployResult, cloud_env: Endpoints) -> None:
    missing = [name for name in EXPECTED_OUTPUTS if not deployed.outputs.get(name)]

    assert missing == []
    assert deployed.outputs["region"] == cloud_env.region
    assert deployed.resources > 100


def test_outputs_point_at_real_resources(deployed: DeployResult) -> None:
    out = deployed.outputs
    table = boto3.client("dynamodb").describe_table(TableName=out["articlesTableName"])["Table"]
    machine = boto3.client("stepfunctions").describe_state_machine(stateMachineArn=out["stateMachineArn"])
    pool = boto3.client("cognito-idp").describe_user_pool(UserPoolId=out["userPoolId"])["UserPool"]

    assert table["StreamSpecification"]["StreamEnabled"] is True
    assert machine["status"] == "ACTIVE"
    assert pool["Id"] == out["userPoolId"]


def test_outputs_are_readable_without_deploying(deployed: DeployResult, cloud_env: Endpoints) -> None:
    assert outputs(STACK, endpoints=cloud_env) == deployed.outputs


def test_redeploy_without_changes_changes_nothing(deployed: DeployResult, cloud_env: Endpoints) -> None:
    again = deploy(STACK, endpoints=cloud_env, passphrase=PASSPHRASE, progress=None)

    assert set(again.counts) == {"same"}
    assert again.outputs == deployed.outputs


def test_health_is_answered_through_the_local_gateway(deployed: DeployResult) -> None:
    url = deployed.outputs["httpApiUrl"].rstrip("/") + "/health"

    response = httpx.get(url, timeout=30)

    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    assert document["status"] == "ok"
    assert deployed.outputs["articlesTableName"] in response.text


def test_secret_config_reaches_the_function_in_clear_and_the_state_sealed(deployed: DeployResult) -> None:
    lam, s3 = boto3.client("lambda"), boto3.client("s3")
    scrape = next(f for f in lam.list_functions()["Functions"] if "scrape" in f["FunctionName"])
    checkpoint = json.loads(
        s3.get_object(Bucket="sesha-backend-pulumi-local", Key=".pulumi/stacks/sesha-pulumi/local.json")[
            "Body"
        ].read()
    )
    record = next(
        r for r in checkpoint["checkpoint"]["latest"]["resources"] if r.get("id") == scrape["FunctionName"]
    )

    assert scrape["Environment"]["Variables"]["PROXY_URL"] in ("", "none")
    assert "environment" in record["secretKeys"]
    assert set(record["inputs"]["environment"]) == {"4dabf18193072939515e22adb298388d", "ciphertext"}
