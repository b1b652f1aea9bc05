"""IAM roles, their inline policies and managed-policy attachments."""

from __future__ import annotations

import json
import secrets
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


def _policy_text(policy: Any) -> str:
    return policy if isinstance(policy, str) else json.dumps(policy)


@register
class Role(ResourceHandler):
    token = "aws:iam/role:Role"
    name_input = "name"
    name_max = 64
    replace_on = frozenset({"path"})

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        iam = ctx.client("iam")
        role = iam.create_role(
            **drop_none(
                RoleName=name,
                AssumeRolePolicyDocument=_policy_text(inputs["assumeRolePolicy"]),
                Path=inputs.get("path"),
                Description=inputs.get("description"),
                MaxSessionDuration=inputs.get("maxSessionDuration"),
                PermissionsBoundary=inputs.get("permissionsBoundary"),
                Tags=tag_list(inputs.get("tags")) or None,
            )
        )["Role"]
        for policy in inputs.get("managedPolicyArns") or []:
            iam.attach_role_policy(RoleName=name, PolicyArn=policy)
        for inline in inputs.get("inlinePolicies") or []:
            if inline.get("name"):
                iam.put_role_policy(RoleName=name, PolicyName=inline["name"], PolicyDocument=inline["policy"])
        return name, self._outputs(role, inputs)

    def update(
        self,
        ctx: CloudContext,
        rid: str,
        inputs: Inputs,
        outputs: Outputs,
        changed: set[str],
        name: str | None,
    ) -> Outputs:
        iam = ctx.client("iam")
        if "assumeRolePolicy" in changed:
            iam.update_assume_role_policy(
                RoleName=rid, PolicyDocument=_policy_text(inputs["assumeRolePolicy"])
            )
        if changed & {"description", "maxSessionDuration"}:
            iam.update_role(
                **drop_none(
                    RoleName=rid,
                    Description=inputs.get("description", ""),
                    MaxSessionDuration=inputs.get("maxSessionDuration"),
                )
            )
        if "tags" in changed:
            retag(
                inputs,
                outputs,
                lambda keys: iam.untag_role(RoleName=rid, TagKeys=keys),
                lambda tags: iam.tag_role(RoleName=rid, Tags=tag_list(tags)),
            )
        if "managedPolicyArns" in changed:
            before, after = (
                set(outputs.get("managedPolicyArns") or []),
                set(inputs.get("managedPolicyArns") or []),
            )
            for arn in before - after:
                ignore_missing(iam.detach_role_policy, RoleName=rid, PolicyArn=arn)
            for arn in after - before:
                iam.attach_role_policy(RoleName=rid, PolicyArn=arn)
        return self._outputs(iam.get_role(RoleName=rid)["Role"], inputs)

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        iam = ctx.client("iam")
        # What the program attached through other resources is deleted before the role; what is left
        # (attached out of band) would make DeleteRole fail, as force_detach_policies does.
        attached = ignore_missing(iam.list_attached_role_policies, RoleName=rid)
        for policy in (attached or {}).get("AttachedPolicies", []):
            ignore_missing(iam.detach_role_policy, RoleName=rid, PolicyArn=policy["PolicyArn"])
        inline = ignore_missing(iam.list_role_policies, RoleName=rid)
        for policy_name in (inline or {}).get("PolicyNames", []):
            ignore_missing(iam.delete_role_policy, RoleName=rid, PolicyName=policy_name)
        ignore_missing(iam.delete_role, RoleName=rid)

    @staticmethod
    def _outputs(role: dict[str, Any], inputs: Inputs) -> Outputs:
        return {
            "name": role["RoleName"],
            "arn": role["Arn"],
            "uniqueId": role["RoleId"],
            "createDate": str(role["CreateDate"]),
            "path": role.get("Path", "/"),
            **tagged(inputs),
        }


@register
class RolePolicy(ResourceHandler):
    token = "aws:iam/rolePolicy:RolePolicy"
    name_input = "name"
    name_max = 128
    replace_on = frozenset({"role"})

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        ctx.client("iam").put_role_policy(
            RoleName=inputs["role"], PolicyName=name, PolicyDocument=_policy_text(inputs["policy"])
        )
        return f"{inputs['role']}:{name}", {"name": name}

    def update(
        self,
        ctx: CloudContext,
        rid: str,
        inputs: Inputs,
        outputs: Outputs,
        changed: set[str],
        name: str | None,
    ) -> Outputs:
        return self.create(ctx, inputs, name)[1]

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        role, _, name = rid.partition(":")
        ignore_missing(ctx.client("iam").delete_role_policy, RoleName=role, PolicyName=name)


@register
class RolePolicyAttachment(ResourceHandler):
    token = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    replace_on = frozenset({"role", "policyArn"})

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        ctx.client("iam").attach_role_policy(RoleName=inputs["role"], PolicyArn=inputs["policyArn"])
        return f"{inputs['role']}-{secrets.token_hex(8)}", {}

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        ignore_missing(
            ctx.client("iam").detach_role_policy, RoleName=inputs["role"], PolicyArn=inputs["policyArn"]
        )
