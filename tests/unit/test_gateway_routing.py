"""Stage and route selection of the local gateway, as API Gateway selects them."""

from __future__ import annotations

import pytest

from localcloud.gateway.definitions import Route
from localcloud.gateway.routing import match_http_route, select_stage, select_websocket_route

ROUTES = (
    Route("GET /pets"),
    Route("GET /pets/dog"),
    Route("GET /pets/{petId}"),
    Route("ANY /pets/{petId}"),
    Route("POST /pets/{petId}/toys/{toyId}"),
    Route("GET /pets/{proxy+}"),
    Route("ANY /{proxy+}"),
    Route("GET /"),
    Route("$default"),
)


@pytest.mark.parametrize(
    ("method", "path", "route_key", "params"),
    [
        ("GET", "/pets", "GET /pets", {}),
        ("GET", "/pets/dog", "GET /pets/dog", {}),  # exact before {param}
        ("GET", "/pets/cat", "GET /pets/{petId}", {"petId": "cat"}),  # named method before ANY
        ("DELETE", "/pets/cat", "ANY /pets/{petId}", {"petId": "cat"}),
        ("POST", "/pets/7/toys/ball", "POST /pets/{petId}/toys/{toyId}", {"petId": "7", "toyId": "ball"}),
        ("GET", "/pets/7/toys/ball", "GET /pets/{proxy+}", {"proxy": "7/toys/ball"}),  # longest greedy prefix
        ("PUT", "/owners/1/pets", "ANY /{proxy+}", {"proxy": "owners/1/pets"}),
        ("GET", "/", "GET /", {}),
        ("POST", "/", "$default", {}),  # {proxy+} takes at least one segment
        ("GET", "/pets/a%20b", "GET /pets/{petId}", {"petId": "a b"}),  # parameters are decoded
    ],
)
def test_http_routes_match_as_api_gateway_orders_them(method, path, route_key, params):
    match = match_http_route(ROUTES, method, path)

    assert match is not None
    assert (match.route.route_key, match.path_parameters) == (route_key, params)


def test_no_route_and_no_default_is_no_match():
    routes = (Route("GET /pets"), Route("GET /pets/{id}"))

    assert match_http_route(routes, "GET", "/owners") is None
    assert match_http_route(routes, "POST", "/pets") is None
    assert match_http_route(routes, "GET", "/pets/") is None  # an empty segment is no parameter value


@pytest.mark.parametrize(
    ("stages", "path", "expected"),
    [
        (("$default",), "/items/1", ("$default", "/items/1")),
        (("$default", "prod"), "/prod/items/1", ("prod", "/items/1")),
        (("$default", "prod"), "/production/items", ("$default", "/production/items")),
        (("prod",), "/prod", ("prod", "/")),
        (("prod",), "/dev/items", None),
        ((), "/", None),
    ],
)
def test_stage_is_the_first_segment_when_it_names_one_else_default(stages, path, expected):
    match = select_stage(stages, path)

    assert (None if match is None else (match.stage, match.path)) == expected


@pytest.mark.parametrize(
    ("body", "keys", "expected"),
    [
        ('{"action": "sendMessage"}', {"sendMessage", "$default"}, "sendMessage"),
        ('{"action": "unknown"}', {"sendMessage", "$default"}, "$default"),
        ("not json", {"sendMessage", "$default"}, "$default"),
        ('{"action": "unknown"}', {"sendMessage"}, None),
        ('{"action": {"nested": 1}}', {"sendMessage", "$default"}, "$default"),
        ('{"action": "$disconnect"}', {"$disconnect", "$default"}, "$default"),
    ],
)
def test_websocket_messages_route_by_the_selection_expression(body, keys, expected):
    assert select_websocket_route("$request.body.action", body, keys) == expected


def test_websocket_selection_expression_may_name_a_nested_field():
    body = '{"message": {"type": "ping"}}'

    assert select_websocket_route("${request.body.message.type}", body, {"ping"}) == "ping"


@pytest.mark.parametrize("body", ["[" * 50_000 + "]" * 50_000, '{"a":' * 5_000 + "1" + "}" * 5_000])
def test_json_nested_past_the_parsers_depth_goes_to_default_not_nowhere(body: str) -> None:
    # a 100 KB message under the 128 KB limit once raised RecursionError and was dropped without a reply
    assert select_websocket_route("$request.body.action", body, {"$default", "echo"}) == "$default"
