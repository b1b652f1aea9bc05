"""HTTP APIs created in the embedded cloud, served by its gateway, with Lambdas running their real code."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest

from localcloud.config import CloudConfig
from localcloud.endpoints import Endpoints
from localcloud.gateway import client as gateway_client
from tests.integration.gateway_samples import add_route, create_function

pytestmark = pytest.mark.integration

ECHO = """
import json
def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(event)}
"""
MIRROR = """
def handler(event, context):
    cookies = ["visits=%d" % (len(event.get("cookies", [])) + 1), "theme=dark; Path=/"]
    return {"statusCode": 201, "headers": {"content-type": event["headers"].get("content-type", "")},
            "cookies": cookies, "body": event.get("body", ""), "isBase64Encoded": event["isBase64Encoded"]}
"""
FAIL = """
def handler(event, context):
    raise ValueError("this function always fails")
"""
SLOW = """
import time
def handler(event, context):
    time.sleep(3)
    return {"statusCode": 200, "body": "too late"}
"""
LEGACY = """
import json
def handler(event, context):
    seen = {k: event[k] for k in ("version", "resource", "path", "httpMethod", "pathParameters")}
    return {"statusCode": 200, "multiValueHeaders": {"x-seen": ["a", "b"]}, "body": json.dumps(seen)}
"""
BARE = """
def handler(event, context):
    return {"items": [1, 2, 3]}
"""


@pytest.fixture(scope="module")
def api(cloud_env: Endpoints) -> Iterator[dict[str, Any]]:
    """An HTTP API with every route kind, two stages and CORS; its gateway description."""
    apis = boto3.client("apigatewayv2")
    created = apis.create_api(
        Name="gateway-http-sample",
        ProtocolType="HTTP",
        CorsConfiguration={
            "AllowOrigins": ["http://localhost:3000"],
            "AllowMethods": ["GET", "POST"],
            "AllowHeaders": ["authorization", "content-type"],
            "MaxAge": 600,
        },
    )
    api_id = created["ApiId"]
    echo = create_function(ECHO)
    for route_key in (
        "GET /items",
        "GET /items/{id}",
        "GET /items/special",
        "ANY /files/{proxy+}",
        "ANY /things/{id}",
    ):
        add_route(api_id, route_key, echo)
    add_route(api_id, "POST /mirror", create_function(MIRROR))
    add_route(api_id, "GET /fail", create_function(FAIL))
    add_route(api_id, "GET /slow", create_function(SLOW), timeout_ms=1_000)
    add_route(api_id, "GET /bare", create_function(BARE))
    add_route(api_id, "GET /legacy/{id}", create_function(LEGACY), payload_format_version="1.0")
    apis.create_stage(ApiId=api_id, StageName="$default")
    apis.create_stage(ApiId=api_id, StageName="v1")
    yield gateway_client.api_url(cloud_env.gateway, api_id)
    apis.delete_api(ApiId=api_id)


@pytest.fixture(scope="module")
def http(api: dict[str, Any]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api["url"], timeout=30) as client:
        yield client


def test_gateway_describes_the_api_with_a_url_per_stage(api, cloud_env):
    assert api["protocolType"] == "HTTP"
    assert api["url"].startswith("http://127.0.0.1:")
    assert api["stages"] == {"$default": api["url"], "v1": api["url"] + "/v1"}
    assert api["apiId"] in {a["apiId"] for a in gateway_client.list_apis(cloud_env.gateway)}


@pytest.mark.parametrize(
    ("method", "path", "route_key", "path_parameters"),
    [
        ("GET", "/items", "GET /items", None),
        ("GET", "/items/special", "GET /items/special", None),
        ("GET", "/items/42", "GET /items/{id}", {"id": "42"}),
        ("PUT", "/things/7", "ANY /things/{id}", {"id": "7"}),
        ("DELETE", "/files/a/b/c.txt", "ANY /files/{proxy+}", {"proxy": "a/b/c.txt"}),
    ],
)
def test_every_route_kind_reaches_its_lambda(http, method, path, route_key, path_parameters):
    response = http.request(method, path)

    event = response.json()
    assert response.status_code == 200
    assert event["routeKey"] == route_key
    assert event.get("pathParameters") == path_parameters


def test_query_headers_and_request_context_are_in_the_event(http, api):
    response = http.get(
        "/items/9",
        params=[("tag", "a"), ("tag", "b"), ("q", "x y")],
        headers={"X-Trace": "t-1", "User-Agent": "sample/1"},
    )

    event = response.json()
    context = event["requestContext"]
    assert event["version"] == "2.0"
    assert event["rawQueryString"] == "tag=a&tag=b&q=x+y"
    assert event["queryStringParameters"] == {"tag": "a,b", "q": "x y"}
    assert event["headers"]["x-trace"] == "t-1"
    assert event["headers"]["x-forwarded-for"] == "127.0.0.1"
    assert event["headers"]["x-forwarded-port"] == str(api["port"])
    assert context["apiId"] == api["apiId"]
    assert context["accountId"] == "123456789012"
    assert context["domainName"] == api["url"].removeprefix("http://")
    assert context["http"]["method"] == "GET"
    assert context["http"]["sourceIp"] == "127.0.0.1"
    assert context["http"]["userAgent"] == "sample/1"
    assert context["requestId"] == response.headers["apigw-requestid"]
    assert isinstance(context["timeEpoch"], int)


def test_named_stage_keeps_its_prefix_in_raw_path(http):
    event = http.get("/v1/items/3").json()

    assert (event["rawPath"], event["requestContext"]["stage"]) == ("/v1/items/3", "v1")
    assert event["routeKey"] == "GET /items/{id}"


def test_binary_body_round_trips(http):
    payload = bytes(range(256)) * 16

    response = http.post("/mirror", content=payload, headers={"content-type": "application/octet-stream"})

    assert response.status_code == 201
    assert response.content == payload


def test_text_body_arrives_as_text(http):
    response = http.post("/mirror", json={"name": "Ada"}, headers={"content-type": "application/json"})

    assert response.json() == {"name": "Ada"}


def test_cookies_in_and_set_cookie_out(http):
    response = http.post("/mirror", content=b"", headers={"cookie": "a=1; b=2"})

    assert response.headers.get_list("set-cookie") == ["visits=3", "theme=dark; Path=/"]


def test_cors_preflight_is_answered_by_the_gateway(http):
    response = http.options(
        "/items/1",
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
    )

    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert set(response.headers["access-control-allow-methods"].split(",")) == {"GET", "POST"}
    assert response.headers["access-control-max-age"] == "600"


def test_cors_headers_only_for_allowed_origins(http):
    allowed = http.get("/items", headers={"Origin": "http://localhost:3000"})
    other = http.get("/items", headers={"Origin": "http://evil.example"})

    assert allowed.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert "access-control-allow-origin" not in other.headers


def test_payload_format_1_0_integrations_get_rest_style_events(http):
    response = http.get("/legacy/5")

    assert response.json() == {
        "version": "1.0",
        "resource": "/legacy/{id}",
        "path": "/legacy/5",
        "httpMethod": "GET",
        "pathParameters": {"id": "5"},
    }
    assert response.headers.get_list("x-seen") == ["a", "b"]


def test_bare_answer_becomes_json(http):
    response = http.get("/bare")

    assert (response.status_code, response.json()) == (200, {"items": [1, 2, 3]})


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/nothing/here", 404, "Not Found"),
        ("/fail", 500, "Internal Server Error"),
        ("/slow", 503, "Service Unavailable"),
    ],
)
def test_failures_answer_as_api_gateway(http, path, status, message):
    response = http.get(path)

    assert (response.status_code, response.json()) == (status, {"message": message})


def test_body_over_10_mb_is_refused(http):
    assert http.post("/mirror", content=b"x" * (10 * 1024 * 1024 + 1)).status_code == 413


def test_api_created_and_changed_after_start_is_served_at_once(cloud_env):
    apis = boto3.client("apigatewayv2")
    api_id = apis.create_api(Name="gateway-late-sample", ProtocolType="HTTP")["ApiId"]
    apis.create_stage(ApiId=api_id, StageName="$default")
    url = gateway_client.api_url(cloud_env.gateway, api_id)["url"]
    before = httpx.get(f"{url}/late")

    add_route(api_id, "$default", create_function(ECHO))

    assert before.status_code == 404
    assert httpx.get(f"{url}/late", timeout=30).json()["routeKey"] == "$default"
    apis.delete_api(ApiId=api_id)


def test_requests_are_access_logged(http, cloud: tuple[CloudConfig, Endpoints], api):
    cfg, _ = cloud
    http.get("/items/logged")

    lines = (cfg.logs_dir / "gateway.log").read_text().splitlines()

    assert any(
        f"{api['apiId']} $default GET /items/logged route=GET /items/{{id}} status=200" in line
        for line in lines
    )


def test_unknown_api_is_a_clear_error(cloud_env):
    with pytest.raises(gateway_client.ApiNotServed, match="create it"):
        gateway_client.api_url(cloud_env.gateway, "doesnotexist")


def test_binary_event_is_base64(http):
    # The echo route shows what the Lambda received for a binary body.
    response = http.request("PUT", "/things/1", content=b"\xff\x00", headers={"content-type": "image/png"})

    event = response.json()
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\xff\x00"
