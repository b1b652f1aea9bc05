"""03 pulumi-state-bucket: creation, every setting, re-applying on an existing bucket, idempotency."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from runbooks import pulumi_state_bucket as psb

REGION = "eu-north-1"


def test_creates_the_bucket_with_every_setting(s3: Any) -> None:
    result = psb.ensure(s3, "dev", REGION)
    assert result.bucket == "sesha-backend-pulumi-dev" and result.created
    assert s3.get_bucket_location(Bucket=result.bucket)["LocationConstraint"] == REGION
    settings = psb.verify(s3, "dev")
    assert settings["versioning"] == "Enabled"
    assert settings["encryption"] == "AES256"
    assert settings["public_access_block"] == dict.fromkeys(
        ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"], True
    )
    assert settings["object_ownership"] == "BucketOwnerEnforced"
    (deny,) = settings["policy"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Resource"] == [
        "arn:aws:s3:::sesha-backend-pulumi-dev",
        "arn:aws:s3:::sesha-backend-pulumi-dev/*",
    ]
    assert s3.get_object(Bucket=result.bucket, Key=".pulumi/meta.yaml")["Body"].read() == b"version: 1\n"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=result.bucket)["Contents"]]
    assert ".pulumi/stacks/sesha-pulumi/" in keys


def test_second_run_changes_nothing(s3: Any) -> None:
    psb.ensure(s3, "local", REGION)
    again = psb.ensure(s3, "local", REGION)
    assert not again.created and again.changed == []


def test_existing_bucket_is_brought_back_to_the_settings(s3: Any) -> None:
    # a bucket made by hand: no versioning, no policy, no public-access block, no meta.yaml
    s3.create_bucket(
        Bucket="sesha-backend-pulumi-prod", CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    s3.put_object(Bucket="sesha-backend-pulumi-prod", Key=".pulumi/meta.yaml", Body=b"version: 0\n")
    result = psb.ensure(s3, "prod", REGION)
    assert not result.created
    assert {"versioning", "public_access_block", "policy", "meta", "stacks_prefix"} <= set(result.changed)
    psb.verify(s3, "prod")


def test_us_east_1_takes_no_location_constraint() -> None:
    # request shape: CreateBucket in us-east-1 must not send a LocationConstraint (S3 rejects it)
    s3 = boto3.client("s3", region_name="us-east-1")
    stubber = Stubber(s3)
    stubber.add_client_error("head_bucket", service_error_code="404", http_status_code=404)
    stubber.add_response(
        "create_bucket", {}, {"Bucket": "sesha-backend-pulumi-dev", "ObjectOwnership": "BucketOwnerEnforced"}
    )
    stubber.add_client_error(
        "get_bucket_versioning", service_error_code="Stop", expected_params={"Bucket": ANY}
    )
    with stubber, pytest.raises(Exception, match="Stop"):
        psb.ensure(s3, "dev", "us-east-1")
    stubber.assert_no_pending_responses()


def test_other_regions_send_their_location_constraint() -> None:
    s3 = boto3.client("s3", region_name=REGION)
    stubber = Stubber(s3)
    stubber.add_client_error("head_bucket", service_error_code="404", http_status_code=404)
    stubber.add_response(
        "create_bucket",
        {},
        {
            "Bucket": "sesha-backend-pulumi-dev",
            "ObjectOwnership": "BucketOwnerEnforced",
            "CreateBucketConfiguration": {"LocationConstraint": REGION},
        },
    )
    stubber.add_client_error("get_bucket_versioning", service_error_code="Stop")
    with stubber, pytest.raises(Exception, match="Stop"):
        psb.ensure(s3, "dev", REGION)
    stubber.assert_no_pending_responses()


def test_a_bucket_of_another_account_is_a_clear_error() -> None:
    s3 = boto3.client("s3", region_name=REGION)
    stubber = Stubber(s3)
    stubber.add_client_error("head_bucket", service_error_code="403", http_status_code=403)
    with stubber, pytest.raises(psb.StateBucketError, match=r"cannot use it.*check the profile"):
        psb.ensure(s3, "dev", REGION)


def test_verify_names_each_setting_that_is_wrong(s3: Any) -> None:
    psb.ensure(s3, "dev", REGION)
    s3.delete_bucket_policy(Bucket="sesha-backend-pulumi-dev")
    s3.put_bucket_versioning(
        Bucket="sesha-backend-pulumi-dev", VersioningConfiguration={"Status": "Suspended"}
    )
    with pytest.raises(psb.StateBucketError, match=r"'versioning': 'Suspended'.*'policy': None"):
        psb.verify(s3, "dev")


def test_policy_is_tls_only_json() -> None:
    policy = psb.tls_only_policy("b")
    assert json.loads(json.dumps(policy)) == policy
    assert policy["Statement"][0]["Principal"] == "*" and policy["Statement"][0]["Action"] == "s3:*"


@pytest.mark.parametrize(
    ("stack", "env"), [("local", "local"), ("sesha-backend-dev", "dev"), ("sesha-backend-prod", "prod")]
)
def test_env_of_stack(stack: str, env: str) -> None:
    assert psb.env_of_stack(stack) == env


def test_unknown_env_is_refused() -> None:
    with pytest.raises(psb.StateBucketError, match="use one of dev, prod, local"):
        psb.env_of_stack("staging")


def test_tls_only_policy_lets_tls_requests_through_but_other_denies_still_deny(s3: Any) -> None:
    # the emulator stands in for TLS endpoints: aws:SecureTransport is true there, as on AWS over https
    psb.ensure(s3, "dev", REGION)
    assert s3.get_object(Bucket="sesha-backend-pulumi-dev", Key=".pulumi/meta.yaml")["Body"].read()
    deny_all = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::sesha-backend-pulumi-dev/*",
    }
    policy = psb.tls_only_policy("sesha-backend-pulumi-dev")
    s3.put_bucket_policy(
        Bucket="sesha-backend-pulumi-dev",
        Policy=json.dumps({**policy, "Statement": [*policy["Statement"], deny_all]}),
    )
    with pytest.raises(s3.exceptions.ClientError, match="403"):
        s3.get_object(Bucket="sesha-backend-pulumi-dev", Key=".pulumi/meta.yaml")


def test_dry_run_reports_and_changes_nothing(s3: Any) -> None:
    result = psb.ensure(s3, "dev", REGION, dry_run=True)
    assert result.created and result.changed == list(psb.expected_settings(result.bucket))
    assert s3.list_buckets()["Buckets"] == []
    psb.ensure(s3, "dev", REGION)
    s3.delete_bucket_policy(Bucket=result.bucket)
    assert psb.ensure(s3, "dev", REGION, dry_run=True).changed == ["policy"]
    assert psb.read_settings(s3, result.bucket)["policy"] is None
