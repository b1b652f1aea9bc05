"""Cognito user pools and app clients."""

from __future__ import annotations

from typing import Any

from localcloud.deploy.context import CloudContext
from localcloud.deploy.handlers.base import (
    Inputs,
    Outputs,
    ResourceHandler,
    drop_none,
    ignore_missing,
    pascal,
    register,
    tagged,
)

_POOL_SETTINGS = (
    "autoVerifiedAttributes",
    "mfaConfiguration",
    "accountRecoverySetting",
    "adminCreateUserConfig",
    "userPoolAddOns",
    "verificationMessageTemplate",
    "lambdaConfig",
    "emailConfiguration",
    "smsConfiguration",
    "deviceConfiguration",
    "userAttributeUpdateSettings",
)


def _pool_arguments(inputs: Inputs, *, creating: bool) -> dict[str, Any]:
    args = {k[:1].upper() + k[1:]: pascal(inputs[k]) for k in _POOL_SETTINGS if inputs.get(k) is not None}
    if inputs.get("passwordPolicy"):
        args["Policies"] = {"PasswordPolicy": pascal(inputs["passwordPolicy"])}
    if inputs.get("deletionProtection"):
        args["DeletionProtection"] = inputs["deletionProtection"]
    if inputs.get("tags"):
        args["UserPoolTags"] = dict(inputs["tags"])
    if creating:
        # Attributes and username settings are fixed once the pool exists.
        if inputs.get("schemas"):
            args["Schema"] = pascal(inputs["schemas"])
        for key in ("usernameAttributes", "aliasAttributes", "usernameConfiguration"):
            if inputs.get(key) is not None:
                args[key[:1].upper() + key[1:]] = pascal(inputs[key])
    return args


@register
class UserPool(ResourceHandler):
    token = "aws:cognito/userPool:UserPool"
    name_input = "name"
    name_max = 128
    replace_on = frozenset({"schemas", "usernameAttributes", "aliasAttributes", "usernameConfiguration"})

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        pool = ctx.client("cognito-idp").create_user_pool(
            PoolName=name, **_pool_arguments(inputs, creating=True)
        )
        return pool["UserPool"]["Id"], self._outputs(ctx, pool["UserPool"], name, inputs)

    def update(
        self,
        ctx: CloudContext,
        rid: str,
        inputs: Inputs,
        outputs: Outputs,
        changed: set[str],
        name: str | None,
    ) -> Outputs:
        idp = ctx.client("cognito-idp")
        idp.update_user_pool(UserPoolId=rid, **_pool_arguments(inputs, creating=False))
        return self._outputs(ctx, idp.describe_user_pool(UserPoolId=rid)["UserPool"], name, inputs)

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        ignore_missing(ctx.client("cognito-idp").delete_user_pool, UserPoolId=rid)

    @staticmethod
    def _outputs(ctx: CloudContext, pool: dict[str, Any], name: str | None, inputs: Inputs) -> Outputs:
        pool_id = pool["Id"]
        return {
            "name": name,
            "arn": pool.get("Arn") or ctx.arn("cognito-idp", f"userpool/{pool_id}"),
            "endpoint": f"cognito-idp.{ctx.region}.amazonaws.com/{pool_id}",
            "creationDate": str(pool.get("CreationDate", "")),
            "lastModifiedDate": str(pool.get("LastModifiedDate", "")),
            "estimatedNumberOfUsers": pool.get("EstimatedNumberOfUsers", 0),
            **tagged(inputs),
        }


# Cognito's API spells some of these differently from the provider's camelCase.
_CLIENT_RENAMES = {
    "allowedOauthFlows": "AllowedOAuthFlows",
    "allowedOauthScopes": "AllowedOAuthScopes",
    "allowedOauthFlowsUserPoolClient": "AllowedOAuthFlowsUserPoolClient",
    "callbackUrls": "CallbackURLs",
    "logoutUrls": "LogoutURLs",
    "defaultRedirectUri": "DefaultRedirectURI",
}
_CLIENT_SETTINGS = (
    "explicitAuthFlows",
    "allowedOauthFlows",
    "allowedOauthScopes",
    "allowedOauthFlowsUserPoolClient",
    "callbackUrls",
    "logoutUrls",
    "defaultRedirectUri",
    "supportedIdentityProviders",
    "preventUserExistenceErrors",
    "accessTokenValidity",
    "idTokenValidity",
    "refreshTokenValidity",
    "tokenValidityUnits",
    "enableTokenRevocation",
    "readAttributes",
    "writeAttributes",
    "authSessionValidity",
    "enablePropagateAdditionalUserContextData",
)


def _client_arguments(inputs: Inputs) -> dict[str, Any]:
    return {
        _CLIENT_RENAMES.get(k, k[:1].upper() + k[1:]): pascal(inputs[k])
        for k in _CLIENT_SETTINGS
        if inputs.get(k) is not None
    }


@register
class UserPoolClient(ResourceHandler):
    token = "aws:cognito/userPoolClient:UserPoolClient"
    name_input = "name"
    name_max = 128
    replace_on = frozenset({"userPoolId", "generateSecret"})

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        client = ctx.client("cognito-idp").create_user_pool_client(
            **drop_none(
                UserPoolId=inputs["userPoolId"], ClientName=name, GenerateSecret=inputs.get("generateSecret")
            ),
            **_client_arguments(inputs),
        )["UserPoolClient"]
        return client["ClientId"], {"name": name, "clientSecret": client.get("ClientSecret", "")}

    def update(
        self,
        ctx: CloudContext,
        rid: str,
        inputs: Inputs,
        outputs: Outputs,
        changed: set[str],
        name: str | None,
    ) -> Outputs:
        client = ctx.client("cognito-idp").update_user_pool_client(
            UserPoolId=inputs["userPoolId"], ClientId=rid, ClientName=name, **_client_arguments(inputs)
        )["UserPoolClient"]
        return {"name": name, "clientSecret": client.get("ClientSecret", outputs.get("clientSecret", ""))}

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        ignore_missing(
            ctx.client("cognito-idp").delete_user_pool_client, UserPoolId=inputs["userPoolId"], ClientId=rid
        )
