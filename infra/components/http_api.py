"""HTTP API: the routes of DESIGN §2 as Lambda proxy integrations (payload format 2.0), every route but
``GET /health`` behind a JWT authorizer on the Cognito user pool, a ``$default`` stage that deploys
automatically, with throttling and JSON access logs."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from pulumi import ResourceOptions

# Route key → the function that serves it (a folder under lambdas/).
ROUTES: dict[str, str] = {
    "GET /health": "health",
    "POST /articles": "articles",
    "GET /articles": "articles",
    "GET /articles/{id}": "articles",
    "PATCH /articles/{id}": "articles",
    "DELETE /articles/{id}": "articles",
    "POST /articles/{id}/regenerate": "articles",
    "GET /search": "articles",
}
PUBLIC_ROUTES = frozenset({"GET /health"})
ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "ip": "$context.identity.sourceIp",
        "requestTime": "$context.requestTime",
        "routeKey": "$context.routeKey",
        "status": "$context.status",
        "responseLength": "$context.responseLength",
        "integrationError": "$context.integrationErrorMessage",
        "user": "$context.authorizer.claims.sub",
    }
)


def route_slug(route_key: str) -> str:
    """``GET /articles/{id}`` → ``get-articles-id`` (for resource names)."""
    cleaned = route_key.lower().replace("{", "").replace("}", "").replace("/", "-").replace(" ", "")
    return "-".join(part for part in cleaned.split("-") if part)


@dataclass
class HttpApiArgs:
    functions: Mapping[str, aws.lambda_.Function]
    issuer: pulumi.Input[str]
    audience: pulumi.Input[str]
    throttle_burst: int
    throttle_rate: float
    log_retention_days: int
    stack: str


class HttpApi(pulumi.ComponentResource):
    def __init__(self, name: str, args: HttpApiArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("sesha:infra:HttpApi", name, None, opts)
        child = ResourceOptions(parent=self)
        self.api = aws.apigatewayv2.Api(
            f"{name}-api", protocol_type="HTTP", description="Sesha HTTP API", opts=child
        )
        authorizer = aws.apigatewayv2.Authorizer(
            f"{name}-jwt",
            api_id=self.api.id,
            authorizer_type="JWT",
            identity_sources=["$request.header.Authorization"],
            jwt_configuration={"issuer": args.issuer, "audiences": [args.audience]},
            opts=child,
        )
        integrations = {
            fn: self._integration(name, fn, args.functions[fn]) for fn in sorted(set(ROUTES.values()))
        }
        routes = [
            aws.apigatewayv2.Route(
                f"{name}-{route_slug(key)}",
                api_id=self.api.id,
                route_key=key,
                target=pulumi.Output.concat("integrations/", integrations[fn].id),
                authorization_type="NONE" if key in PUBLIC_ROUTES else "JWT",
                authorizer_id=None if key in PUBLIC_ROUTES else authorizer.id,
                opts=child,
            )
            for key, fn in ROUTES.items()
        ]
        access_logs = aws.cloudwatch.LogGroup(
            f"{name}-access-logs",
            name=f"/sesha/{args.stack}/http-api/access",
            retention_in_days=args.log_retention_days,
            opts=child,
        )
        self.stage = aws.apigatewayv2.Stage(
            f"{name}-default-stage",
            api_id=self.api.id,
            name="$default",
            auto_deploy=True,
            default_route_settings={
                "throttling_burst_limit": args.throttle_burst,
                "throttling_rate_limit": args.throttle_rate,
            },
            access_log_settings={"destination_arn": access_logs.arn, "format": ACCESS_LOG_FORMAT},
            opts=ResourceOptions(parent=self, depends_on=routes),
        )
        self.url = self.stage.invoke_url
        self.register_outputs({"url": self.url})

    def _integration(
        self, name: str, fn: str, function: aws.lambda_.Function
    ) -> aws.apigatewayv2.Integration:
        slug = fn.replace("_", "-")
        child = ResourceOptions(parent=self)
        aws.lambda_.Permission(
            f"{name}-{slug}-invoke",
            action="lambda:InvokeFunction",
            function=function.name,
            principal="apigateway.amazonaws.com",
            source_arn=pulumi.Output.concat(self.api.execution_arn, "/*/*"),
            opts=child,
        )
        return aws.apigatewayv2.Integration(
            f"{name}-{slug}",
            api_id=self.api.id,
            integration_type="AWS_PROXY",
            integration_method="POST",
            integration_uri=function.invoke_arn,
            payload_format_version="2.0",
            opts=child,
        )
