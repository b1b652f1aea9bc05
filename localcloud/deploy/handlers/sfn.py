"""Step Functions state machines (definition, role, logging, tracing)."""

from __future__ import annotations

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


def _logging(inputs: Inputs) -> dict[str, Any] | None:
    spec = inputs.get("loggingConfiguration")
    if not spec:
        return None
    config: dict[str, Any] = {
        "level": spec.get("level", "OFF"),
        "includeExecutionData": bool(spec.get("includeExecutionData")),
    }
    if spec.get("logDestination"):
        config["destinations"] = [{"cloudWatchLogsLogGroup": {"logGroupArn": spec["logDestination"]}}]
    return config


def _tracing(inputs: Inputs) -> dict[str, Any] | None:
    spec = inputs.get("tracingConfiguration")
    return {"enabled": bool(spec.get("enabled"))} if spec else None


@register
class StateMachine(ResourceHandler):
    token = "aws:sfn/stateMachine:StateMachine"
    name_input = "name"
    name_max = 80
    replace_on = frozenset({"type"})

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        created = ctx.client("stepfunctions").create_state_machine(
            **drop_none(
                name=name,
                definition=inputs["definition"],
                roleArn=inputs["roleArn"],
                type=inputs.get("type", "STANDARD"),
                loggingConfiguration=_logging(inputs),
                tracingConfiguration=_tracing(inputs),
                publish=inputs.get("publish"),
                tags=tag_list(inputs.get("tags"), "key", "value") or None,
            )
        )
        arn = created["stateMachineArn"]
        return arn, self._outputs(ctx, arn, name, inputs, created.get("stateMachineVersionArn", ""))

    def update(
        self,
        ctx: CloudContext,
        rid: str,
        inputs: Inputs,
        outputs: Outputs,
        changed: set[str],
        name: str | None,
    ) -> Outputs:
        sfn = ctx.client("stepfunctions")
        version_arn = outputs.get("stateMachineVersionArn", "")
        if changed - {"tags"}:
            updated = sfn.update_state_machine(
                **drop_none(
                    stateMachineArn=rid,
                    definition=inputs["definition"],
                    roleArn=inputs["roleArn"],
                    loggingConfiguration=_logging(inputs),
                    tracingConfiguration=_tracing(inputs),
                    publish=inputs.get("publish"),
                )
            )
            version_arn = updated.get("stateMachineVersionArn", version_arn)
        if "tags" in changed:
            retag(
                inputs,
                outputs,
                lambda keys: sfn.untag_resource(resourceArn=rid, tagKeys=keys),
                lambda tags: sfn.tag_resource(resourceArn=rid, tags=tag_list(tags, "key", "value")),
            )
        return self._outputs(ctx, rid, name, inputs, version_arn)

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        ignore_missing(
            ctx.client("stepfunctions").delete_state_machine,
            stateMachineArn=rid,
            codes=("StateMachineDoesNotExist",),
        )

    @staticmethod
    def _outputs(ctx: CloudContext, arn: str, name: str | None, inputs: Inputs, version_arn: str) -> Outputs:
        described = ctx.client("stepfunctions").describe_state_machine(stateMachineArn=arn)
        return {
            "name": name,
            "arn": arn,
            "status": described.get("status", "ACTIVE"),
            "creationDate": str(described.get("creationDate", "")),
            "revisionId": described.get("revisionId", ""),
            "stateMachineVersionArn": version_arn,
            "type": inputs.get("type", "STANDARD"),
            **tagged(inputs),
        }
