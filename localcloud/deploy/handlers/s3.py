"""S3 buckets and their separately managed settings (versioning, encryption, public-access block,
ownership controls, policy)."""

from __future__ import annotations

import json
from typing import Any

from localcloud.deploy.context import CloudContext
from localcloud.deploy.handlers.base import (
    Inputs,
    Outputs,
    ResourceHandler,
    ignore_missing,
    register,
    tag_list,
    tagged,
)


@register
class Bucket(ResourceHandler):
    token = "aws:s3/bucket:Bucket"
    name_input = "bucket"
    name_max = 63
    name_lowercase = True
    replace_on = frozenset({"bucketPrefix", "objectLockEnabled"})

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        s3 = ctx.client("s3")
        args: dict[str, Any] = {"Bucket": name}
        # us-east-1 is the one region that refuses a location constraint.
        if ctx.region != "us-east-1":
            args["CreateBucketConfiguration"] = {"LocationConstraint": ctx.region}
        if inputs.get("objectLockEnabled"):
            args["ObjectLockEnabledForBucket"] = True
        s3.create_bucket(**args)
        if inputs.get("tags"):
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tag_list(inputs["tags"])})
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
        if "tags" in changed:
            s3 = ctx.client("s3")
            if inputs.get("tags"):
                s3.put_bucket_tagging(Bucket=rid, Tagging={"TagSet": tag_list(inputs["tags"])})
            else:
                s3.delete_bucket_tagging(Bucket=rid)
        return self._outputs(ctx, rid, inputs)

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        s3 = ctx.client("s3")
        if inputs.get("forceDestroy"):
            self._empty(s3, rid)
        ignore_missing(s3.delete_bucket, Bucket=rid)

    @staticmethod
    def _empty(s3: Any, bucket: str) -> None:
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
            doomed = [
                {"Key": v["Key"], "VersionId": v["VersionId"]}
                for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
            ]
            if doomed:
                s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed, "Quiet": True})

    @staticmethod
    def _outputs(ctx: CloudContext, name: str, inputs: Inputs) -> Outputs:
        return {
            "bucket": name,
            "arn": f"arn:aws:s3:::{name}",
            "bucketDomainName": f"{name}.s3.amazonaws.com",
            "bucketRegionalDomainName": f"{name}.s3.{ctx.region}.amazonaws.com",
            "region": ctx.region,
            **tagged(inputs),
        }


class _BucketSetting(ResourceHandler):
    """A setting kept on the bucket itself: put on create and update, removed on delete."""

    replace_on = frozenset({"bucket", "expectedBucketOwner"})

    def put(self, s3: Any, bucket: str, inputs: Inputs) -> None:
        raise NotImplementedError

    def remove(self, s3: Any, bucket: str, inputs: Inputs) -> None:
        raise NotImplementedError

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        self.put(ctx.client("s3"), inputs["bucket"], inputs)
        return inputs["bucket"], {}

    def update(
        self,
        ctx: CloudContext,
        rid: str,
        inputs: Inputs,
        outputs: Outputs,
        changed: set[str],
        name: str | None,
    ) -> Outputs:
        self.put(ctx.client("s3"), rid, inputs)
        return {}

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        ignore_missing(self.remove, ctx.client("s3"), rid, inputs)


@register
class BucketVersioning(_BucketSetting):
    token = "aws:s3/bucketVersioning:BucketVersioning"

    def put(self, s3: Any, bucket: str, inputs: Inputs) -> None:
        config = inputs["versioningConfiguration"]
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": config["status"]})

    def remove(self, s3: Any, bucket: str, inputs: Inputs) -> None:
        # Versioning cannot be switched off, only suspended (what the provider does on delete).
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})


@register
class BucketServerSideEncryptionConfiguration(_BucketSetting):
    token = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"

    def put(self, s3: Any, bucket: str, inputs: Inputs) -> None:
        rules = []
        for rule in inputs["rules"]:
            default = rule.get("applyServerSideEncryptionByDefault") or {}
            entry: dict[str, Any] = {}
            if default:
                entry["ApplyServerSideEncryptionByDefault"] = {"SSEAlgorithm": default["sseAlgorithm"]}
                if default.get("kmsMasterKeyId"):
                    entry["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] = default["kmsMasterKeyId"]
            if rule.get("bucketKeyEnabled") is not None:
                entry["BucketKeyEnabled"] = rule["bucketKeyEnabled"]
            rules.append(entry)
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": rules})

    def remove(self, s3: Any, bucket: str, inputs: Inputs) -> None:
        s3.delete_bucket_encryption(Bucket=bucket)


@register
class BucketPublicAccessBlock(_BucketSetting):
    token = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"

    def put(self, s3: Any, bucket: str, inputs: Inputs) -> None:
        s3.put_public_access_block(
            Bucket=bucket,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": bool(inputs.get("blockPublicAcls")),
                "BlockPublicPolicy": bool(inputs.get("blockPublicPolicy")),
                "IgnorePublicAcls": bool(inputs.get("ignorePublicAcls")),
                "RestrictPublicBuckets": bool(inputs.get("restrictPublicBuckets")),
            },
        )

    def remove(self, s3: Any, bucket: str, inputs: Inputs) -> None:
        s3.delete_public_access_block(Bucket=bucket)


@register
class BucketOwnershipControls(_BucketSetting):
    token = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"

    def put(self, s3: Any, bucket: str, inputs: Inputs) -> None:
        s3.put_bucket_ownership_controls(
            Bucket=bucket,
            OwnershipControls={"Rules": [{"ObjectOwnership": inputs["rule"]["objectOwnership"]}]},
        )

    def remove(self, s3: Any, bucket: str, inputs: Inputs) -> None:
        s3.delete_bucket_ownership_controls(Bucket=bucket)


@register
class BucketPolicy(_BucketSetting):
    token = "aws:s3/bucketPolicy:BucketPolicy"

    def put(self, s3: Any, bucket: str, inputs: Inputs) -> None:
        policy = inputs["policy"]
        s3.put_bucket_policy(Bucket=bucket, Policy=policy if isinstance(policy, str) else json.dumps(policy))

    def remove(self, s3: Any, bucket: str, inputs: Inputs) -> None:
        s3.delete_bucket_policy(Bucket=bucket)
