"""Data: the DynamoDB tables (schemas in ``infra/tables.py``) with point-in-time recovery, server-side
encryption and, where configured, deletion protection; the S3 buckets (scraped pages, backups), each
versioned, encrypted, with all four public-access-block flags, ACLs disabled and a TLS-only policy."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from pulumi import ResourceOptions

from infra import iam
from infra.tables import TABLES, TableSchema

BUCKETS = ("pages", "backups")


@dataclass
class DataArgs:
    deletion_protection: bool


class Data(pulumi.ComponentResource):
    def __init__(self, name: str, args: DataArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("sesha:infra:Data", name, None, opts)
        self.tables = {
            table: self._table(f"{name}-{table}", schema, args) for table, schema in TABLES.items()
        }
        self.buckets = {bucket: self._bucket(f"{name}-{bucket}", args) for bucket in BUCKETS}
        self.register_outputs(
            {
                **{f"{table}TableName": resource.name for table, resource in self.tables.items()},
                **{f"{bucket}BucketName": resource.bucket for bucket, resource in self.buckets.items()},
            }
        )

    def _table(self, name: str, schema: TableSchema, args: DataArgs) -> aws.dynamodb.Table:
        return aws.dynamodb.Table(
            name,
            billing_mode="PAY_PER_REQUEST",
            hash_key=schema.hash_key,
            range_key=schema.range_key,
            attributes=[{"name": attr, "type": kind} for attr, kind in schema.attributes.items()],
            global_secondary_indexes=[
                {
                    "name": index.name,
                    "hash_key": index.hash_key,
                    "range_key": index.range_key,
                    "projection_type": "ALL",
                }
                for index in schema.indexes
            ],
            stream_enabled=schema.stream_view_type is not None,
            stream_view_type=schema.stream_view_type,
            ttl={"attribute_name": schema.ttl_attribute, "enabled": True} if schema.ttl_attribute else None,
            point_in_time_recovery={"enabled": True},
            server_side_encryption={"enabled": True},
            deletion_protection_enabled=args.deletion_protection,
            opts=ResourceOptions(parent=self, protect=args.deletion_protection),
        )

    def _bucket(self, name: str, args: DataArgs) -> aws.s3.Bucket:
        child = ResourceOptions(parent=self)
        bucket = aws.s3.Bucket(
            name,
            force_destroy=not args.deletion_protection,
            opts=ResourceOptions(parent=self, protect=args.deletion_protection),
        )
        aws.s3.BucketVersioning(
            f"{name}-versioning", bucket=bucket.id, versioning_configuration={"status": "Enabled"}, opts=child
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-sse",
            bucket=bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
            opts=child,
        )
        aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=bucket.id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=child,
        )
        public_access_block = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        # S3 answers 409 OperationAborted when a policy and the public-access block are applied at once.
        aws.s3.BucketPolicy(
            f"{name}-tls-only",
            bucket=bucket.id,
            policy=tls_only_policy(bucket.arn),
            opts=ResourceOptions(parent=self, depends_on=[public_access_block]),
        )
        return bucket


def tls_only_policy(bucket_arn: pulumi.Input[str]) -> pulumi.Output[str]:
    """Deny every request to the bucket and its objects that does not come over TLS."""
    return iam.document(
        [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [bucket_arn, iam.sub_resource(bucket_arn, "/*")],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ]
    )
