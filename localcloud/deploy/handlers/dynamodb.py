"""DynamoDB tables: keys, GSIs, streams, TTL, point-in-time recovery, encryption, deletion protection."""

from __future__ import annotations

from typing import Any

from localcloud.deploy.context import CloudContext
from localcloud.deploy.handlers.base import (
    Inputs,
    Outputs,
    ResourceHandler,
    drop_none,
    ignore_missing,
    register,
    retag,
    tag_list,
    tagged,
)


def _key_schema(hash_key: str, range_key: str | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key:
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
    return schema


def _throughput(spec: dict[str, Any], billing_mode: str) -> dict[str, Any] | None:
    if billing_mode == "PAY_PER_REQUEST":
        return None
    return {
        "ReadCapacityUnits": spec.get("readCapacity") or 1,
        "WriteCapacityUnits": spec.get("writeCapacity") or 1,
    }


def _gsi(index: dict[str, Any], billing_mode: str) -> dict[str, Any]:
    projection: dict[str, Any] = {"ProjectionType": index.get("projectionType", "ALL")}
    if index.get("nonKeyAttributes"):
        projection["NonKeyAttributes"] = index["nonKeyAttributes"]
    return drop_none(
        IndexName=index["name"],
        KeySchema=_key_schema(index["hashKey"], index.get("rangeKey")),
        Projection=projection,
        ProvisionedThroughput=_throughput(index, billing_mode),
    )


def _stream(inputs: Inputs) -> dict[str, Any]:
    if inputs.get("streamEnabled"):
        return {"StreamEnabled": True, "StreamViewType": inputs.get("streamViewType", "NEW_AND_OLD_IMAGES")}
    return {"StreamEnabled": False}


@register
class Table(ResourceHandler):
    token = "aws:dynamodb/table:Table"
    name_input = "name"
    name_max = 255
    replace_on = frozenset({"hashKey", "rangeKey", "localSecondaryIndexes"})

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        ddb = ctx.client("dynamodb")
        billing = inputs.get("billingMode", "PROVISIONED")
        sse = inputs.get("serverSideEncryption") or {}
        ddb.create_table(
            **drop_none(
                TableName=name,
                AttributeDefinitions=[
                    {"AttributeName": a["name"], "AttributeType": a["type"]}
                    for a in inputs.get("attributes", [])
                ],
                KeySchema=_key_schema(inputs["hashKey"], inputs.get("rangeKey")),
                BillingMode=billing,
                ProvisionedThroughput=_throughput(inputs, billing),
                GlobalSecondaryIndexes=[_gsi(i, billing) for i in inputs.get("globalSecondaryIndexes") or []]
                or None,
                LocalSecondaryIndexes=[
                    {
                        "IndexName": i["name"],
                        "KeySchema": _key_schema(inputs["hashKey"], i["rangeKey"]),
                        "Projection": {"ProjectionType": i.get("projectionType", "ALL")},
                    }
                    for i in inputs.get("localSecondaryIndexes") or []
                ]
                or None,
                StreamSpecification=_stream(inputs) if inputs.get("streamEnabled") else None,
                SSESpecification=drop_none(Enabled=True, SSEType="KMS", KMSMasterKeyId=sse.get("kmsKeyArn"))
                if sse.get("enabled")
                else None,
                TableClass=inputs.get("tableClass"),
                DeletionProtectionEnabled=inputs.get("deletionProtectionEnabled"),
                Tags=tag_list(inputs.get("tags")) or None,
            )
        )
        self._ttl_and_pitr(ctx, name, inputs, {})
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
        ddb = ctx.client("dynamodb")
        old = outputs
        billing = inputs.get("billingMode", "PROVISIONED")
        if changed & {"billingMode", "readCapacity", "writeCapacity"}:
            ddb.update_table(
                **drop_none(
                    TableName=rid, BillingMode=billing, ProvisionedThroughput=_throughput(inputs, billing)
                )
            )
        if changed & {"streamEnabled", "streamViewType"}:
            if old.get("streamEnabled"):
                ddb.update_table(TableName=rid, StreamSpecification={"StreamEnabled": False})
            if inputs.get("streamEnabled"):
                ddb.update_table(TableName=rid, StreamSpecification=_stream(inputs))
        if "globalSecondaryIndexes" in changed:
            self._update_gsis(ddb, rid, inputs, old, billing)
        if "serverSideEncryption" in changed:
            sse = inputs.get("serverSideEncryption") or {}
            ddb.update_table(
                TableName=rid,
                SSESpecification=drop_none(
                    Enabled=bool(sse.get("enabled")),
                    SSEType="KMS" if sse.get("enabled") else None,
                    KMSMasterKeyId=sse.get("kmsKeyArn"),
                ),
            )
        if "deletionProtectionEnabled" in changed:
            ddb.update_table(
                TableName=rid, DeletionProtectionEnabled=bool(inputs.get("deletionProtectionEnabled"))
            )
        self._ttl_and_pitr(ctx, rid, inputs, old if changed & {"ttl", "pointInTimeRecovery"} else None)
        if "tags" in changed:
            self._retag(ctx, inputs, old)
        return self._outputs(ctx, rid, inputs)

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        ignore_missing(ctx.client("dynamodb").delete_table, TableName=rid)

    # -- helpers ------------------------------------------------------------------------------
    @staticmethod
    def _update_gsis(ddb: Any, table: str, inputs: Inputs, old: Outputs, billing: str) -> None:
        before = {i["name"]: i for i in old.get("globalSecondaryIndexes") or []}
        after = {i["name"]: i for i in inputs.get("globalSecondaryIndexes") or []}
        attributes = [
            {"AttributeName": a["name"], "AttributeType": a["type"]} for a in inputs.get("attributes", [])
        ]
        for name in before.keys() - after.keys():
            ddb.update_table(TableName=table, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": name}}])
        for name, index in after.items():
            if name in before and before[name] == index:
                continue
            if name in before:
                ddb.update_table(
                    TableName=table, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": name}}]
                )
            ddb.update_table(
                TableName=table,
                AttributeDefinitions=attributes,
                GlobalSecondaryIndexUpdates=[{"Create": _gsi(index, billing)}],
            )

    @staticmethod
    def _ttl_and_pitr(ctx: CloudContext, table: str, inputs: Inputs, old: Outputs | None) -> None:
        """TTL and PITR on create (``old`` = {}) or when they changed (``old`` = previous outputs)."""
        if old is None:
            return
        ddb = ctx.client("dynamodb")
        ttl, old_ttl = inputs.get("ttl") or {}, old.get("ttl") or {}
        if ttl != old_ttl and (ttl.get("enabled") or old_ttl.get("enabled")):
            attribute = ttl.get("attributeName") or old_ttl.get("attributeName")
            ddb.update_time_to_live(
                TableName=table,
                TimeToLiveSpecification={"Enabled": bool(ttl.get("enabled")), "AttributeName": attribute},
            )
        pitr = bool((inputs.get("pointInTimeRecovery") or {}).get("enabled"))
        if pitr != bool((old.get("pointInTimeRecovery") or {}).get("enabled")):
            ddb.update_continuous_backups(
                TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": pitr}
            )

    @staticmethod
    def _retag(ctx: CloudContext, inputs: Inputs, old: Outputs) -> None:
        ddb = ctx.client("dynamodb")
        arn = old["arn"]
        retag(
            inputs,
            old,
            lambda keys: ddb.untag_resource(ResourceArn=arn, TagKeys=keys),
            lambda tags: ddb.tag_resource(ResourceArn=arn, Tags=tag_list(tags)),
        )

    @staticmethod
    def _outputs(ctx: CloudContext, name: str, inputs: Inputs) -> Outputs:
        table = ctx.client("dynamodb").describe_table(TableName=name)["Table"]
        return {
            "name": name,
            "arn": table["TableArn"],
            "streamArn": table.get("LatestStreamArn", ""),
            "streamLabel": table.get("LatestStreamLabel", ""),
            "billingMode": inputs.get("billingMode", "PROVISIONED"),
            **tagged(inputs),
        }
