"""The local gateway's servers end to end over real sockets (uvicorn, HTTP and WebSocket), with API
definitions given by the test and Lambdas run in-process: no emulator needed."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from localcloud.gateway import client
from localcloud.gateway.definitions import Api, Authorizer, Cors, Integration, Route, StaticApiSource
from localcloud.gateway.in_process import InProcessInvoker
from localcloud.gateway.ports import PortBook
from localcloud.gateway.server import Gateway
from localcloud.gateway.services import GatewayServices, access_logger
from localcloud.process import free_port

ACCOUNT, REGION = "123456789012", "eu-north-1"


def _uri(function: str) -> str:
    return (
        f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/"
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function}/invocations"
    )


def _integrations(**functions: str) -> dict[str, Integration]:
    return {key: Integration(key, "AWS_PROXY", _uri(name), 1_000) for key, name in functions.items()}


def _echo(event: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(event)}


def _binary(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/octet-stream"},
        "body": event["body"],
        "isBase64Encoded": event["isBase64Encoded"],
    }


def _cookies(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "statusCode": 200,
        "cookies": [f"seen={len(event.get('cookies', []))}", "b=2; Path=/"],
        "body": "ok",
    }


def _slow(event: dict[str, Any]) -> dict[str, Any]:
    time.sleep(1.5)
    return {"statusCode": 200}


def _fail(event: dict[str, Any]) -> dict[str, Any]:
    raise RuntimeError("boom")


def _authorize(event: dict[str, Any]) -> dict[str, Any]:
    effect = "Allow" if (event.get("queryStringParameters") or {}).get("token") == "good" else "Deny"
    statement = {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}
    return {
        "principalId": "user-1",
        "context": {"tenant": "t1"},
        "policyDocument": {"Version": "2012-10-17", "Statement": [statement]},
    }


def _http_authorize(event: dict[str, Any]) -> dict[str, Any]:
    key = event["headers"].get("x-api-key")
    if key == "expired":
        raise PermissionError("Unauthorized")
    return {"isAuthorized": key == "secret", "context": {"caller": "tester", "route": event["routeArn"]}}


HANDLERS = {
    "echo": _echo,
    "binary": _binary,
    "cookies": _cookies,
    "slow": _slow,
    "fail": _fail,
    "bare": lambda event: {"hello": "world"},
    "garbled": lambda event: {"statusCode": "x"},
    "authorize": _authorize,
    "http-authorize": _http_authorize,
    "connect": lambda event: {"statusCode": 200},
    "refuse": lambda event: {"statusCode": 403},
    "quiet": lambda event: None,
    "reply": lambda event: {"statusCode": 200, "body": "got " + event["body"]},
}

HTTP_API = Api(
    api_id="httpapi",
    protocol_type="HTTP",
    stages=("$default", "prod"),
    cors=Cors(
        allow_origins=("https://app.example",),
        allow_methods=("GET", "POST"),
        allow_headers=("authorization",),
        max_age=60,
    ),
    routes=(
        Route("GET /items/{id}", "echo"),
        Route("POST /upload", "binary"),
        Route("GET /cookies", "cookies"),
        Route("GET /slow", "slow"),
        Route("GET /fail", "fail"),
        Route("GET /bare", "bare"),
        Route("GET /garbled", "garbled"),
        Route("ANY /files/{proxy+}", "echo"),
        Route("GET /custom", "echo", authorization_type="CUSTOM", authorizer_id="key-auth"),
    ),
    authorizers={
        "key-auth": Authorizer(
            "key-auth",
            "REQUEST",
            ("$request.header.X-Api-Key",),
            uri=_uri("http-authorize"),
            payload_format_version="2.0",
            simple_responses=True,
        )
    },
    integrations={
        **_integrations(
            echo="echo", binary="binary", cookies="cookies", fail="fail", bare="bare", garbled="garbled"
        ),
        "slow": Integration("slow", "AWS_PROXY", _uri("slow"), 200),
    },
    account_id=ACCOUNT,
    region=REGION,
)

WS_API = Api(
    api_id="wsapi",
    protocol_type="WEBSOCKET",
    route_selection_expression="$request.body.action",
    stages=("dev",),
    routes=(
        Route("$connect", "connect", authorization_type="CUSTOM", authorizer_id="lambda-auth"),
        Route("$disconnect", "quiet"),
        Route("$default", "quiet"),
        Route("sendMessage", "quiet"),
        Route("ask", "reply", route_response_selection_expression="$default"),
        Route("explode", "fail"),
    ),
    integrations=_integrations(connect="connect", quiet="quiet", reply="reply", fail="fail"),
    authorizers={
        "lambda-auth": Authorizer(
            "lambda-auth", "REQUEST", ("route.request.querystring.token",), uri=_uri("authorize")
        )
    },
    account_id=ACCOUNT,
    region=REGION,
)


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    state = tmp_path_factory.mktemp("gateway")
    services = GatewayServices(
        StaticApiSource([HTTP_API, WS_API]),
        InProcessInvoker(HANDLERS),
        access_log=access_logger(state / "logs" / "gateway.log"),
        idle_timeout_s=600,
    )
    gw = Gateway(services, ports=PortBook(state / "gateway-ports.json"), poll_interval_s=0.1).start()
    yield gw
    gw.stop()


@pytest.fixture(scope="module")
def http_api(gateway: Gateway) -> dict[str, Any]:
    return httpx.get(f"{gateway.control_url}/_localcloud/apis/httpapi").json()


@pytest.fixture(scope="module")
def ws_api(gateway: Gateway) -> dict[str, Any]:
    return httpx.get(f"{gateway.control_url}/_localcloud/apis/wsapi").json()


@pytest.fixture
def invoker(gateway: Gateway) -> InProcessInvoker:
    invoker = gateway.services.invoker
    assert isinstance(invoker, InProcessInvoker)
    invoker.events.clear()
    return invoker


def _wait_for(predicate, timeout_s: float = 3.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_control_port_answers_health_and_where_apis_are(gateway, http_api, ws_api):
    base = http_api["url"]

    assert httpx.get(f"{gateway.control_url}/_localcloud/health").status_code == 200
    assert http_api["protocolType"] == "HTTP"
    assert http_api["stages"] == {"$default": base, "prod": f"{base}/prod"}
    assert ws_api["url"] == ws_api["stages"]["dev"] and ws_api["url"].startswith("ws://127.0.0.1:")
    assert ws_api["managementUrl"] == ws_api["url"].replace("ws://", "http://")
    assert {a["apiId"] for a in httpx.get(f"{gateway.control_url}/_localcloud/apis").json()} == {
        "httpapi",
        "wsapi",
    }
    assert httpx.get(f"{gateway.control_url}/_localcloud/apis/nope").status_code == 404


def test_path_query_and_stage_reach_the_lambda(http_api, invoker):
    response = httpx.get(f"{http_api['stages']['prod']}/items/42?tag=a&tag=b")

    event = response.json()
    assert response.status_code == 200
    assert response.headers["apigw-requestid"] == event["requestContext"]["requestId"]
    assert (event["rawPath"], event["requestContext"]["stage"]) == ("/prod/items/42", "prod")
    assert event["pathParameters"] == {"id": "42"}
    assert event["queryStringParameters"] == {"tag": "a,b"}
    assert event["requestContext"]["domainName"] == http_api["url"].removeprefix("http://")


def test_greedy_route_takes_the_rest_of_the_path(http_api, invoker):
    event = httpx.delete(f"{http_api['url']}/files/a/b/c.txt").json()

    assert (event["routeKey"], event["pathParameters"]) == ("ANY /files/{proxy+}", {"proxy": "a/b/c.txt"})


def test_binary_body_round_trips(http_api, invoker):
    payload = bytes(range(256)) * 64

    response = httpx.post(
        f"{http_api['url']}/upload", content=payload, headers={"content-type": "application/octet-stream"}
    )

    assert response.status_code == 200
    assert response.content == payload
    assert invoker.events_of("binary")[0]["isBase64Encoded"] is True


def test_cookies_go_in_as_a_list_and_out_as_set_cookie_headers(http_api, invoker):
    response = httpx.get(f"{http_api['url']}/cookies", headers={"cookie": "a=1; b=2"})

    assert response.headers.get_list("set-cookie") == ["seen=2", "b=2; Path=/"]
    assert invoker.events_of("cookies")[0]["cookies"] == ["a=1", "b=2"]


def test_cors_preflight_is_answered_without_a_route(http_api, invoker):
    response = httpx.options(
        f"{http_api['url']}/anything",
        headers={
            "origin": "https://app.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization",
        },
    )

    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "https://app.example"
    assert response.headers["access-control-allow-methods"] == "GET,POST"
    assert invoker.events == []


def test_cors_headers_on_ordinary_responses(http_api):
    response = httpx.get(f"{http_api['url']}/items/1", headers={"origin": "https://app.example"})

    assert response.headers["access-control-allow-origin"] == "https://app.example"


def test_cors_headers_on_the_gateways_own_errors(http_api):
    response = httpx.get(f"{http_api['url']}/nowhere", headers={"origin": "https://app.example"})

    assert response.status_code == 404
    assert response.headers["access-control-allow-origin"] == "https://app.example"


def test_bare_value_answer_is_json(http_api):
    response = httpx.get(f"{http_api['url']}/bare")

    assert (response.status_code, response.json()) == (200, {"hello": "world"})
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("method", "path", "status", "message"),
    [
        ("GET", "/nowhere", 404, "Not Found"),
        ("GET", "/fail", 500, "Internal Server Error"),
        ("GET", "/garbled", 500, "Internal Server Error"),
        ("GET", "/slow", 503, "Service Unavailable"),
    ],
)
def test_failures_answer_as_api_gateway_does(http_api, method, path, status, message):
    response = httpx.request(method, f"{http_api['url']}{path}")

    assert (response.status_code, response.json()) == (status, {"message": message})


@pytest.mark.parametrize(("key", "status"), [(None, 401), ("guess", 403), ("expired", 401)])
def test_lambda_authorizer_refuses(http_api, invoker, key, status):
    headers = {"x-api-key": key} if key else {}

    response = httpx.get(f"{http_api['url']}/custom", headers=headers)

    assert response.status_code == status
    assert invoker.events_of("echo") == []
    assert len(invoker.events_of("http-authorize")) == (0 if key is None else 1)


def test_lambda_authorizer_context_reaches_the_integration(http_api, invoker):
    response = httpx.get(f"{http_api['url']}/custom", headers={"x-api-key": "secret"})

    asked = invoker.events_of("http-authorize")[0]
    assert response.status_code == 200
    assert (asked["type"], asked["identitySource"]) == ("REQUEST", ["secret"])
    assert response.json()["requestContext"]["authorizer"] == {
        "lambda": {
            "caller": "tester",
            "route": "arn:aws:execute-api:eu-north-1:123456789012:httpapi/$default/GET/custom",
        }
    }


def test_body_over_10_mb_is_refused(http_api, invoker):
    response = httpx.post(f"{http_api['url']}/upload", content=b"x" * (10 * 1024 * 1024 + 1))

    assert response.status_code == 413
    assert invoker.events == []


def test_body_whose_event_is_over_lambdas_6_mb_is_a_413_not_a_500(http_api, invoker):
    """9 MB is under the gateway's 10 MB, but its event is over what Lambda accepts."""
    response = httpx.post(f"{http_api['url']}/upload", content=b"x" * (9 * 1024 * 1024), timeout=30)

    assert response.status_code == 413
    assert response.json() == {"message": "Request Entity Too Large"}
    assert invoker.events == []


def test_requests_are_in_the_access_log(gateway, http_api, tmp_path_factory):
    httpx.get(f"{http_api['url']}/items/logged")
    log_file = next(Path(tmp_path_factory.getbasetemp()).glob("gateway*/logs/gateway.log"))

    line = log_file.read_text().splitlines()[-1]
    assert "httpapi $default GET /items/logged route=GET /items/{id} status=200" in line


def test_api_added_after_start_is_served_without_restart(gateway, invoker):
    late = Api(
        api_id="late",
        protocol_type="HTTP",
        stages=("$default",),
        routes=(Route("$default", "echo"),),
        integrations=_integrations(echo="echo"),
        account_id=ACCOUNT,
        region=REGION,
    )
    source = gateway.services.source
    assert isinstance(source, StaticApiSource)
    source.apis["late"] = late
    _wait_for(lambda: gateway.port_of("late") is not None)

    response = httpx.get(f"http://127.0.0.1:{gateway.port_of('late')}/whatever")

    assert response.json()["routeKey"] == "$default"


def test_deleted_api_loses_its_port(gateway):
    doomed = Api(
        api_id="doomed", protocol_type="HTTP", stages=("$default",), account_id=ACCOUNT, region=REGION
    )
    source = gateway.services.source
    assert isinstance(source, StaticApiSource)
    source.apis["doomed"] = doomed
    _wait_for(lambda: gateway.port_of("doomed") is not None)
    port = gateway.port_of("doomed")

    del source.apis["doomed"]
    _wait_for(lambda: gateway.port_of("doomed") is None)

    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/")
    assert httpx.get(f"{gateway.control_url}/_localcloud/apis/doomed").status_code == 404


def test_ports_are_remembered_across_restarts(tmp_path):
    source = StaticApiSource([HTTP_API])
    book = tmp_path / "gateway-ports.json"
    first = Gateway(GatewayServices(source, InProcessInvoker(HANDLERS)), ports=PortBook(book)).start()
    port = httpx.get(f"{first.control_url}/_localcloud/apis/httpapi").json()["port"]
    first.stop()

    second = Gateway(GatewayServices(source, InProcessInvoker(HANDLERS)), ports=PortBook(book)).start()
    try:
        again = httpx.get(f"{second.control_url}/_localcloud/apis/httpapi").json()["port"]
    finally:
        second.stop()

    assert again == port
    assert json.loads(book.read_text()) == {"httpapi": port}


def _management(ws_api: dict[str, Any]):
    return boto3.client(
        "apigatewaymanagementapi",
        endpoint_url=ws_api["managementUrl"],
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _connection_id(invoker: InProcessInvoker) -> str:
    _wait_for(lambda: invoker.events_of("connect"))
    return invoker.events_of("connect")[-1]["requestContext"]["connectionId"]


def test_websocket_refused_without_a_valid_token(ws_api, invoker):
    with pytest.raises(InvalidStatus) as missing:
        connect(ws_api["url"])
    with pytest.raises(InvalidStatus) as denied:
        connect(ws_api["url"] + "?token=bad")

    assert missing.value.response.status_code == 401
    assert denied.value.response.status_code == 403
    assert invoker.events_of("connect") == []
    assert len(invoker.events_of("authorize")) == 1  # no identity, no authorizer call


def test_websocket_routes_messages_and_reports_disconnect(ws_api, invoker):
    with connect(ws_api["url"] + "?token=good&room=1") as ws:
        ws.send(json.dumps({"action": "sendMessage", "text": "hi"}))
        ws.send("not json at all")
        ws.send(json.dumps({"action": "ask", "q": 1}))
        answer = ws.recv(timeout=3)
        _wait_for(lambda: len(invoker.events_of("quiet")) == 2)

    _wait_for(lambda: len(invoker.events_of("quiet")) == 3)
    connected = invoker.events_of("connect")[0]
    routed = {e["requestContext"]["routeKey"]: e for e in invoker.events_of("quiet")}
    assert answer == 'got {"action": "ask", "q": 1}'
    assert connected["queryStringParameters"] == {"token": "good", "room": "1"}
    assert connected["requestContext"]["eventType"] == "CONNECT"
    assert connected["requestContext"]["authorizer"] == {"tenant": "t1", "principalId": "user-1"}
    assert routed["sendMessage"]["body"] == '{"action": "sendMessage", "text": "hi"}'
    assert routed["$default"]["body"] == "not json at all"
    assert routed["$default"]["requestContext"]["eventType"] == "MESSAGE"
    disconnect = routed["$disconnect"]["requestContext"]
    assert (disconnect["eventType"], disconnect["disconnectStatusCode"]) == ("DISCONNECT", 1000)
    assert disconnect["connectionId"] == connected["requestContext"]["connectionId"]


def test_failing_message_integration_tells_the_client(ws_api, invoker):
    with connect(ws_api["url"] + "?token=good") as ws:
        ws.send(json.dumps({"action": "explode"}))
        error = json.loads(ws.recv(timeout=3))

    assert error["message"] == "Internal server error"
    assert error["connectionId"] == _connection_id(invoker)


def test_management_api_posts_describes_and_deletes(ws_api, invoker):
    management = _management(ws_api)
    with connect(ws_api["url"] + "?token=good") as ws:
        connection_id = _connection_id(invoker)
        management.post_to_connection(ConnectionId=connection_id, Data=b'{"push": 1}')
        pushed = ws.recv(timeout=3)
        described = management.get_connection(ConnectionId=connection_id)
        management.delete_connection(ConnectionId=connection_id)
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=3)

    assert pushed == '{"push": 1}'
    assert described["Identity"]["SourceIp"] == "127.0.0.1"
    assert described["ConnectedAt"] <= described["LastActiveAt"]
    with pytest.raises(management.exceptions.GoneException):
        management.post_to_connection(ConnectionId=connection_id, Data=b"late")


def test_message_over_128_kb_closes_the_connection(ws_api, invoker):
    with connect(ws_api["url"] + "?token=good") as ws:
        ws.send("x" * (128 * 1024 + 1))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=3)

    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


def test_connect_lambda_refusing_refuses_the_handshake(gateway, invoker):
    refusing = Api(
        api_id="refusing",
        protocol_type="WEBSOCKET",
        stages=("dev",),
        routes=(Route("$connect", "refuse"),),
        integrations=_integrations(refuse="refuse"),
        account_id=ACCOUNT,
        region=REGION,
    )
    gateway.services.source.apis["refusing"] = refusing  # type: ignore[attr-defined]
    url = httpx.get(f"{gateway.control_url}/_localcloud/apis/refusing").json()["url"]

    with pytest.raises(InvalidStatus) as refused:
        connect(url)

    assert refused.value.response.status_code == 403


def test_idle_connections_are_closed(ws_api, gateway, invoker):
    gateway.services.idle_timeout_s = 0.3
    try:
        with connect(ws_api["url"] + "?token=good") as ws, pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=35)
    finally:
        gateway.services.idle_timeout_s = 600

    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001


def test_connections_end_at_the_maximum_duration_even_when_busy(ws_api, gateway, invoker):
    gateway.services.max_connection_s = 0.5
    try:
        with connect(ws_api["url"] + "?token=good") as ws, pytest.raises(ConnectionClosed) as closed:
            for _ in range(100):  # never idle
                ws.send(json.dumps({"action": "sendMessage"}))
                time.sleep(0.05)
    finally:
        gateway.services.max_connection_s = 7200

    assert closed.value.rcvd is not None and "maximum connection duration" in closed.value.rcvd.reason


def test_binary_frames_reach_the_lambda_base64(ws_api, invoker):
    with connect(ws_api["url"] + "?token=good") as ws:
        ws.send(b"\x00\x01\xff")
        _wait_for(lambda: invoker.events_of("quiet"))

    event = invoker.events_of("quiet")[0]
    assert (event["isBase64Encoded"], base64.b64decode(event["body"])) == (True, b"\x00\x01\xff")


def test_client_helpers_read_the_control_port(gateway, http_api):
    assert client.api_url(gateway.control_url, "httpapi") == http_api
    assert "httpapi" in {a["apiId"] for a in client.list_apis(gateway.control_url)}
    with pytest.raises(client.ApiNotServed, match="no API nope"):
        client.api_url(gateway.control_url, "nope")


def test_client_raises_oserror_when_no_gateway_answers():
    with pytest.raises(OSError):
        client.list_apis(f"http://127.0.0.1:{free_port()}")
