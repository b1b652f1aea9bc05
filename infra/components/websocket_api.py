"""WebSocket API: ``$connect`` (authorized by a REQUEST authorizer Lambda that verifies the token in
the query string), ``$disconnect``, ``subscribe`` and ``$default``, each a Lambda proxy integration;
a deployment and a stage with throttling and access logs; and the right to post to connections
(``execute-api:ManageConnections`` on this API only) for the roles of the functions that talk back."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import pulumi
import pulumi_aws as aws
from pulumi import ResourceOptions

from infra import iam

# Route key → the function that serves it.
ROUTES: dict[str, str] = {
    "$connect": "ws_connect",
    "$disconnect": "ws_disconnect",
    "subscribe": "ws_subscribe",
    "$default": "ws_default",
}
AUTHORIZED_ROUTES = frozenset({"$connect"})  # API Gateway authorizes WebSocket clients on $connect only
TOKEN_SOURCE = "route.request.querystring.token"
ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "ip": "$context.identity.sourceIp",
        "requestTime": "$context.requestTime",
        "routeKey": "$context.routeKey",
        "eventType": "$context.eventType",
        "connectionId": "$context.connectionId",
        "status": "$context.status",
        "error": "$context.error.message",
    }
)


def management_url(invoke_url: str) -> str:
    """The @connections endpoint of a stage: its ``wss://`` (or local ``ws://``) URL over HTTP(S)."""
    parts = urlsplit(invoke_url)
    scheme = {"wss": "https", "ws": "http"}.get(parts.scheme, parts.scheme)
    return urlunsplit(parts._replace(scheme=scheme))


def route_slug(route_key: str) -> str:
    return route_key.lstrip("$").replace("_", "-")


@dataclass
class WebSocketApiArgs:
    functions: Mapping[str, aws.lambda_.Function]
    authorizer_function: aws.lambda_.Function
    connection_manager_roles: Mapping[str, aws.iam.Role]
    stage_name: str
    throttle_burst: int
    throttle_rate: float
    access_logs: bool
    log_retention_days: int
    stack: str


class WebSocketApi(pulumi.ComponentResource):
    def __init__(self, name: str, args: WebSocketApiArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("sesha:infra:WebSocketApi", name, None, opts)
        child = ResourceOptions(parent=self)
        self.api = aws.apigatewayv2.Api(
            f"{name}-api",
            protocol_type="WEBSOCKET",
            route_selection_expression="$request.body.action",
            description="Sesha live progress",
            opts=child,
        )
        invoke_source = pulumi.Output.concat(self.api.execution_arn, "/*")
        aws.lambda_.Permission(
            f"{name}-authorizer-invoke",
            action="lambda:InvokeFunction",
            function=args.authorizer_function.name,
            principal="apigateway.amazonaws.com",
            source_arn=invoke_source,
            opts=child,
        )
        authorizer = aws.apigatewayv2.Authorizer(
            f"{name}-token",
            api_id=self.api.id,
            authorizer_type="REQUEST",
            authorizer_uri=args.authorizer_function.invoke_arn,
            identity_sources=[TOKEN_SOURCE],
            opts=child,
        )
        routes = []
        for key, fn in ROUTES.items():
            function = args.functions[fn]
            slug = route_slug(key)
            aws.lambda_.Permission(
                f"{name}-{slug}-invoke",
                action="lambda:InvokeFunction",
                function=function.name,
                principal="apigateway.amazonaws.com",
                source_arn=invoke_source,
                opts=child,
            )
            integration = aws.apigatewayv2.Integration(
                f"{name}-{slug}",
                api_id=self.api.id,
                integration_type="AWS_PROXY",
                integration_method="POST",
                integration_uri=function.invoke_arn,
                opts=child,
            )
            authorized = key in AUTHORIZED_ROUTES
            routes.append(
                aws.apigatewayv2.Route(
                    f"{name}-{slug}-route",
                    api_id=self.api.id,
                    route_key=key,
                    target=pulumi.Output.concat("integrations/", integration.id),
                    authorization_type="CUSTOM" if authorized else "NONE",
                    authorizer_id=authorizer.id if authorized else None,
                    opts=child,
                )
            )
        # WebSocket stages do not deploy themselves: a deployment, redone when the routes change.
        deployment = aws.apigatewayv2.Deployment(
            f"{name}-deployment",
            api_id=self.api.id,
            triggers={"routes": json.dumps(sorted(ROUTES.items()))},
            opts=ResourceOptions(parent=self, depends_on=routes),
        )
        self.stage = aws.apigatewayv2.Stage(
            f"{name}-stage",
            api_id=self.api.id,
            name=args.stage_name,
            deployment_id=deployment.id,
            default_route_settings={
                "throttling_burst_limit": args.throttle_burst,
                "throttling_rate_limit": args.throttle_rate,
            },
            access_log_settings=self._access_logs(name, args) if args.access_logs else None,
            opts=child,
        )
        self.url = self.stage.invoke_url
        self.management_url = self.stage.invoke_url.apply(management_url)
        self._grant_manage_connections(name, args.connection_manager_roles)
        self.register_outputs({"url": self.url, "managementUrl": self.management_url})

    def _access_logs(self, name: str, args: WebSocketApiArgs) -> dict[str, pulumi.Input[str]]:
        # AWS requires the account-level API Gateway CloudWatch role for WebSocket access logs
        # (set once per account and region); stacks without it set webSocketAccessLogs: false.
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-access-logs",
            name=f"/sesha/{args.stack}/websocket-api/access",
            retention_in_days=args.log_retention_days,
            opts=ResourceOptions(parent=self),
        )
        return {"destination_arn": log_group.arn, "format": ACCESS_LOG_FORMAT}

    def _grant_manage_connections(self, name: str, roles: Mapping[str, aws.iam.Role]) -> None:
        connections = pulumi.Output.concat(self.api.execution_arn, "/", self.stage.name, "/*/@connections/*")
        for fn, role in roles.items():
            aws.iam.RolePolicy(
                f"{name}-{fn.replace('_', '-')}-manage-connections",
                role=role.id,
                policy=iam.document([iam.allow(["execute-api:ManageConnections"], [connections])]),
                opts=ResourceOptions(parent=self),
            )
