"""Roles: one execution role per function, assumable only by Lambda.

They are a component of their own, created before the functions, because the search domain's access
policy names some of them while the functions, in turn, need the domain's endpoint. Each role's
permissions are attached with its function (``functions.py``) or with the API it manages connections of.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from pulumi import ResourceOptions

from infra import iam


@dataclass
class FunctionRolesArgs:
    functions: Sequence[str]


class FunctionRoles(pulumi.ComponentResource):
    def __init__(self, name: str, args: FunctionRolesArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("sesha:infra:FunctionRoles", name, None, opts)
        trust = iam.service_trust_policy("lambda.amazonaws.com")
        self.roles = {
            function: aws.iam.Role(
                f"{name}-{function.replace('_', '-')}",
                assume_role_policy=trust,
                description=f"Execution role of the {function} function",
                opts=ResourceOptions(parent=self),
            )
            for function in args.functions
        }
        self.register_outputs({function: role.arn for function, role in self.roles.items()})

    def arn(self, function: str) -> pulumi.Output[str]:
        return self.roles[function].arn
