"""The stack's settings, read once from ``Pulumi.<stack>.yaml`` (``pulumi.Config``) and checked.

Everything that differs between stacks is here; components never read config themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

PROJECT = "sesha-pulumi"
WRITERS = ("bedrock", "extractive")
LAYER_PLATFORMS = ("host", "lambda")
# CloudWatch Logs accepts only these retention periods (days).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557)


class SettingsError(ValueError):
    """A stack setting is missing or out of range; the message names the key and the fix."""


@dataclass(frozen=True)
class Settings:
    project: str
    stack: str
    environment: str
    region: str
    account_id: str | None
    availability_zones: Sequence[str]
    vpc_cidr: str
    nat_gateway_count: int
    opensearch_instance_type: str
    opensearch_instance_count: int
    opensearch_volume_gib: int
    log_retention_days: int
    deletion_protection: bool
    writer: str
    bedrock_model_id: str | None
    proxy_url: pulumi.Output[str]
    allow_private_addresses: bool
    chromium_layer_version: str | None
    layer_platform: str
    lambda_runtime: str
    http_throttle_burst: int
    http_throttle_rate: float
    websocket_stage: str
    websocket_access_logs: bool
    map_max_concurrency: int
    connection_ttl_seconds: int
    password_minimum_length: int

    @property
    def tags(self) -> dict[str, str]:
        """The tags every taggable resource carries."""
        return {"project": self.project, "stack": self.stack, "environment": self.environment}


def _check(condition: bool, key: str, message: str) -> None:
    if not condition:
        raise SettingsError(f"{PROJECT}:{key} {message} (set it in infra/Pulumi.<stack>.yaml)")


def load() -> Settings:
    """Read and check this stack's settings."""
    config = pulumi.Config()
    aws_config = pulumi.Config("aws")
    zones = config.get_object("availabilityZones") or []
    nat_count = config.get_int("natGatewayCount", 1)
    writer = config.get("writer", "extractive")
    model = config.get("bedrockModelId") or None
    retention = config.get_int("logRetentionDays", 14)
    layer_platform = config.get("layerPlatform", "lambda")
    search_count = config.get_int("openSearchInstanceCount", 1)

    _check(len(zones) == 2, "availabilityZones", "must list exactly two availability zones")
    # The VPC functions reach Step Functions (no gateway endpoint exists for it) through NAT.
    _check(1 <= nat_count <= len(zones), "natGatewayCount", f"must be 1..{len(zones)}, not {nat_count}")
    _check(writer in WRITERS, "writer", f"must be one of {WRITERS}, not {writer!r}")
    _check(writer != "bedrock" or bool(model), "bedrockModelId", "is required when writer is bedrock")
    _check(retention in LOG_RETENTION_DAYS, "logRetentionDays", f"must be one of {LOG_RETENTION_DAYS}")
    _check(layer_platform in LAYER_PLATFORMS, "layerPlatform", f"must be one of {LAYER_PLATFORMS}")
    _check(1 <= search_count <= 2, "openSearchInstanceCount", "must be 1 or 2 (one per availability zone)")

    return Settings(
        project=pulumi.get_project(),
        stack=pulumi.get_stack(),
        environment=config.require("environment"),
        region=aws_config.require("region"),
        account_id=config.get("accountId"),
        availability_zones=tuple(zones),
        vpc_cidr=config.get("vpcCidr", "10.20.0.0/16"),
        nat_gateway_count=nat_count,
        opensearch_instance_type=config.get("openSearchInstanceType", "t3.small.search"),
        opensearch_instance_count=search_count,
        opensearch_volume_gib=config.get_int("openSearchVolumeGiB", 10),
        log_retention_days=retention,
        deletion_protection=config.get_bool("deletionProtection", True),
        writer=writer,
        bedrock_model_id=model,
        proxy_url=config.require_secret("proxyUrl"),
        allow_private_addresses=config.get_bool("allowPrivateAddresses", False),
        chromium_layer_version=config.get("chromiumLayerVersion") or None,
        layer_platform=layer_platform,
        lambda_runtime=config.get("lambdaRuntime", "python3.11"),
        http_throttle_burst=config.get_int("httpThrottleBurst", 100),
        http_throttle_rate=config.get_float("httpThrottleRate", 50.0),
        websocket_stage=config.get("webSocketStage", "v1"),
        websocket_access_logs=config.get_bool("webSocketAccessLogs", True),
        map_max_concurrency=config.get_int("mapMaxConcurrency", 4),
        connection_ttl_seconds=config.get_int("connectionTtlSeconds", 7200),
        password_minimum_length=config.get_int("passwordMinimumLength", 12),
    )
