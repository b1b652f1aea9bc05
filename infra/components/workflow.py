"""Workflow: the article state machine (ASL from ``infra/workflow_definition.py``, rendered with the
functions' real ARNs) and a health-check state machine, with their role (invoke only these functions)
and execution logging to a log group with the configured retention."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from pulumi import ResourceOptions

from infra import iam, workflow_definition

# Step Functions' log delivery goes through CloudWatch Logs' delivery API, which AWS authorises only
# on "*" (see the Step Functions developer guide, "IAM policies for logging to CloudWatch Logs").
LOG_DELIVERY_ACTIONS = (
    "logs:CreateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:DescribeLogGroups",
    "logs:DescribeResourcePolicies",
    "logs:GetLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:UpdateLogDelivery",
)


@dataclass
class WorkflowArgs:
    step_function_arns: Mapping[str, pulumi.Input[str]]
    health_function_arn: pulumi.Input[str]
    max_concurrency: int
    log_retention_days: int
    stack: str


class Workflow(pulumi.ComponentResource):
    def __init__(self, name: str, args: WorkflowArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("sesha:infra:Workflow", name, None, opts)
        child = ResourceOptions(parent=self)
        invoked = [*args.step_function_arns.values(), args.health_function_arn]
        role = aws.iam.Role(
            f"{name}-role", assume_role_policy=iam.service_trust_policy("states.amazonaws.com"), opts=child
        )
        policy = aws.iam.RolePolicy(
            f"{name}-access",
            role=role.id,
            policy=iam.document(
                [
                    iam.allow(
                        ["lambda:InvokeFunction"], [*invoked, *[iam.sub_resource(a, ":*") for a in invoked]]
                    ),
                    iam.allow(LOG_DELIVERY_ACTIONS, ["*"]),
                ]
            ),
            opts=child,
        )
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            # The prefix AWS recommends for vended logs (keeps the account's log resource policy small).
            name=f"/aws/vendedlogs/states/sesha-{args.stack}-{name}",
            retention_in_days=args.log_retention_days,
            opts=child,
        )
        logging = {
            "level": "ALL",
            "include_execution_data": False,  # executions carry user content: keep it out of the logs
            "log_destination": iam.sub_resource(log_group.arn, ":*"),
        }
        # Step Functions checks the role's permissions (logging included) when the machine is created.
        after_policy = ResourceOptions(parent=self, depends_on=[policy])
        self.state_machine = aws.sfn.StateMachine(
            f"{name}-articles",
            role_arn=role.arn,
            type="STANDARD",
            definition=workflow_definition.render(
                workflow_definition.article_workflow(args.step_function_arns, args.max_concurrency)
            ),
            logging_configuration=logging,
            opts=after_policy,
        )
        self.health_check = aws.sfn.StateMachine(
            f"{name}-health-check",
            role_arn=role.arn,
            type="STANDARD",
            definition=workflow_definition.render(workflow_definition.health_check(args.health_function_arn)),
            logging_configuration=logging,
            opts=after_policy,
        )
        self.register_outputs(
            {"stateMachineArn": self.state_machine.arn, "healthCheckStateMachineArn": self.health_check.arn}
        )
