"""A WebSocket API created in the embedded cloud, served by its gateway: a REQUEST authorizer on
$connect, routing by action, $default, $disconnect, and the @connections API used both by a Lambda
(through the endpoint its configuration names) and by the test."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from localcloud.endpoints import Endpoints
from localcloud.gateway import client as gateway_client
from tests.fixtures.lambdas import unique
from tests.integration.gateway_samples import add_route, create_function, invocation_uri

pytestmark = pytest.mark.integration

# Records every event in DynamoDB; answers each message by posting the event's gist back to the
# connection through the management API named in its configuration.
RECORDER = """
import json
import os

import boto3

dynamodb = boto3.client("dynamodb")
management = boto3.client("apigatewaymanagementapi")  # AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI


def handler(event, context):
    request = event["requestContext"]
    dynamodb.put_item(TableName=os.environ["EVENTS_TABLE"], Item={
        "connectionId": {"S": request["connectionId"]},
        "requestId": {"S": request["requestId"]},
        "event": {"S": json.dumps(event)},
    })
    if request["eventType"] == "MESSAGE":
        gist = {"routeKey": request["routeKey"], "body": event["body"],
                "connectionId": request["connectionId"], "authorizer": request.get("authorizer")}
        management.post_to_connection(ConnectionId=request["connectionId"], Data=json.dumps(gist).encode())
    if request["eventType"] == "CONNECT" and (event.get("queryStringParameters") or {}).get("refuse"):
        return {"statusCode": 403}
    return {"statusCode": 200}
"""
AUTHORIZER = """
def handler(event, context):
    token = (event.get("queryStringParameters") or {}).get("token")
    effect = "Allow" if token == "letmein" else "Deny"
    statement = {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}
    return {"principalId": "ada", "context": {"plan": "pro"},
            "policyDocument": {"Version": "2012-10-17", "Statement": [statement]}}
"""


@pytest.fixture(scope="module")
def ws_api(cloud_env: Endpoints) -> Iterator[dict[str, Any]]:
    apis = boto3.client("apigatewayv2")
    dynamodb = boto3.client("dynamodb")
    table = unique("gateway-ws-events")
    dynamodb.create_table(
        TableName=table,
        KeySchema=[
            {"AttributeName": "connectionId", "KeyType": "HASH"},
            {"AttributeName": "requestId", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "connectionId", "AttributeType": "S"},
            {"AttributeName": "requestId", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    api_id = apis.create_api(
        Name="gateway-ws-sample", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )["ApiId"]
    apis.create_stage(ApiId=api_id, StageName="dev")
    described = gateway_client.api_url(cloud_env.gateway, api_id)
    recorder = create_function(
        RECORDER,
        env={
            "EVENTS_TABLE": table,
            "AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI": described["managementUrl"],
        },
    )
    authorizer_id = apis.create_authorizer(
        ApiId=api_id,
        Name="token",
        AuthorizerType="REQUEST",
        AuthorizerUri=invocation_uri(create_function(AUTHORIZER)),
        IdentitySource=["route.request.querystring.token"],
    )["AuthorizerId"]
    add_route(
        api_id,
        "$connect",
        recorder,
        payload_format_version="1.0",
        AuthorizationType="CUSTOM",
        AuthorizerId=authorizer_id,
    )
    for route_key in ("$disconnect", "$default", "sendMessage"):
        add_route(api_id, route_key, recorder, payload_format_version="1.0")
    yield {**described, "table": table}
    apis.delete_api(ApiId=api_id)


def _events(ws_api: dict[str, Any], connection_id: str) -> list[dict[str, Any]]:
    items = boto3.client("dynamodb").query(
        TableName=ws_api["table"],
        KeyConditionExpression="connectionId = :c",
        ExpressionAttributeValues={":c": {"S": connection_id}},
    )["Items"]
    return [json.loads(item["event"]["S"]) for item in items]


def _event_of(
    ws_api: dict[str, Any], connection_id: str, event_type: str, timeout_s: float = 15
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = [e for e in _events(ws_api, connection_id) if e["requestContext"]["eventType"] == event_type]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no {event_type} event for {connection_id} within {timeout_s} s")


def _ask(ws: ClientConnection, message: str) -> dict[str, Any]:
    ws.send(message)
    return json.loads(ws.recv(timeout=30))


def _management(ws_api: dict[str, Any]) -> Any:
    return boto3.client("apigatewaymanagementapi", endpoint_url=ws_api["managementUrl"])


def test_gateway_describes_websocket_and_management_urls(ws_api):
    assert ws_api["protocolType"] == "WEBSOCKET"
    assert ws_api["url"].startswith("ws://127.0.0.1:") and ws_api["url"].endswith("/dev")
    assert ws_api["managementUrl"] == "http" + ws_api["url"].removeprefix("ws")


def test_connect_without_a_token_is_refused(ws_api):
    with pytest.raises(InvalidStatus) as refused:
        connect(ws_api["url"], open_timeout=30)

    assert refused.value.response.status_code == 401


def test_connect_with_a_wrong_token_is_refused(ws_api):
    with pytest.raises(InvalidStatus) as refused:
        connect(ws_api["url"] + "?token=guess", open_timeout=30)

    assert refused.value.response.status_code == 403


def test_connect_lambda_answering_non_2xx_refuses_the_handshake(ws_api):
    with pytest.raises(InvalidStatus) as refused:
        connect(ws_api["url"] + "?token=letmein&refuse=1", open_timeout=30)

    assert refused.value.response.status_code == 403


def test_messages_route_by_action_then_default(ws_api):
    with connect(ws_api["url"] + "?token=letmein&room=7", open_timeout=30) as ws:
        routed = _ask(ws, json.dumps({"action": "sendMessage", "text": "hello"}))
        unrouted = _ask(ws, json.dumps({"action": "nosuchroute"}))
        plain = _ask(ws, "just text")

    assert (routed["routeKey"], json.loads(routed["body"])["text"]) == ("sendMessage", "hello")
    assert unrouted["routeKey"] == "$default"
    assert (plain["routeKey"], plain["body"]) == ("$default", "just text")
    assert routed["authorizer"] == {"plan": "pro", "principalId": "ada"}


def test_connect_and_disconnect_events_have_aws_shape(ws_api):
    with connect(ws_api["url"] + "?token=letmein&room=7", open_timeout=30) as ws:
        connection_id = _ask(ws, "hi")["connectionId"]

    connected = _event_of(ws_api, connection_id, "CONNECT")
    disconnected = _event_of(ws_api, connection_id, "DISCONNECT")
    context = connected["requestContext"]
    assert connected["queryStringParameters"] == {"token": "letmein", "room": "7"}
    assert context["routeKey"] == "$connect"
    assert context["stage"] == "dev"
    assert context["apiId"] == ws_api["apiId"]
    assert context["domainName"] == ws_api["url"].removeprefix("ws://").removesuffix("/dev")
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert isinstance(context["connectedAt"], int) and context["requestId"]
    assert disconnected["requestContext"]["routeKey"] == "$disconnect"
    assert disconnected["requestContext"]["disconnectStatusCode"] == 1000
    assert disconnected["requestContext"]["connectedAt"] == context["connectedAt"]


def test_post_to_a_live_connection_and_describe_it(ws_api):
    management = _management(ws_api)
    with connect(ws_api["url"] + "?token=letmein", open_timeout=30) as ws:
        connection_id = _ask(ws, "who am i")["connectionId"]
        management.post_to_connection(ConnectionId=connection_id, Data=b"pushed by the test")
        pushed = ws.recv(timeout=10)
        described = management.get_connection(ConnectionId=connection_id)

    assert pushed == "pushed by the test"
    assert described["Identity"]["SourceIp"] == "127.0.0.1"
    assert described["ConnectedAt"] <= described["LastActiveAt"]


def test_post_to_a_gone_connection_raises_gone_exception(ws_api):
    management = _management(ws_api)
    with connect(ws_api["url"] + "?token=letmein", open_timeout=30) as ws:
        connection_id = _ask(ws, "bye")["connectionId"]
    _event_of(ws_api, connection_id, "DISCONNECT")

    with pytest.raises(management.exceptions.GoneException):
        management.post_to_connection(ConnectionId=connection_id, Data=b"anyone there?")


def test_delete_connection_closes_it_from_the_server_side(ws_api):
    management = _management(ws_api)
    with connect(ws_api["url"] + "?token=letmein", open_timeout=30) as ws:
        connection_id = _ask(ws, "close me")["connectionId"]
        management.delete_connection(ConnectionId=connection_id)
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=10)

    assert _event_of(ws_api, connection_id, "DISCONNECT")["requestContext"]["routeKey"] == "$disconnect"
    with pytest.raises(management.exceptions.GoneException):
        management.get_connection(ConnectionId=connection_id)
