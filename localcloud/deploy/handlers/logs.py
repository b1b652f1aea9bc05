"""CloudWatch log groups (retention, tags)."""

from __future__ import annotations

from botocore.exceptions import ClientError

from localcloud.deploy.context import CloudContext
from localcloud.deploy.handlers.base import (
    Inputs,
    Outputs,
    ResourceHandler,
    drop_none,
    error_code,
    ignore_missing,
    register,
    retag,
    tagged,
)


@register
class LogGroup(ResourceHandler):
    token = "aws:cloudwatch/logGroup:LogGroup"
    name_input = "name"
    name_max = 512
    replace_on = frozenset({"kmsKeyId", "logGroupClass"})

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        logs = ctx.client("logs")
        try:
            logs.create_log_group(
                **drop_none(
                    logGroupName=name, kmsKeyId=inputs.get("kmsKeyId"), tags=inputs.get("tags") or None
                )
            )
        except ClientError as exc:
            # A function that ran before its log group was declared already has one: adopt it.
            if error_code(exc) != "ResourceAlreadyExistsException":
                raise
        self._retention(ctx, name, inputs)
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
        logs = ctx.client("logs")
        if "retentionInDays" in changed:
            self._retention(ctx, rid, inputs)
        if "tags" in changed:
            arn = outputs["arn"]
            retag(
                inputs,
                outputs,
                lambda keys: logs.untag_resource(resourceArn=arn, tagKeys=keys),
                lambda tags: logs.tag_resource(resourceArn=arn, tags=tags),
            )
        return self._outputs(ctx, rid, inputs)

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        if not inputs.get("skipDestroy"):
            ignore_missing(ctx.client("logs").delete_log_group, logGroupName=rid)

    @staticmethod
    def _retention(ctx: CloudContext, name: str, inputs: Inputs) -> None:
        logs = ctx.client("logs")
        if inputs.get("retentionInDays"):
            logs.put_retention_policy(logGroupName=name, retentionInDays=int(inputs["retentionInDays"]))
        else:
            ignore_missing(logs.delete_retention_policy, logGroupName=name)

    @staticmethod
    def _outputs(ctx: CloudContext, name: str, inputs: Inputs) -> Outputs:
        # The provider reports the ARN without the ':*' that DescribeLogGroups appends.
        return {"name": name, "arn": ctx.arn("logs", f"log-group:{name}"), **tagged(inputs)}
