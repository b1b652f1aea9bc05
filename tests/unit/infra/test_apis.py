"""HTTP API: DESIGN §2's routes, all but GET /health behind the Cognito JWT authorizer; WebSocket API:
$connect authorized by the token authorizer."""

from __future__ import annotations

from .program import Deployment

DESIGN_ROUTES = {
    "GET /health",
    "POST /articles",
    "GET /articles",
    "GET /articles/{id}",
    "PATCH /articles/{id}",
    "DELETE /articles/{id}",
    "POST /articles/{id}/regenerate",
    "GET /search",
}
WEBSOCKET_ROUTES = {"$connect", "$disconnect", "subscribe", "$default"}


def routes_of(deployment: Deployment, api: str) -> dict[str, dict]:
    return {
        r["routeKey"]: r.inputs
        for r in deployment.of_type("aws:apigatewayv2/route:Route")
        if r["apiId"] == f"{api}-id"
    }


def test_http_routes_are_design_routes_and_only_health_is_public(deployment: Deployment) -> None:
    routes = routes_of(deployment, "http-api-api")
    jwt = deployment.named("http-api-jwt")
    assert set(routes) == DESIGN_ROUTES
    for key, route in routes.items():
        if key == "GET /health":
            assert route["authorizationType"] == "NONE"
            assert "authorizerId" not in route
        else:
            assert (route["authorizationType"], route["authorizerId"]) == ("JWT", "http-api-jwt-id"), key
    assert jwt["authorizerType"] == "JWT"
    assert jwt["identitySources"] == ["$request.header.Authorization"]


def test_jwt_authorizer_trusts_this_stacks_user_pool_and_client(deployment: Deployment) -> None:
    config = deployment.named("http-api-jwt")["jwtConfiguration"]
    pool = deployment.named("auth-user-pool")
    assert config["issuer"] == f"https://{pool.outputs['endpoint']}"
    assert config["audiences"] == ["auth-app-client-id"]


def test_http_integrations_are_lambda_proxies_with_payload_2(deployment: Deployment) -> None:
    routes = routes_of(deployment, "http-api-api")
    integrations = {
        f"integrations/{i.name}-id": i for i in deployment.of_type("aws:apigatewayv2/integration:Integration")
    }
    health = deployment.named("worker-functions-health").outputs["invokeArn"]
    articles = deployment.named("api-functions-articles").outputs["invokeArn"]
    for key, route in routes.items():
        integration = integrations[route["target"]]
        assert integration["integrationType"] == "AWS_PROXY"
        assert integration["payloadFormatVersion"] == "2.0"
        assert integration["integrationUri"] == (health if key == "GET /health" else articles)


def test_http_stage_deploys_itself_with_throttling_and_access_logs(deployment: Deployment) -> None:
    stage = deployment.named("http-api-default-stage")
    assert (stage["name"], stage["autoDeploy"]) == ("$default", True)
    assert stage["defaultRouteSettings"]["throttlingBurstLimit"] > 0
    assert stage["defaultRouteSettings"]["throttlingRateLimit"] > 0
    logs = deployment.named("http-api-access-logs")
    assert stage["accessLogSettings"]["destinationArn"] == logs.outputs["arn"]


def test_api_gateway_may_invoke_exactly_the_integrated_functions(deployment: Deployment) -> None:
    permissions = deployment.of_type("aws:lambda/permission:Permission")
    invoked = {p["function"] for p in permissions}
    integrated = {
        r.outputs["name"]
        for r in deployment.of_type("aws:lambda/function:Function")
        if r.outputs["invokeArn"]
        in {i["integrationUri"] for i in deployment.of_type("aws:apigatewayv2/integration:Integration")}
    }
    authorizer = deployment.named("socket-functions-ws-authorizer").outputs["name"]
    assert invoked == integrated | {authorizer}
    for permission in permissions:
        assert permission["principal"] == "apigateway.amazonaws.com"
        assert permission["sourceArn"].startswith("arn:aws:execute-api:")


def test_websocket_connect_is_authorized_by_the_token_authorizer(deployment: Deployment) -> None:
    routes = routes_of(deployment, "websocket-api-api")
    authorizer = deployment.named("websocket-api-token")
    assert set(routes) == WEBSOCKET_ROUTES
    assert (routes["$connect"]["authorizationType"], routes["$connect"]["authorizerId"]) == (
        "CUSTOM",
        "websocket-api-token-id",
    )
    assert all(routes[key]["authorizationType"] == "NONE" for key in WEBSOCKET_ROUTES - {"$connect"})
    assert authorizer["authorizerType"] == "REQUEST"
    assert authorizer["identitySources"] == ["route.request.querystring.token"]
    assert (
        authorizer["authorizerUri"] == deployment.named("socket-functions-ws-authorizer").outputs["invokeArn"]
    )


def test_websocket_stage_is_deployed_after_the_routes(deployment: Deployment) -> None:
    api = deployment.named("websocket-api-api")
    assert api["protocolType"] == "WEBSOCKET"
    assert api["routeSelectionExpression"] == "$request.body.action"
    stage = deployment.named("websocket-api-stage")
    assert stage["deploymentId"] == "websocket-api-deployment-id"
    route_names = {
        r.name
        for r in deployment.of_type("aws:apigatewayv2/route:Route")
        if r["apiId"] == "websocket-api-api-id"
    }
    assert set(deployment.options["websocket-api-deployment"].depends_on) == route_names


def test_management_url_is_the_stage_url_over_http() -> None:
    from infra.components.websocket_api import management_url

    assert management_url("wss://abc.execute-api.eu-north-1.amazonaws.com/v1") == (
        "https://abc.execute-api.eu-north-1.amazonaws.com/v1"
    )
    assert management_url("ws://127.0.0.1:43515/v1") == "http://127.0.0.1:43515/v1"
