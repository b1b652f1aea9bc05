"""What differs between the stacks is what their Pulumi.<stack>.yaml says; the outputs are complete."""

from __future__ import annotations

import pytest

from infra import stack_config
from infra.settings import SettingsError

from .program import TEST_PROXY_URL, Deployment, run_program

REQUIRED_OUTPUTS = {
    "httpApiUrl",
    "webSocketUrl",
    "webSocketManagementUrl",
    "userPoolId",
    "userPoolClientId",
    "stateMachineArn",
    "openSearchEndpoint",
    "region",
    "articlesTableName",
    "sourcesTableName",
    "connectionsTableName",
    "idempotencyTableName",
    "pagesBucketName",
    "backupsBucketName",
}


def env(deployment: Deployment, function: str) -> dict[str, str]:
    (found,) = [
        f for f in deployment.of_type("aws:lambda/function:Function") if f.name.endswith(f"-{function}")
    ]
    return found["environment"]["variables"]


def test_nat_gateways_per_stack(local: Deployment, dev: Deployment, prod: Deployment) -> None:
    counts = [len(d.of_type("aws:ec2/natGateway:NatGateway")) for d in (local, dev, prod)]
    assert counts == [1, 1, 2]
    # With two NAT gateways, each private subnet leaves through the one in its own zone.
    routes = [r for r in prod.of_type("aws:ec2/route:Route") if r.get("natGatewayId")]
    assert sorted(r["natGatewayId"] for r in routes) == ["network-nat-0-id", "network-nat-1-id"]


def test_search_sizing_per_stack(dev: Deployment, prod: Deployment) -> None:
    dev_cluster = dev.named("search-domain")["clusterConfig"]
    prod_cluster = prod.named("search-domain")["clusterConfig"]
    assert (dev_cluster["instanceType"], dev_cluster["instanceCount"]) == ("t3.small.search", 1)
    assert (prod_cluster["instanceType"], prod_cluster["instanceCount"]) == ("r6g.large.search", 2)
    assert prod_cluster["zoneAwarenessEnabled"] is True and dev_cluster["zoneAwarenessEnabled"] is False


def test_writer_and_model_per_stack(local: Deployment, dev: Deployment, prod: Deployment) -> None:
    assert env(local, "write")["WRITER"] == "extractive"
    assert (env(prod, "write")["WRITER"], env(prod, "write")["BEDROCK_MODEL_ID"]) == (
        "bedrock",
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
    )
    assert env(dev, "write")["BEDROCK_MODEL_ID"] == "anthropic.claude-3-haiku-20240307-v1:0"


def test_bedrock_permission_only_for_the_configured_model(local: Deployment, prod: Deployment) -> None:
    def bedrock_resources(deployment: Deployment) -> list[str]:
        policy = deployment.named("worker-functions-write-access")["policy"]
        return [
            r
            for s in __import__("json").loads(policy)["Statement"]
            if "bedrock:InvokeModel" in s["Action"]
            for r in s["Resource"]
        ]

    assert bedrock_resources(local) == []
    assert bedrock_resources(prod) == [
        "arn:aws:bedrock:eu-north-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0"
    ]


def test_private_addresses_refused_in_prod_allowed_locally(local: Deployment, prod: Deployment) -> None:
    for function in ("validate", "scrape"):
        assert env(prod, function)["ALLOW_PRIVATE_ADDRESSES"] == "false"
        assert env(local, function)["ALLOW_PRIVATE_ADDRESSES"] == "true"


def test_chromium_layer_from_its_bucket_where_configured(local: Deployment, dev: Deployment) -> None:
    assert [layer.name for layer in local.of_type("aws:lambda/layerVersion:LayerVersion")] == [
        "layers-dependencies"
    ]
    chromium = dev.named("layers-chromium")
    assert chromium["s3Bucket"] == "sesha-backend-chromium-browser-dev"
    assert chromium["s3Key"] == "131.0.6778.204/chromium.zip"
    assert dev.named("worker-functions-scrape")["layers"] == [
        dev.named("layers-dependencies").outputs["arn"],
        chromium.outputs["arn"],
    ]


def test_proxy_url_reaches_the_scraper(dev: Deployment) -> None:
    assert env(dev, "scrape")["PROXY_URL"] == TEST_PROXY_URL


def test_outputs_are_complete(deployment: Deployment) -> None:
    assert deployment.exports.keys() >= REQUIRED_OUTPUTS
    assert deployment.exports["region"] == "eu-north-1"
    assert deployment.exports["webSocketManagementUrl"] == deployment.exports["webSocketUrl"].replace(
        "wss://", "https://"
    )
    assert deployment.exports["stateMachineArn"] == deployment.named("workflow-articles").outputs["arn"]


def test_local_stack_secret_decrypts_with_the_documented_passphrase() -> None:
    values = stack_config.decrypted("local", stack_config.Passphrase("sesha-local"))
    assert values["sesha-pulumi:proxyUrl"] == ""


def test_aws_stacks_name_their_account() -> None:
    for stack in ("sesha-backend-dev", "sesha-backend-prod"):
        account = stack_config.load(stack).get("accountId")
        assert isinstance(account, str) and len(account) == 12 and account.isdigit()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"sesha-pulumi:writer": "gpt"}, "sesha-pulumi:writer must be one of"),
        ({"sesha-pulumi:writer": "bedrock", "sesha-pulumi:bedrockModelId": ""}, "bedrockModelId is required"),
        ({"sesha-pulumi:natGatewayCount": 3}, "natGatewayCount must be 1..2"),
        ({"sesha-pulumi:logRetentionDays": 10}, "logRetentionDays must be one of"),
        ({"sesha-pulumi:layerPlatform": "docker"}, "layerPlatform must be one of"),
    ],
)
def test_bad_settings_fail_with_the_key_and_the_fix(stand_in_layer, override: dict, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        run_program("local", stand_in_layer, override)
