"""Least privilege: one role per function, no wildcard actions, "*" resources only where AWS requires
them, every other resource one of this stack's own."""

from __future__ import annotations

import json

from infra.backend import ALL_FUNCTIONS

from .policies import as_list, role_of, role_policies, statements
from .program import REGION, Deployment

# Actions AWS authorises only on Resource "*", each with the reason.
WILDCARD_RESOURCE_ACTIONS = {
    # Lambda manages a VPC function's network interfaces; EC2 has no resource-level permission for
    # DescribeNetworkInterfaces, and AWS's own AWSLambdaVPCAccessExecutionRole grants these on "*".
    "ec2:AssignPrivateIpAddresses": "VPC function network interfaces",
    "ec2:CreateNetworkInterface": "VPC function network interfaces",
    "ec2:DeleteNetworkInterface": "VPC function network interfaces",
    "ec2:DescribeNetworkInterfaces": "VPC function network interfaces",
    "ec2:UnassignPrivateIpAddresses": "VPC function network interfaces",
    # The stream event-source mapping lists streams; ListStreams has no resource-level permission.
    "dynamodb:ListStreams": "stream event-source mapping",
    # Step Functions' log delivery API is authorised only on "*" (Step Functions developer guide).
    "logs:CreateLogDelivery": "state machine logging",
    "logs:DeleteLogDelivery": "state machine logging",
    "logs:DescribeLogGroups": "state machine logging",
    "logs:DescribeResourcePolicies": "state machine logging",
    "logs:GetLogDelivery": "state machine logging",
    "logs:ListLogDeliveries": "state machine logging",
    "logs:PutResourcePolicy": "state machine logging",
    "logs:UpdateLogDelivery": "state machine logging",
}
# Resources that are not this stack's but are named exactly: the configured Bedrock model.
FOREIGN_RESOURCE_PREFIXES = (f"arn:aws:bedrock:{REGION}::foundation-model/",)


def test_one_role_per_function(deployment: Deployment) -> None:
    functions = deployment.of_type("aws:lambda/function:Function")
    assert len(functions) == len(ALL_FUNCTIONS)
    roles = [role_of(deployment, f["role"]).name for f in functions]
    assert len(set(roles)) == len(functions)
    for role in roles:
        (statement,) = statements(deployment.named(role)["assumeRolePolicy"])
        assert statement["Principal"] == {"Service": "lambda.amazonaws.com"}
        assert statement["Action"] == "sts:AssumeRole"


def test_no_statement_allows_wildcard_actions(deployment: Deployment) -> None:
    for policy, statement in role_policies(deployment):
        assert statement["Effect"] == "Allow", policy.name
        wildcards = [a for a in as_list(statement["Action"]) if "*" in a]
        assert wildcards == [], f"{policy.name} allows {wildcards}"


def test_wildcard_resources_only_where_aws_requires_them(deployment: Deployment) -> None:
    for policy, statement in role_policies(deployment):
        if "*" in as_list(statement["Resource"]):
            assert as_list(statement["Resource"]) == ["*"], policy.name
            unjustified = set(as_list(statement["Action"])) - WILDCARD_RESOURCE_ACTIONS.keys()
            assert unjustified == set(), f"{policy.name} grants {unjustified} on *"


def test_every_other_resource_is_one_of_this_stacks(deployment: Deployment) -> None:
    own = [
        v
        for r in deployment
        if r.custom
        for v in r.outputs.values()
        if isinstance(v, str) and v.startswith("arn:")
    ]
    for policy, statement in role_policies(deployment):
        for resource in as_list(statement["Resource"]):
            if resource == "*" or resource.startswith(FOREIGN_RESOURCE_PREFIXES):
                continue
            assert any(resource == arn or resource.startswith((f"{arn}/", f"{arn}:")) for arn in own), (
                f"{policy.name} names {resource}, which this stack does not create"
            )


def test_every_function_logs_to_its_own_log_group_with_the_configured_retention(
    deployment: Deployment,
) -> None:
    retention = {"local": 1, "sesha-backend-dev": 14, "sesha-backend-prod": 90}[deployment.stack]
    for function in deployment.of_type("aws:lambda/function:Function"):
        log_group = deployment.with_output("name", function["loggingConfig"]["logGroup"])
        assert log_group["retentionInDays"] == retention
        role = role_of(deployment, function["role"])
        granted = [
            s
            for p, s in role_policies(deployment)
            if role_of(deployment, p["role"]) is role and "logs:PutLogEvents" in as_list(s["Action"])
        ]
        assert [s["Resource"] for s in granted] == [[f"{log_group.outputs['arn']}:*"]], function.name


def test_search_domain_is_open_only_to_the_search_functions_roles(deployment: Deployment) -> None:
    domain = deployment.of_type("aws:opensearch/domain:Domain")[0]
    (statement,) = statements(domain["accessPolicies"])
    principals = set(as_list(statement["Principal"]["AWS"]))
    assert principals == {deployment.named(f"roles-{fn}").outputs["arn"] for fn in ("articles", "indexer")}
    assert statement["Resource"] == f"{domain.outputs['arn']}/*"


def test_connection_management_is_granted_on_this_api_only(deployment: Deployment) -> None:
    api = deployment.named("websocket-api-api")
    grants = [
        p for p in deployment.of_type("aws:iam/rolePolicy:RolePolicy") if "manage-connections" in p.name
    ]
    assert {role_of(deployment, p["role"]).name for p in grants} == {
        "roles-ws-subscribe",
        "roles-ws-default",
        "roles-notify",
    }
    for grant in grants:
        (statement,) = statements(grant["policy"])
        assert statement["Action"] == ["execute-api:ManageConnections"]
        assert statement["Resource"] == [f"{api.outputs['executionArn']}/v1/*/@connections/*"]


def test_policies_are_valid_json_documents(deployment: Deployment) -> None:
    for policy in deployment.of_type("aws:iam/rolePolicy:RolePolicy"):
        assert json.loads(policy["policy"])["Version"] == "2012-10-17"
