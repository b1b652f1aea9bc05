"""OpenSearch domains. In the embedded cloud a domain's endpoint is the local OpenSearch-compatible
server (with its scheme), which is what the program exports."""

from __future__ import annotations

from typing import Any

from localcloud.deploy.context import CloudContext
from localcloud.deploy.handlers.base import (
    Inputs,
    Outputs,
    ResourceHandler,
    ignore_missing,
    pascal,
    register,
    retag,
    tag_list,
    tagged,
)

_RENAMES = {
    "ebsEnabled": "EBSEnabled",
    "enforceHttps": "EnforceHTTPS",
    "tlsSecurityPolicy": "TLSSecurityPolicy",
    "masterUserArn": "MasterUserARN",
    "kmsKeyId": "KmsKeyId",
    "cloudwatchLogGroupArn": "CloudWatchLogsLogGroupArn",
}
# Provider input → API argument.
_SECTIONS = {
    "clusterConfig": "ClusterConfig",
    "ebsOptions": "EBSOptions",
    "vpcOptions": "VPCOptions",
    "encryptAtRest": "EncryptionAtRestOptions",
    "nodeToNodeEncryption": "NodeToNodeEncryptionOptions",
    "domainEndpointOptions": "DomainEndpointOptions",
    "advancedSecurityOptions": "AdvancedSecurityOptions",
    "snapshotOptions": "SnapshotOptions",
    "cognitoOptions": "CognitoOptions",
}
# Settings AWS can only set when the domain is created.
_CREATE_ONLY = frozenset({"encryptAtRest"})


def _arguments(inputs: Inputs, *, creating: bool) -> dict[str, Any]:
    args: dict[str, Any] = {}
    for key, api in _SECTIONS.items():
        if inputs.get(key) is not None and (creating or key not in _CREATE_ONLY):
            args[api] = pascal(inputs[key], _RENAMES)
    if inputs.get("accessPolicies"):
        args["AccessPolicies"] = inputs["accessPolicies"]
    if inputs.get("advancedOptions"):
        args["AdvancedOptions"] = dict(inputs["advancedOptions"])
    if inputs.get("logPublishingOptions"):
        args["LogPublishingOptions"] = {
            o["logType"]: {
                "CloudWatchLogsLogGroupArn": o["cloudwatchLogGroupArn"],
                "Enabled": o.get("enabled", True),
            }
            for o in inputs["logPublishingOptions"]
        }
    return args


@register
class Domain(ResourceHandler):
    token = "aws:opensearch/domain:Domain"
    name_input = "domainName"
    name_max = 28
    name_lowercase = True
    replace_on = frozenset({"encryptAtRest"})

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        os_ = ctx.client("opensearch")
        status = os_.create_domain(
            DomainName=name,
            EngineVersion=inputs.get("engineVersion", "OpenSearch_2.11"),
            TagList=tag_list(inputs.get("tags")),
            **_arguments(inputs, creating=True),
        )["DomainStatus"]
        return status["ARN"], self._outputs(name, status, inputs)

    def update(
        self,
        ctx: CloudContext,
        rid: str,
        inputs: Inputs,
        outputs: Outputs,
        changed: set[str],
        name: str | None,
    ) -> Outputs:
        os_ = ctx.client("opensearch")
        if changed - {"tags", "engineVersion"}:
            os_.update_domain_config(DomainName=name, **_arguments(inputs, creating=False))
        if "engineVersion" in changed:
            os_.upgrade_domain(DomainName=name, TargetVersion=inputs["engineVersion"])
        if "tags" in changed:
            retag(
                inputs,
                outputs,
                lambda keys: os_.remove_tags(ARN=rid, TagKeys=keys),
                lambda tags: os_.add_tags(ARN=rid, TagList=tag_list(tags)),
            )
        status = os_.describe_domain(DomainName=name)["DomainStatus"]
        return self._outputs(name, status, inputs)

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        ignore_missing(ctx.client("opensearch").delete_domain, DomainName=outputs["domainName"])

    @staticmethod
    def _outputs(name: str | None, status: dict[str, Any], inputs: Inputs) -> Outputs:
        endpoint = status.get("Endpoint") or (status.get("Endpoints") or {}).get("vpc", "")
        return {
            "domainName": name,
            "arn": status["ARN"],
            "domainId": status.get("DomainId", ""),
            "endpoint": endpoint,
            "dashboardEndpoint": f"{endpoint}/_dashboards" if endpoint else "",
            "engineVersion": status.get("EngineVersion", inputs.get("engineVersion", "")),
            **tagged(inputs),
        }
