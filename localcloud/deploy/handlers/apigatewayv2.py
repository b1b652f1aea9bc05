"""API Gateway v2 (HTTP and WebSocket APIs): APIs, integrations, routes, authorizers, stages.

URLs in the outputs (``apiEndpoint``, a stage's ``invokeUrl``) are the local gateway's, which serves
these APIs; ARNs keep AWS's form."""

from __future__ import annotations

import secrets
from typing import Any

from localcloud.deploy import gateway_urls
from localcloud.deploy.context import CloudContext
from localcloud.deploy.handlers.base import (
    Inputs,
    Outputs,
    ResourceHandler,
    ignore_missing,
    pascal,
    register,
    retag,
    tagged,
)


def _arguments(
    inputs: Inputs, keys: tuple[str, ...], renames: dict[str, str] | None = None
) -> dict[str, Any]:
    renames = renames or {}
    return {
        renames.get(k, k[:1].upper() + k[1:]): pascal(inputs[k], renames)
        for k in keys
        if inputs.get(k) is not None
    }


_API_KEYS = (
    "name",
    "protocolType",
    "routeSelectionExpression",
    "apiKeySelectionExpression",
    "description",
    "disableExecuteApiEndpoint",
    "version",
    "corsConfiguration",
    "ipAddressType",
)
_API_UPDATABLE = tuple(k for k in _API_KEYS if k != "protocolType")


@register
class Api(ResourceHandler):
    token = "aws:apigatewayv2/api:Api"
    name_input = "name"
    name_max = 128
    replace_on = frozenset({"protocolType"})

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        api = ctx.client("apigatewayv2").create_api(
            **_arguments({**inputs, "name": name}, _API_KEYS), Tags=dict(inputs.get("tags") or {})
        )
        return api["ApiId"], self._outputs(ctx, api, inputs)

    def update(
        self,
        ctx: CloudContext,
        rid: str,
        inputs: Inputs,
        outputs: Outputs,
        changed: set[str],
        name: str | None,
    ) -> Outputs:
        gw = ctx.client("apigatewayv2")
        if changed - {"tags"}:
            if "corsConfiguration" in changed and not inputs.get("corsConfiguration"):
                gw.delete_cors_configuration(ApiId=rid)
            gw.update_api(ApiId=rid, **_arguments({**inputs, "name": name}, _API_UPDATABLE))
        if "tags" in changed:
            arn = outputs["arn"]
            retag(
                inputs,
                outputs,
                lambda keys: gw.untag_resource(ResourceArn=arn, TagKeys=keys),
                lambda tags: gw.tag_resource(ResourceArn=arn, Tags=dict(tags)),
            )
        return self._outputs(ctx, gw.get_api(ApiId=rid), inputs)

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        ignore_missing(ctx.client("apigatewayv2").delete_api, ApiId=rid)

    @staticmethod
    def _outputs(ctx: CloudContext, api: dict[str, Any], inputs: Inputs) -> Outputs:
        api_id = api["ApiId"]
        local = gateway_urls.lookup(ctx.gateway_url, api_id)
        return {
            "apiEndpoint": (local or {}).get("url") or api.get("ApiEndpoint", ""),
            "arn": f"arn:aws:apigateway:{ctx.region}::/apis/{api_id}",
            "executionArn": ctx.arn("execute-api", api_id),
            "routeSelectionExpression": api.get("RouteSelectionExpression", ""),
            "apiKeySelectionExpression": api.get("ApiKeySelectionExpression", ""),
            **tagged(inputs),
        }


_INTEGRATION_KEYS = (
    "integrationType",
    "integrationUri",
    "integrationMethod",
    "payloadFormatVersion",
    "connectionType",
    "connectionId",
    "timeoutMilliseconds",
    "credentialsArn",
    "requestParameters",
    "requestTemplates",
    "templateSelectionExpression",
    "contentHandlingStrategy",
    "passthroughBehavior",
    "description",
    "integrationSubtype",
)


@register
class Integration(ResourceHandler):
    token = "aws:apigatewayv2/integration:Integration"
    replace_on = frozenset({"apiId"})

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        created = ctx.client("apigatewayv2").create_integration(
            ApiId=inputs["apiId"], **_arguments(inputs, _INTEGRATION_KEYS)
        )
        return created["IntegrationId"], self._outputs(created)

    def update(
        self,
        ctx: CloudContext,
        rid: str,
        inputs: Inputs,
        outputs: Outputs,
        changed: set[str],
        name: str | None,
    ) -> Outputs:
        updated = ctx.client("apigatewayv2").update_integration(
            ApiId=inputs["apiId"], IntegrationId=rid, **_arguments(inputs, _INTEGRATION_KEYS)
        )
        return self._outputs(updated)

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        ignore_missing(
            ctx.client("apigatewayv2").delete_integration, ApiId=inputs["apiId"], IntegrationId=rid
        )

    @staticmethod
    def _outputs(integration: dict[str, Any]) -> Outputs:
        return {
            "integrationResponseSelectionExpression": integration.get(
                "IntegrationResponseSelectionExpression", ""
            ),
            "payloadFormatVersion": integration.get("PayloadFormatVersion", "1.0"),
        }


_ROUTE_KEYS = (
    "routeKey",
    "target",
    "authorizationType",
    "authorizerId",
    "authorizationScopes",
    "apiKeyRequired",
    "operationName",
    "routeResponseSelectionExpression",
    "modelSelectionExpression",
    "requestModels",
    "requestParameters",
)


@register
class Route(ResourceHandler):
    token = "aws:apigatewayv2/route:Route"
    replace_on = frozenset({"apiId"})

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        created = ctx.client("apigatewayv2").create_route(
            ApiId=inputs["apiId"], **_arguments(inputs, _ROUTE_KEYS)
        )
        return created["RouteId"], {}

    def update(
        self,
        ctx: CloudContext,
        rid: str,
        inputs: Inputs,
        outputs: Outputs,
        changed: set[str],
        name: str | None,
    ) -> Outputs:
        args = _arguments(inputs, _ROUTE_KEYS)
        args.setdefault("AuthorizationType", "NONE")  # a removed authorizer must be switched off
        ctx.client("apigatewayv2").update_route(ApiId=inputs["apiId"], RouteId=rid, **args)
        return {}

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        ignore_missing(ctx.client("apigatewayv2").delete_route, ApiId=inputs["apiId"], RouteId=rid)


_AUTHORIZER_KEYS = (
    "authorizerType",
    "name",
    "identitySources",
    "jwtConfiguration",
    "authorizerUri",
    "authorizerPayloadFormatVersion",
    "enableSimpleResponses",
    "authorizerResultTtlInSeconds",
    "authorizerCredentialsArn",
    "identityValidationExpression",
)


_AUTHORIZER_RENAMES = {"identitySources": "IdentitySource", "audiences": "Audience"}


@register
class Authorizer(ResourceHandler):
    token = "aws:apigatewayv2/authorizer:Authorizer"
    name_input = "name"
    name_max = 128
    replace_on = frozenset({"apiId"})

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        created = ctx.client("apigatewayv2").create_authorizer(
            ApiId=inputs["apiId"],
            **_arguments({**inputs, "name": name}, _AUTHORIZER_KEYS, _AUTHORIZER_RENAMES),
        )
        return created["AuthorizerId"], {}

    def update(
        self,
        ctx: CloudContext,
        rid: str,
        inputs: Inputs,
        outputs: Outputs,
        changed: set[str],
        name: str | None,
    ) -> Outputs:
        ctx.client("apigatewayv2").update_authorizer(
            ApiId=inputs["apiId"],
            AuthorizerId=rid,
            **_arguments({**inputs, "name": name}, _AUTHORIZER_KEYS, _AUTHORIZER_RENAMES),
        )
        return {}

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        ignore_missing(ctx.client("apigatewayv2").delete_authorizer, ApiId=inputs["apiId"], AuthorizerId=rid)


_STAGE_KEYS = (
    "autoDeploy",
    "deploymentId",
    "description",
    "defaultRouteSettings",
    "accessLogSettings",
    "stageVariables",
    "clientCertificateId",
)


def _stage_arguments(inputs: Inputs) -> dict[str, Any]:
    args = _arguments(inputs, _STAGE_KEYS)
    if inputs.get("routeSettings"):
        # The provider takes a list of settings each naming its route; the API a map by route key.
        args["RouteSettings"] = {
            s["routeKey"]: pascal({k: v for k, v in s.items() if k != "routeKey"})
            for s in inputs["routeSettings"]
        }
    return args


@register
class Stage(ResourceHandler):
    token = "aws:apigatewayv2/stage:Stage"
    name_input = "name"
    replace_on = frozenset({"apiId"})

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        ctx.client("apigatewayv2").create_stage(
            ApiId=inputs["apiId"],
            StageName=name,
            Tags=dict(inputs.get("tags") or {}),
            **_stage_arguments(inputs),
        )
        return name, self._outputs(ctx, inputs, name)

    def update(
        self,
        ctx: CloudContext,
        rid: str,
        inputs: Inputs,
        outputs: Outputs,
        changed: set[str],
        name: str | None,
    ) -> Outputs:
        gw = ctx.client("apigatewayv2")
        if changed - {"tags"}:
            gw.update_stage(ApiId=inputs["apiId"], StageName=rid, **_stage_arguments(inputs))
        if "tags" in changed and inputs.get("tags"):
            gw.tag_resource(ResourceArn=outputs["arn"], Tags=dict(inputs["tags"]))
        return self._outputs(ctx, inputs, rid)

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        ignore_missing(ctx.client("apigatewayv2").delete_stage, ApiId=inputs["apiId"], StageName=rid)

    @staticmethod
    def _outputs(ctx: CloudContext, inputs: Inputs, stage: str | None) -> Outputs:
        api_id = inputs["apiId"]
        local = gateway_urls.lookup(ctx.gateway_url, api_id) or {}
        invoke_url = (local.get("stages") or {}).get(stage) or local.get("url") or ""
        if not invoke_url:
            path = "" if stage == "$default" else f"/{stage}"
            invoke_url = f"https://{api_id}.execute-api.{ctx.region}.amazonaws.com{path}"
        return {
            "name": stage,
            "arn": f"arn:aws:apigateway:{ctx.region}::/apis/{api_id}/stages/{stage}",
            "executionArn": ctx.arn("execute-api", f"{api_id}/{stage}"),
            "invokeUrl": invoke_url,
            **({"managementUrl": local["managementUrl"]} if local.get("managementUrl") else {}),
            **tagged(inputs),
        }


@register
class Deployment(ResourceHandler):
    """A deployment snapshots an API's routes; ``triggers`` changing means a new one, as in the provider.

    The emulator (moto 5.2.5) has no CreateDeployment, and the local gateway always serves an API's
    current routes, so locally a deployment is only recorded (its id made here)."""

    token = "aws:apigatewayv2/deployment:Deployment"
    replace_on = frozenset({"apiId", "triggers"})

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        return secrets.token_hex(3), {"autoDeployed": False}

    def update(
        self,
        ctx: CloudContext,
        rid: str,
        inputs: Inputs,
        outputs: Outputs,
        changed: set[str],
        name: str | None,
    ) -> Outputs:
        return {"autoDeployed": False}

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        """Nothing was created in the emulator."""
