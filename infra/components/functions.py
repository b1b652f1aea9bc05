"""Functions: a group of Lambda functions, each with its log group (retention from config), its
least-privilege inline policy on its role, its code archive built from ``lambdas/<function>/`` and
``lambdas/core/``, the dependencies layer (and Chromium where asked), and its stream trigger if any.

The program creates several groups, in the order their environment variables become known (the
WebSocket handlers before the WebSocket API, the pipeline steps before the state machine, the articles
function after it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
from pulumi import ResourceOptions

from infra import iam, lambda_packaging

# AWS accepts only "*" for these: Lambda creates and removes the network interfaces of VPC functions.
VPC_NETWORK_INTERFACE_ACTIONS = (
    "ec2:AssignPrivateIpAddresses",
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:UnassignPrivateIpAddresses",
)


@dataclass
class StreamTrigger:
    """A DynamoDB stream that feeds the function, in batches."""

    stream_arn: pulumi.Input[str]
    batch_size: int = 100
    maximum_retry_attempts: int = 3


@dataclass
class FunctionSpec:
    """One function: its folder under ``lambdas/``, what it is told and what it may do."""

    name: str
    description: str
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    statements: Sequence[iam.Statement] = ()
    timeout: int = 30
    memory_size: int = 256
    in_vpc: bool = False
    chromium: bool = False
    stream: StreamTrigger | None = None

    @property
    def handler(self) -> str:
        return f"lambdas.{self.name}.handler.handler"


@dataclass
class VpcPlacement:
    subnet_ids: pulumi.Input[Sequence[str]]
    security_group_id: pulumi.Input[str]


@dataclass
class FunctionsArgs:
    specs: Sequence[FunctionSpec]
    roles: Mapping[str, aws.iam.Role]
    dependencies_layer_arn: pulumi.Input[str]
    chromium_layer_arn: pulumi.Input[str] | None
    runtime: str
    log_retention_days: int
    stack: str
    vpc: VpcPlacement
    log_level: str = "INFO"


class Functions(pulumi.ComponentResource):
    def __init__(self, name: str, args: FunctionsArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("sesha:infra:Functions", name, None, opts)
        self.functions: dict[str, aws.lambda_.Function] = {}
        self.log_groups: dict[str, aws.cloudwatch.LogGroup] = {}
        for spec in args.specs:
            if spec.chromium and args.chromium_layer_arn is None:
                pulumi.log.warn(
                    f"{spec.name}: no chromiumLayerVersion configured; it runs without the Chromium layer"
                )
            self.functions[spec.name] = self._function(name, spec, args)
        self.register_outputs({fn: function.arn for fn, function in self.functions.items()})

    def _function(self, group: str, spec: FunctionSpec, args: FunctionsArgs) -> aws.lambda_.Function:
        prefix = f"{group}-{spec.name.replace('_', '-')}"
        child = ResourceOptions(parent=self)
        role = args.roles[spec.name]
        log_group = aws.cloudwatch.LogGroup(
            f"{prefix}-logs",
            name=f"/sesha/{args.stack}/functions/{spec.name}",
            retention_in_days=args.log_retention_days,
            opts=child,
        )
        self.log_groups[spec.name] = log_group
        statements = [
            iam.allow(["logs:CreateLogStream", "logs:PutLogEvents"], [iam.sub_resource(log_group.arn, ":*")]),
            *spec.statements,
        ]
        if spec.in_vpc:
            statements.append(iam.allow(VPC_NETWORK_INTERFACE_ACTIONS, ["*"]))
        # Lambda checks a VPC function's network permissions when it is created: the policy comes first.
        policy = aws.iam.RolePolicy(
            f"{prefix}-access", role=role.id, policy=iam.document(statements), opts=child
        )
        archive = lambda_packaging.function_archive(spec.name)
        layers = [args.dependencies_layer_arn]
        if spec.chromium and args.chromium_layer_arn is not None:
            layers.append(args.chromium_layer_arn)
        function = aws.lambda_.Function(
            prefix,
            description=spec.description,
            role=role.arn,
            runtime=args.runtime,
            architectures=["x86_64"],
            handler=spec.handler,
            code=pulumi.FileArchive(str(archive.path)),
            source_code_hash=archive.sha256,
            layers=layers,
            timeout=spec.timeout,
            memory_size=spec.memory_size,
            environment={
                "variables": {
                    "STACK_NAME": args.stack,
                    "POWERTOOLS_SERVICE_NAME": spec.name,
                    "POWERTOOLS_LOG_LEVEL": args.log_level,
                    **spec.environment,
                }
            },
            vpc_config=(
                {"subnet_ids": args.vpc.subnet_ids, "security_group_ids": [args.vpc.security_group_id]}
                if spec.in_vpc
                else None
            ),
            logging_config={"log_format": "Text", "log_group": log_group.name},
            opts=ResourceOptions(parent=self, depends_on=[policy]),
        )
        if spec.stream is not None:
            aws.lambda_.EventSourceMapping(
                f"{prefix}-stream",
                event_source_arn=spec.stream.stream_arn,
                function_name=function.arn,
                starting_position="LATEST",
                batch_size=spec.stream.batch_size,
                maximum_retry_attempts=spec.stream.maximum_retry_attempts,
                bisect_batch_on_function_error=True,
                function_response_types=["ReportBatchItemFailures"],
                # Lambda checks the role can read the stream when the mapping is created.
                opts=ResourceOptions(parent=self, depends_on=[policy]),
            )
        return function
