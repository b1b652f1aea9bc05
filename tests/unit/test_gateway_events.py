"""The events the local gateway sends Lambdas and how it maps their answers, CORS included."""

from __future__ import annotations

import base64
import json

import pytest

from localcloud.gateway import cors
from localcloud.gateway.definitions import Cors
from localcloud.gateway.http_events import (
    HttpRequest,
    MalformedLambdaResponse,
    build_http_event,
    event_v1,
    reply_from_lambda,
    reply_from_lambda_v1,
)
from localcloud.gateway.lambda_authorizers import read_authorizer_answer


def _request(**overrides) -> HttpRequest:
    values = {
        "method": "POST",
        "raw_path": "/prod/items/42",
        "raw_query_string": "tag=a&tag=b&q=",
        "headers": [
            ("host", "127.0.0.1:4570"),
            ("user-agent", "curl/8"),
            ("x-multi", "1"),
            ("x-multi", "2"),
            ("cookie", "a=1; b=2"),
            ("content-type", "application/json"),
        ],
        "body": b'{"name": "x"}',
        "source_ip": "127.0.0.1",
        "domain_name": "127.0.0.1:4570",
        "request_id": "req-1",
        "time_epoch_ms": 1_764_777_600_000,
    }
    values.update(overrides)
    return HttpRequest(**values)


def test_http_event_has_every_payload_2_field():
    event = build_http_event(
        _request(),
        api_id="api1",
        account_id="123456789012",
        stage="prod",
        route_key="POST /items/{id}",
        path_parameters={"id": "42"},
        authorizer={"jwt": {"claims": {"sub": "u1"}, "scopes": None}},
    )

    assert event["version"] == "2.0"
    assert event["routeKey"] == "POST /items/{id}"
    assert event["rawPath"] == "/prod/items/42"  # a named stage stays in rawPath, as on AWS
    assert event["rawQueryString"] == "tag=a&tag=b&q="
    assert event["cookies"] == ["a=1", "b=2"]
    assert event["headers"]["x-multi"] == "1,2"
    assert "cookie" not in event["headers"]
    assert event["queryStringParameters"] == {"tag": "a,b", "q": ""}
    assert event["pathParameters"] == {"id": "42"}
    assert (event["body"], event["isBase64Encoded"]) == ('{"name": "x"}', False)
    context = event["requestContext"]
    assert context["accountId"] == "123456789012"
    assert context["apiId"] == "api1"
    assert context["domainName"] == "127.0.0.1:4570"
    assert context["stage"] == "prod"
    assert context["routeKey"] == "POST /items/{id}"
    assert context["requestId"] == "req-1"
    assert context["http"] == {
        "method": "POST",
        "path": "/prod/items/42",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.1",
        "userAgent": "curl/8",
    }
    assert context["time"] == "03/Dec/2025:16:00:00 +0000"
    assert context["timeEpoch"] == 1_764_777_600_000
    assert context["authorizer"] == {"jwt": {"claims": {"sub": "u1"}, "scopes": None}}


def test_binary_body_is_base64_in_the_event():
    payload = bytes(range(256))
    request = _request(headers=[("content-type", "application/octet-stream")], body=payload)

    event = build_http_event(
        request, api_id="a", account_id="1", stage="$default", route_key="$default", path_parameters={}
    )

    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == payload


def test_absent_parts_are_absent_from_the_event():
    request = _request(method="GET", raw_query_string="", headers=[("host", "h")], body=b"")

    event = build_http_event(
        request, api_id="a", account_id="1", stage="$default", route_key="$default", path_parameters={}
    )

    assert not {"cookies", "queryStringParameters", "pathParameters", "body"} & set(event)
    assert event["isBase64Encoded"] is False
    assert "authorizer" not in event["requestContext"]


def test_structured_answer_maps_status_headers_cookies_and_body():
    answer = {
        "statusCode": 201,
        "headers": {"Content-Type": "text/plain", "X-Id": "7"},
        "cookies": ["s=1; Path=/", "t=2"],
        "body": "created",
    }

    reply = reply_from_lambda(json.dumps(answer).encode())

    assert reply.status == 201
    assert ("content-type", "text/plain") in reply.headers
    assert ("x-id", "7") in reply.headers
    assert [v for k, v in reply.headers if k == "set-cookie"] == ["s=1; Path=/", "t=2"]
    assert reply.body == b"created"


def test_base64_answer_is_decoded():
    data = bytes(range(256))
    answer = {"statusCode": 200, "body": base64.b64encode(data).decode(), "isBase64Encoded": True}

    assert reply_from_lambda(json.dumps(answer).encode()).body == data


@pytest.mark.parametrize("value", [{"hello": "world"}, "text", [1, 2], None])
def test_bare_value_is_a_200_json_body(value):
    payload = json.dumps(value).encode()

    reply = reply_from_lambda(payload)

    assert (reply.status, reply.body) == (200, payload)
    assert ("content-type", "application/json") in reply.headers


@pytest.mark.parametrize("payload", [b"{not json", b'{"statusCode": "abc"}', b'{"statusCode": 99}'])
def test_unusable_answers_are_refused(payload):
    with pytest.raises(MalformedLambdaResponse):
        reply_from_lambda(payload)


CORS = Cors(
    allow_origins=("https://app.example",),
    allow_methods=("GET", "POST"),
    allow_headers=("authorization", "content-type"),
    expose_headers=("x-id",),
    max_age=300,
    allow_credentials=True,
)


def test_preflight_from_allowed_origin_is_answered():
    headers = {"origin": "https://app.example", "access-control-request-method": "POST"}

    answer = dict(cors.preflight_headers(CORS, headers))

    assert cors.is_preflight("OPTIONS", headers)
    assert answer["access-control-allow-origin"] == "https://app.example"
    assert answer["access-control-allow-methods"] == "GET,POST"
    assert answer["access-control-allow-headers"] == "authorization,content-type"
    assert answer["access-control-max-age"] == "300"
    assert answer["access-control-allow-credentials"] == "true"


def test_preflight_from_other_origin_or_method_gets_no_cors_headers():
    assert (
        cors.preflight_headers(
            CORS, {"origin": "https://evil.example", "access-control-request-method": "GET"}
        )
        == []
    )
    assert (
        cors.preflight_headers(
            CORS, {"origin": "https://app.example", "access-control-request-method": "PUT"}
        )
        == []
    )


def test_cors_headers_replace_the_integrations():
    reply_headers = [("content-type", "text/plain"), ("access-control-allow-origin", "*")]

    result = cors.apply(CORS, {"origin": "https://app.example"}, reply_headers)

    assert ("access-control-allow-origin", "*") not in result
    assert ("access-control-allow-origin", "https://app.example") in result
    assert ("access-control-expose-headers", "x-id") in result
    assert ("content-type", "text/plain") in result


def test_wildcard_origin_without_credentials_answers_star():
    wildcard = Cors(allow_origins=("*",), allow_methods=("*",), allow_headers=("*",))
    headers = {
        "origin": "http://localhost:3000",
        "access-control-request-method": "DELETE",
        "access-control-request-headers": "x-custom",
    }

    answer = dict(cors.preflight_headers(wildcard, headers))

    assert answer["access-control-allow-origin"] == "*"
    assert answer["access-control-allow-methods"] == "DELETE"
    assert answer["access-control-allow-headers"] == "x-custom"


ARN = "arn:aws:execute-api:eu-north-1:123456789012:api1/prod/$connect"


def _policy(effect: str, resource: str) -> dict:
    return {
        "principalId": "user-1",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}],
        },
        "context": {"tenant": "t1"},
    }


@pytest.mark.parametrize(
    ("answer", "allowed"),
    [
        (_policy("Allow", ARN), True),
        (_policy("Allow", "arn:aws:execute-api:eu-north-1:123456789012:api1/*"), True),
        (_policy("Deny", ARN), False),
        (_policy("Allow", "arn:aws:execute-api:eu-north-1:123456789012:other/*"), False),
        ({"isAuthorized": True}, True),
        ({"isAuthorized": "yes"}, False),
        ("Allow", False),
    ],
)
def test_authorizer_answers_are_read_as_iam_policies(answer, allowed):
    assert read_authorizer_answer(answer, ARN).allowed is allowed


def test_authorizer_context_and_principal_are_kept():
    decision = read_authorizer_answer(_policy("Allow", ARN), ARN)

    assert decision.context == {"tenant": "t1", "principalId": "user-1"}


def test_payload_1_0_event_is_derived_from_the_2_0_one():
    request = _request()
    v2 = build_http_event(
        request,
        api_id="api1",
        account_id="123456789012",
        stage="prod",
        route_key="POST /items/{id}",
        path_parameters={"id": "42"},
        authorizer={"jwt": {"claims": {"sub": "u1"}, "scopes": None}},
    )

    event = event_v1(request, v2)

    assert (event["version"], event["resource"], event["path"]) == ("1.0", "/items/{id}", "/prod/items/42")
    assert event["httpMethod"] == "POST"
    assert event["headers"]["x-multi"] == "2"
    assert event["multiValueHeaders"]["x-multi"] == ["1", "2"]
    assert event["headers"]["cookie"] == "a=1; b=2"
    assert event["queryStringParameters"] == {"tag": "b", "q": ""}
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b"], "q": [""]}
    assert event["pathParameters"] == {"id": "42"}
    assert (event["body"], event["isBase64Encoded"]) == ('{"name": "x"}', False)
    context = event["requestContext"]
    assert context["authorizer"] == {"claims": {"sub": "u1"}, "scopes": None}
    assert (context["resourcePath"], context["stage"], context["requestId"]) == (
        "/items/{id}",
        "prod",
        "req-1",
    )
    assert context["identity"]["sourceIp"] == "127.0.0.1"


def test_payload_1_0_answer_must_be_structured():
    with pytest.raises(MalformedLambdaResponse):
        reply_from_lambda_v1(b'{"hello": "world"}')

    reply = reply_from_lambda_v1(
        b'{"statusCode": 202, "multiValueHeaders": {"X-A": ["1", "2"]}, "body": "ok"}'
    )

    assert (reply.status, reply.body) == (202, b"ok")
    assert [v for k, v in reply.headers if k == "x-a"] == ["1", "2"]
