"""Buckets private, encrypted, versioned, TLS-only (policy after the public-access block); tables with
PITR and encryption, deletion protection in prod."""

from __future__ import annotations

import pytest

from infra.tables import TABLES

from .policies import as_list, statements
from .program import Deployment, Recorded

BUCKET_SETTINGS = {
    "versioning": "aws:s3/bucketVersioning:BucketVersioning",
    "sse": "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "ownership": "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "public-access-block": "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "tls-only": "aws:s3/bucketPolicy:BucketPolicy",
}


def setting(deployment: Deployment, bucket: Recorded, kind: str) -> Recorded:
    """The one ``kind`` resource that targets ``bucket``."""
    matches = [r for r in deployment.of_type(BUCKET_SETTINGS[kind]) if r["bucket"] == f"{bucket.name}-id"]
    assert len(matches) == 1, f"{bucket.name}: expected one {kind}, found {len(matches)}"
    return matches[0]


def buckets(deployment: Deployment) -> list[Recorded]:
    found = deployment.of_type("aws:s3/bucket:Bucket")
    assert {b.name for b in found} == {"data-pages", "data-backups"}
    return found


def test_every_bucket_blocks_all_public_access(deployment: Deployment) -> None:
    for bucket in buckets(deployment):
        block = setting(deployment, bucket, "public-access-block")
        flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
        assert all(block.get(flag) is True for flag in flags), bucket.name


def test_every_bucket_is_encrypted_versioned_and_acl_free(deployment: Deployment) -> None:
    for bucket in buckets(deployment):
        rule = setting(deployment, bucket, "sse")["rules"][0]
        assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] in {"AES256", "aws:kms"}
        assert setting(deployment, bucket, "versioning")["versioningConfiguration"]["status"] == "Enabled"
        assert setting(deployment, bucket, "ownership")["rule"]["objectOwnership"] == "BucketOwnerEnforced"


def test_every_bucket_refuses_requests_without_tls(deployment: Deployment) -> None:
    for bucket in buckets(deployment):
        (statement,) = statements(setting(deployment, bucket, "tls-only")["policy"])
        arn = bucket.outputs["arn"]
        assert statement["Effect"] == "Deny"
        assert statement["Principal"] == "*"
        assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        assert set(as_list(statement["Resource"])) == {arn, f"{arn}/*"}


def test_bucket_policy_is_applied_after_the_public_access_block(deployment: Deployment) -> None:
    # Applying both at once fails with 409 OperationAborted.
    for bucket in buckets(deployment):
        policy = setting(deployment, bucket, "tls-only")
        block = setting(deployment, bucket, "public-access-block")
        assert block.name in deployment.options[policy.name].depends_on


def test_every_table_has_point_in_time_recovery_and_encryption(deployment: Deployment) -> None:
    tables = deployment.of_type("aws:dynamodb/table:Table")
    assert {t.name for t in tables} == {f"data-{name}" for name in TABLES}
    for table in tables:
        assert table["pointInTimeRecovery"] == {"enabled": True}, table.name
        assert table["serverSideEncryption"]["enabled"] is True, table.name


@pytest.mark.parametrize(("stack_fixture", "protected"), [("prod", True), ("dev", False), ("local", False)])
def test_deletion_protection_follows_the_stack(
    request: pytest.FixtureRequest, stack_fixture: str, protected: bool
) -> None:
    deployment: Deployment = request.getfixturevalue(stack_fixture)
    for table in deployment.of_type("aws:dynamodb/table:Table"):
        assert table.get("deletionProtectionEnabled", False) is protected, table.name
    for bucket in deployment.of_type("aws:s3/bucket:Bucket"):
        assert bucket.get("forceDestroy", False) is not protected, bucket.name


def test_tables_follow_the_declared_schemas(local: Deployment) -> None:
    articles = local.named("data-articles")
    assert (articles["hashKey"], articles["rangeKey"]) == ("ownerId", "articleId")
    assert articles["streamEnabled"] is True and articles["streamViewType"] == "NEW_AND_OLD_IMAGES"
    assert [i["name"] for i in articles["globalSecondaryIndexes"]] == ["status-created-index"]
    assert local.named("data-connections")["ttl"] == {"attributeName": "expiresAt", "enabled": True}
    assert local.named("data-idempotency")["hashKey"] == "id"
