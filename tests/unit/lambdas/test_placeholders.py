"""Functions not built yet answer a clear "not implemented yet" (and never pretend to work)."""

from __future__ import annotations

import importlib
import json

import pytest

from infra.components.http_api import PUBLIC_ROUTES, ROUTES
from lambdas.articles import handler as articles
from lambdas.core.placeholder import NotImplementedYet
from lambdas.ws_authorizer import handler as ws_authorizer

from .events import http_event, load_event

ARTICLE_ROUTES = sorted(key for key in ROUTES if key not in PUBLIC_ROUTES)


@pytest.mark.parametrize("route_key", ARTICLE_ROUTES)
def test_every_article_route_answers_501_naming_the_route(route_key: str, lambda_context) -> None:
    event = (
        http_event(route_key, id="01JE7Q8Z3K4M5N6P7Q8R9S0T1V")
        if "{id}" in route_key
        else http_event(route_key)
    )
    response = articles.handler(event, lambda_context)
    assert response["statusCode"] == 501
    body = json.loads(response["body"])
    assert body["message"] == "not implemented yet"
    assert route_key in body["reason"]


@pytest.mark.parametrize(
    ("function", "event_name"),
    [
        ("ws_connect", "websocket_connect"),
        ("ws_disconnect", "websocket_connect"),
        ("ws_subscribe", "websocket_subscribe"),
        ("ws_default", "websocket_subscribe"),
    ],
)
def test_websocket_routes_answer_501(function: str, event_name: str, lambda_context) -> None:
    handler = importlib.import_module(f"lambdas.{function}.handler")
    response = handler.handler(load_event(event_name), lambda_context)
    assert response["statusCode"] == 501
    assert json.loads(response["body"])["function"] == function


def test_websocket_authorizer_denies_with_a_reason(lambda_context) -> None:
    event = load_event("websocket_authorizer_request")
    answer = ws_authorizer.handler(event, lambda_context)
    (statement,) = answer["policyDocument"]["Statement"]
    assert (statement["Effect"], statement["Resource"]) == ("Deny", event["methodArn"])
    assert "not implemented yet" in answer["context"]["reason"]


@pytest.mark.parametrize("step", ["validate", "scrape", "write", "store", "notify"])
def test_pipeline_steps_raise_so_the_workflow_records_a_failure(step: str, lambda_context) -> None:
    handler = importlib.import_module(f"lambdas.{step}.handler")
    with pytest.raises(NotImplementedYet, match=f"pipeline step {step} is not implemented yet"):
        handler.handler(load_event("stepfunctions_validate_task"), lambda_context)


def test_indexer_raises_so_the_stream_retries(lambda_context) -> None:
    from lambdas.indexer import handler as indexer

    with pytest.raises(NotImplementedYet, match="stream indexer"):
        indexer.handler(load_event("dynamodb_stream_insert"), lambda_context)
