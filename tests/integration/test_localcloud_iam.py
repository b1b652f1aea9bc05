"""AWS managed IAM policies are loaded in the embedded cloud."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from tests.fixtures.lambdas import unique

pytestmark = pytest.mark.integration

ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"


def test_attach_administrator_access(cloud_env: Any) -> None:
    iam = boto3.client("iam")
    role = unique("deployer")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))

    iam.attach_role_policy(RoleName=role, PolicyArn=ADMINISTRATOR_ACCESS)

    attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    assert attached == [{"PolicyName": "AdministratorAccess", "PolicyArn": ADMINISTRATOR_ACCESS}]
    policy = iam.get_policy(PolicyArn=ADMINISTRATOR_ACCESS)["Policy"]
    document = iam.get_policy_version(PolicyArn=ADMINISTRATOR_ACCESS, VersionId=policy["DefaultVersionId"])
    assert document["PolicyVersion"]["Document"]["Statement"][0]["Action"] == "*"
