"""Layers: the functions' third-party dependencies (built from ``lambdas/requirements.txt`` for the
stack's ``layerPlatform``) and, when a version is configured, the Chromium layer published from its
object in the bucket ``sesha-backend-chromium-browser-<env>`` (uploaded there by runbook 10)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from pulumi import ResourceOptions

from infra import lambda_packaging

CHROMIUM_OBJECT = "chromium.zip"


def chromium_bucket(environment: str) -> str:
    return f"sesha-backend-chromium-browser-{environment}"


@dataclass
class LayersArgs:
    layer_platform: str
    runtime: str
    environment: str
    chromium_version: str | None


class Layers(pulumi.ComponentResource):
    def __init__(self, name: str, args: LayersArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("sesha:infra:Layers", name, None, opts)
        child = ResourceOptions(parent=self)
        built = lambda_packaging.dependencies_layer(args.layer_platform, args.runtime)
        self.dependencies = aws.lambda_.LayerVersion(
            f"{name}-dependencies",
            layer_name=f"sesha-{args.environment}-dependencies",
            description="Third-party packages of lambdas/requirements.txt",
            code=pulumi.FileArchive(str(built.path)),
            source_code_hash=built.sha256,
            compatible_runtimes=[args.runtime],
            opts=child,
        )
        self.chromium: aws.lambda_.LayerVersion | None = None
        if args.chromium_version:
            self.chromium = aws.lambda_.LayerVersion(
                f"{name}-chromium",
                layer_name=f"sesha-{args.environment}-chromium",
                description=f"Headless Chromium {args.chromium_version}",
                s3_bucket=chromium_bucket(args.environment),
                s3_key=f"{args.chromium_version}/{CHROMIUM_OBJECT}",
                compatible_runtimes=[args.runtime],
                opts=child,
            )
        self.register_outputs(
            {
                "dependenciesLayerArn": self.dependencies.arn,
                "chromiumLayerArn": self.chromium.arn if self.chromium else None,
            }
        )
