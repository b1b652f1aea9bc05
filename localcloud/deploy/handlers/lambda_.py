"""Lambda functions, layer versions, permissions and event-source mappings."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from localcloud.deploy import archives
from localcloud.deploy.context import CloudContext
from localcloud.deploy.handlers.base import (
    Inputs,
    Outputs,
    ResourceHandler,
    drop_none,
    ignore_missing,
    pascal,
    register,
    retag,
    tagged,
)

_CODE_INPUTS = frozenset({"code", "s3Bucket", "s3Key", "s3ObjectVersion", "imageUri", "sourceCodeHash"})


def _code(inputs: Inputs) -> dict[str, Any]:
    """The ``Code`` argument: zip bytes from a Pulumi archive, or the S3 object / image named."""
    if inputs.get("code") is not None:
        return {"ZipFile": archives.zip_bytes(inputs["code"])}
    if inputs.get("s3Bucket"):
        return drop_none(
            S3Bucket=inputs["s3Bucket"], S3Key=inputs["s3Key"], S3ObjectVersion=inputs.get("s3ObjectVersion")
        )
    if inputs.get("imageUri"):
        return {"ImageUri": inputs["imageUri"]}
    raise ValueError("a Lambda function or layer needs code (an archive), s3Bucket/s3Key or imageUri")


def _code_sha256(code: dict[str, Any]) -> str | None:
    if "ZipFile" in code:
        return base64.b64encode(hashlib.sha256(code["ZipFile"]).digest()).decode()
    return None


def _configuration(inputs: Inputs) -> dict[str, Any]:
    """Arguments shared by CreateFunction and UpdateFunctionConfiguration."""
    vpc = inputs.get("vpcConfig")
    return drop_none(
        Role=inputs.get("role"),
        Handler=inputs.get("handler"),
        Runtime=inputs.get("runtime"),
        Description=inputs.get("description"),
        Timeout=inputs.get("timeout"),
        MemorySize=inputs.get("memorySize"),
        Environment={"Variables": dict((inputs.get("environment") or {}).get("variables") or {})},
        Layers=list(inputs.get("layers") or []),
        VpcConfig={"SubnetIds": vpc.get("subnetIds", []), "SecurityGroupIds": vpc.get("securityGroupIds", [])}
        if vpc
        else None,
        TracingConfig={"Mode": inputs["tracingConfig"]["mode"]} if inputs.get("tracingConfig") else None,
        DeadLetterConfig={"TargetArn": inputs["deadLetterConfig"]["targetArn"]}
        if inputs.get("deadLetterConfig")
        else None,
        EphemeralStorage={"Size": inputs["ephemeralStorage"]["size"]}
        if inputs.get("ephemeralStorage")
        else None,
        LoggingConfig=pascal(inputs["loggingConfig"]) if inputs.get("loggingConfig") else None,
        KMSKeyArn=inputs.get("kmsKeyArn"),
    )


@register
class Function(ResourceHandler):
    token = "aws:lambda/function:Function"
    name_input = "name"
    name_max = 64
    replace_on = frozenset({"packageType"})

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        lam = ctx.client("lambda")
        code = _code(inputs)
        lam.create_function(
            FunctionName=name,
            Code=code,
            PackageType=inputs.get("packageType", "Zip"),
            Architectures=list(inputs.get("architectures") or ["x86_64"]),
            Publish=bool(inputs.get("publish")),
            Tags=dict(inputs.get("tags") or {}),
            **_configuration(inputs),
        )
        if inputs.get("reservedConcurrentExecutions") not in (None, -1):
            lam.put_function_concurrency(
                FunctionName=name, ReservedConcurrentExecutions=inputs["reservedConcurrentExecutions"]
            )
        return name, self._outputs(ctx, name, inputs)

    def update(
        self,
        ctx: CloudContext,
        rid: str,
        inputs: Inputs,
        outputs: Outputs,
        changed: set[str],
        name: str | None,
    ) -> Outputs:
        lam = ctx.client("lambda")
        if changed & _CODE_INPUTS or "architectures" in changed:
            code = _code(inputs)
            lam.update_function_code(
                FunctionName=rid,
                Publish=bool(inputs.get("publish")),
                Architectures=list(inputs.get("architectures") or ["x86_64"]),
                **code,
            )
        config_inputs = (
            changed - _CODE_INPUTS - {"tags", "publish", "architectures", "reservedConcurrentExecutions"}
        )
        if config_inputs:
            lam.update_function_configuration(FunctionName=rid, **_configuration(inputs))
        if "reservedConcurrentExecutions" in changed:
            if inputs.get("reservedConcurrentExecutions") in (None, -1):
                lam.delete_function_concurrency(FunctionName=rid)
            else:
                lam.put_function_concurrency(
                    FunctionName=rid, ReservedConcurrentExecutions=inputs["reservedConcurrentExecutions"]
                )
        if "tags" in changed:
            arn = outputs["arn"]
            retag(
                inputs,
                outputs,
                lambda keys: lam.untag_resource(Resource=arn, TagKeys=keys),
                lambda tags: lam.tag_resource(Resource=arn, Tags=tags),
            )
        return self._outputs(ctx, rid, inputs)

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        ignore_missing(ctx.client("lambda").delete_function, FunctionName=rid)

    @staticmethod
    def _outputs(ctx: CloudContext, name: str, inputs: Inputs) -> Outputs:
        config = ctx.client("lambda").get_function_configuration(FunctionName=name)
        arn = config["FunctionArn"]
        version = config.get("Version", "$LATEST")
        invocations = f"arn:aws:apigateway:{ctx.region}:lambda:path/2015-03-31/functions"
        return {
            "name": name,
            "arn": arn,
            "invokeArn": f"{invocations}/{arn}/invocations",
            "qualifiedArn": f"{arn}:{version}",
            "qualifiedInvokeArn": f"{invocations}/{arn}:{version}/invocations",
            "version": version,
            "lastModified": config.get("LastModified", ""),
            "codeSha256": config.get("CodeSha256", ""),
            "sourceCodeHash": inputs.get("sourceCodeHash") or config.get("CodeSha256", ""),
            "packageType": inputs.get("packageType", "Zip"),
            **tagged(inputs),
        }


@register
class LayerVersion(ResourceHandler):
    """Every change publishes a new version (layer versions are immutable), as the provider does."""

    token = "aws:lambda/layerVersion:LayerVersion"

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        code = _code(inputs)
        layer = ctx.client("lambda").publish_layer_version(
            **drop_none(
                LayerName=inputs["layerName"],
                Content=code,
                Description=inputs.get("description"),
                CompatibleRuntimes=list(inputs.get("compatibleRuntimes") or []) or None,
                CompatibleArchitectures=list(inputs.get("compatibleArchitectures") or []) or None,
                LicenseInfo=inputs.get("licenseInfo"),
            )
        )
        arn = layer["LayerVersionArn"]
        return arn, {
            "arn": arn,
            "layerArn": layer["LayerArn"],
            "version": str(layer["Version"]),
            "codeSha256": layer.get("Content", {}).get("CodeSha256") or _code_sha256(code) or "",
            "createdDate": str(layer.get("CreatedDate", "")),
        }

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        if inputs.get("skipDestroy"):
            return
        ignore_missing(
            ctx.client("lambda").delete_layer_version,
            LayerName=outputs["layerArn"],
            VersionNumber=int(outputs["version"]),
        )


@register
class Permission(ResourceHandler):
    token = "aws:lambda/permission:Permission"
    name_input = "statementId"
    name_max = 100

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        ctx.client("lambda").add_permission(
            **drop_none(
                FunctionName=inputs["function"],
                StatementId=name,
                Action=inputs["action"],
                Principal=inputs["principal"],
                SourceArn=inputs.get("sourceArn"),
                SourceAccount=inputs.get("sourceAccount"),
                Qualifier=inputs.get("qualifier"),
                EventSourceToken=inputs.get("eventSourceToken"),
                PrincipalOrgID=inputs.get("principalOrgId"),
                FunctionUrlAuthType=inputs.get("functionUrlAuthType"),
            )
        )
        return name, {"statementId": name}

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        ignore_missing(
            ctx.client("lambda").remove_permission,
            **drop_none(FunctionName=inputs["function"], StatementId=rid, Qualifier=inputs.get("qualifier")),
        )


_MAPPING_SETTINGS = {
    "batchSize": "BatchSize",
    "enabled": "Enabled",
    "maximumBatchingWindowInSeconds": "MaximumBatchingWindowInSeconds",
    "maximumRetryAttempts": "MaximumRetryAttempts",
    "maximumRecordAgeInSeconds": "MaximumRecordAgeInSeconds",
    "bisectBatchOnFunctionError": "BisectBatchOnFunctionError",
    "parallelizationFactor": "ParallelizationFactor",
    "tumblingWindowInSeconds": "TumblingWindowInSeconds",
    "functionResponseTypes": "FunctionResponseTypes",
}


def _mapping_settings(inputs: Inputs) -> dict[str, Any]:
    settings = {api: inputs[key] for key, api in _MAPPING_SETTINGS.items() if inputs.get(key) is not None}
    if inputs.get("filterCriteria"):
        settings["FilterCriteria"] = pascal(inputs["filterCriteria"])
    if inputs.get("destinationConfig"):
        settings["DestinationConfig"] = pascal(inputs["destinationConfig"])
    return settings


@register
class EventSourceMapping(ResourceHandler):
    token = "aws:lambda/eventSourceMapping:EventSourceMapping"
    replace_on = frozenset({"eventSourceArn", "startingPosition", "startingPositionTimestamp"})

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        mapping = ctx.client("lambda").create_event_source_mapping(
            EventSourceArn=inputs["eventSourceArn"],
            FunctionName=inputs["functionName"],
            **drop_none(StartingPosition=inputs.get("startingPosition")),
            **_mapping_settings(inputs),
        )
        return mapping["UUID"], self._outputs(mapping)

    def update(
        self,
        ctx: CloudContext,
        rid: str,
        inputs: Inputs,
        outputs: Outputs,
        changed: set[str],
        name: str | None,
    ) -> Outputs:
        settings = _mapping_settings(inputs)
        settings.setdefault("Enabled", True)  # the provider's default: a removed `enabled` means enabled
        mapping = ctx.client("lambda").update_event_source_mapping(
            UUID=rid, FunctionName=inputs["functionName"], **settings
        )
        return self._outputs(mapping)

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        ignore_missing(ctx.client("lambda").delete_event_source_mapping, UUID=rid)

    @staticmethod
    def _outputs(mapping: dict[str, Any]) -> Outputs:
        return {
            "uuid": mapping["UUID"],
            "functionArn": mapping.get("FunctionArn", ""),
            "state": mapping.get("State", ""),
            "lastModified": str(mapping.get("LastModified", "")),
            "arn": mapping.get("EventSourceMappingArn", ""),
        }
